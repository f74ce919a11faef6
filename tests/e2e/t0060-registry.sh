#!/usr/bin/env bash
# The registry: versions and stages as annotated tags in GTO's format;
# register, assign, unassign, deprecate, models and registry log, and
# which version was where at any moment.
. "$(dirname "$0")/lib.sh"

# Commit version $1 of models/fraud.onnx (seed $2, metric auc $3).
train() {
	test_random_file models/fraud.onnx 1000 "$2" &&
	git mlv sidecar init models/fraud.onnx --data data/train.csv --config train.yaml \
		--version "$1" --metric auc="$3" --force >/dev/null &&
	git add models && git commit -qm "fraud $1"
}

# The registry tags, one a line, sorted.
tags() {
	git tag -l | grep "[@#]" | sort
}

test_expect_success 'setup: two versions of a model' '
	git init -q r && cd r &&
	git mlv track --model "*.onnx" >/dev/null &&
	mkdir models data && printf "a\n" >data/train.csv && printf "lr: 1\n" >train.yaml &&
	git add . && git commit -qm data &&
	train 1.0.0 f1 0.90 && git rev-parse HEAD >../c1 &&
	train 1.1.0 f2 0.93 && git rev-parse HEAD >../c2
'

test_expect_success 'register tags the commit NAME@vX.Y.Z, from the sidecar version' '
	cd r &&
	git mlv register models/fraud.onnx HEAD~1 >../out &&
	grep -q "^Created tag .models/fraud@v1.0.0. on $(cut -c1-12 ../c1)$" ../out &&
	grep -q "^To share it: git push origin .models/fraud@v1.0.0.$" ../out &&
	test "$(git cat-file -t models/fraud@v1.0.0)" = tag &&
	test "$(git rev-parse "models/fraud@v1.0.0^{commit}")" = "$(cat ../c1)" &&
	git cat-file tag models/fraud@v1.0.0 | grep -q "^tagger C O Mitter" &&
	git mlv register models/fraud.onnx >/dev/null &&
	test "$(git rev-parse "models/fraud@v1.1.0^{commit}")" = "$(cat ../c2)"
'

test_expect_success 'register refuses a version that is not higher, or not the recorded one' '
	cd r &&
	test_must_fail git mlv register models/fraud.onnx HEAD~1 2>../err &&
	grep -q "version 1.0.0 of .models/fraud. is not higher than 1.1.0" ../err &&
	test_must_fail git mlv register models/fraud.onnx --version 2.0.0 2>../err &&
	grep -q "records version 1.1.0, not 2.0.0" ../err &&
	test_must_fail git mlv register models/fraud.onnx --bump-major 2>../err &&
	grep -q "records version 1.1.0, not 2.0.0" ../err &&
	test "$(tags | wc -l)" = 2
'

test_expect_success 'register refuses a model without a valid sidecar there' '
	cd r &&
	git checkout -q -b nosidecar &&
	test_random_file models/other.onnx 500 o1 &&
	git add models && git commit -qm "no sidecar" --no-verify &&
	test_must_fail git mlv register models/other.onnx --version 1.0.0 2>../err &&
	grep -q "its lineage does not hold there" ../err &&
	grep -q "models/other.onnx" ../err &&
	printf "[mlv]\nversion = 1\n[model\n" >models/other.onnx.mlv &&
	git add models && git commit -qm "broken sidecar" --no-verify &&
	test_must_fail git mlv register models/other.onnx --version 1.0.0 2>../err &&
	grep -q "models/other.onnx.mlv:3" ../err &&
	test_must_fail git mlv register models/nothere.onnx --version 1.0.0 2>../err &&
	grep -q "holds no such model" ../err &&
	git checkout -q main && test "$(tags | wc -l)" = 2
'

test_expect_success 'assign and unassign: counters per name, nothing moved' '
	cd r &&
	git mlv assign models/fraud.onnx 1.0.0 --stage prod >/dev/null &&
	git mlv assign models/fraud 1.1.0 --stage staging >/dev/null &&
	git mlv assign models/fraud.onnx v1.1.0 --stage prod >/dev/null &&
	tags >../got &&
	printf "%s\n" "models/fraud#prod#1" "models/fraud#prod#3" "models/fraud#staging#2" \
		"models/fraud@v1.0.0" "models/fraud@v1.1.0" >../want &&
	test_cmp ../want ../got &&
	test "$(git rev-parse "models/fraud#prod#1^{commit}")" = "$(cat ../c1)" &&
	test "$(git rev-parse "models/fraud#prod#3^{commit}")" = "$(cat ../c2)" &&
	git mlv unassign models/fraud.onnx --stage staging >/dev/null &&
	test "$(git rev-parse "models/fraud#staging!#4^{commit}")" = "$(cat ../c2)"
