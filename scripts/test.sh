#!/usr/bin/env bash
# Install what is missing, build, and run every test: the unit and
# end-to-end suites against the optimized build, then again against the
# address+undefined sanitizer build.
set -eu
cd "$(dirname "$0")/.."
scripts/setup.sh test
make -j"$(nproc)" all unit
make test
make -j"$(nproc)" asan
make test-asan
# The parsers' fuzz targets, briefly, on their corpora in tests/fuzz/.
make fuzz-run FUZZ_SECONDS="${FUZZ_SECONDS:-15}"
