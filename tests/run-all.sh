#!/usr/bin/env bash
# Run every test: the cmocka unit tests, then the end-to-end scripts.
# Expects MLV_BUILD (where unit test binaries are) and MLV_BIN (git-mlv).
# Ends with one summary line "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.." || exit 1
: "${MLV_BUILD:=build}" "${MLV_BIN:=$PWD/bin}"
export MLV_BIN
results=$(mktemp)
export MLV_RESULTS=$results
trap 'rm -f "$results"' EXIT

failed_units=0
for t in "$MLV_BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	if out=$("$t" 2>&1); then
		n=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
		echo "ok unit $name (${n:-0} tests)"
		echo "$name ${n:-0} 0 0" >>"$results"
	else
		printf '%s\n' "$out"
		f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
		p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
		echo "not ok unit $name"
		echo "$name ${p:-0} ${f:-1} 0" >>"$results"
		failed_units=$((failed_units + 1))
	fi
done

# End-to-end scripts run two at a time (the machines have 2 cores), the
# newest first: the long ones against real S3 servers are among them, so
# the short ones fill in at the end rather than one slot idling.
ls tests/e2e/t[0-9]*.sh | sort -r | xargs -P "${MLV_TEST_JOBS:-2}" -I{} \
	bash -c 'out=$(bash "$1" 2>&1); rc=$?; printf "%s\n" "$out"
		name=$(basename "$1" .sh)
		if [ $rc -ne 0 ] && ! grep -q "^$name " "$MLV_RESULTS"; then
			echo "not ok $name died (exit $rc) before test_done"
			echo "$name 0 1 0" >>"$MLV_RESULTS"
		fi' _ {}

awk '{ p += $2; f += $3; s += $4 } END {
	printf "%d passed, %d failed, %d skipped\n", p, f, s; exit (f > 0) }' "$results"
