#!/usr/bin/env bash
# git mlv prune deletes from the local store only what nothing needs: each
# rule that keeps an object (index, stash, worktree HEAD, unpushed and
# recent commits, registry tags, the grace period, the remote lacking it)
# is tried on its own, and what it keeps is still there and checks out.
. "$(dirname "$0")/lib.sh"

OLD="@$(date -d '40 days ago' +%s) +0000"

# Commit with a date 40 days ago: older than every default.
old_commit() {
	GIT_COMMITTER_DATE=$OLD GIT_AUTHOR_DATE=$OLD git commit -q --no-verify "$@"
}

# Make every object of the store look written 30 days ago.
age_store() {
	find "$(git rev-parse --git-common-dir)/mlv/objects" -type f \
		-exec touch -d "30 days ago" {} +
}

# The oids of the pointers at REV:PATH.
oid_at() {
	git cat-file -p "$1" | sed -n 's/^oid sha256://p'
}

# The local store holds (has_object) or lacks (lacks_object) the object
# of REV:PATH.
has_object() {
	test -f "$(test_store_path "$(oid_at "$1")")" ||
		{ echo "store lacks $1 ($(oid_at "$1"))"; return 1; }
}
lacks_object() {
	! test -f "$(test_store_path "$(oid_at "$1")")" ||
		{ echo "store still has $1 ($(oid_at "$1"))"; return 1; }
}

test_expect_success 'a repository with no commits: nothing to prune, nothing deleted' '
	git init -q empty && cd empty &&
	git mlv prune 2>../err >../out && grep -q "no commits" ../err
'

test_expect_success 'setup: four old versions of a file, a remote that has not seen them' '
	test_repo r && cd r &&
	for v in 1 2 3 4; do
		test_random_file m.bin 30000 v$v && git add m.bin && old_commit -m v$v || return 1
	done &&
	age_store
'

test_expect_success 'no remote: every commit is kept, and prune says so' '
	cd r &&
	git mlv prune >../out 2>../err &&
	grep -q "no remote to compare with" ../err &&
	grep -q " 0 deleted" ../out &&
	for v in 1 2 3; do has_object HEAD~$v:m.bin || return 1; done
'

test_expect_success 'a remote without the commits (never pushed): all are kept' '
	cd r && git remote add origin "mlv::file://$TRASH/store" &&
	git mlv prune >../out 2>../err &&
	! grep -q "no remote" ../err && grep -q " 0 deleted" ../out &&
	git mlv prune -v >../out && grep -q "kept 3 in a commit not pushed" ../out
'

test_expect_success 'after a push, --dry-run names what would go and deletes nothing' '
	cd r && git push -q origin main 2>/dev/null &&
	find .git/mlv/objects -type f | sort >../before &&
	git mlv prune --dry-run >../out &&
	grep "^would delete" ../out >../lines &&
	test_line_count = 3 ../lines &&
	for v in 1 2 3; do
		grep -q "^would delete $(oid_at HEAD~$v:m.bin) (29.30 KiB) m.bin$" ../lines ||
			return 1
	done &&
	grep -q "^prune: 4 objects (117.19 KiB): 1 kept (29.30 KiB), 3 would be deleted, 87.89 KiB would be freed$" ../out &&
	find .git/mlv/objects -type f | sort >../after &&
	test_cmp ../before ../after
'

test_expect_success 'prune deletes the old versions the remote has; HEAD stays whole' '
	cd r &&
	git mlv prune >../out &&
	test_line_count = 4 ../out &&
	grep -q "^prune: 4 objects .* 3 deleted, 87.89 KiB freed$" ../out &&
	for v in 1 2 3; do lacks_object HEAD~$v:m.bin || return 1; done &&
	has_object HEAD:m.bin &&
	git mlv fsck >../fsck && ! grep -q -i missing ../fsck &&
	git mlv prune >../again && grep -q " 0 deleted" ../again
'

test_expect_success 'a pruned version checks out again, fetched from the remote' '
	cd r &&
	git checkout -q HEAD~2 -- m.bin &&
	test_random_file ../v2 30000 v2 && cmp m.bin ../v2 &&
	git checkout -q HEAD -- m.bin && git status --porcelain >../st &&
	test_must_be_empty ../st
'

test_expect_success 'staged but never committed: kept (the index names it)' '
	cd r &&
	test_random_file m.bin 30000 staged && git add m.bin && age_store &&
	git mlv prune -v >../out &&
	has_object :m.bin && grep -q "kept 1 in an index" ../out &&
	git reset -q && git checkout -q -- m.bin
'

