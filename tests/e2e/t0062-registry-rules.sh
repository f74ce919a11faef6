#!/usr/bin/env bash
# Promotion rules of the committed .mlvconfig: allowed stages, `from`,
# `branches` and `require-signed`, held by git mlv assign, reported by git
# mlv verify, and enforced at push time by git mlv hook pre-receive and
# git-remote-mlv.
. "$(dirname "$0")/lib.sh"

# Commit version $1 of models/fraud.onnx (seed $2). The commits are an hour
# old, so a lightweight tag (read at its commit's time) comes before every
# tag made in the test, whatever second the clock is at.
train() {
	test_random_file models/fraud.onnx 1000 "$2" &&
	git mlv sidecar init models/fraud.onnx --data data/train.csv --config train.yaml \
		--version "$1" --force >/dev/null &&
	git add models &&
	GIT_COMMITTER_DATE="$(($(date +%s) - 3600)) +0000" git commit -qm "fraud $1"
}

test_expect_success 'setup: three versions, one on a side branch; rules on main; an ssh key' '
	ssh-keygen -q -t ed25519 -N "" -C test -f key &&
	printf "committer@example.com %s\n" "$(cat key.pub)" >allowed &&
	git init -q r && cd r &&
	git config gpg.format ssh &&
	git config user.signingkey "$TRASH/key.pub" &&
	git config gpg.ssh.allowedSignersFile "$TRASH/allowed" &&
	git mlv track --model "*.onnx" >/dev/null &&
	mkdir models data && printf "a\n" >data/train.csv && printf "lr: 1\n" >train.yaml &&
	git add . && git commit -qm data &&
	train 1.0.0 f1 && git rev-parse HEAD >../c1 &&
	train 1.1.0 f2 && git rev-parse HEAD >../c2 &&
	git mlv register models/fraud.onnx HEAD~1 >/dev/null &&
	git mlv register models/fraud.onnx >/dev/null &&
	git checkout -q -b side &&
	train 1.2.0 f3 && git rev-parse HEAD >../c3 &&
	git mlv register models/fraud.onnx >/dev/null &&
	git checkout -q main &&
	cat >.mlvconfig <<-\EOF &&
	[registry]
	stages = dev, staging, prod
	[stage "prod"]
	from = staging                ; in staging first
	branches = main
	require-signed = true
	EOF
	git add .mlvconfig && git commit -qm rules
'

test_expect_success 'assign refuses a stage the registry does not allow' '
	cd r &&
	test_must_fail git mlv assign models/fraud.onnx 1.0.0 --stage qa 2>../err &&
	grep -q "cannot assign models/fraud to stage .qa.: the promotion rules of .mlvconfig at HEAD say no" ../err &&
	grep -q "tag .models/fraud#qa#1.: stage .qa. is not one of the stages the registry allows (dev, staging, prod) (.mlvconfig \[registry\] stages)" ../err &&
	test -z "$(git tag -l "models/fraud#*")"
'

test_expect_success 'from: prod needs the version in staging first, then it is allowed' '
	cd r &&
	test_must_fail git mlv assign models/fraud.onnx 1.1.0 --stage prod 2>../err &&
	grep -q "tag .models/fraud#prod#1.: stage .prod. needs the version in .staging. first (.mlvconfig \[stage \"prod\"\] from)" ../err &&
	test -z "$(git tag -l "models/fraud#*")" &&
	git mlv assign models/fraud.onnx 1.1.0 --stage staging >/dev/null &&
	git mlv assign models/fraud.onnx 1.1.0 --stage prod >/dev/null &&
	test "$(git rev-parse "models/fraud#prod#2^{commit}")" = "$(cat ../c2)"
'

test_expect_success 'require-signed: git mlv assign signs the tag itself' '
	cd r &&
	git cat-file tag "models/fraud#prod#2" | grep -q "^-----BEGIN SSH SIGNATURE-----" &&
	git verify-tag "models/fraud#prod#2" 2>/dev/null &&
	! git cat-file tag "models/fraud#staging#1" | grep -q "BEGIN SSH SIGNATURE"
'

test_expect_success 'branches: a version on a side branch is refused for prod' '
	cd r &&
	git mlv assign models/fraud.onnx 1.2.0 --stage staging >/dev/null &&
	test_must_fail git mlv assign models/fraud.onnx 1.2.0 --stage prod 2>../err &&
	grep -q "tag .models/fraud#prod#4.: stage .prod. takes only commits on main, and $(cut -c1-12 ../c3) is on none of them (.mlvconfig \[stage \"prod\"\] branches)" ../err &&
	! grep -q "needs the version" ../err &&
	test -z "$(git tag -l "models/fraud#prod#4")"
'