'

test_expect_success 'models: latest version and who is in each stage, with metrics' '
	cd r &&
	git mlv models >../out &&
	grep -q "^models/fraud (models/fraud.onnx)$" ../out &&
	grep -q "^  latest     v1.1.0 $(cut -c1-12 ../c2) auc=0.93$" ../out &&
	grep -q "^  prod       v1.1.0 $(cut -c1-12 ../c2) auc=0.93  since .* by C O Mitter$" ../out &&
	! grep -q staging ../out &&
	git mlv models --format json >../m.json &&
	python3 -c "
import json
m = json.load(open(\"../m.json\"))[\"models\"][0]
assert m[\"name\"] == \"models/fraud\" and m[\"path\"] == \"models/fraud.onnx\"
assert m[\"latest\"][\"version\"] == \"1.1.0\"
assert m[\"stages\"][\"prod\"][\"version\"] == \"1.1.0\", m[\"stages\"]
assert m[\"stages\"][\"prod\"][\"metrics\"][\"auc\"] == 0.93
assert list(m[\"stages\"]) == [\"prod\"]
"
'

test_expect_success 'models NAME lists every version with its stages' '
	cd r &&
	git mlv models models/fraud >../out &&
	grep -q "^  v1.1.0     $(cut -c1-12 ../c2) .* auc=0.93 \[prod\]$" ../out &&
	grep -q "^  v1.0.0     $(cut -c1-12 ../c1) .* auc=0.9$" ../out &&
	test_must_fail git mlv models models/nothere 2>../err &&
	grep -q "no model .models/nothere. in the registry" ../err
'

test_expect_success 'a rollback is one assign; refusals say why' '
	cd r &&
	git mlv assign models/fraud.onnx 1.0.0 --stage prod >/dev/null &&
	git mlv models --format json | python3 -c "
import json, sys
assert json.load(sys.stdin)[\"models\"][0][\"stages\"][\"prod\"][\"version\"] == \"1.0.0\"" &&
	test_must_fail git mlv assign models/fraud.onnx 1.0.0 --stage prod 2>../err &&
	grep -q "is in stage .prod. already" ../err &&
	test_must_fail git mlv assign models/fraud.onnx 9.9.9 --stage prod 2>../err &&
	grep -q "has no registered version 9.9.9" ../err &&
	test_must_fail git mlv assign models/nothere.onnx 1.0.0 --stage prod 2>../err &&
	grep -q "is not in the registry" ../err &&
	test_must_fail git mlv unassign models/fraud.onnx --stage staging 2>../err &&
	grep -q "no version of .models/fraud. is in stage .staging." ../err &&
	test_expect_code 129 git mlv assign models/fraud.onnx 1.0.0 --stage "bad stage" 2>../err &&
	grep -q "is not a stage name" ../err
'

test_expect_success 'registry log: every event in order, with tagger and message' '
	cd r &&
	git mlv registry log >../log &&
	test_line_count = 7 ../log &&
	sed -n 1p ../log | grep -q " register   models/fraud v1.0.0 at $(cut -c1-12 ../c1) by C O Mitter <committer@example.com>: Registering artifact models/fraud version v1.0.0$" &&
	sed -n 3p ../log | grep -q " assign     models/fraud v1.0.0 to prod at " &&
	sed -n 6p ../log | grep -q " unassign   models/fraud v1.1.0 from staging at " &&
	git mlv registry log --format json >../log.json &&
	python3 -c "
import json
e = json.load(open(\"../log.json\"))[\"events\"]
assert [x[\"event\"] for x in e] == [\"register\", \"register\", \"assign\", \"assign\", \"assign\", \"unassign\", \"assign\"], e
assert e[2][\"tag\"] == \"models/fraud#prod#1\"
"
'

test_expect_success 'registry log --as-of: who was in each stage at each boundary' '
	git init -q asof && cd asof &&
	git mlv track --model "*.onnx" >/dev/null &&
	mkdir models data && printf "a\n" >data/train.csv && printf "lr: 1\n" >train.yaml &&
	git add . && git commit -qm data &&
	train 1.0.0 a1 0.8 && train 1.1.0 a2 0.85 &&
	GIT_COMMITTER_DATE="2026-01-01T10:00:00Z" git mlv register models/fraud.onnx HEAD~1 >/dev/null &&
	GIT_COMMITTER_DATE="2026-01-01T11:00:00Z" git mlv register models/fraud.onnx >/dev/null &&
	GIT_COMMITTER_DATE="2026-01-02T10:00:00Z" git mlv assign models/fraud.onnx 1.0.0 --stage prod >/dev/null &&
	GIT_COMMITTER_DATE="2026-01-03T10:00:00Z" git mlv assign models/fraud.onnx 1.1.0 --stage prod >/dev/null &&
	GIT_COMMITTER_DATE="2026-01-04T10:00:00Z" git mlv unassign models/fraud.onnx --stage prod >/dev/null &&
	stage_at() {
		git mlv registry log --as-of "$1" --format json | python3 -c "
import json, sys
d = json.load(sys.stdin)
m = d[\"models\"][0] if d[\"models\"] else {\"stages\": {}}
print(m[\"stages\"].get(\"prod\", {}).get(\"version\", \"none\"))"
	} &&
	test "$(stage_at 2026-01-02T09:59:59Z)" = none &&
	test "$(stage_at 2026-01-02T10:00:00Z)" = 1.0.0 &&
	test "$(stage_at 2026-01-03T09:59:59Z)" = 1.0.0 &&
	test "$(stage_at 2026-01-03T10:00:00Z)" = 1.1.0 &&
	test "$(stage_at 2026-01-04T10:00:00Z)" = 1.0.0 &&
	git mlv registry log --as-of 2026-01-01T10:30:00Z --format json | python3 -c "
import json, sys
d = json.load(sys.stdin)
assert len(d[\"events\"]) == 1 and d[\"models\"][0][\"latest\"][\"version\"] == \"1.0.0\"" &&
	test_expect_code 129 git mlv registry log --as-of "not a date at all" 2>../err &&
	grep -q "is not a date git understands" ../err
'

test_expect_success 'JSON of models and registry log follows the documented schemas' '
	cd r &&
	git mlv models --format json >../s1.json && check_schema models ../s1.json &&
	git mlv models models/fraud --format json >../s2.json && check_schema models ../s2.json &&
	git mlv registry log --format json >../s3.json && check_schema registry-log ../s3.json &&
	git mlv registry log --as-of 2099-01-01T00:00:00Z --format json >../s4.json &&
	check_schema registry-log ../s4.json &&
	sed "s/\"event\": \"assign\"/\"event\": \"promote\"/" ../s3.json >../bad.json &&
	check_schema_refuses registry-log ../bad.json
'

test_expect_success 'deprecate: once, with a tag; models shows it' '
	cd r &&
	git mlv deprecate models/fraud.onnx >/dev/null &&
	git tag -l "models/fraud@deprecated#*" | grep -q "^models/fraud@deprecated#6$" &&
	git mlv models | grep -q "^models/fraud (models/fraud.onnx) \[deprecated\]$" &&
	test_must_fail git mlv deprecate models/fraud.onnx 2>../err &&
	grep -q "deprecated already" ../err
'

test_expect_success 'tags travel with plain git push and clone' '
	git init -q --bare shared.git &&
	(cd r && git push -q --no-verify ../shared.git main --tags) &&
	MLV_SKIP_SMUDGE=1 git clone -q shared.git other &&
	cd other &&
	test "$(git tag -l | wc -l)" = "$(cd ../r && git tag -l | wc -l)" &&
	git mlv models --format json | python3 -c "
import json, sys
m = json.load(sys.stdin)[\"models\"][0]
assert m[\"stages\"][\"prod\"][\"version\"] == \"1.0.0\" and m[\"deprecated\"]"
'

test_expect_success 'the registry cache: the same answers with it, damaged, and after a tag is re-made' '
	cd r &&
	rm -f .git/mlv/registry-cache &&
	git mlv models --format json >../cold &&
	test -f .git/mlv/registry-cache &&
	tail -n 1 .git/mlv/registry-cache | grep -q "^end [0-9a-f]\{64\}$" &&
	git mlv models --format json >../warm &&
	test_cmp ../cold ../warm &&
	git mlv registry log --as-of 2099-01-01T00:00:00Z --format json >../log-warm &&
	sed -i "3s/fraud/frAud/" .git/mlv/registry-cache &&
	MLV_TRACE=1 git mlv models --format json >../damaged 2>../trace &&
	test_cmp ../cold ../damaged &&
	grep -q "registry cache .*is damaged or of another format; rebuilding it" ../trace &&
	head -c 100 .git/mlv/registry-cache >../short && cp ../short .git/mlv/registry-cache &&
	git mlv registry log --as-of 2099-01-01T00:00:00Z --format json >../log-short &&
	test_cmp ../log-warm ../log-short &&
	git tag -a -m "the same name, another commit" "models/fraud#dev#90" "$(cat ../c2)" &&
	git mlv models >/dev/null &&
	git tag -d "models/fraud#dev#90" >/dev/null &&
	git tag -a -m "made again" "models/fraud#dev#90" "$(cat ../c1)" &&
	git mlv models --format json >../remade &&
	python3 -c "
import json, sys
m = json.load(open(\"../remade\"))[\"models\"][0]
assert m[\"stages\"][\"dev\"][\"version\"] == \"1.0.0\", m[\"stages\"]" &&
	git mlv registry log --format json >../log &&
	grep -q "\"message\": \"made again\\\\n\"" ../log &&
	! grep -q "the same name, another commit" ../log &&
	git tag -d "models/fraud#dev#90" >/dev/null &&
	git mlv models --format json >../after &&
	test_cmp ../cold ../after &&
	! grep -q "fraud#dev#90" .git/mlv/registry-cache
'

test_expect_success 'registry names: every allowed character; the rest refused' '
	cd r &&
	git checkout -q -b names &&
	mkdir -p "models/Team_A-1" &&
	test_random_file "models/Team_A-1/x_Y-2.onnx" 300 n1 &&
	git mlv sidecar init "models/Team_A-1/x_Y-2.onnx" --data data/train.csv \
		--config train.yaml --version 0.1.0 >/dev/null &&
	git add models && git commit -qm names &&
	git mlv register "models/Team_A-1/x_Y-2.onnx" >/dev/null &&
	git tag -l | grep -qx "models/Team_A-1/x_Y-2@v0.1.0" &&
	mkdir -p "models/has space" &&
	test_random_file "models/has space/m.onnx" 300 n2 &&
	git mlv sidecar init "models/has space/m.onnx" --data data/train.csv \
		--config train.yaml --version 0.1.0 >/dev/null &&
	git add models && git commit -qm space &&
	test_must_fail git mlv register "models/has space/m.onnx" 2>../err &&
	grep -q "cannot be a registry name" ../err &&
	test_must_fail git mlv assign "models/a#b" 1.0.0 --stage prod 2>../err &&
	grep -q "cannot be a registry name" ../err &&
	git checkout -q main
'

test_expect_success 'a name that .mlvconfig gives a model: every command follows it' '
	cd r &&
	git checkout -q -b named main &&
	test_random_file models/churn.onnx 400 c1 &&
	git mlv sidecar init models/churn.onnx --data data/train.csv --config train.yaml \
		--version 0.1.0 --metric auc=0.7 >/dev/null &&
	printf "[model \"churn\"]\npath = models/churn.onnx\n" >.mlvconfig &&
	git add models .mlvconfig && git commit -qm churn &&
	git mlv register models/churn.onnx >../out &&
	grep -q "^Created tag .churn@v0.1.0. on" ../out &&
	git mlv assign churn 0.1.0 --stage dev >/dev/null &&
	git tag -l "churn*" >../tags &&
	printf "churn#dev#1\nchurn@v0.1.0\n" >../expect && test_cmp ../expect ../tags &&
	git mlv models models/churn.onnx --format json >../one &&
	python3 -c "
import json
m = json.load(open(\"../one\"))[\"models\"][0]
assert (m[\"name\"], m[\"path\"], m[\"stages\"][\"dev\"][\"version\"]) == (\"churn\", \"models/churn.onnx\", \"0.1.0\"), m
assert m[\"latest\"][\"metrics\"] == {\"auc\": 0.7}, m" &&
	git mlv sidecar show "churn#dev" >../show &&
	grep -q "^    version  *0.1.0$" ../show &&
	git mlv lineage "models/churn.onnx@0.1.0" --format json >../lin &&
	grep -q "\"path\": \"models/churn.onnx\"" ../lin &&
	git mlv models --format json >../before &&
	grep -q "\"path\": \"models/churn.onnx\"" ../before &&
	printf "[model \"churn\"]\npath = models/churn2.onnx\n" >.mlvconfig &&
	git commit -qam "churn moves" --no-verify &&
	git mlv models --format json >../after &&
	python3 -c "
import json
m = [m for m in json.load(open(\"../after\"))[\"models\"] if m[\"name\"] == \"churn\"][0]
assert m[\"path\"] is None, m" &&
	printf "[model \"a b\"]\npath = models/churn.onnx\n[model \"x\"]\npath = models/fraud.onnx\n[model \"y\"]\npath = models/fraud.onnx\n" >.mlvconfig &&
	test_must_fail git commit -qam "bad names" 2>../err &&
	grep -q "\.mlvconfig:2: \[model \"a b\"\]: not a registry name" ../err &&
	grep -q "\.mlvconfig:6: model.y.path .models/fraud.onnx.: that path is named once already (\[model \"x\"\] path = models/fraud.onnx)" ../err &&
	git checkout -q -f main
'

test_done
