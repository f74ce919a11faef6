#!/usr/bin/env bash
# bench/policy.sh — how long the lineage checks take.
#
#   make && bench/policy.sh [--runs N]
#
# 1. The pre-commit check (`git mlv hook pre-commit`, what the hook runs)
#    on a commit that adds 200 models with their data sets and sidecars.
#    Target: under 150 ms.
# 2. `git mlv verify` over 1,000 commits, each changing a model, its data
#    and its sidecar. Target: under 2 s.
# Repositories are built with git fast-import (bench/policy-history.py), so
# set-up takes seconds. Medians by hyperfine. Not a test: never run by
# `make test`; a MISS does not change the exit status.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=20
[ "${1:-}" = "--runs" ] && RUNS=$2
MLV_BIN=${MLV_BIN:-$ROOT/bin}
command -v hyperfine >/dev/null || { echo "bench/policy.sh needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
WORK=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/mlv-policy-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export HOME=$WORK/home PATH="$MLV_BIN:$PATH" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME" "$ROOT/bench/out"
git config --global init.defaultBranch main
git config --global user.name Bench
git config --global user.email bench@example.com

median() { # hyperfine json -> median seconds
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$1"
}

# 1. pre-commit on 200 staged models
git init -q "$WORK/staged"
(cd "$WORK/staged" && python3 "$ROOT/bench/policy-history.py" staged 200 | git fast-import --quiet &&
	git read-tree models &&
	git mlv hook pre-commit)   # must pass: the check runs to the end
hyperfine --style none --warmup 2 --runs "$RUNS" --export-json "$WORK/pre.json" \
	"cd $WORK/staged && git mlv hook pre-commit" >/dev/null
pre=$(median "$WORK/pre.json")

# 2. verify over 1,000 commits
git init -q "$WORK/history"
(cd "$WORK/history" && python3 "$ROOT/bench/policy-history.py" commits 1000 50 | git fast-import --quiet &&
	git mlv verify --quiet)
n=$(git -C "$WORK/history" rev-list --count HEAD)
hyperfine --style none --warmup 1 --runs "$((RUNS / 2 > 3 ? RUNS / 2 : 3))" --export-json "$WORK/verify.json" \
	"cd $WORK/history && git mlv verify --quiet" >/dev/null
ver=$(median "$WORK/verify.json")

python3 - "$pre" "$ver" "$n" "$RUNS" <<'PY' | tee "$ROOT/bench/out/policy.txt"
import sys
pre, ver, n, runs = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def v(x, t): return "PASS" if x <= t else "MISS"
print("lineage checks, medians of %s runs (hyperfine)" % runs)
print("%-52s %9s %9s  %s" % ("measurement", "median", "target", "verdict"))
print("%-52s %7.1f ms %6.0f ms  %s" % ("pre-commit check, commit adding 200 models + data", pre * 1000, 150, v(pre, 0.150)))
print("%-52s %7.2f s  %6.1f s   %s" % ("git mlv verify over %d commits" % n, ver, 2.0, v(ver, 2.0)))
PY
