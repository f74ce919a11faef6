#!/usr/bin/env bash
# git mlv diff: everything that differs between two versions of a model,
# data directories file by file, from trees alone; text, JSON and a
# Markdown table for a pull request.
. "$(dirname "$0")/lib.sh"


# A field of the first model report of diff JSON file $1, by a Python
# expression on `m` ($2).
field() {
	python3 -c "
import json, sys
m = json.load(open(sys.argv[1]))[\"models\"][0]
print($2)" "$1"
}

test_expect_success 'setup: version 1 of a model with a file, a directory, a config and a lockfile' '
	git init -q r && cd r &&
	git mlv track --model "*.onnx" >/dev/null &&
	git mlv track "data/img/**" >/dev/null &&
	mkdir -p models data/img/a data/img/b &&
	for i in 1 2 3 4 5 6; do test_random_file data/img/a/$i.png 100$i a$i; done &&
	test_random_file data/img/b/keep.png 700 keep &&
	printf "id\n1\n" >data/labels.csv &&
	printf "lr: 0.1\nepochs: 10\n" >train.yaml &&
	printf "numpy==1.26.4\n" >requirements.lock &&
	test_random_file models/m.onnx 4000 m1 &&
	git add . &&
	git mlv sidecar init models/m.onnx --data data/img/ --data data/labels.csv \
		--config train.yaml --lockfile requirements.lock --version 1.0.0 \
		--param lr=0.1 --param dropout=0.5 --metric auc=0.9 --metric loss=0.3 >/dev/null &&
	git add models && git commit -qm "m 1.0.0" &&
	git rev-parse HEAD >../v1
'

test_expect_success 'setup: version 2 changes one of everything' '
	cd r &&
	test_random_file data/img/a/1.png 2001 a1new &&
	git rm -q data/img/a/2.png &&
	git mv data/img/a/3.png data/img/b/3-renamed.png &&
	test_random_file data/img/b/new.png 3000 new &&
	printf "lr: 0.05\nepochs: 10\n" >train.yaml &&
	printf "numpy==2.0.0\n" >requirements.lock &&
	test_random_file models/m.onnx 4100 m2 &&
	git add . &&
	git mlv sidecar init models/m.onnx --data data/img/ --config train.yaml \
		--lockfile requirements.lock --version 1.1.0 --force \
		--param lr=0.05 --param layers=4 --metric auc=0.93 --metric loss=0.3 \
		--base sha256:$(printf "%064d" 5) >/dev/null &&
	sed -i "s/^python = .*/python = 3.12.1/" models/m.onnx.mlv &&
	git add models && git commit -qm "m 1.1.0" &&
	git rev-parse HEAD >../v2
'

test_expect_success 'no argument: the last two versions of the newest model' '
	cd r &&
	git mlv diff >../out &&
	grep -q "^model models/m.onnx  $(cut -c1-12 ../v1) -> $(cut -c1-12 ../v2)  \[present\]$" ../out &&
	grep -q "^  version   1.0.0 -> 1.1.0$" ../out &&
	grep -q "^  metrics   auc: 0.9 -> 0.93 (+0.03)$" ../out &&
	grep -q "^  params    lr: 0.1 -> 0.05$" ../out &&
	grep -q "^            dropout: 0.5 -> (none)$" ../out &&
	grep -q "^            layers: (none) -> 4$" ../out &&
	grep -q "^  env       python: .* -> 3.12.1$" ../out &&
	grep -q "^  base      (none) -> sha256:0*5$" ../out &&
	! grep -q "loss" ../out
'

test_expect_success 'the data directory file by file: added, removed, modified, renamed' '
	cd r &&
	git mlv diff -- models/m.onnx >../out &&
	grep -q "^  data      img: changed data/img/ sha256:[0-9a-f]* -> data/img/ sha256:" ../out &&
	grep -q "^            1 added (3000 bytes), 1 removed (1002 bytes), 1 modified (1001 -> 2001 bytes), 1 renamed, 4 unchanged$" ../out &&
	grep -q "^              A b/new.png$" ../out &&
	grep -q "^              D a/2.png$" ../out &&
	grep -q "^              M a/1.png$" ../out &&
	grep -q "^              R a/3.png -> b/3-renamed.png$" ../out &&
	grep -q "^            labels: removed data/labels.csv sha256:" ../out
'

test_expect_success 'config and lockfile in Git show a unified diff' '
	cd r &&
	git mlv diff >../out &&
	grep -q "^  config    train.yaml sha256:" ../out &&
	grep -q "^            -lr: 0.1$" ../out &&
	grep -q "^            +lr: 0.05$" ../out &&
	grep -q "^            +numpy==2.0.0$" ../out
'

test_expect_success 'JSON: the documented schema, with counts and bytes' '
	cd r &&
	git mlv diff "$(cat ../v1)" "$(cat ../v2)" --format json >../d.json &&
	check_schema diff ../d.json &&
	test "$(field ../d.json "m[\"data\"][0][\"files\"][\"counts\"]")" = \
		"{'"'"'added'"'"': 1, '"'"'removed'"'"': 1, '"'"'modified'"'"': 1, '"'"'renamed'"'"': 1, '"'"'unchanged'"'"': 4}" &&
	test "$(field ../d.json "m[\"metrics\"][0][\"change\"]")" = 0.03 &&
	test "$(field ../d.json "m[\"model\"][\"new\"][\"size\"]")" = 4100 &&
	test "$(field ../d.json "m[\"old\"][\"commit\"]")" = "$(cat ../v1)"
'

test_expect_success 'a schema check can fail: a bad status is refused' '
	sed "s/\"status\": \"present\"/\"status\": \"bogus\"/" d.json >bad.json &&
	check_schema_refuses diff bad.json
'

test_expect_success 'md: a table ready for a pull request, cells escaped' '
	cd r &&
	git mlv diff --format md >../d.md &&
	grep -q "^| | $(cut -c1-12 ../v1) | $(cut -c1-12 ../v2) | change |$" ../d.md &&
	grep -q "^|---|---|---|---|$" ../d.md &&
	grep -q "^| metrics.auc | 0.9 | 0.93 | (+0.03) |$" ../d.md &&
	grep -q "^| data.img | sha256:.* | sha256:.* | changed: +1 −1 ~1 files, 1 renamed |$" ../d.md &&
	! grep -v "^|\|^####\|^$" ../d.md
'

test_expect_success 'a pipe in a value cannot break the table' '
	cd r &&
	git mlv diff --format md >/dev/null &&
	sed -i "s/^layers = 4$/layers = 4|5/" models/m.onnx.mlv &&
	git mlv diff --format md >../p.md &&
	grep -q "^| params.layers | 4 | 4\\\\|5 |  |$" ../p.md &&
	git checkout -q models/m.onnx.mlv
'

test_expect_success 'an edited sidecar in the work tree is compared with HEAD' '
	cd r &&
	git mlv sidecar update models/m.onnx --metric auc=0.95 >/dev/null &&
	git mlv diff >../out &&
	grep -q "^model models/m.onnx  HEAD ($(cut -c1-12 ../v2)) -> work tree  \[present\]$" ../out &&
	grep -q "^  metrics   auc: 0.93 -> 0.95 (+0.02)$" ../out &&
	git checkout -q models/m.onnx.mlv
'

test_expect_success 'one revision: that revision against the work tree' '
	cd r &&
	git mlv diff "$(cat ../v1)" >../out &&
	grep -q "^model models/m.onnx  $(cat ../v1 | cut -c1-40) -> work tree" ../out ||
	grep -q "^model models/m.onnx  [0-9a-f]* -> work tree  \[present\]$" ../out
'

test_expect_success 'a model added between two revisions is reported as added' '
	cd r &&
	test_random_file models/n.onnx 1000 n1 &&
	git mlv sidecar init models/n.onnx --data data/img/ --config train.yaml >/dev/null &&
	git add models && git commit -qm "n" &&
	git mlv diff "$(cat ../v2)" HEAD --format json >../a.json &&
	test "$(field ../a.json "len(json.load(open(sys.argv[1]))[\"models\"])")" = 1 &&
	test "$(field ../a.json "m[\"path\"]")" = models/n.onnx &&
	test "$(field ../a.json "m[\"status\"]")" = added &&
	test "$(field ../a.json "m[\"data\"][0][\"status\"]")" = added
'

test_expect_success 'no data is downloaded: the same report without any object' '
	cd r &&
	git mlv diff "$(cat ../v1)" "$(cat ../v2)" --format json >../want.json &&
	mv .git/mlv/objects ../objects.away &&
	rm -rf .git/mlv/cache &&
	git mlv diff "$(cat ../v1)" "$(cat ../v2)" --format json >../got.json &&
	mv ../objects.away .git/mlv/objects &&
	test_cmp ../want.json ../got.json
'

test_expect_success 'bad arguments name the problem' '
	cd r &&
	test_expect_code 129 git mlv diff --format yaml 2>../err &&
	grep -q "unknown format .yaml." ../err &&
	test_must_fail git mlv diff nosuchrev HEAD 2>../err &&
	grep -q "nosuchrev. is not a commit" ../err
'

test_done
