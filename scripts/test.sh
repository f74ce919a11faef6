#!/usr/bin/env bash
# Install what is missing, build, and run every test: the parsers' fuzz
# targets briefly, then the unit and end-to-end suites against the
# optimized build, then again against the address+undefined sanitizer
# build. Each suite ends with "N passed, N failed, N skipped".
set -eu
cd "$(dirname "$0")/.."
scripts/setup.sh test
make -j"$(nproc)" all unit
make fuzz-run FUZZ_SECONDS="${FUZZ_SECONDS:-15}"
make test
make -j"$(nproc)" asan
make test-asan
