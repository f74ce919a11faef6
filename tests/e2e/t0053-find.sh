#!/usr/bin/env bash
# git mlv find: the model versions on every ref whose lineage matches an
# expression (docs/find.md); errors point at the column.
. "$(dirname "$0")/lib.sh"


# Commit version $2 of model $1 (seed $3) with more sidecar arguments.
train() {
	local model=$1 version=$2 seed=$3
	shift 3
	test_random_file "$model" 1500 "$seed" &&
	git mlv sidecar init "$model" --config train.yaml --data data/train.csv \
		--version "$version" --force "$@" >/dev/null &&
	git add "$model" "$model.mlv" && git commit -qm "$model $version"
}

# The "path version" pairs find prints for expression $1, sorted.
found() {
	git mlv find "$1" | cut -d" " -f2,3 | sort
}

test_expect_success 'setup: five versions of three models' '
	git init -q r && cd r &&
	git mlv track --model "*.onnx" >/dev/null &&
	mkdir models && printf "a\n" >data.csv && mkdir data && mv data.csv data/train.csv &&
	printf "lr: 1\n" >train.yaml && git add . && git commit -qm setup &&
	train models/fraud.onnx 1.2.0 f1 --metric auc=0.85 --param learning_rate=0.01 \
		--name fraud-xgb-r1 &&
	train models/fraud.onnx 1.10.0 f2 --metric auc=0.93 --param learning_rate=0.001 \
		--name fraud-xgb-r2 &&
	train models/churn.onnx 0.9.0 c1 --metric auc=0.91 --param learning_rate=1e-3 \
		--param optimizer=adam &&
	train models/churn.onnx 1.0.0-rc.1 c2 --metric auc=0.95 --param optimizer=sgd &&
	git checkout -q -b side &&
	train models/vision.onnx 2.0.0 v1 --metric "f1 score=0.7" &&
	git checkout -q main
'

test_expect_success 'a metric threshold over every version on every ref' '
	cd r &&
	found "metrics.auc > 0.9" >../got &&
	printf "%s\n" "models/churn.onnx 0.9.0" "models/churn.onnx 1.0.0-rc.1" \
		"models/fraud.onnx 1.10.0" >../want &&
	test_cmp ../want ../got
'

test_expect_success 'numbers compare as numbers, whatever their spelling' '
	cd r &&
	found "params.learning_rate = '"'"'0.001'"'"'" >../got &&
	printf "%s\n" "models/churn.onnx 0.9.0" "models/fraud.onnx 1.10.0" >../want &&
	test_cmp ../want ../got
'

test_expect_success 'and binds tighter than or; parentheses change it' '
	cd r &&
	test "$(found "model.path like '"'"'%fraud%'"'"' or metrics.auc > 0.94 and model.path like '"'"'%churn%'"'"'" | wc -l)" = 3 &&
	test "$(found "(model.path like '"'"'%fraud%'"'"' or metrics.auc > 0.94) and model.path like '"'"'%churn%'"'"'")" = "models/churn.onnx 1.0.0-rc.1" &&
	found "not metrics.auc > 0.9 and model.path like '"'"'models/%'"'"'" >../got &&
	printf "%s\n" "models/fraud.onnx 1.2.0" "models/vision.onnx 2.0.0" >../want &&
	test_cmp ../want ../got
'

test_expect_success 'versions compare as semantic versions' '
	cd r &&
	found "model.version >= 1.2.0" >../got &&
	printf "%s\n" "models/fraud.onnx 1.10.0" "models/fraud.onnx 1.2.0" "models/vision.onnx 2.0.0" >../want &&
	test_cmp ../want ../got &&
	test "$(found "model.version < 1.0.0 and model.version > 0.9.0")" = "models/churn.onnx 1.0.0-rc.1"
'

test_expect_success 'in, like, ilike, is null, != and back-quoted names' '
	cd r &&
	test "$(found "params.optimizer in ('"'"'adam'"'"', '"'"'rmsprop'"'"')")" = "models/churn.onnx 0.9.0" &&
	test "$(found "model.name ilike '"'"'FRAUD-%-r_'"'"'" | wc -l)" = 2 &&
	test "$(found "params.optimizer is null and metrics.\`f1 score\` is not null")" = "models/vision.onnx 2.0.0" &&
	test "$(found "params.optimizer != '"'"'adam'"'"'")" = "models/churn.onnx 1.0.0-rc.1" &&
	test "$(found "metrics.\`f1 score\` >= 0.7")" = "models/vision.onnx 2.0.0"
'

test_expect_success 'data oids, environment and commits are fields too' '
	cd r &&
	oid=$(ini_get models/fraud.onnx.mlv "data \"train\"" oid) &&
	test "$(found "data.train.oid = $oid" | wc -l)" = 5 &&
	py=$(ini_get models/fraud.onnx.mlv environment python) &&
	test "$(found "env.python = '"'"'$py'"'"'" | wc -l)" = 5 &&
	c=$(git rev-parse HEAD) &&
	test "$(found "commit = '"'"'$c'"'"'")" = "models/churn.onnx 1.0.0-rc.1"
'

test_expect_success 'JSON: the documented schema; no match exits 1' '
	cd r &&
	git mlv find "metrics.auc > 0.9" --format json >../f.json &&
	check_schema find ../f.json &&
	sed "s/\"searched\": 5/\"searched\": -5/" ../f.json >../bad.json &&
	check_schema_refuses find ../bad.json &&
	python3 -c "
import json
d = json.load(open(\"../f.json\"))
assert d[\"searched\"] == 5, d[\"searched\"]
assert len(d[\"versions\"]) == 3
assert d[\"expression\"] == \"metrics.auc > '"'"'0.9'"'"'\", d[\"expression\"]
" &&
	test_expect_code 1 git mlv find "metrics.auc > 2" >../none &&
	test_must_be_empty ../none
'

test_expect_success 'a bad expression points at its column' '
	cd r &&
	test_must_fail git mlv find "metrics.auc > and x" 2>../err &&
	grep -q "column 15" ../err &&
	sed -n 3p ../err >../caret &&
	test "$(cat ../caret)" = "                ^" &&
	test_must_fail git mlv find "(metrics.auc > 1" 2>../err &&
	grep -q "column 1:" ../err &&
	test_must_fail git mlv find "metric.auc > 1" 2>../err &&
	grep -q "unknown field .metric.auc." ../err &&
	test_must_fail git mlv find "model.verison >= 1.0.0" 2>../err &&
	grep -q "unknown field .model.verison." ../err &&
	test_must_fail git mlv find "data.train.oidd is null" 2>../err &&
	grep -q "unknown field .data.train.oidd." ../err &&
	test_must_fail git mlv find "" 2>../err &&
	grep -q "fatal: bad expression" ../err
'

test_done
