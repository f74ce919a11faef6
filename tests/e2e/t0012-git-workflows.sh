#!/usr/bin/env bash
# Everyday git with tracked files: switching branches, stash, merge, rebase,
# worktrees and diff all see content in the work tree and pointers in git.
. "$(dirname "$0")/lib.sh"

# The number of objects in a repo's local store.
store_count() {
	find "$(git rev-parse --git-common-dir)/mlv/objects" -type f | wc -l
}

test_expect_success 'setup: main and a side branch with different versions of a.bin' '
	test_repo r && cd r &&
	mkdir ../v &&
	test_random_file a.bin 70000 v1 && cp a.bin ../v/a1 &&
	test_random_file b.bin 50000 b1 && cp b.bin ../v/b1 &&
	git add a.bin b.bin && git commit -qm v1 &&
	git checkout -q -b side &&
	test_random_file a.bin 90000 v2 && cp a.bin ../v/a2 &&
	git add a.bin && git commit -qm v2 &&
	git checkout -q main &&
	cmp ../v/a1 a.bin
'

test_expect_success 'switching branches swaps the content of a.bin' '
	cd r &&
	git switch -q side && cmp ../v/a2 a.bin && cmp ../v/b1 b.bin &&
	test -z "$(git status --porcelain)" &&
	git switch -q main && cmp ../v/a1 a.bin &&
	test -z "$(git status --porcelain)" &&
	git checkout -q side~0 && cmp ../v/a2 a.bin &&
	git checkout -q main && cmp ../v/a1 a.bin
'

test_expect_success 'stash keeps an edit of a tracked file and pop brings it back' '
	cd r &&
	test_random_file a.bin 12345 wip && cp a.bin ../v/wip &&
	git stash -q &&
	cmp ../v/a1 a.bin &&
	test -z "$(git status --porcelain)" &&
	git stash show --raw stash@{0} | grep -q "a.bin" &&
	git cat-file -p stash@{0}:a.bin | grep -qx "size 12345" &&
	git stash pop -q &&
	cmp ../v/wip a.bin &&
	git status --porcelain >../st && grep -qx " M a.bin" ../st &&
	git checkout -- a.bin && cmp ../v/a1 a.bin
'

test_expect_success 'merging branches that touch different tracked files keeps both changes' '
	cd r &&
	git checkout -q -b left main &&
	test_random_file a.bin 33333 left && cp a.bin ../v/left &&
	git commit -qam "left changes a.bin" &&
	git checkout -q -b right main &&
	test_random_file b.bin 44444 right && cp b.bin ../v/right &&
	git commit -qam "right changes b.bin" &&
	git merge -q --no-edit left &&
	cmp ../v/left a.bin && cmp ../v/right b.bin &&
	test "$(git rev-list --count HEAD^@)" -ge 2 &&
	test -z "$(git status --porcelain)" &&
	git cat-file -p HEAD:a.bin | grep -qx "size 33333" &&
	git cat-file -p HEAD:b.bin | grep -qx "size 44444"
'

test_expect_success 'rebase replays a branch onto new tracked content' '
	cd r &&
	git checkout -q -b topic main &&
	test_random_file c.bin 22222 topic && cp c.bin ../v/topic &&
	git add c.bin && git commit -qm "topic adds c.bin" &&
	git checkout -q main &&
	test_random_file b.bin 11111 main2 && cp b.bin ../v/main2 &&
	git commit -qam "main changes b.bin" &&
	git rebase -q main topic &&
	test "$(git rev-parse HEAD^)" = "$(git rev-parse main)" &&
	cmp ../v/topic c.bin && cmp ../v/main2 b.bin && cmp ../v/a1 a.bin &&
	test -z "$(git status --porcelain)"
'

test_expect_success 'a worktree shares the store: no duplicate objects, checkout works' '
	cd r &&
	before=$(store_count) &&
	git worktree add -q ../wt side &&
	cmp ../v/a2 ../wt/a.bin && cmp ../v/b1 ../wt/b.bin &&
	test "$(store_count)" = "$before" &&
	! test -e .git/worktrees/wt/mlv &&
	cd ../wt &&
	test "$(git rev-parse --git-common-dir)" = "$TRASH/r/.git" &&
	test -z "$(git status --porcelain)" &&
	test_random_file d.bin 6000 wt && git add d.bin && git commit -qm "d from wt" &&
	oid=$(sha256sum <d.bin | cut -d" " -f1) &&
	test -f "$TRASH/r/.git/mlv/objects/$(echo $oid | cut -c1-2)/$(echo $oid | cut -c3-4)/$oid" &&
	test "$(store_count)" = $((before + 1)) &&
	rm a.bin d.bin && git checkout -- a.bin d.bin &&
	cmp ../v/a2 a.bin && cmp ../r/.git/mlv/objects/*/*/$oid d.bin &&
	rm a.bin && MLV_SKIP_SMUDGE=1 git checkout -- a.bin &&
	git mlv status | grep -q "^pointer *a.bin" &&
	git mlv checkout --quiet &&
	cmp ../v/a2 a.bin &&
	test -z "$(git status --porcelain)" &&
	cd ../r && test -z "$(git status --porcelain)"
'

test_expect_success 'git diff of a modified tracked file shows readable pointer lines' '
	cd r &&
	git checkout -q main &&
	old=$(test_pointer_oid a.bin HEAD) &&
	test_random_file a.bin 70001 changed &&
	new=$(sha256sum <a.bin | cut -d" " -f1) &&
	git diff a.bin >../diff &&
	! grep -q "Binary files" ../diff &&
	grep -qx -- "-oid sha256:$old" ../diff &&
	grep -qx -- "+oid sha256:$new" ../diff &&
	grep -qx -- "-size 70000" ../diff &&
	grep -qx -- "+size 70001" ../diff &&
	git checkout -- a.bin
'

test_expect_success 'git log -p of a tracked file shows pointer lines too' '
	cd r &&
	git log -p -1 side -- a.bin >../log &&
	! grep -q "Binary files" ../log &&
	grep -qx -- "+size 90000" ../log &&
	grep -qx -- "-size 70000" ../log
'

test_expect_success 'checkout into another directory with --git-dir and --work-tree smudges' '
	mkdir export &&
	GIT_INDEX_FILE="$TRASH/export.index" \
		git --git-dir=r/.git --work-tree=export checkout side -- . &&
	cmp v/a2 export/a.bin && cmp v/b1 export/b.bin &&
	cd r && test -z "$(git status --porcelain)"
'

test_done
