# git mlv gc --remote against one store, sourced after lib.sh by a script
# that sets STORE_URL and the store helpers: store_has KEY, store_put FILE
# KEY, store_rm KEY, store_keys PREFIX (one key a line).

obj_key() { echo "objects/$(echo "$1" | cut -c1-2)/$(echo "$1" | cut -c3-4)/$1"; }
trash_key() { echo "trash/$(echo "$1" | cut -c1-2)/$(echo "$1" | cut -c3-4)/$1"; }

# A sealed gc list of kind $1 with the lines that follow, into the file $2.
sealed_list() {
	local kind=$1 out=$2
	shift 2
	{ printf '# mlv gc %s 1\n' "$kind"; for l in "$@"; do printf '%s\n' "$l"; done; } >"$out"
	printf 'end %s\n' "$(sha256sum <"$out" | cut -d" " -f1)" >>"$out"
}

# Every object the commits of every ref of the clone $1 need is in the
# store's objects/: what "nothing reachable was removed" means.
all_reachable_in_store() {
	local c oid missing=0
	for c in $(git -C "$1" rev-list --all); do
		for oid in $(git -C "$1" ls-tree -r "$c" | awk '$4 ~ /\.bin$/ {print $3}' |
			     sort -u | git -C "$1" cat-file --batch | sed -n 's/^oid sha256://p'); do
			store_has "$(obj_key "$oid")" || { echo "missing $oid of $c"; missing=1; }
		done
	done
	return $missing
}

test_expect_success 'gc setup: a repository pushed to an mlv:: store' '
	git init -q src && cd src && git mlv track "*.bin" >/dev/null &&
	git config mlv.gcgraceseconds 2 && git config mlv.gcleaseseconds 60 &&
	test_random_file a.bin 3000 a && git add . && git commit -qm v1 &&
	git remote add origin "mlv::$STORE_URL" &&
	git push -q origin main 2>../err &&
	store_has "$(obj_key "$(test_pointer_oid a.bin HEAD)")"
'

test_expect_success 'the first gc only marks: nothing moves, and it says when it can' '
	cd src &&
	test_random_file b.bin 4000 b && git add b.bin && git commit -qm v2 &&
	git push -q origin main && git tag v2 && cp b.bin ../b.orig &&
	git reset -q --hard HEAD~1 &&
	git push -q -f origin main &&
	b=$(test_pointer_oid b.bin v2) && sleep 1 &&
	git mlv gc --remote origin >../out &&
	grep -q "nothing moves before" ../out &&
	test -n "$(store_keys gc/mark-)" &&
	store_has "$(obj_key "$b")"
'

test_expect_success '--dry-run names what a force-push left unreachable and moves nothing' '
	cd src && b=$(test_pointer_oid b.bin v2) && sleep 3 &&
	git mlv gc --remote origin --dry-run >../out &&
	grep -q "^would move $b " ../out &&
	! grep -q "a.bin\|would move $(test_pointer_oid a.bin HEAD)" ../out &&
	store_has "$(obj_key "$b")"
'

test_expect_success 'the second gc, a grace period later, moves it to trash/; the rest stays whole' '
	cd src && b=$(test_pointer_oid b.bin v2) && a=$(test_pointer_oid a.bin HEAD) &&
	git mlv gc --remote origin >../out &&
	grep -q "^moved $b " ../out &&
	grep -q "1 moved to trash/" ../out &&
	grep -q "moves them back: git mlv gc --remote .origin. --restore$" ../out &&
	! store_has "$(obj_key "$b")" && store_has "$(trash_key "$b")" &&
	store_has "$(obj_key "$a")" &&
	test -n "$(store_keys gc/tombstones-)" &&
	cd .. && git clone -q "mlv::$STORE_URL" c1 && cmp c1/a.bin src/a.bin &&
	(cd c1 && git mlv fsck --remote origin --full >/dev/null) &&
	(cd c1 && git fetch -q ../src v2 &&
	 test_must_fail git checkout FETCH_HEAD -- b.bin 2>../err4) &&
	grep -q "is in the trash/ of .*gc --remote <remote> --restore" err4
'

test_expect_success '--restore moves it back, and a clone of the old commit has its bytes' '
	cd src && b=$(test_pointer_oid b.bin v2) &&
	git mlv gc --remote origin --restore >../out &&
	grep -q "1 objects moved back" ../out &&
	store_has "$(obj_key "$b")" && ! store_has "$(trash_key "$b")" &&
	test -z "$(store_keys gc/tombstones-)" &&
	git push -q origin v2 &&
	cd .. && git clone -q -b v2 "mlv::$STORE_URL" c2 2>/dev/null &&
	cmp c2/b.bin b.orig
