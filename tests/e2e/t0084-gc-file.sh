#!/usr/bin/env bash
# git mlv gc --remote against a file:// store, with pushes running at the
# same time.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

STORE_DIR="$TRASH/store"
STORE_URL="file://$STORE_DIR"

store_has() { test -f "$STORE_DIR/$1"; }
store_put() { mkdir -p "$(dirname "$STORE_DIR/$2")" && cp "$1" "$STORE_DIR/$2.new" && mv "$STORE_DIR/$2.new" "$STORE_DIR/$2"; }
store_rm() { rm -f "$STORE_DIR/$1"; }
store_keys() { (cd "$STORE_DIR" 2>/dev/null && find . -type f -path "./$1*" | sed "s|^\./||"); }

. "$HERE/gc-suite.sh"

test_expect_success 'a sweep in a directory store renames: trash/ and objects/ hold whole objects' '
	find "$STORE_DIR/objects" "$STORE_DIR/trash" -type f 2>/dev/null >files &&
	while read -r f; do
		test "$(sha256sum <"$f" | cut -d" " -f1)" = "$(basename "$f")" || return 1
	done <files
'

test_done
