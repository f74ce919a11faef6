#!/usr/bin/env bash
# git mlv migrate --import PATTERN rewrites history (through git
# fast-export and fast-import) so that files committed into Git before mlv
# was set up become pointers: every other byte of every commit stays, the
# old refs are kept under refs/mlv/backup/, the object map is printed, and
# every version checks out with the bytes it had.
. "$(dirname "$0")/lib.sh"

HOSTILE="-odd 'q'
name.csv"

test_expect_success 'setup: a repository with CSVs committed into git itself' '
	git init -q r && cd r &&
	mkdir -p data/raw && printf "*.txt text\n" >.gitattributes &&
	test_random_file data/train.csv 40000 t1 && test_random_file data/raw/a.csv 3000 a1 &&
	echo "print(1)" >train.py && test_random_file "$HOSTILE" 2000 h1 &&
	git add . && git commit -qm "first: data and code" &&
	test_random_file data/train.csv 40000 t2 && chmod +x data/raw/a.csv &&
	GIT_AUTHOR_DATE="@1700000000 +0100" git commit -qam "second: new data" &&
	test_random_file data/train.csv 40000 t3 && echo "print(2)" >train.py &&
	git commit -qam "third" && git tag -a v1 -m "release one" &&
	git checkout -q -b side HEAD~1 && test_random_file side.csv 5000 s &&
	git add side.csv && git commit -qm side && git checkout -q main &&
	git mlv migrate --info >../info && grep -q "^\*\.csv .* 0 stored by mlv or git-lfs$" ../info
'

test_expect_success 'a dirty work tree, a detached HEAD and a bare repository are refused' '
	cd r && echo more >>train.py &&
	test_expect_code 128 git mlv migrate --import "*.csv" 2>../err &&
	grep -q "has changes: commit or stash them first" ../err &&
	git checkout -q -- train.py &&
	git checkout -q --detach && test_expect_code 128 git mlv migrate --import "*.csv" 2>../err &&
	grep -q "HEAD is no branch" ../err && git checkout -q main &&
	git clone -q --bare . ../bare.git && (cd ../bare.git &&
	test_expect_code 128 git mlv migrate --import "*.csv" 2>../err) &&
	grep -q "bare repository" ../err &&
	test_expect_code 129 git mlv migrate --import 2>../err &&
	test -z "$(git for-each-ref refs/mlv/)"
'

test_expect_success 'a pattern nothing matches rewrites nothing' '
	cd r && head=$(git rev-parse HEAD) &&
	git mlv migrate --import "*.parquet" >../out 2>../err &&
	grep -q "no file of that history matches; nothing was rewritten" ../err &&
	test "$(git rev-parse HEAD)" = "$head" && test -z "$(git for-each-ref refs/mlv/)"
'

test_expect_success '--import: every commit of the branch written again, the map printed' '
	cd r && old=$(git rev-parse HEAD) && git rev-list main >../old-commits &&
	git mlv migrate --import "*.csv" >../map 2>../err &&
	grep -q "^migrate: rewrote 3 commits of 1 ref: 5 files (.*) are now pointers" ../err &&
	test_line_count = 3 ../map &&
	cut -d" " -f1 ../map | sort >../mapped && sort ../old-commits >../want &&
	test_cmp ../want ../mapped &&
	grep -q "^$old $(git rev-parse HEAD)$" ../map &&
	backup=$(git for-each-ref --format="%(refname)" refs/mlv/backup/) &&
	test "$(git rev-parse "$backup")" = "$old" && echo "$backup" | grep -q "/heads/main$"
'

test_expect_success 'each new commit: CSVs are pointers, all else is as it was' '
	cd r && backup=$(git for-each-ref --format="%(refname)" refs/mlv/backup/) &&
	for n in 0 1 2; do
		new=main~$n old=$backup~$n &&
		for f in data/train.csv data/raw/a.csv "$HOSTILE"; do
			git cat-file -p "$new:$f" >../ptr &&
			grep -q "^oid sha256:$(git show "$old:$f" | sha256sum | cut -d" " -f1)$" ../ptr ||
				return 1
		done &&
		test "$(git rev-parse "$new:train.py")" = "$(git rev-parse "$old:train.py")" &&
		test "$(git log -1 --format="%an %ae %ad %cn %B" "$new")" = \
		     "$(git log -1 --format="%an %ae %ad %cn %B" "$old")" &&
		git show "$new:.gitattributes" >../attrs &&
		printf "*.txt text\n*.csv filter=mlv diff=mlv merge=mlv -text\n" >../want &&
		test_cmp ../want ../attrs || return 1
	done &&
	git ls-tree main~0 data/raw/a.csv | grep -q "^100755 "
'

test_expect_success 'the work tree is clean and whole; old versions check out with their bytes' '
	cd r && git status --porcelain >../st && test_must_be_empty ../st &&
	test_random_file ../t3 40000 t3 && cmp data/train.csv ../t3 &&
	git checkout -q HEAD~2 -- data/train.csv && test_random_file ../t1 40000 t1 &&
	cmp data/train.csv ../t1 && git checkout -q HEAD -- data/train.csv &&
	git mlv fsck >../fsck && grep -q "all present and intact" ../fsck &&
	git mlv migrate --info >../info && grep -q "^\*\.csv .* stored by mlv or git-lfs (all)$" ../info
'

test_expect_success 'other branches and tags stay unless named; --everything takes them' '
	cd r && git cat-file -p side:side.csv | cmp - <(test_random_file /dev/stdout 5000 s) &&
	git rev-parse v1^{commit} >../v1-before &&
	git mlv migrate --import --everything "*.csv" >../map 2>../err &&
	grep -q "^migrate: rewrote .* of 3 refs" ../err &&
	git cat-file -p side:side.csv | grep -q "^oid sha256:" &&
	test "$(git cat-file -t v1)" = tag && git cat-file -p v1 | grep -q "^release one$" &&
	git cat-file -p v1:data/train.csv | grep -q "^oid sha256:" &&
	test "$(git for-each-ref refs/mlv/backup/ | wc -l)" = 4
'

test_expect_success 'pushed to an mlv store and cloned, every version has its bytes' '
	cd r && git push -q "mlv::file://$TRASH/store" main side 2>/dev/null &&
	cd .. && git clone -q "mlv::file://$TRASH/store" c 2>/dev/null && cd c &&
	cmp data/train.csv ../t3 && test_random_file ../h1 2000 h1 && cmp "./$HOSTILE" ../h1 &&
	git checkout -q side && test_random_file ../s 5000 s && cmp side.csv ../s
'

test_done
