#!/usr/bin/env bash
# The store operations gc works with (list, delete, move), through a
# test-only client of the backends (build/tests/store-tool, made by `make
# unit`), against a file:// store, radosgw and moto_server on loopback.
# What each store then holds is read back with find or awscli, clients that
# are not mlv.
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$HERE/lib.sh"
. "$HERE/s3-lib.sh"

# The tool of the build whose programs MLV_BIN holds (bin/ or build/asan/bin).
case "${MLV_BUILD:-}" in
/*) TOOL=$MLV_BUILD/tests/store-tool ;;
?*) TOOL=$ROOT/$MLV_BUILD/tests/store-tool ;;
*) if [ "$(cd "$MLV_BIN/.." && pwd)" = "$ROOT" ]; then
	TOOL=$ROOT/build/tests/store-tool
   else
	TOOL=$(cd "$MLV_BIN/.." && pwd)/tests/store-tool
   fi ;;
esac

# Keys with characters S3 escapes in XML or URLs and a file name can hold.
ODD_KEYS=(
	'gc/odd/a&b'
	'gc/odd/<tag>'
	'gc/odd/"quoted"'
	"gc/odd/it's"
	'gc/odd/with space'
	'gc/odd/plus+equals=percent%41'
	'gc/odd/semi;colon?hash#star*'
	'gc/odd/-dash~tilde\backslash'
	'gc/odd/é-日本-😀'
	'gc/odd/&amp;'
)

# The keys of a listing, without sizes and times, sorted.
keys_of() {
	sed 's/ [0-9]* -\{0,1\}[0-9]*$//' "$1" | LC_ALL=C sort
}

# The keys under PREFIX as the store's own client sees them, sorted.
other_client_keys() {
	case $KIND in
	file)
		(cd "$STORE_DIR" && find . -type f ! -path ./tmp/\* ! -name \*.lock) |
			sed 's|^\./||' | LC_ALL=C grep "^$1" | LC_ALL=C sort ;;
	*)
		aws_s3 s3api list-objects-v2 --bucket "$MLV_TEST_S3_BUCKET" \
			--prefix "$STORE_PREFIX/$1" --output json |
			python3 -c '
import json, sys
for o in json.load(sys.stdin).get("Contents", []):
    print(o["Key"][len(sys.argv[1]) + 1:])' "$STORE_PREFIX" | LC_ALL=C sort ;;
	esac
}

# Copy KEY out of the store to FILE with the store's own client.
other_client_get() {
	case $KIND in
	file) cp "$STORE_DIR/$1" "$2" ;;
	*) aws_s3 s3 cp --quiet "s3://$MLV_TEST_S3_BUCKET/$STORE_PREFIX/$1" "$2" ;;
	esac
}

# ETag of KEY as S3 reports it, quotes removed.
s3_etag() {
	aws_s3 s3api head-object --bucket "$MLV_TEST_S3_BUCKET" \
		--key "$STORE_PREFIX/$1" --query ETag --output text | tr -d '"'
}

# The checks, against the store at $URL of kind $KIND.
store_ops_suite() {
	test_expect_success "$KIND: the tool is built" '
		test -x "$TOOL" || { echo "no $TOOL: run make unit"; false; }
	'

	test_expect_success "$KIND: a prefix nothing has lists nothing" '
		"$TOOL" list "$URL" gc/ >out &&
		test_must_be_empty out &&
		"$TOOL" list "$URL" no/such/prefix/ >out &&
		test_must_be_empty out
	'

	test_expect_success "$KIND: a listing of 1105 keys goes past a page of 1000" '
		printf "twelve bytes" >twelve &&
		seq -f "gc/many/k%04g" 1 1105 >want &&
		xargs "$TOOL" put "$URL" twelve <want &&
		"$TOOL" put "$URL" twelve gc/manyx other/k &&
		"$TOOL" list "$URL" gc/many/ >out &&
		test_line_count = 1105 out &&
		keys_of out >got && test_cmp want got &&
		! grep -v " 12 [0-9]*$" out &&
		other_client_keys gc/many/ >theirs && test_cmp want theirs &&
		"$TOOL" list "$URL" gc/many >out &&
		test_line_count = 1106 out &&
		grep -q "^gc/manyx 12 " out
	'

	test_expect_success "$KIND: keys with odd characters list as they were written" '
		printf "%s\n" "${ODD_KEYS[@]}" | LC_ALL=C sort >want &&
		"$TOOL" put "$URL" twelve "${ODD_KEYS[@]}" &&
		other_client_keys gc/odd/ >theirs && test_cmp want theirs &&
		"$TOOL" list "$URL" gc/odd/ >out &&
		keys_of out >got && test_cmp want got
	'

	test_expect_success "$KIND: what a listing says was last written is now" '
		now=$(date +%s) &&
		"$TOOL" list "$URL" gc/odd/ >out &&
		test_line_count = ${#ODD_KEYS[@]} out &&
		while read -r line; do
			t=${line##* } &&
			test "$t" -gt $((now - 300)) && test "$t" -lt $((now + 300)) ||
				{ echo "not within 5 minutes of $now: $line"; return 1; }
		done <out
	'

	test_expect_success "$KIND: delete removes a key, and again is no error" '
		"$TOOL" delete "$URL" "gc/odd/a&b" &&
		"$TOOL" delete "$URL" "gc/odd/a&b" &&
		"$TOOL" delete "$URL" gc/never/there &&
		other_client_keys gc/odd/ >theirs &&
		! grep -Fx "gc/odd/a&b" theirs &&
		test_line_count = $((${#ODD_KEYS[@]} - 1)) theirs &&
		"$TOOL" list "$URL" gc/odd/ >out &&
		keys_of out >got && test_cmp theirs got
	'

	test_expect_success "$KIND: move puts the bytes under the new key only" '
		test_random_file moved 3000 m &&
		"$TOOL" put "$URL" moved "gc/move/from it" &&
		"$TOOL" move "$URL" "gc/move/from it" "gc/moved/to/the <end>" &&
		other_client_keys gc/move >theirs &&
		echo "gc/moved/to/the <end>" >want && test_cmp want theirs &&
		other_client_get "gc/moved/to/the <end>" back && cmp moved back
	'

	test_expect_success "$KIND: move replaces a key that is there" '
		"$TOOL" put "$URL" twelve gc/move/again &&
		"$TOOL" move "$URL" gc/move/again "gc/moved/to/the <end>" &&
		other_client_get "gc/moved/to/the <end>" back && cmp twelve back &&
		other_client_keys gc/move >theirs &&
		echo "gc/moved/to/the <end>" >want && test_cmp want theirs
	'

	test_expect_success "$KIND: move of a key that is not there fails, naming it" '
		test_expect_code 2 "$TOOL" move "$URL" gc/move/none gc/moved/x 2>err &&
		grep -F "gc/move/none" err && grep -F "is not in" err &&
		grep -F "$URL" err &&
		other_client_keys gc/moved/ >theirs &&
		echo "gc/moved/to/the <end>" >want && test_cmp want theirs
	'

	test_expect_success "$KIND: the keys a push wrote are listed, nothing else" '
		rm -rf src && test_repo src && cd src &&
		test_random_file a.bin 40000 a && git add a.bin && git commit -qm a &&
		git remote add origin "mlv::$URL" && git push -q origin main 2>../err &&
		cd .. && "$TOOL" list "$URL" "" >out &&
		keys_of out >got && other_client_keys "" >theirs && test_cmp theirs got &&
		grep -q "^git/refs$" got && grep -q "^git/packs/.*\.pack$" got &&
		grep -q "^objects/.*/$(cd src && test_pointer_oid a.bin HEAD)$" got
	'
}