'

test_expect_success 'a push record keeps what a push in progress relies on' '
	cd src && git push -q origin :refs/tags/v2 && b=$(test_pointer_oid b.bin v2) &&
	sleep 1 && git mlv gc --remote origin >/dev/null && sleep 3 &&
	sealed_list push ../rec "$b" &&
	store_put ../rec gc/push-29990101T000000Z-00000000 &&
	git mlv gc --remote origin >../out6 &&
	grep -q "1 kept for pushes" ../out6 &&
	store_has "$(obj_key "$b")" &&
	store_rm gc/push-29990101T000000Z-00000000 &&
	git mlv gc --remote origin >../out6 &&
	grep -q "^moved $b" ../out6
'

test_expect_success 'a push waits for a running sweep and uploads again what it moved' '
	cd src && b=$(test_pointer_oid b.bin v2) &&
	sealed_list tombstones ../tomb "$b 4000" &&
	printf "# mlv gc sweep 1\nlease 30\n" >../sweep &&
	store_put ../sweep gc/sweep-29990101T000000Z-11111111 &&
	store_put ../tomb gc/tombstones-29990101T000000Z-11111111 &&
	# the sweep moves b while the push runs, then ends
	{ (sleep 1.5; store_rm "$(obj_key "$b")"; sleep 1; store_rm gc/sweep-29990101T000000Z-11111111) & } &&
	git push origin v2 2>../err7 &&
	wait &&
	grep -q "waiting for the gc sweep of .* to end" ../err7 &&
	store_has "$(obj_key "$b")" &&
	store_rm gc/tombstones-29990101T000000Z-11111111
'

test_expect_success 'a sweep marker past its lease (a killed gc) does not hold a push up' '
	cd src && git push -q origin :refs/tags/v2 &&
	printf "# mlv gc sweep 1\nlease 1\n" >../sweep &&
	store_put ../sweep gc/sweep-20000101T000000Z-22222222 && sleep 2 &&
	git push origin v2 2>../err &&
	! grep -q "waiting" ../err &&
	git mlv gc --remote origin >/dev/null &&
	test -z "$(store_keys gc/sweep-)"
'

test_expect_success 'a gc running refuses a second one, moving nothing' '
	cd src &&
	printf "# mlv gc sweep 1\nlease 60\n" >../sweep &&
	store_put ../sweep gc/sweep-29990101T000000Z-33333333 &&
	test_expect_code 128 git mlv gc --remote origin 2>../err &&
	grep -q "another gc is sweeping" ../err &&
	store_rm gc/sweep-29990101T000000Z-33333333
'

test_expect_success 'a file in objects/ that is not an object stops gc: named, nothing moved' '
	cd src && git push -q origin :refs/tags/v2 && b=$(test_pointer_oid b.bin v2) &&
	printf "not mine" >../foreign && store_put ../foreign objects/zz/notes.txt &&
	sleep 3 && git mlv gc --remote origin >/dev/null 2>&1; sleep 3 &&
	test_expect_code 128 git mlv gc --remote origin 2>../err &&
	grep -q "objects/zz/notes.txt is not an object" ../err &&
	store_has "$(obj_key "$b")" &&
	store_rm objects/zz/notes.txt
'

test_expect_success 'a torn mark stops gc, nothing moved' '
	cd src && b=$(test_pointer_oid b.bin v2) &&
	for k in $(store_keys gc/mark-); do
		printf "# mlv gc mark 1\n%s\n" "$b" >../torn && store_put ../torn "$k" || return 1
	done && sleep 3 &&
	test_expect_code 128 git mlv gc --remote origin 2>../err &&
	grep -q "gc/mark-.*torn or damaged\|gc/mark-.*truncated" ../err &&
	store_has "$(obj_key "$b")" &&
	for k in $(store_keys gc/mark-); do store_rm "$k" || return 1; done
'

test_expect_success 'the trash expires after mlv.gctrashseconds' '
	cd src && b=$(test_pointer_oid b.bin v2) && git config mlv.gctrashseconds 1 &&
	git mlv gc --remote origin >/dev/null && sleep 3 &&
	git mlv gc --remote origin >../out12 && grep -q "^moved $b" ../out12 &&
	store_has "$(trash_key "$b")" && sleep 3 &&
	git mlv gc --remote origin >../out12 &&
	grep -q "1 objects older than the trash period deleted" ../out12 &&
	! store_has "$(trash_key "$b")" && ! store_has "$(obj_key "$b")" &&
	git config --unset mlv.gctrashseconds
