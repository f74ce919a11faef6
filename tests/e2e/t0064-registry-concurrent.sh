#!/usr/bin/env bash
# Two people assigning stages at the same moment, through a plain Git
# server (with git mlv hook pre-receive) and through an mlv:: remote: with
# --push both tags land, each counter is used once, and the order is the
# order they landed, even when the clocks disagree.
. "$(dirname "$0")/lib.sh"

# Commit version $1 of models/fraud.onnx (seed $2) and register it.
train() {
	test_random_file models/fraud.onnx 1000 "$2" &&
	git mlv sidecar init models/fraud.onnx --data data/train.csv --config train.yaml \
		--version "$1" --force >/dev/null &&
	git add models && git commit -qm "fraud $1" &&
	git mlv register models/fraud.onnx >/dev/null
}

# The commit of the registered version $1, from repository $2.
version_commit() {
	git -C "$2" rev-parse "models/fraud@v$1^{commit}"
}

# The stage $1 of models/fraud as `git mlv models` in repository $2 says:
# "<version> <tag>".
in_stage() {
	git -C "$2" mlv models --format json | python3 -c "
import json, sys
s = json.load(sys.stdin)[\"models\"][0][\"stages\"].get(\"$1\")
print(\"%s %s\" % (s[\"version\"], s[\"tag\"]) if s else \"none\")"
}

# The registry tags of stage $1 in repository $2, highest counter last.
stage_tags() {
	git -C "$2" tag -l "models/fraud#$1#*" | sort -t "#" -k 3 -n
}

test_expect_success 'setup: three versions on a server that checks registry tags; two clones' '
	git init -q --bare server.git &&
	printf "#!/bin/sh\nexec git mlv hook pre-receive\n" >server.git/hooks/pre-receive &&
	chmod +x server.git/hooks/pre-receive &&
	git init -q r && cd r &&
	git mlv track --model "*.onnx" >/dev/null &&
	mkdir models data && printf "a\n" >data/train.csv && printf "lr: 1\n" >train.yaml &&
	git add . && git commit -qm data &&
	train 1.0.0 f1 && train 1.1.0 f2 && train 1.2.0 f3 &&
	git remote add origin ../server.git &&
	git config remote.origin.mlvstore "file://$TRASH/plainstore" &&
	git push -q origin main --tags 2>../err &&
	cd .. &&
	for who in alice bob; do
		MLV_SKIP_SMUDGE=1 git clone -q server.git $who &&
		git -C $who config remote.origin.mlvstore "file://$TRASH/plainstore" || return 1
	done &&
	test "$(git -C bob tag -l "models/fraud@*" | wc -l)" = 3
'

test_expect_success 'the same counter in two clones: --push renumbers the second, both land' '
	(cd alice && GIT_COMMITTER_NAME=Alice git mlv assign models/fraud.onnx 1.1.0 \
		--stage prod >../out-a) &&
	grep -q "^Created tag .models/fraud#prod#1. on" out-a &&
	git -C alice push -q origin "refs/tags/models/fraud#prod#1" 2>err &&
	(cd bob && GIT_COMMITTER_NAME=Bob git mlv assign models/fraud.onnx 1.2.0 \
		--stage prod --push >../out-b) &&
	grep -q "^Created tag .models/fraud#prod#1. on" out-b &&
	grep -q "^origin holds another .models/fraud#prod#1.: someone else.s tag took that name a moment ago; trying again after theirs$" out-b &&
	grep -q "^Created tag .models/fraud#prod#2. on" out-b &&
	grep -q "^Pushed it to origin$" out-b &&
	! grep -q "To share it" out-b &&
	printf "models/fraud#prod#1\nmodels/fraud#prod#2\n" >expect &&
	stage_tags prod server.git >actual && test_cmp expect actual &&
	test "$(git -C server.git rev-parse "models/fraud#prod#1^{commit}")" = "$(version_commit 1.1.0 r)" &&
	test "$(git -C server.git rev-parse "models/fraud#prod#2^{commit}")" = "$(version_commit 1.2.0 r)" &&
	git -C server.git cat-file tag "models/fraud#prod#1" | grep -q "^tagger Alice" &&
	git -C server.git cat-file tag "models/fraud#prod#2" | grep -q "^tagger Bob" &&
	test "$(git -C bob rev-parse "models/fraud#prod#1^{commit}")" = "$(version_commit 1.1.0 r)" &&
	test "$(in_stage prod bob)" = "1.2.0 models/fraud#prod#2" &&
	MLV_SKIP_SMUDGE=1 git clone -q server.git fresh1 &&
	test "$(in_stage prod fresh1)" = "1.2.0 models/fraud#prod#2" &&
	git -C fresh1 mlv registry log --format json | python3 -c "
import json, sys
ev = [e for e in json.load(sys.stdin)[\"events\"] if e[\"stage\"] == \"prod\"]
assert [(e[\"tagger\"], e[\"version\"]) for e in ev] == [(\"Alice\", \"1.1.0\"), (\"Bob\", \"1.2.0\")], ev"
'

test_expect_success 'plain git push: a taken tag name is refused and the first stays; other stages land' '
	git -C alice fetch -q origin "refs/tags/*:refs/tags/*" &&
	git -C bob fetch -q origin "refs/tags/*:refs/tags/*" &&
	(cd alice && git mlv assign models/fraud.onnx 1.0.0 --stage dev >/dev/null) &&
	(cd bob && git mlv assign models/fraud.onnx 1.1.0 --stage dev >/dev/null) &&
	git -C alice push -q origin "refs/tags/models/fraud#dev#3" 2>err &&
	test_must_fail git -C bob push origin "refs/tags/models/fraud#dev#3" 2>err &&
	grep -q "already exists" err &&
	test "$(git -C server.git rev-parse "models/fraud#dev#3^{commit}")" = "$(version_commit 1.0.0 r)" &&
	git -C bob tag -d "models/fraud#dev#3" >/dev/null &&
	(cd alice && git mlv assign models/fraud.onnx 1.0.0 --stage staging >/dev/null) &&
	(cd bob && git mlv assign models/fraud.onnx 1.1.0 --stage qa >/dev/null) &&
	qa=$(git -C bob tag -l "models/fraud#qa#*") &&
	git -C alice push -q origin "refs/tags/models/fraud#staging#4" 2>err &&
	git -C bob push -q origin "refs/tags/$qa" 2>err &&
	MLV_SKIP_SMUDGE=1 git clone -q server.git fresh0 &&
	test "$(in_stage staging fresh0)" = "1.0.0 models/fraud#staging#4" &&
	test "$(in_stage qa fresh0)" = "1.1.0 $qa"
'

test_expect_success 'assignments at the same moment, five rounds: both land, the last to land holds the stage' '
	for round in 1 2 3 4 5; do
		git -C alice fetch -q origin "refs/tags/*:refs/tags/*" &&
		git -C bob fetch -q origin "refs/tags/*:refs/tags/*" || return 1
		(cd alice && git mlv assign models/fraud.onnx 1.0.0 --stage "s$round" \
			--push >../race-a 2>&1) & a=$!
		(cd bob && git mlv assign models/fraud.onnx 1.1.0 --stage "s$round" \
			--push >../race-b 2>&1) & b=$!
		wait $a || { cat race-a; return 1; }
		wait $b || { cat race-b; return 1; }
		# the same history, so the same counter: exactly one tried again
		test "$(cat race-a race-b | grep -c "trying again after theirs")" = 1 &&
		test "$(stage_tags "s$round" server.git | wc -l)" = 2 || return 1
	done &&
	MLV_SKIP_SMUDGE=1 git clone -q server.git fresh2 &&
	for round in 1 2 3 4 5; do
		last=$(stage_tags "s$round" fresh2 | tail -n 1) &&
		commit=$(git -C fresh2 rev-parse "$last^{commit}") &&
		if test "$commit" = "$(version_commit 1.0.0 r)"; then v=1.0.0; else v=1.1.0; fi &&
		test "$(in_stage "s$round" fresh2)" = "$v $last" || return 1
	done
'

test_expect_success 'a clock behind never puts an assignment before the one it follows' '
	ahead=$(($(date +%s) + 3600)) &&
	(cd alice && git fetch -q origin "refs/tags/*:refs/tags/*" &&
	 GIT_COMMITTER_DATE="$ahead +0000" git mlv assign models/fraud.onnx 1.2.0 \
		--stage canary --push >/dev/null) &&
	(cd bob && git fetch -q origin "refs/tags/*:refs/tags/*" &&
	 git mlv assign models/fraud.onnx 1.0.0 --stage canary --push >/dev/null) &&
	last=$(stage_tags canary server.git | tail -n 1) &&
	git -C server.git cat-file tag "$last" | grep -q "^tagger .* $ahead +0000$" &&
	MLV_SKIP_SMUDGE=1 git clone -q server.git fresh3 &&
	test "$(in_stage canary fresh3)" = "1.0.0 $last"
'

test_expect_success '--push names what went wrong when the remote refuses for another reason' '
	cd bob &&
	printf "[registry]\nstages = dev, staging, prod, qa\n" >.mlvconfig &&
	git add .mlvconfig && git commit -qm rules &&
	git push -q origin main 2>../err &&
	git reset -q --hard HEAD~1 &&
	test_must_fail git mlv assign models/fraud.onnx 1.0.0 --stage beta --push >../out 2>../err &&
	grep -q "remote:   tag .models/fraud#beta#[0-9]*.: stage .beta. is not one of the stages the registry allows" ../err &&
	grep -q "^fatal: tag .models/fraud#beta#[0-9]*. is made here, but origin did not take it (git push says why, above); once that is fixed: git push origin .models/fraud#beta#[0-9]*.$" ../err &&
	test -z "$(git -C ../server.git tag -l "models/fraud#beta#*")" &&
	tags=$(git tag -l | wc -l) &&
	test_must_fail git mlv assign models/fraud.onnx 1.2.0 --stage dev --push=no-such-remote 2>../err &&
	grep -q "^fatal: no such remote .no-such-remote. (git remote -v lists them)$" ../err &&
	test "$(git tag -l | wc -l)" = "$tags"
'

test_expect_success 'tags push and fetch through an mlv:: remote; a race there lands both' '
	(cd r && git fetch -q origin "refs/tags/*:refs/tags/*" &&
	 git push -q "mlv::file://$TRASH/store" main --tags 2>../err) &&
	for who in carol dave; do
		git clone -q "mlv::file://$TRASH/store" $who 2>err || return 1
	done &&
	test "$(git -C carol tag -l "models/fraud*" | wc -l)" = "$(git -C r tag -l "models/fraud*" | wc -l)" &&
	test "$(in_stage prod carol)" = "1.2.0 models/fraud#prod#2" &&
	{ (cd carol && git mlv assign models/fraud.onnx 1.0.0 --stage edge --push \
		>../race-c 2>&1) & c=$!; } &&
	{ (cd dave && git mlv assign models/fraud.onnx 1.1.0 --stage edge --push \
		>../race-d 2>&1) & d=$!; } &&
	{ wait $c || { cat race-c; false; }; } &&
	{ wait $d || { cat race-d; false; }; } &&
	test "$(cat race-c race-d | grep -c "trying again after theirs")" = 1 &&
	git ls-remote "mlv::file://$TRASH/store" "refs/tags/models/fraud#edge#*" >edge &&
	test_line_count = 2 edge &&
	git clone -q "mlv::file://$TRASH/store" fresh4 2>err &&
	last=$(stage_tags edge fresh4 | tail -n 1) &&
	test "$(in_stage edge fresh4 | cut -d" " -f2)" = "$last"
'

test_done
