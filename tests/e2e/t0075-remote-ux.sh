#!/usr/bin/env bash
# What a user of a store sees: a mistyped file:// URL makes nothing, plain
# paths work as for git's own remotes, the S3 credentials error says where
# it looked and what to do, and every transfer ends with one summary line.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

test_expect_success 'setup: a repository with three mlv files' '
	test_repo src && cd src &&
	mkdir -p sub &&
	test_random_file a.bin 300000 a && test_random_file b.bin 200000 b &&
	test_random_file sub/c.bin 100000 c &&
	git add . && git commit -qm files
'

test_expect_success 'a push to a file:// store under a missing directory makes nothing' '
	cd src &&
	test_must_fail git push "mlv::file://$TRASH/nonexistent/x" main 2>../err &&
	grep -qF "no such directory '\''$TRASH/nonexistent'\''" ../err &&
	grep -qF "create the directory first (mkdir -p '\''$TRASH/nonexistent'\'')" ../err &&
	test ! -e "$TRASH/nonexistent"
'

test_expect_success 'the same for a plain path, and for the store of an ordinary remote' '
	cd src &&
	test_must_fail git push "mlv::$TRASH/missing/deeper/store" main 2>../err &&
	grep -qF "no such directory '\''$TRASH/missing/deeper'\''" ../err &&
	git init -q --bare ../plain.git &&
	git remote add plain ../plain.git &&
	git config remote.plain.mlvstore "file://$TRASH/missing/store" &&
	test_must_fail git push plain main 2>../err &&
	grep -qF "no such directory '\''$TRASH/missing'\''" ../err &&
	test_must_fail git mlv push plain 2>../err &&
	grep -qF "no such directory '\''$TRASH/missing'\''" ../err &&
	test ! -e "$TRASH/missing" &&
	test -z "$(git --git-dir=../plain.git for-each-ref)"
'

test_expect_success 'a store is made in a directory that exists, by an absolute path' '
	cd src &&
	git push -q "mlv::$TRASH/abs-store" main &&
	test -f "$TRASH/abs-store/git/refs" &&
	test "$(find "$TRASH/abs-store/objects" -type f | wc -l)" -eq 3 &&
	cd .. && git clone -q "mlv::$TRASH/abs-store" abs-clone &&
	cmp abs-clone/a.bin src/a.bin && cmp abs-clone/sub/c.bin src/sub/c.bin
'

test_expect_success 'a relative path is taken from the top of the work tree' '
	cd src/sub &&
	git remote add rel mlv::../rel-store &&
	git push -q rel main &&
	test -f "$TRASH/rel-store/git/refs" &&
	test ! -e "$TRASH/src/rel-store" &&
	git mlv push rel 2>../../err &&
	git ls-remote rel >../../refs &&
	grep -q "refs/heads/main" ../../refs
'

test_expect_success 'a clone of a relative path works, and keeps working from the clone' '
	git clone -q mlv::rel-store rel-clone &&
	test "$(git -C rel-clone config remote.origin.url)" = "mlv::$TRASH/rel-store" &&
	cmp rel-clone/a.bin src/a.bin && cmp rel-clone/sub/c.bin src/sub/c.bin &&
	MLV_SKIP_SMUDGE=1 git clone -q mlv::./rel-store lazy-clone &&
	test "$(git -C lazy-clone config remote.origin.url)" = "mlv::$TRASH/rel-store" &&
	! cmp -s lazy-clone/a.bin src/a.bin &&
	(cd lazy-clone/sub && git mlv pull) &&
	cmp lazy-clone/a.bin src/a.bin &&
	(cd lazy-clone && git fetch -q origin)
'

test_expect_success 'a relative remote URL in config is read from the top by git mlv too' '
	MLV_SKIP_SMUDGE=1 git clone -q "mlv::$TRASH/rel-store" rel2 &&
	cd rel2 && git config remote.origin.url mlv::../rel-store &&
	(cd sub && git mlv pull) &&
	cmp a.bin ../src/a.bin &&
	test "$(git config remote.origin.url)" = mlv::../rel-store
'

test_done
