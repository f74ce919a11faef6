#!/usr/bin/env bash
# Install what is missing, build, and run every test: the parsers' fuzz
# targets briefly, the demo, then the unit and end-to-end suites against the
# optimized build, then again against the address+undefined sanitizer
# build. Each suite ends with "N passed, N failed, N skipped".
set -eu
cd "$(dirname "$0")/.."
scripts/setup.sh test
make -j"$(nproc)" all unit
make fuzz-run FUZZ_SECONDS="${FUZZ_SECONDS:-15}"
# The README's demo must keep working: it is the first thing users run.
scripts/demo.sh >build/demo.log 2>&1 || { cat build/demo.log; echo "demo failed" >&2; exit 1; }
echo "ok demo (scripts/demo.sh)"
make test
make -j"$(nproc)" asan
make test-asan