test_expect_success 'an object no commit or index refers to goes without asking the remote' '
	cd r &&
	oid=$(oid_at :m.bin) &&
	test_random_file m.bin 30000 dropped && git add m.bin &&
	dropped=$(oid_at :m.bin) && git reset -q && git checkout -q -- m.bin && age_store &&
	git mlv prune >../out &&
	grep -q "^deleted $dropped (29.30 KiB) (in no commit)$" ../out &&
	! test -e "$(test_store_path "$dropped")"
'

test_expect_success 'a stash entry keeps its objects, and pops back whole' '
	cd r &&
	test_random_file m.bin 30000 stashed && git stash -q && age_store &&
	git mlv prune -v >../out && grep -q "kept 1 in a stash" ../out &&
	has_object "stash@{0}:m.bin" &&
	git stash pop -q && test_random_file ../stashed 30000 stashed &&
	cmp m.bin ../stashed && git checkout -q -- m.bin
'

test_expect_success 'the HEAD of another worktree keeps its objects' '
	cd r &&
	git checkout -q HEAD~1 -- m.bin && git checkout -q HEAD -- m.bin &&
	git worktree add -q ../wt HEAD~1 2>/dev/null && age_store &&
	git mlv prune -v >../out && grep -q "kept 2 in an index" ../out &&
	has_object HEAD~1:m.bin &&
	(cd ../wt && git mlv fsck >/dev/null && git rm -q --cached m.bin) &&
	git mlv prune -v >../out && grep -q "kept 1 checked out" ../out &&
	has_object HEAD~1:m.bin &&
	git worktree remove --force ../wt && age_store &&
	git mlv prune >/dev/null && lacks_object HEAD~1:m.bin
'

test_expect_success 'a commit not pushed keeps its objects, however old' '
	cd r &&
	test_random_file m.bin 30000 v5 && git add m.bin && old_commit -m v5 &&
	test_random_file m.bin 30000 v6 && git add m.bin && old_commit -m v6 &&
	age_store &&
	git mlv prune -v >../out && grep -q "kept 1 in a commit not pushed" ../out &&
	has_object HEAD~1:m.bin &&
	git push -q origin main 2>/dev/null &&
	git mlv prune >/dev/null && lacks_object HEAD~1:m.bin
'

test_expect_success 'a commit of the last --recent-days days keeps its objects' '
	cd r &&
	test_random_file m.bin 30000 v7 && git add m.bin && git commit -q --no-verify -m v7 &&
	test_random_file m.bin 30000 v8 && git add m.bin && git commit -q --no-verify -m v8 &&
	git push -q origin main 2>/dev/null && age_store &&
	git mlv prune -v >../out && grep -q "kept 1 in a recent commit" ../out &&
	has_object HEAD~1:m.bin &&
	git -c mlv.prunerecentdays=0 mlv prune --dry-run >../out &&
	grep -q "^would delete $(oid_at HEAD~1:m.bin) " ../out &&
	git mlv prune --recent-days 0 >/dev/null && lacks_object HEAD~1:m.bin
'

test_expect_success 'an object younger than the grace period is kept (a git add running now)' '
	cd r &&
	test_random_file m.bin 30000 v9 && git add m.bin && old_commit -m v9 &&
	test_random_file m.bin 30000 v10 && git add m.bin && old_commit -m v10 &&
	git push -q origin main 2>/dev/null &&
	git mlv prune -v >../out && grep -q "kept .* younger than the grace period" ../out &&
	has_object HEAD~1:m.bin &&
	git -c mlv.pruneexpire=now mlv prune >/dev/null && lacks_object HEAD~1:m.bin
'

test_expect_success 'a registry tag keeps the model version it names' '
	cd r &&
	test_random_file m.bin 30000 v11 && git add m.bin && old_commit -m v11 &&
	git tag "fraud@v1.0.0" && git tag plain-tag &&
	test_random_file m.bin 30000 v12 && git add m.bin && old_commit -m v12 &&
	git push -q origin main 2>/dev/null && age_store &&
	git mlv prune -v >../out && grep -q "kept 1 in a registry tag" ../out &&
	has_object fraud@v1.0.0:m.bin
'

test_expect_success 'an object the remote lacks is kept and named, with the push that mends it' '
	cd r &&
	test_random_file m.bin 30000 v13 && git add m.bin && old_commit -m v13 &&
	test_random_file m.bin 30000 v14 && git add m.bin && old_commit -m v14 &&
	git push -q origin main 2>/dev/null && age_store &&
	oid=$(oid_at HEAD~1:m.bin) &&
	rm "$TRASH/store/objects/$(echo $oid | cut -c1-2)/$(echo $oid | cut -c3-4)/$oid" &&
	git mlv prune >../out 2>../err &&
	grep -q "^mlv: kept $oid (m.bin): file://.* does not have it$" ../err &&
	grep -q "^hint: .git mlv push .origin.. uploads them" ../err &&
	has_object HEAD~1:m.bin
