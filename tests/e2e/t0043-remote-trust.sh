#!/usr/bin/env bash
# What a cloned repository may choose: a committed .mlvconfig may name a
# bucket and a prefix, never where the user's signed requests go. A hostile
# bucket gets an error and not one connection; a store named by a
# committed file is shown, with where it came from, once.
. "$(dirname "$0")/lib.sh"

# Fake credentials, so that a refusal cannot be "no credentials"; no
# endpoint of the user's, so requests would go to AWS's own.
export AWS_ACCESS_KEY_ID=AKIDTRUSTTEST AWS_SECRET_ACCESS_KEY=trust-test-secret
export AWS_REGION=us-east-1
unset AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 AWS_PROFILE
export AWS_CONFIG_FILE="$TRASH/no-aws-config" AWS_SHARED_CREDENTIALS_FILE="$TRASH/no-aws-credentials"

# A listener on loopback that counts the connections it accepts, in
# $TRASH/connections; its port in $TRASH/port.
start_listener() {
	python3 - "$TRASH" <<'PY' &
import os, socket, sys, time
d = sys.argv[1]
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
s.settimeout(0.2)
open(os.path.join(d, "port.tmp"), "w").write(str(s.getsockname()[1]))
os.rename(os.path.join(d, "port.tmp"), os.path.join(d, "port"))
n, end = 0, time.time() + 600
open(os.path.join(d, "connections"), "w").write("0")
while time.time() < end and not os.path.exists(os.path.join(d, "stop")):
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    n += 1
    open(os.path.join(d, "connections"), "w").write(str(n))
    c.close()
PY
	LISTENER=$!
	for _ in $(seq 100); do test -f "$TRASH/port" && break; sleep 0.1; done
	test -f "$TRASH/port"
}
LISTENER=
stop_listener() {
	touch "$TRASH/stop"
	test -z "$LISTENER" || wait "$LISTENER" 2>/dev/null
}
trap 'stop_listener; cleanup_trash' EXIT
start_listener

test_expect_success 'setup: a repository whose objects are in no store' '
	test -f port &&
	git init -q src && cd src &&
	git mlv track "*.bin" >/dev/null &&
	test_random_file a.bin 5000 a &&
	git add . && git commit -qm data &&
	git init -q --bare ../origin.git &&
	git push -q --no-verify ../origin.git main
'

PORT=$(cat "$TRASH/port" 2>/dev/null)
i=0
for url in "s3://localhost:$PORT?/x" "s3://127.0.0.1:$PORT/x" "s3://a@localhost:$PORT/x" \
	"s3://localhost:$PORT#/x" "s3://Evil.Bucket/x" "s3://ab/x" "s3://-bucket/x" \
	"s3://bucket../x" "s3://192.168.1.1/x" "s3://good-bucket/../Other_Bucket/x"; do
	i=$((i + 1))
	export URL="$url" N=$i
	test_expect_success "a committed store $url is refused before any connection" '
		(cd src && git checkout -q -b hostile$N main &&
		 printf "[store]\n\turl = %s\n" "$URL" >.mlvconfig &&
		 git add .mlvconfig && git commit -qm store &&
		 git push -q --no-verify ../origin.git hostile$N) &&
		test_must_fail git clone -q -b hostile$N origin.git c$N 2>err &&
		grep -E "is not a valid S3 bucket name|may not hold a .\.. or .\.\.. part" err &&
		grep -F "nothing was sent" err &&
		test "$(cat connections)" = 0 &&
		test_must_fail git -C c$N mlv fetch 2>err &&
		grep -F "nothing was sent" err &&
		test "$(cat connections)" = 0
	'
done

test_expect_success 'a store from a committed file is shown once, with where it came from' '
	mkdir store &&
	cd src && git checkout -q main &&
	printf "[store]\n\turl = file://%s/store\n" "$TRASH" >.mlvconfig &&
	git add .mlvconfig && git commit -qm store &&
	git remote add origin ../origin.git &&
	git push -q origin main &&
	git mlv push --all --quiet 2>../err &&
	grep -F "comes from .mlvconfig in the work tree" ../err &&
	git mlv push --all --quiet 2>../err &&
	! grep -F "comes from" ../err &&
	cd .. && git clone -q origin.git shown 2>err &&
	cmp shown/a.bin src/a.bin &&
	grep -F "the store file://$TRASH/store comes from .mlvconfig in " err &&
	grep -F "remote.origin.mlvstore" err &&
	test "$(grep -c "comes from" err)" = 1 &&
	cd shown && rm -rf .git/mlv/objects &&
	git mlv fetch 2>../err &&
	test "$(find .git/mlv/objects -type f | wc -l)" = 1 &&
	! grep -F "comes from" ../err
'

test_expect_success 'a store of the user own config is never announced' '
	git clone -q -c remote.origin.mlvstore="file://$TRASH/store" origin.git own 2>err &&
	cmp own/a.bin src/a.bin &&
	! grep -F "comes from" err
'

test_done
