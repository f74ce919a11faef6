#!/usr/bin/env bash
# A file over 4 GiB goes through add, commit and checkout whole: sizes and
# offsets past 2^32 must not wrap (the classic 32-bit size bug).
#
# Needs about 9 GB of free disk for a moment (the store's copy, the work
# tree's copy) and cleans up after itself. `git checkout` makes git hold the
# whole smudged file in memory, so that step needs RAM and is skipped on
# small machines; `git mlv checkout` streams and always runs.
. "$(dirname "$0")/lib.sh"

SIZE=$((4 * 1024 * 1024 * 1024 + 4099)) # 4 GiB + 4099 bytes
NEED_KB=$((9 * 1024 * 1024))

free_kb=$(df -Pk "$TRASH" | awk 'NR == 2 { print $4 }')
mem_kb=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)

if [ "${free_kb:-0}" -lt "$NEED_KB" ]; then
	test_skip 'a file over 4 GiB round-trips' \
		"needs 9 GB free disk in $TRASH, only $((free_kb / 1024)) MB free"
	test_done
	exit
fi

# Sparse, with marks at the start, across the 2^32 boundary and at the end.
test_expect_success 'setup: a sparse file just over 4 GiB with marks at 0, 2^32 and the end' '
	test_repo r && cd r &&
	truncate -s $SIZE big.bin &&
	printf "start-of-file" | dd of=big.bin bs=1 seek=0 conv=notrunc status=none &&
	printf "across-the-4GiB-line" |
		dd of=big.bin bs=1 seek=$((4294967296 - 6)) conv=notrunc status=none &&
	printf "end!" | dd of=big.bin bs=1 seek=$((SIZE - 4)) conv=notrunc status=none &&
	test "$(stat -c %s big.bin)" = $SIZE &&
	test "$(tail -c 4 big.bin)" = "end!" &&
	sha256_of big.bin >../oid &&
	grep -qx "[0-9a-f]\{64\}" ../oid
'

test_expect_success 'add and commit store a pointer with the full 64-bit size' '
	cd r &&
	git add big.bin && git commit -qm "a file over 4 GiB" &&
	git cat-file -p HEAD:big.bin >../ptr &&
	printf "version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %s\n" \
		"$(cat ../oid)" $SIZE >../expect &&
	cmp ../expect ../ptr &&
	obj=$(test_store_path "$(cat ../oid)") &&
	test "$(stat -c %s "$obj")" = $SIZE &&
	git mlv ls-files --long | grep -q "($SIZE bytes, materialized)" &&
	git mlv ls-files --json | grep -q "\"size\": $SIZE,"
'

test_expect_success 'git mlv checkout streams it back: same size, same hash' '
	cd r &&
	rm big.bin &&
	MLV_SKIP_SMUDGE=1 git checkout -- big.bin &&
	git cat-file -p HEAD:big.bin | cmp - big.bin &&
	git mlv checkout --quiet big.bin &&
	test "$(stat -c %s big.bin)" = $SIZE &&
	test "$(dd if=big.bin bs=1 skip=$((4294967296 - 6)) count=20 status=none)" = \
		across-the-4GiB-line &&
	test "$(sha256_of big.bin)" = "$(cat ../oid)" &&
	test -z "$(git status --porcelain)"
'

# git reads the whole smudged file into memory (4.2 GB peak RSS measured).
if [ "${mem_kb:-0}" -lt $((6 * 1024 * 1024)) ]; then
	test_skip 'git checkout smudges it back through the filter' \
		"git holds the 4 GiB file in memory; needs 6 GiB available, $((mem_kb / 1024)) MiB here"
else
	test_expect_success 'git checkout smudges it back through the filter' '
		cd r &&
		rm big.bin &&
		git checkout -- big.bin &&
		test "$(stat -c %s big.bin)" = $SIZE &&
		test "$(head -c 13 big.bin)" = start-of-file &&
		test "$(sha256_of big.bin)" = "$(cat ../oid)" &&
		test -z "$(git status --porcelain)"
	'
fi

test_expect_success 'cleanup: the big copies are removed' '
	rm -rf r &&
	! test -e r
'

test_done