test_expect_success 'rules come from HEAD; a value that cannot be read is named with its line' '
	cd r &&
	git checkout -q -b broken &&
	sed -i "s/^require-signed = true/require-signed = maybe/" .mlvconfig &&
	git commit -q --no-verify -am "broken rule" &&
	test_must_fail git mlv assign models/fraud.onnx 1.0.0 --stage dev 2>../err &&
	grep -q "^  .mlvconfig:6: stage.prod.require-signed .maybe. is not true or false$" ../err &&
	git checkout -q main &&
	test -z "$(git tag -l "models/fraud#dev#*")"
'

test_expect_success 'verify: every registry tag follows the rules' '
	cd r &&
	git mlv verify >../out &&
	grep -q "^3 stage assignments follow the promotion rules$" ../out
'

test_expect_success 'verify reports unsigned and lightweight assign tags' '
	cd r &&
	git tag -a -m "by hand" "models/fraud#prod#50" "$(cat ../c2)" &&
	git tag "models/fraud#prod#51" "$(cat ../c2)" &&
	test_expect_code 1 git mlv verify -q >../out &&
	grep -q "^tag .models/fraud#prod#50.: stage .prod. needs a signed tag that git verify-tag accepts, and it says: .*(.mlvconfig \[stage \"prod\"\] require-signed)$" ../out &&
	grep -q "^tag .models/fraud#prod#51.: stage .prod. needs a signed annotated tag, this one is lightweight" ../out &&
	grep -q "^tag .models/fraud#prod#51.: stage .prod. needs the version in .staging. first" ../out &&
	grep -q "^3 problems with the promotion rules of .mlvconfig at HEAD (5 stage assignments checked)$" ../out &&
	git tag -d "models/fraud#prod#50" "models/fraud#prod#51" >/dev/null &&
	git mlv verify >/dev/null
'

test_expect_success 'verify reports tags made against the rules by hand' '
	cd r &&
	git tag -s -m "by hand" "models/fraud#prod#52" "$(cat ../c3)" &&
	git tag -s -m "by hand" "models/fraud#prod#53" "$(cat ../c1)" &&
	git tag -a -m "by hand" "models/fraud#test#54" "$(cat ../c1)" &&
	test_expect_code 1 git mlv verify -q >../out &&
	grep -q "^tag .models/fraud#prod#52.: stage .prod. takes only commits on main" ../out &&
	grep -q "^tag .models/fraud#prod#53.: stage .prod. needs the version in .staging. first" ../out &&
	grep -q "^tag .models/fraud#test#54.: stage .test. is not one of the stages" ../out &&
	test_line_count = 4 ../out &&
	git tag -d "models/fraud#prod#52" "models/fraud#prod#53" "models/fraud#test#54" >/dev/null
'

test_expect_success 'setup: a bare server with git mlv hook pre-receive' '
	git init -q --bare server.git &&
	printf "#!/bin/sh\nexec git mlv hook pre-receive\n" >server.git/hooks/pre-receive &&
	chmod +x server.git/hooks/pre-receive &&
	git -C server.git config gpg.ssh.allowedSignersFile "$TRASH/allowed" &&
	cd r && git remote add origin ../server.git &&
	git config remote.origin.mlvstore "file://$TRASH/plainstore" &&
	git push -q origin main 2>../err &&
	git push -q origin --tags 2>../err &&
	test "$(git -C ../server.git tag -l | wc -l)" = "$(git tag -l | wc -l)"
'

test_expect_success 'pre-receive refuses an unsigned assign tag, naming tag and rule' '
	cd r &&
	git tag -a -m "by hand" "models/fraud#prod#60" "$(cat ../c2)" &&
	test_must_fail git push origin "refs/tags/models/fraud#prod#60" >/dev/null 2>../err &&
	grep -q "pre-receive hook declined" ../err &&
	grep -q "remote:   tag .models/fraud#prod#60.: stage .prod. needs a signed tag that git verify-tag accepts" ../err &&
	grep -q "remote: mlv: push refused: the registry tags above break the registry" ../err &&
	test_must_fail git -C ../server.git rev-parse -q --verify "refs/tags/models/fraud#prod#60" &&
	git tag -d "models/fraud#prod#60" >/dev/null
'

test_expect_success 'pre-receive accepts a signed one' '
	cd r &&
	git tag -s -m "by hand" "models/fraud#prod#61" "$(cat ../c2)" &&
	git push -q origin "refs/tags/models/fraud#prod#61" 2>../err &&
	git -C ../server.git rev-parse -q --verify "refs/tags/models/fraud#prod#61" >/dev/null
'

test_expect_success 'pre-receive refuses the branch and from rules' '
	cd r &&
	git tag -s -m "by hand" "models/fraud#prod#62" "$(cat ../c3)" &&
	git tag -s -m "by hand" "models/fraud#prod#63" "$(cat ../c1)" &&
	test_must_fail git push origin "refs/tags/models/fraud#prod#62" \
		"refs/tags/models/fraud#prod#63" >/dev/null 2>../err &&
	grep -q "remote:   tag .models/fraud#prod#62.: stage .prod. takes only commits on main" ../err &&
	grep -q "remote:   tag .models/fraud#prod#63.: stage .prod. needs the version in .staging. first" ../err &&
	test_must_fail git -C ../server.git rev-parse -q --verify "refs/tags/models/fraud#prod#63" &&
	git tag -d "models/fraud#prod#62" "models/fraud#prod#63" >/dev/null
