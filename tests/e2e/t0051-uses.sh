#!/usr/bin/env bash
# git mlv uses: which model versions recorded a data version, given as a
# file or directory at a revision, an oid, a URI, or a file inside a
# recorded data directory; with the branches and tags that hold them.
. "$(dirname "$0")/lib.sh"


# Commit model $1 trained from seed $2 with message $3 and sidecar
# arguments after it.
train() {
	local model=$1 seed=$2 msg=$3
	shift 3
	test_random_file "$model" 2000 "$seed" &&
	git mlv sidecar init "$model" --config train.yaml --force "$@" >/dev/null &&
	git add "$model" "$model.mlv" && git commit -qm "$msg"
}

# The commits (12 hex) uses prints for $@, sorted.
uses_commits() {
	git mlv uses "$@" | cut -d" " -f1 | sort
}

short() {
	git rev-parse --short=12 "$1"
}

test_expect_success 'setup: a file, a data directory, an external data set, three models' '
	git init -q r && cd r &&
	git mlv track --model "*.onnx" >/dev/null &&
	git mlv track "data/images/**" >/dev/null &&
	mkdir -p models data/images/cat data/images/dog &&
	printf "a,b\n1,2\n" >data/train.csv &&
	printf "lr: 0.1\n" >train.yaml &&
	for i in 1 2 3; do test_random_file data/images/cat/$i.png 500 cat$i; done &&
	test_random_file data/images/dog/1.png 500 dog1 &&
	git add . && git commit -qm data &&
	train models/a.onnx a1 "a v1" --data data/train.csv &&
	git tag a-v1 &&
	train models/b.onnx b1 "b v1" --data data/images/ &&
	git rev-parse HEAD >../b1 &&
	test_random_file data/images/cat/2.png 500 cat2b &&
	git add data && git commit -qm "cat 2 changed" --no-verify &&
	train models/b.onnx b2 "b v2" --data data/images/ &&
	git rev-parse HEAD >../b2 &&
	train models/c.onnx c1 "c v1" \
		--data "s3://datasets/fraud/2024-10/=sha256:$(printf "%064d" 42)" &&
	git rev-parse HEAD >../c1
'

test_expect_success 'a file as HEAD holds it, with the refs that contain the version' '
	cd r &&
	git mlv uses data/train.csv >../out &&
	test_line_count = 1 ../out &&
	grep -q "^$(short a-v1) models/a.onnx - \[data \"train\"\] data/train.csv in main, a-v1$" ../out
'

test_expect_success 'a directory at a revision: only the versions with that manifest' '
	cd r &&
	test "$(uses_commits data/images/@"$(cat ../b1)")" = "$(short "$(cat ../b1)")" &&
	test "$(uses_commits data/images/)" = "$(short "$(cat ../b2)")" &&
	test "$(uses_commits data/images)" = "$(short "$(cat ../b2)")"
'

test_expect_success 'a file inside a recorded directory counts, version by version' '
	cd r &&
	uses_commits data/images/cat/1.png >../got &&
	printf "%s\n%s\n" "$(short "$(cat ../b1)")" "$(short "$(cat ../b2)")" | sort >../want &&
	test_cmp ../want ../got &&
	test "$(uses_commits data/images/cat/2.png@"$(cat ../b1)")" = "$(short "$(cat ../b1)")" &&
	test "$(uses_commits data/images/cat/2.png)" = "$(short "$(cat ../b2)")" &&
	git mlv uses data/images/cat/1.png | grep -q "(holds it)" &&
	test "$(uses_commits data/images/dog/)" = "$(printf "%s\n%s\n" "$(short "$(cat ../b1)")" "$(short "$(cat ../b2)")" | sort)"
'

test_expect_success '--any-version matches whatever the path held' '
	cd r &&
	test "$(uses_commits data/images/ --any-version | wc -l)" = 2 &&
	test "$(uses_commits data/images --any-version | wc -l)" = 2 &&
	test "$(uses_commits data/train.csv --any-version)" = "$(short a-v1)"
'

test_expect_success 'an oid finds a version whatever path recorded it' '
	cd r &&
	oid=$(ini_get models/a.onnx.mlv "data \"train\"" oid) &&
	test -n "$oid" &&
	test "$(uses_commits "$oid")" = "$(short a-v1)" &&
	test_must_fail git mlv uses sha256:$(printf "%064d" 1) 2>../err &&
	grep -q "no model version on any ref records" ../err
'

test_expect_success 'a URI finds external data, with or without the trailing slash' '
	cd r &&
	test "$(uses_commits s3://datasets/fraud/2024-10/)" = "$(short "$(cat ../c1)")" &&
	test "$(uses_commits s3://datasets/fraud/2024-10)" = "$(short "$(cat ../c1)")" &&
	test_must_fail git mlv uses s3://datasets/other/
'

test_expect_success 'versions on other branches are found, and say where they are' '
	cd r &&
	git checkout -q -b exp &&
	train models/d.onnx d1 "d on exp" --data data/train.csv &&
	git checkout -q main &&
	git mlv uses data/train.csv >../out &&
	test_line_count = 2 ../out &&
	grep -q "models/d.onnx .* in exp$" ../out
'

test_expect_success 'JSON follows the documented schema' '
	cd r &&
	git mlv uses data/images/cat/1.png --format json >../u.json &&
	check_schema uses ../u.json &&
	python3 -c "
import json
d = json.load(open(\"../u.json\"))
assert d[\"target\"][\"kind\"] == \"file\", d[\"target\"]
assert len(d[\"matches\"]) == 2
assert all(m[\"input\"][\"inside\"] for m in d[\"matches\"])
assert d[\"matches\"][0][\"model\"][\"path\"] == \"models/b.onnx\"
" &&
	sed "s/\"inside\": true/\"inside\": \"yes\"/" ../u.json >../bad.json &&
	check_schema_refuses uses ../bad.json
'

test_expect_success 'a path the revision lacks is an error that says what to do' '
	cd r &&
	test_must_fail git mlv uses data/nothere.csv 2>../err &&
	grep -q "data/nothere.csv. is not in HEAD" ../err &&
	grep -q -- "--any-version" ../err &&
	test_must_fail git mlv uses data/train.csv@nosuchrev 2>../err &&
	grep -q "data/train.csv@nosuchrev. is not in HEAD" ../err
'

test_expect_success 'a path with @ in its name still works' '
	cd r &&
	printf "x\n" >"data/at@home.csv" && git add data && git commit -qm at --no-verify &&
	train models/e.onnx e1 "e" --data "data/at@home.csv" &&
	test "$(uses_commits "data/at@home.csv")" = "$(short HEAD)" &&
	test "$(uses_commits "data/at@home.csv@HEAD")" = "$(short HEAD)"
'

test_done