KIND=file
STORE_DIR=$TRASH/store
URL=file://$STORE_DIR
store_ops_suite

test_expect_success 'file: temporary files and locks are no keys' '
	mkdir -p "$STORE_DIR/tmp" &&
	printf half >"$STORE_DIR/tmp/a-XXXXXX" &&
	printf half >"$STORE_DIR/gc/odd/.tmp-x" &&
	"$TOOL" list "$URL" "" >out &&
	! grep -e "^tmp/" -e "\.tmp-" -e "\.lock " out &&
	grep -q "^git/refs " out
'

test_expect_success 'file: a directory that is a link is refused, naming it' '
	mkdir elsewhere && printf x >elsewhere/k &&
	ln -s "$TRASH/elsewhere" "$STORE_DIR/gc/link" &&
	test_expect_code 1 "$TOOL" list "$URL" gc/ 2>err &&
	grep -F "$STORE_DIR/gc/link" err && grep -F "symbolic link" err &&
	"$TOOL" list "$URL" objects/ >out && test -s out
'

# A move of an object from S3_COPY bytes up copies it in parts.
s3_multipart_move() {
	test_expect_success "$KIND: move copies a large object in parts" '
		test_random_file big $((11 << 20)) big &&
		"$TOOL" put "$URL" big gc/big/from &&
		MLV_TEST_PART_SIZE=$((5 << 20)) MLV_TEST_COPY_PART_THRESHOLD=$((1 << 20)) \
			"$TOOL" move "$URL" gc/big/from gc/big/to &&
		other_client_keys gc/big/ >theirs &&
		echo gc/big/to >want && test_cmp want theirs &&
		other_client_get gc/big/to back && cmp big back &&
		s3_etag gc/big/to >etag &&
		grep -q -- "-3$" etag
	'

	test_expect_success "$KIND: a move in parts of a key that is not there fails" '
		MLV_TEST_COPY_PART_THRESHOLD=1 \
			test_expect_code 2 "$TOOL" move "$URL" gc/big/none gc/big/x 2>err &&
		grep -F "gc/big/none" err &&
		other_client_keys gc/big/ >theirs && test_cmp want theirs
	'
}

s3_start radosgw
KIND=radosgw
URL=$STORE_URL
store_ops_suite
s3_multipart_move
"$HERE/../s3/server.sh" stop "$S3_DIR" >/dev/null 2>&1

S3_DIR="$TRASH/s3moto"
s3_start moto
KIND=moto
URL=$STORE_URL
store_ops_suite
s3_multipart_move

test_done
