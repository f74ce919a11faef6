#!/usr/bin/env bash
# kill -9 of the filter in the middle of cleaning a 1 GiB file: no partial
# object ever becomes visible in the store, and adding the file again works.
. "$(dirname "$0")/lib.sh"

SIZE=$((1024 * 1024 * 1024))

# Every object under objects/ hashes to its own name.
store_objects_whole() {
	: >../objects &&
	if test -d .git/mlv/objects; then
		find .git/mlv/objects -type f >../objects
	fi &&
	while read -r obj; do
		test "$(sha256_of "$obj")" = "$(basename "$obj")" || {
			echo "partial or wrong object visible: $obj"
			return 1
		}
	done <../objects
}

# The git-mlv process serving git $1: its child, or its grandchild when git
# started it through `sh -c` (it does when the command has a space).
filter_of() {
	local child
	for child in $(pgrep -P "$1"); do
		if [ "$(cat /proc/$child/comm 2>/dev/null)" = git-mlv ]; then
			echo "$child"
			return
		fi
		pgrep -P "$child" -x git-mlv
	done | head -1
}

# Start `git add big.bin` in the background, wait until the filter's
# temporary file under .git/mlv/tmp has grown past 64 MiB, then kill -9
# the git-mlv filter process serving this git add (found by its pid).
# Succeeds when the kill landed before git got its answer.
interrupt_add() {
	git add big.bin 2>../add.err &
	add_pid=$!
	filter_pid= grown=
	for _ in $(seq 1 2000); do
		if [ -z "$filter_pid" ]; then
			filter_pid=$(filter_of "$add_pid")
		fi
		for tmp in .git/mlv/tmp/*; do
			if [ -f "$tmp" ] && [ "$(stat -c %s "$tmp" 2>/dev/null || echo 0)" -gt $((64 << 20)) ]; then
				grown=$tmp
			fi
		done
		if [ -n "$filter_pid" ] && [ -n "$grown" ]; then
			kill -9 "$filter_pid"
			break
		fi
		kill -0 "$add_pid" 2>/dev/null || break
		sleep 0.01
	done
	if wait "$add_pid"; then
		echo "git add finished before the filter could be killed"
		return 1
	fi
	test -n "$grown" && test -n "$filter_pid" &&
	! kill -0 "$filter_pid" 2>/dev/null &&
	echo "killed filter $filter_pid while $grown was $(stat -c %s "$grown" 2>/dev/null) bytes"
}

test_expect_success 'setup: a repo with one small object and 1 GiB of random data' '
	test_repo r && cd r &&
	test_random_file small.bin 5000 small &&
	git add small.bin && git commit -qm small &&
	test_random_file big.bin $SIZE interrupt &&
	test "$(stat -c %s big.bin)" = $SIZE &&
	sha256_of big.bin >../oid
'

test_expect_success 'kill -9 of the filter in the middle of git add leaves no visible object' '
	cd r &&
	tries=0 &&
	until interrupt_add >../kill.log; do
		tries=$((tries + 1))
		cat ../kill.log
		[ $tries -lt 3 ] || exit 1
		git rm -q --cached big.bin 2>/dev/null
		rm -f "$(test_store_path "$(cat ../oid)")"
	done &&
	cat ../kill.log &&
	! test -e "$(test_store_path "$(cat ../oid)")" &&
	store_objects_whole &&
	test "$(wc -l <../objects)" = 1 &&
	test -z "$(git ls-files -s big.bin)" &&
	! test -e .git/index.lock
'

test_expect_success 'adding the file again succeeds and stores a whole object' '
	cd r &&
	git add big.bin && git commit -qm big &&
	test "$(test_pointer_oid big.bin HEAD)" = "$(cat ../oid)" &&
	git cat-file -p HEAD:big.bin | grep -qx "size $SIZE" &&
	obj=$(test_store_path "$(cat ../oid)") &&
	test "$(stat -c %s "$obj")" = $SIZE &&
	test "$(sha256_of "$obj")" = "$(cat ../oid)" &&
	store_objects_whole &&
	test "$(wc -l <../objects)" = 2
'

test_expect_success 'the file checks out whole from the stored object' '
	cd r &&
	rm big.bin && git checkout -- big.bin &&
	test "$(sha256_of big.bin)" = "$(cat ../oid)" &&
	test -z "$(git status --porcelain)"
'

test_expect_success 'git mlv fsck removes the partial file once it is stale, not before' '
	cd r &&
	left=$(ls .git/mlv/tmp/ | wc -l) &&
	test "$left" -ge 1 &&
	git mlv fsck >../fsck.out &&
	test "$(ls .git/mlv/tmp/ | wc -l)" = "$left" &&
	touch -d "2 hours ago" .git/mlv/tmp/* &&
	git mlv fsck >../fsck.out &&
	grep -q "removed $left temporary file" ../fsck.out &&
	test -z "$(ls .git/mlv/tmp/)"
'

test_expect_success 'cleanup: the big files are removed' '
	rm -rf r && ! test -e r
'

test_done
