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