'

test_expect_success 'pre-receive: staging and prod in one push count in order' '
	cd r &&
	git tag -a -m "by hand" "models/fraud#staging#64" "$(cat ../c1)" &&
	git tag -s -m "by hand" "models/fraud#prod#65" "$(cat ../c1)" &&
	git push -q origin "refs/tags/models/fraud#staging#64" \
		"refs/tags/models/fraud#prod#65" 2>../err &&
	git -C ../server.git rev-parse -q --verify "refs/tags/models/fraud#prod#65" >/dev/null
'

test_expect_success 'pre-receive refuses moving or deleting a registry tag' '
	cd r &&
	before=$(git -C ../server.git rev-parse "refs/tags/models/fraud#staging#1") &&
	git tag -f -a -m moved "models/fraud#staging#1" "$(cat ../c1)" >/dev/null &&
	test_must_fail git push -f origin "refs/tags/models/fraud#staging#1" >/dev/null 2>../err &&
	grep -q "remote:   tag .models/fraud#staging#1.: registry tags are never moved or deleted" ../err &&
	test_must_fail git push origin ":refs/tags/models/fraud#staging#1" >/dev/null 2>../err &&
	grep -q "remote:   tag .models/fraud#staging#1.: registry tags are never moved or deleted" ../err &&
	test_must_fail git push origin ":refs/tags/models/fraud@v1.0.0" >/dev/null 2>../err &&
	grep -q "remote:   tag .models/fraud@v1.0.0.: registry tags are never moved or deleted" ../err &&
	test "$(git -C ../server.git rev-parse "refs/tags/models/fraud#staging#1")" = "$before" &&
	git -C ../server.git rev-parse -q --verify "refs/tags/models/fraud@v1.0.0" >/dev/null &&
	git fetch -q -f origin "refs/tags/models/fraud#staging#1:refs/tags/models/fraud#staging#1"
'

test_expect_success 'pre-receive leaves other tags alone' '
	cd r &&
	git tag v1.0 "$(cat ../c1)" && git push -q origin v1.0 2>/dev/null &&
	git tag -f v1.0 "$(cat ../c2)" >/dev/null && git push -q -f origin v1.0 2>/dev/null &&
	git push -q origin :v1.0 2>/dev/null &&
	test_must_fail git -C ../server.git rev-parse -q --verify refs/tags/v1.0
'

test_expect_success 'git-remote-mlv refuses a tag that breaks a rule, naming tag and rule' '
	cd r &&
	git push -q "mlv::file://$TRASH/store" main 2>../err &&
	git tag -a -m "by hand" "models/fraud#prod#70" "$(cat ../c2)" &&
	test_must_fail git push "mlv::file://$TRASH/store" "refs/tags/models/fraud#prod#70" 2>../err &&
	grep -q "models/fraud#prod#70.*tag .models/fraud#prod#70.: stage .prod. needs a signed tag that git verify-tag accepts" ../err &&
	git tag -d "models/fraud#prod#70" >/dev/null &&
	git tag -s -m "by hand" "models/fraud#prod#71" "$(cat ../c3)" &&
	test_must_fail git push "mlv::file://$TRASH/store" "refs/tags/models/fraud#prod#71" 2>../err &&
	grep -q "tag .models/fraud#prod#71.: stage .prod. takes only commits on main" ../err &&
	git tag -d "models/fraud#prod#71" >/dev/null &&
	git ls-remote "mlv::file://$TRASH/store" >../refs &&
	! grep -q "prod#7" ../refs
'

test_expect_success 'git-remote-mlv pushes good tags and refuses moving or deleting them' '
	cd r &&
	git push -q "mlv::file://$TRASH/store" --tags 2>../err &&
	git ls-remote "mlv::file://$TRASH/store" >../refs &&
	grep -q "refs/tags/models/fraud#prod#2$" ../refs &&
	test_must_fail git push "mlv::file://$TRASH/store" ":refs/tags/models/fraud#prod#2" 2>../err &&
	grep -q "registry tags are never moved or deleted" ../err &&
	git tag -f -a -m moved "models/fraud#staging#1" "$(cat ../c1)" >/dev/null &&
	test_must_fail git push -f "mlv::file://$TRASH/store" "refs/tags/models/fraud#staging#1" 2>../err &&
	grep -q "registry tags are never moved or deleted" ../err &&
	git ls-remote "mlv::file://$TRASH/store" >../refs2 && test_cmp ../refs ../refs2
'

test_done