'

test_expect_success 'a torn tombstone is named and kept; --restore brings back what the others list' '
	cd src && printf "swept once\n" >../x && x=$(sha256sum <../x | cut -d" " -f1) &&
	store_put ../x "$(trash_key "$x")" &&
	sealed_list tombstones ../good "$x 11" &&
	store_put ../good gc/tombstones-29990101T000000Z-44444444 &&
	printf "# mlv gc tombstones 1\n%s 11\n" "$x" >../torn &&
	store_put ../torn gc/tombstones-29990101T000000Z-55555555 &&
	test_expect_code 128 git mlv gc --remote origin --restore >../out 2>../err &&
	grep -q "1 objects moved back" ../out &&
	grep -q "gc/tombstones-29990101T000000Z-55555555.*it was kept" ../err &&
	store_has "$(obj_key "$x")" && ! store_has "$(trash_key "$x")" &&
	! store_has gc/tombstones-29990101T000000Z-44444444 &&
	store_has gc/tombstones-29990101T000000Z-55555555 &&
	store_rm gc/tombstones-29990101T000000Z-55555555 && store_rm "$(obj_key "$x")"
'

test_expect_success 'only mlv:: remotes; a store without a manifest; bad --grace' '
	cd src &&
	git remote add plain "$TRASH/nothing.git" &&
	git config remote.plain.mlvstore "$STORE_URL" &&
	test_expect_code 128 git mlv gc --remote plain 2>../err &&
	grep -q "is not an mlv:: remote" ../err &&
	test_expect_code 128 git mlv gc --remote orign 2>../err &&
	grep -q "no such remote .orign." ../err &&
	test_expect_code 129 git mlv gc 2>../err && grep -q "needs --remote" ../err &&
	test_expect_code 128 git mlv gc --remote origin --grace 0 2>../err &&
	grep -q "at least 1" ../err &&
	git remote add empty "mlv::$STORE_URL-empty" &&
	test_expect_code 128 git mlv gc --remote empty 2>../err &&
	grep -q "has no ref manifest" ../err
'

# Pushes in a loop while gc sweeps: each round pushes a new version,
# force-pushes the branch back (its object becomes unreachable) and
# pushes an older version again (relying on an object a sweep may be
# moving). After every push the manifest's objects must be in objects/.
test_expect_success 'pushes running while gc sweeps: nothing a ref reaches is ever removed' '
	cd src && git config mlv.gcgraceseconds 1 &&
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		git checkout -q main && git checkout -q -B r$i main &&
		test_random_file l$i.bin 2000 l$i && git add l$i.bin && git commit -qm "r$i" ||
		return 1
	done &&
	git checkout -q main &&
	{ (for g in $(seq 1 25); do git mlv gc --remote origin -q >>../gc.out 2>>../gc.err; sleep 0.3; done; echo done >../gc.done) & } &&
	fails=0 &&
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		git push -q -f origin r$i:refs/heads/loop 2>>../push.err || fails=$((fails + 1))
		git push -q -f origin main:refs/heads/loop 2>>../push.err || fails=$((fails + 1))
		sleep 0.$((RANDOM % 9))
		j=$(( (i + 1) / 2 ))
		git push -q -f origin r$j:refs/heads/loop 2>>../push.err || fails=$((fails + 1))
		o=$(test_pointer_oid l$j.bin r$j) &&
		store_has "$(obj_key "$o")" || { echo "round $i: l$j.bin of r$j is not in objects/"; return 1; }
	done &&
	while ! test -e ../gc.done; do sleep 0.5; done &&
	test "$fails" = 0 || { cat ../push.err; return 1; }
	! grep -v "^$" ../gc.err | grep -v "another gc is sweeping" &&
	grep "moved to trash/" ../gc.out | grep -qv " 0 moved" &&
	cd .. && rm -rf c3 && git clone -q "mlv::$STORE_URL" c3 &&
	git -C c3 fetch -q origin "+refs/*:refs/remotes/all/*" &&
	all_reachable_in_store c3 &&
	(cd c3 && git checkout -q loop && git mlv fsck --remote origin --full >/dev/null)
'
