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
	find "$STORE_DIR/objects" -type f ! -name ".tmp-*" >objects &&
	test -s objects &&
	while read -r f; do
		test "$(sha256sum <"$f" | cut -d" " -f1)" = "$(basename "$f")" || return 1
	done <objects
'

test_expect_success 'an unreachable file:// store fails the clone with its path' '
	test_must_fail git clone -q "mlv::file://$TRASH/nowhere" cn 2>err &&
	grep -q "nowhere" err
'

test_done
