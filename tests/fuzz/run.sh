#!/usr/bin/env bash
# Run each fuzz target for $1 seconds on a scratch copy of its corpus, so
# what it finds does not land in the tree. A crash leaves its input in
# build/fuzz/crashes/ and fails the run. Usage: run.sh SECONDS TARGET...
set -u
seconds=$1
shift
cd "$(dirname "$0")/../.." || exit 1
mkdir -p build/fuzz/crashes
failed=0
for target in "$@"; do
	name=$(basename "$target")
	corpus=$(mktemp -d)
	cp tests/fuzz/corpus/"${name#fuzz_}"/* "$corpus"/
	if "$target" -max_total_time="$seconds" -max_len=4096 \
		-artifact_prefix=build/fuzz/crashes/"$name"- "$corpus" \
		>build/fuzz/"$name".log 2>&1; then
		runs=$(grep -o 'Done [0-9]* runs' build/fuzz/"$name".log | tail -1)
		echo "ok fuzz $name (${runs:-done} in ${seconds}s)"
		echo "$name 1 0 0" >>"${MLV_RESULTS:-/dev/null}"
	else
		tail -30 build/fuzz/"$name".log
		echo "not ok fuzz $name: input saved under build/fuzz/crashes/"
		echo "$name 0 1 0" >>"${MLV_RESULTS:-/dev/null}"
		failed=1
	fi
	rm -rf "$corpus"
done
exit $failed
