#!/usr/bin/env bash
# git-remote-mlv, the pre-push upload and lazy fetch against a file:// store.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

STORE_KIND=file
STORE_DIR="$TRASH/store"
STORE_URL="file://$STORE_DIR"

store_get() { cp "$STORE_DIR/$1" "$2"; }
store_put() { mkdir -p "$(dirname "$STORE_DIR/$2")" && rm -f "$STORE_DIR/$2" && cp "$1" "$STORE_DIR/$2"; }
store_has() { test -f "$STORE_DIR/$1"; }

. "$HERE/remote-suite.sh"

test_expect_success 'every object in the file:// store hashes to its name' '
	find "$STORE_DIR/objects" -type f >objects &&
	test -s objects &&
	while read -r f; do
		test "$(sha256sum <"$f" | cut -d" " -f1)" = "$(basename "$f")" || return 1
	done <objects
'

test_expect_success 'temporary files killed pushes left are removed by the next push after an hour' '
	mkdir -p "$STORE_DIR/tmp" &&
	printf "half an object" >"$STORE_DIR/tmp/old-AAAAAA" &&
	printf "a push running now" >"$STORE_DIR/tmp/new-BBBBBB" &&
	touch -d "2 hours ago" "$STORE_DIR/tmp/old-AAAAAA" &&
	cd src && test_random_file t.bin 2000 t && git add t.bin && git commit -qm t &&
	git push origin main 2>../err &&
	grep -q "removed 1 temporary file that interrupted pushes left" ../err &&
	! test -e "$STORE_DIR/tmp/old-AAAAAA" &&
	test -f "$STORE_DIR/tmp/new-BBBBBB" &&
	touch -d "2 hours ago" "$STORE_DIR/tmp/new-BBBBBB" &&
	git mlv push --all 2>../err &&
	! test -e "$STORE_DIR/tmp/new-BBBBBB" &&
	test -z "$(find "$STORE_DIR" -name ".tmp-*")"
'

# A clone killed before git wrote its index: git mlv checkout says how to
# finish it, and leaves the work tree alone (a --no-checkout clone looks
# the same, and may hold the user's own files).
test_expect_success 'git mlv checkout tells how to finish a clone that git did not' '
	git init -q kc && cd kc && git mlv track "*.bin" >/dev/null &&
	for i in 1 2 3 4 5 6; do test_random_file s$i.bin 300000 s$i || return 1; done &&
	test_random_file big.bin 40000000 big &&
	git add . && git commit -qm files &&
	git push -q "mlv::file://$TRASH/kstore" main &&
	cd .. && git clone -q -n "mlv::file://$TRASH/kstore" kn 2>err &&
	test ! -e kn/.git/index &&
	printf "mine\n" >kn/s1.bin &&
	(cd kn && test_must_fail git mlv checkout 2>../err) &&
	grep -q "no index: its clone was interrupted" err &&
	test "$(cat kn/s1.bin)" = mine && test ! -e kn/big.bin &&
	cmd=$(sed -n "s/.*finish it with: //p" err) &&
	test "$cmd" = "git reset --hard HEAD && git mlv checkout" &&
	(cd kn && sh -c "$cmd") &&
	for f in big.bin s1.bin s6.bin; do cmp kn/$f kc/$f || return 1; done &&
	test -z "$(git -C kn status --porcelain)"
'

test_expect_success 'clones killed at random points end byte-identical after git mlv checkout' '
	finished=0 &&
	for i in 1 2 3 4 5 6 7 8; do
		rm -rf k$i &&
		{ setsid git clone -q "mlv::file://$TRASH/kstore" k$i 2>/dev/null & } &&
		pid=$! &&
		# a whole clone takes about 0.2 s here: kill it within 0.3 s
		sleep "$(printf "0.%03d" $((RANDOM % 300)))" &&
		kill -9 -- -$pid 2>/dev/null; wait $pid 2>/dev/null;
		# killed before git had the commit: nothing to finish, clone again
		git -C k$i rev-parse -q --verify HEAD >/dev/null 2>&1 || continue
		if ! test -e k$i/.git/index; then
			(cd k$i && test_must_fail git mlv checkout --quiet 2>../err) &&
			cmd=$(sed -n "s/.*finish it with: //p" err) &&
			(cd k$i && sh -c "$cmd") || { echo "k$i: $cmd failed"; return 1; }
		else
			(cd k$i && git mlv checkout --quiet) || { echo "checkout of k$i failed"; return 1; }
		fi
		for f in big.bin s1.bin s2.bin s3.bin s4.bin s5.bin s6.bin; do
			cmp k$i/$f kc/$f || return 1
		done
		test -z "$(git -C k$i status --porcelain)" || { git -C k$i status; return 1; }
		finished=$((finished + 1))
	done &&
	echo "$finished of 8 killed clones had a commit to finish"
'

# The filter of a killed clone put a downloaded file in place of its
# pointer, but died before the index got the file's stat data: git
# status lists it as modified (the index says 133 bytes) until git mlv
# checkout, which finds it whole, records it.
test_expect_success 'a file in place whose index entry has its pointer'"'"'s stat data: checkout records it' '
	git clone -q "mlv::file://$TRASH/kstore" kr && cd kr &&
	cp big.bin ../big.copy &&
	git cat-file blob HEAD:big.bin >big.bin &&
	git add big.bin &&
	test "$(git ls-files --debug big.bin | sed -n "s/.*size: \([0-9]*\).*/\1/p")" -lt 200 &&
	mv ../big.copy big.bin &&
	test "$(git status --porcelain)" = " M big.bin" &&
	git mlv checkout --quiet &&
	test -z "$(git status --porcelain)" &&
	cmp big.bin ../kc/big.bin
'

test_expect_success 'an unreachable file:// store fails the clone with its path' '
	test_must_fail git clone -q "mlv::file://$TRASH/nowhere" cn 2>err &&
	grep -q "nowhere" err
'

# A terminal for git, where git and mlv show their meters (script(1)).
if command -v script >/dev/null 2>&1; then
	test_expect_success 'on a terminal a clone shows the download meter; with -q it does not' '
		GIT_PROGRESS_DELAY=0 script -qec "git clone mlv::$STORE_URL ctty" tty.out >/dev/null &&
		tr "\r" "\n" <tty.out | grep "^Downloading mlv objects: 100% " | grep -q "done" &&
		cmp ctty/big.bin src/big.bin &&
		GIT_PROGRESS_DELAY=0 script -qec "git clone -q mlv::$STORE_URL ctty2" tty2.out >/dev/null &&
		cmp ctty2/big.bin src/big.bin &&
		! grep -q "Downloading" tty2.out
	'
else
	test_skip 'on a terminal a clone shows the download meter; with -q it does not' \
		"script(1) is not installed: no terminal to run git on"
fi

test_done
