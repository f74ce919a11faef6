# What only an s3:// store has: multipart uploads, signatures, endpoints.
# Sourced after remote-suite.sh by the S3 scripts.

test_expect_success 'a file over the multipart threshold goes up in parts and comes back whole' '
	cd src &&
	test_random_file huge.bin $((70 * 1024 * 1024)) huge &&
	git add huge.bin && git commit -qm huge &&
	MLV_TRACE="$TRASH/mp.trace" git push -q origin main 2>../err &&
	grep -q "uploads=" ../mp.trace && grep -q "partNumber=5&" ../mp.trace &&
	store_get "$(obj_key "$(test_pointer_oid huge.bin HEAD)")" ../huge.back &&
	cmp ../huge.back huge.bin &&
	cd .. && git -c mlv.fetchinclude=huge.bin clone -q "mlv::$STORE_URL" chuge 2>err &&
	cmp chuge/huge.bin src/huge.bin
'

if [ "$STORE_KIND" = moto ]; then
	test_skip 'a wrong secret is refused, naming endpoint and key id, never the secret' \
		'moto_server checks no signatures; t0041 runs this against radosgw'
else
	test_expect_success 'a wrong secret is refused, naming endpoint and key id, never the secret' '
		cd src &&
		echo more >>train.py && git commit -qam more &&
		test_must_fail env AWS_SECRET_ACCESS_KEY=NotTheSecret1234567890 \
			git push -q origin main 2>../err &&
		grep -q "$AWS_ENDPOINT_URL" ../err &&
		grep -q "$AWS_ACCESS_KEY_ID" ../err &&
		grep -q "SignatureDoesNotMatch" ../err &&
		! grep -q "NotTheSecret" ../err &&
		! grep -q "$AWS_SECRET_ACCESS_KEY" ../err &&
		git push -q origin main 2>../err
	'
fi

test_expect_success 'no credentials at all: a clear error that says where it looked' '
	test_must_fail env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
		git clone -q "mlv::$STORE_URL" cnocred 2>err &&
	grep -q "no AWS credentials" err && grep -q "AWS_ACCESS_KEY_ID" err
'

test_expect_success 'an unreachable endpoint fails the clone, naming it' '
	test_must_fail env AWS_ENDPOINT_URL=http://127.0.0.1:9 \
		git clone -q "mlv::$STORE_URL" cdown 2>err &&
	grep -q "127.0.0.1:9" err && ! grep -q "$AWS_SECRET_ACCESS_KEY" err
'

test_expect_success 'with the store down, a checkout of a missing file fails; skipdownloaderrors warns' '
	git init -q cd2 && cd cd2 && git remote add origin "mlv::$STORE_URL" &&
	git fetch -q origin 2>../err &&
	test_must_fail env AWS_ENDPOINT_URL=http://127.0.0.1:9 \
		git checkout -q -b main origin/main 2>../err &&
	grep -q "127.0.0.1:9" ../err &&
	AWS_ENDPOINT_URL=http://127.0.0.1:9 git -c mlv.skipdownloaderrors=true \
		checkout -q -f -B main origin/main 2>../err &&
	head -1 a.bin | grep -q "^version https://git-lfs" &&
	git checkout -q -f -B main origin/main 2>../err && git mlv pull --quiet &&
	cmp a.bin ../src/a.bin
'

test_expect_success 'throttling, dropped connections and cut answers are retried: push and clone go through' '
	python3 "$HERE/../s3/flaky-proxy.py" 0 "$AWS_ENDPOINT_URL" proxy.port 2>proxy.log &
	pid=$! &&
	for i in 1 2 3 4 5 6 7 8 9 10; do test -s proxy.port && break; sleep 0.3; done &&
	flaky="http://127.0.0.1:$(cat proxy.port)" &&
	(
		cd src && test_random_file flaky.bin 200000 flaky &&
		git add flaky.bin && git commit -qm flaky &&
		AWS_ENDPOINT_URL=$flaky git push -q origin main 2>../err &&
		cd .. && AWS_ENDPOINT_URL=$flaky git clone -q "mlv::$STORE_URL" cflaky 2>err &&
		cmp cflaky/flaky.bin src/flaky.bin &&
		grep -q "^fault 503 .*flaky\|^fault 503 .*objects" proxy.log &&
		grep -q "^fault drop" proxy.log && grep -q "^fault cut" proxy.log
	)
	rc=$?; kill $pid; return $rc
'

test_expect_success 'the secret and the session token never reach traces or errors' '
	cd src &&
	echo trace >>train.py && git commit -qam trace &&
	MLV_TRACE="$TRASH/secret.trace" AWS_SESSION_TOKEN=SessionTokenNotForTraces \
		git push origin main >../out 2>../err || true &&
	test -s ../secret.trace &&
	! grep -q "$AWS_SECRET_ACCESS_KEY" ../secret.trace ../out ../err &&
	! grep -q "SessionTokenNotForTraces" ../secret.trace ../out ../err
'
