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

# No S3 server is needed: the credentials are looked for before anything
# is sent, and 127.0.0.1:9 (discard) would take nothing anyway.
no_keys() {
	env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN \
		-u AWS_PROFILE -u AWS_DEFAULT_PROFILE -u AWS_SHARED_CREDENTIALS_FILE \
		-u AWS_CONFIG_FILE AWS_ENDPOINT_URL=http://127.0.0.1:9 "$@"
}

test_expect_success 'without S3 credentials the error names every place looked in' '
	mkdir -p bare-home &&
	(cd src && test_must_fail no_keys HOME="$TRASH/bare-home" \
		git push mlv::s3://ml-bucket/fraud main 2>../err) &&
	grep -qF "no AWS credentials for '\''s3://ml-bucket/fraud'\''" err &&
	grep -qF "the environment (no AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY)" err &&
	grep -qF "profile '\''default'\'' of '\''$TRASH/bare-home/.aws/credentials'\'' (no such file)" err &&
	grep -qF "profile '\''default'\'' of '\''$TRASH/bare-home/.aws/config'\'' (no such file)" err &&
	grep -qF "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE" err &&
	grep -qF "with: aws configure" err &&
	! grep -q nowhere err
'

test_expect_success 'it says what each place lacked, with the files the environment names, and no secret' '
	mkdir -p aws &&
	printf "[default]\naws_access_key_id = AKIAEXAMPLEKEYID\n[ml]\nregion = eu-west-1\n" >aws/creds &&
	printf "[profile ml]\naws_secret_access_key = only-a-secret-here\n" >aws/conf &&
	test_must_fail no_keys HOME="$TRASH/bare-home" AWS_SECRET_ACCESS_KEY=env-secret-value-42 \
		AWS_SHARED_CREDENTIALS_FILE="$TRASH/aws/creds" \
		git ls-remote mlv::s3://ml-bucket/fraud 2>err &&
	grep -qF "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not" err &&
	grep -qF "'\''$TRASH/aws/creds'\'' (AWS_SHARED_CREDENTIALS_FILE names it: no aws_secret_access_key)" err &&
	test_must_fail no_keys HOME="$TRASH/bare-home" AWS_PROFILE=ml \
		AWS_SHARED_CREDENTIALS_FILE="$TRASH/aws/creds" AWS_CONFIG_FILE="$TRASH/aws/conf" \
		git ls-remote mlv::s3://ml-bucket/fraud 2>>err &&
	grep -qF "profile '\''ml'\'' of '\''$TRASH/aws/creds'\'' (AWS_SHARED_CREDENTIALS_FILE names it: no aws_access_key_id)" err &&
	grep -qF "profile '\''ml'\'' of '\''$TRASH/aws/conf'\'' (AWS_CONFIG_FILE names it: no aws_access_key_id)" err &&
	grep -qF "with: aws configure --profile '\''ml'\''" err &&
	test_must_fail no_keys HOME="$TRASH/bare-home" AWS_PROFILE=nosuch \
		AWS_CONFIG_FILE="$TRASH/aws/conf" git ls-remote mlv::s3://ml-bucket/fraud 2>>err &&
	grep -qF "(AWS_CONFIG_FILE names it: no [profile nosuch] section)" err &&
	! grep -e env-secret-value-42 -e only-a-secret-here err
'

# stderr is a file in these tests, never a terminal: the summary line is
# all a log of a transfer would show.
test_expect_success 'a push through git-remote-mlv ends with one summary line' '
	cd src &&
	git push "mlv::$TRASH/sum-store" main 2>../err &&
	grep "^mlv: " ../err >../lines &&
	test_line_count = 1 ../lines &&
	grep -q "^mlv: uploaded 3 files, 585.94 KiB in [0-9]*\.[0-9] s$" ../lines
'

test_expect_success 'git push -q, and a push that moves nothing, print no summary' '
	cd src &&
	test_random_file d.bin 4096 d && git add d.bin && git commit -qm d &&
	git push -q "mlv::$TRASH/sum-store" main 2>../err &&
	test_must_be_empty ../err &&
	test_random_file e.bin 4096 e && git add e.bin && git commit -qm e &&
	git push "mlv::$TRASH/sum-store" main 2>../err &&
	grep -q "^mlv: uploaded 1 file, 4.00 KiB in " ../err &&
	git commit -q --allow-empty -m empty &&
	git push "mlv::$TRASH/sum-store" main 2>../err &&
	! grep "^mlv:" ../err
'

test_expect_success 'a clone ends with one summary line for all files it downloaded' '
	git clone "mlv::$TRASH/sum-store" sum-clone 2>err &&
	grep "^mlv: " err | grep -v "^mlv: installed hooks" >lines &&
	test_line_count = 1 lines &&
	grep -q "^mlv: downloaded 5 files, 593.94 KiB in [0-9]*\.[0-9] s$" lines &&
	git clone -q "mlv::$TRASH/sum-store" sum-quiet 2>err &&
	test_must_be_empty err &&
	cmp sum-quiet/e.bin src/e.bin
'

test_expect_success 'a checkout that downloads says so once; one that does not, nothing' '
	cd sum-clone &&
	git checkout -q HEAD~3 2>../err && ! grep "^mlv:" ../err &&
	rm -rf .git/mlv/objects &&
	git checkout main 2>../err &&
	grep "^mlv: " ../err >../lines &&
	test_line_count = 1 ../lines &&
	grep -q "^mlv: downloaded 2 files, 8.00 KiB in " ../lines
'

test_expect_success 'git mlv push, fetch and the pre-push upload say what they moved' '
	cd src &&
	git init -q --bare ../hosted.git &&
	git remote add hosted ../hosted.git &&
	git config remote.hosted.mlvstore "file://$TRASH/hook-store" &&
	git push hosted main 2>../err &&
	grep -q "^mlv: uploaded 5 files, 593.94 KiB in " ../err &&
	test_random_file f.bin 1024 f && git add f.bin && git commit -qm f &&
	git push -q hosted main 2>../err &&
	! grep "^mlv:" ../err &&
	test_random_file g.bin 2048 g && git add g.bin && git commit -qm g &&
	git mlv push hosted 2>../err &&
	grep -q "^mlv: uploaded 1 file, 2.00 KiB in " ../err &&
	cd .. && MLV_SKIP_SMUDGE=1 git clone -q hosted.git hosted-clone &&
	cd hosted-clone && git config remote.origin.mlvstore "file://$TRASH/hook-store" &&
	git mlv fetch 2>../err &&
	grep "^mlv: " ../err >../lines && test_line_count = 1 ../lines &&
	grep -q "^mlv: downloaded 6 files, 594.94 KiB in " ../lines &&
	git mlv fetch 2>../err && test_must_be_empty ../err &&
	rm -rf .git/mlv/objects &&
	git mlv fetch --quiet 2>../err && test_must_be_empty ../err
'

test_done