'

test_expect_success '--no-verify-remote deletes it all the same' '
	cd r &&
	git mlv prune --no-verify-remote >../out 2>../err &&
	test_must_be_empty ../err &&
	lacks_object HEAD~1:m.bin
'

test_expect_success 'a remote that cannot be asked: nothing is deleted, exit 128' '
	cd r &&
	test_random_file m.bin 30000 v15 && git add m.bin && old_commit -m v15 &&
	test_random_file m.bin 30000 v16 && git add m.bin && old_commit -m v16 &&
	git push -q origin main 2>/dev/null && age_store &&
	git remote set-url origin mlv::s3://no-bucket/x &&
	find .git/mlv/objects -type f | sort >../before &&
	AWS_ENDPOINT_URL=http://127.0.0.1:9 AWS_ACCESS_KEY_ID=AKIDEXAMPLE \
	AWS_SECRET_ACCESS_KEY=not-shown-anywhere AWS_REGION=us-east-1 \
		test_expect_code 128 git mlv prune -q >../out 2>../err &&
	grep -q "^fatal: cannot ask s3://no-bucket/x which objects it has" ../err &&
	grep -q "nothing was deleted" ../err && ! grep -q not-shown-anywhere ../err &&
	find .git/mlv/objects -type f | sort >../after &&
	test_cmp ../before ../after &&
	git remote set-url origin "mlv::file://$TRASH/store"
'

test_expect_success 'mlv.pruneremote must name a remote' '
	cd r &&
	test_expect_code 128 git -c mlv.pruneremote=orign mlv prune 2>../err &&
	grep -q "mlv.pruneremote names no remote (.orign.)" ../err
'

test_expect_success 'a foreign file in the store: named, nothing deleted' '
	cd r &&
	mkdir -p .git/mlv/objects/ab/cd && echo mine >.git/mlv/objects/ab/cd/notes.txt &&
	find .git/mlv/objects -type f | sort >../before &&
	test_expect_code 128 git mlv prune >../out 2>../err &&
	grep -q "objects/ab/cd/notes.txt. is not an mlv object" ../err &&
	find .git/mlv/objects -type f | sort >../after && test_cmp ../before ../after &&
	rm -r .git/mlv/objects/ab/cd/notes.txt &&
	git mlv prune >/dev/null && lacks_object HEAD~1:m.bin
'

test_expect_success 'a shallow clone is refused: it cannot see what to keep' '
	MLV_SKIP_SMUDGE=1 git clone -q --depth 1 "file://$TRASH/r" shallow 2>/dev/null &&
	cd shallow &&
	test_expect_code 128 git mlv prune 2>../err &&
	grep -q "shallow clone" ../err && grep -q "git fetch --unshallow" ../err
'

test_expect_success 'hostile names are shown on one line each, control characters escaped' '
	cd r &&
	name="-q $(printf "x\033]0;t\007")'\''it'\''s
#.bin" &&
	test_random_file "$name" 3000 h1 && git add -- "$name" && old_commit -m h1 &&
	test_random_file "$name" 3000 h2 && git add -- "$name" && old_commit -m h2 &&
	git push -q origin main 2>/dev/null && age_store &&
	git mlv prune >../out &&
	grep "^deleted" ../out >../lines && test_line_count = 1 ../lines &&
	grep -q "^deleted [0-9a-f]* (2.93 KiB) -q x.x1b.0;t.x07.it.s.x0a#.bin$" ../lines &&
	! grep -q "$(printf "\033")" ../out
'

test_expect_success 'fsck after all this: every kept commit is whole' '
	cd r &&
	git mlv fsck >../fsck && ! grep -q -i missing ../fsck &&
	has_object fraud@v1.0.0:m.bin && has_object HEAD:m.bin
'

test_expect_success 'bad values for the options and the config are refused' '
	cd r &&
	test_expect_code 128 git mlv prune --recent-days=-1 2>../err &&
	grep -q "is not a number of days" ../err &&
	test_expect_code 128 git -c mlv.pruneexpire=soon mlv prune 2>../err &&
	grep -q "mlv.pruneexpire .soon. is not a number of days" ../err &&
	test_expect_code 129 git mlv prune extra 2>../err
'

test_done
