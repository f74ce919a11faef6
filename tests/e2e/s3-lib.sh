# Helpers for end-to-end scripts that run against a real S3 server on
# loopback: s3_start KIND starts radosgw or moto_server for this script
# (tests/s3/server.sh), points the AWS variables at it, stops it when the
# script exits, and defines the store_* helpers remote-suite.sh needs, all
# through awscli: an S3 client that is not mlv.

S3_DIR="$TRASH/s3server"

s3_stop() {
	"$HERE/../s3/server.sh" stop "$S3_DIR" >/dev/null 2>&1
	cleanup_trash
}

s3_start() {
	STORE_KIND=$1
	trap s3_stop EXIT
	if ! "$HERE/../s3/server.sh" start "$1" "$S3_DIR" >"$TRASH/s3-start.log" 2>&1; then
		test_count=$((test_count + 1))
		test_failures=$((test_failures + 1))
		echo "not ok $test_count - the $1 server starts on loopback"
		sed 's/^/#   /' "$TRASH/s3-start.log"
		test_done
		exit 1
	fi
	. "$S3_DIR/env"
	STORE_PREFIX="$TEST_NAME-$$"
	STORE_URL="s3://$MLV_TEST_S3_BUCKET/$STORE_PREFIX"
}

aws_s3() {
	aws --endpoint-url "$AWS_ENDPOINT_URL" "$@"
}

store_get() {
	aws_s3 s3 cp --quiet "s3://$MLV_TEST_S3_BUCKET/$STORE_PREFIX/$1" "$2"
}

store_put() {
	aws_s3 s3 cp --quiet "$1" "s3://$MLV_TEST_S3_BUCKET/$STORE_PREFIX/$2"
}

store_has() {
	aws_s3 s3api head-object --bucket "$MLV_TEST_S3_BUCKET" \
		--key "$STORE_PREFIX/$1" >/dev/null 2>&1
}

store_rm() {
	aws_s3 s3 rm --quiet "s3://$MLV_TEST_S3_BUCKET/$STORE_PREFIX/$1"
}

# The keys under PREFIX (relative to the store), one a line.
store_keys() {
	aws_s3 s3api list-objects-v2 --bucket "$MLV_TEST_S3_BUCKET" \
		--prefix "$STORE_PREFIX/$1" --query 'Contents[].Key' --output text |
		tr '\t' '\n' | grep -v '^None$' | sed "s|^$STORE_PREFIX/||"
}
