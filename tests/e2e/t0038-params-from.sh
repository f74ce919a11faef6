#!/usr/bin/env bash
# sidecar init|update --params-from / --metrics-from: the params.yaml,
# metrics.json and trainer_state.json that training already wrote become
# the record's [params] and [metrics], flattened, with their types; every
# bad file is refused with its name and position, and nothing is written.
. "$(dirname "$0")/lib.sh"

SC=models/fraud.onnx.mlv

test_expect_success 'setup: a repo with a model, data and a DVC-style params.yaml' '
	git init -q r && cd r &&
	git mlv track --model "*.onnx" >/dev/null &&
	mkdir models data &&
	printf "id,label\n1,0\n" >data/train.csv &&
	cat >params.yaml <<-\EOF &&
	train:
	  optimizer:
	    lr: 0.001
	    name: adam
	  epochs: 10
	  layers: [64, 32]
	  batch: "32"
	  shuffle: true
	  warmup: ~
	  schedule:
	    - {step: 100, lr: 0.01}
	    - {step: 200, lr: 1e-3}
	featurize:
	  ngrams: 2
	EOF
	cat >metrics.json <<-\EOF &&
	{"loss": 0.412, "acc": 0.861, "step": 3, "eval": {"f1": 0.8, "note": "1"}}
	EOF
	git add . && git commit -qm base &&
	test_random_file models/fraud.onnx 4000 m1
'

test_expect_success 'init records a params.yaml and a dvclive metrics.json, flattened' '
	cd r &&
	git mlv sidecar init models/fraud.onnx --data data/train.csv --config params.yaml \
		--params-from params.yaml --metrics-from metrics.json >../out &&
	grep -q "^wrote $SC$" ../out &&
	sed -n "/^\[params\]/,/^$/p" $SC >../params &&
	cat >../want <<-\EOF &&
	[params]
	train.optimizer.lr = 0.001
	train.optimizer.name = adam
	train.epochs = 10
	train.layers = [64,32]
	train.batch = "32"
	train.shuffle = true
	train.warmup = null
	train.schedule = [{"step":100,"lr":0.01},{"step":200,"lr":0.001}]
	featurize.ngrams = 2

	EOF
	test_cmp ../want ../params &&
	sed -n "/^\[metrics\]/,/^$/p" $SC >../metrics &&
	printf "%s\n" "[metrics]" "loss = 0.412" "acc = 0.861" "step = 3" "eval.f1 = 0.8" \
		"eval.note = \"1\"" "" >../want &&
	test_cmp ../want ../metrics
'

test_expect_success 'sidecar show prints them and the commit hook accepts the commit' '
	cd r &&
	git add models/fraud.onnx $SC &&
	git mlv sidecar show models/fraud.onnx >../show &&
	grep -q "^    train.optimizer.lr 0.001$" ../show &&
	grep -q "^    eval.f1          0.8$" ../show &&
	grep -q "^matches what is staged$" ../show &&
	git commit -qm "fraud v1" &&
	git cat-file -e HEAD:$SC
'

test_expect_success 'find reaches a nested param and a nested metric by their dotted keys' '
	cd r &&
	git mlv find "params.train.optimizer.lr < 0.01" >../found &&
	test_line_count = 1 ../found &&
	grep -q " models/fraud.onnx " ../found &&
	test_expect_code 1 git mlv find "params.train.optimizer.lr > 0.01" >../found &&
	test_must_be_empty ../found &&
	git mlv find "metrics.eval.f1 >= 0.8 and params.train.optimizer.name = '"'"'adam'"'"'" >../found &&
	test_line_count = 1 ../found
'

test_expect_success 'a string "32" is not the number 32, for find and for lineage JSON' '
	cd r &&
	git mlv find "params.train.epochs = 10" >../found &&
	test_line_count = 1 ../found &&
	test_expect_code 1 git mlv find "params.train.batch = 32" >../found &&
	test_must_be_empty ../found &&
	git mlv find "params.train.batch = '"'"'\"32\"'"'"'" >../found &&
	test_line_count = 1 ../found &&
	git mlv lineage models/fraud.onnx --format json >../lineage.json &&
	python3 -c "
import json, sys
v = json.load(open(sys.argv[1]))[\"versions\"][0][\"metrics\"]
assert v[\"step\"] == 3 and isinstance(v[\"step\"], int), v
assert v[\"eval.f1\"] == 0.8, v
assert isinstance(v[\"eval.note\"], str), v
" ../lineage.json
'

test_expect_success 'update takes the last log_history entry of trainer_state.json#last' '
	cd r &&
	cat >trainer_state.json <<-\EOF &&
	{
	  "best_metric": 0.31,
	  "epoch": 3.0,
	  "log_history": [
	    {"epoch": 1.0, "eval_loss": 0.52, "step": 500},
	    {"epoch": 2.0, "eval_loss": 0.40, "grad_norm": NaN, "step": 1000},
	    {"epoch": 3.0, "eval_loss": 0.31, "eval_accuracy": 0.88, "step": 1500}
	  ],
	  "max_steps": 1500
	}
	EOF
	test_random_file models/fraud.onnx 4000 m2 &&
	grep "^\[" $SC | grep -v environment >../sections.before &&
	git mlv sidecar update models/fraud.onnx --metric eval_accuracy=0.9 \
		--metrics-from trainer_state.json#last >../out &&
	grep "^\[" $SC | grep -v environment >../sections.after &&
	test_cmp ../sections.before ../sections.after &&
	sed -n "/^\[metrics\]/,/^$/p" $SC >../metrics &&
	printf "%s\n" "[metrics]" "epoch = 3.0" "eval_loss = 0.31" "eval_accuracy = 0.9" \
		"step = 1500" "" >../want &&
	test_cmp ../want ../metrics &&
	test "$(ini_get $SC params train.optimizer.lr)" = 0.001 &&
	git add models/fraud.onnx $SC && git commit -qm "fraud v2" &&
	git mlv find "metrics.eval_loss < 0.35" >../found &&
	test_line_count = 1 ../found
'

test_expect_success 'later files override earlier keys; --param overrides them all' '
	cd r &&
	printf "train:\n  epochs: 20\n  extra: x\n" >override.yaml &&
	git mlv sidecar update models/fraud.onnx --param train.optimizer.lr=0.005 \
		--params-from params.yaml --params-from override.yaml >/dev/null &&
	test "$(ini_get $SC params train.epochs)" = 20 &&
	test "$(ini_get $SC params train.extra)" = x &&
	test "$(ini_get $SC params train.optimizer.lr)" = 0.005 &&
	test "$(ini_get $SC params featurize.ngrams)" = 2 &&
	git mlv sidecar check models/fraud.onnx
'

test_expect_success 'an option value spelled --param is a value, not an override' '
	cd r &&
	git mlv sidecar update models/fraud.onnx --name --param --metric step=7 \
		--params-from override.yaml >/dev/null &&
	test "$(ini_get $SC model name)" = --param &&
	test "$(ini_get $SC metrics step)" = 7 &&
	test "$(ini_get $SC params train.epochs)" = 20 &&
	! grep -q "^--metric" $SC
'

test_expect_success 'a file named with quotes, a leading dash and a # in it' '
	cd r &&
	mkdir -p -- "-o d#1" &&
	printf "%s\n" "{\"a\": {\"b\": 1}}" >"-o d#1/it'"'"'s.json" &&
	git mlv sidecar update models/fraud.onnx --params-from "-o d#1/it'"'"'s.json" >/dev/null &&
	test "$(ini_get $SC params a.b)" = 1
'

# Each refusal: exit 128, a message naming the file (and where), and the
# sidecar exactly as it was.
refused() {
	local want=$1
	shift
	cp $SC ../before &&
	test_expect_code 128 git mlv sidecar update models/fraud.onnx "$@" 2>../err &&
	grep -F -q -- "$want" ../err || { cat ../err; return 1; }
	cmp $SC ../before || { echo "the sidecar changed"; return 1; }
}

test_expect_success 'bad YAML is refused with its file, line and column' '
	cd r &&
	printf "a: 1\nb: [1, 2\nc: 3\n" >bad.yaml &&
	refused "fatal: bad.yaml:3:2: did not find expected" --params-from bad.yaml &&
	printf "a: 1\n  b: 2\n" >bad.yaml &&
	refused "bad.yaml:2:4: mapping values are not allowed" --params-from bad.yaml &&
	printf "a: 1\n---\nb: 2\n" >bad.yaml &&
	refused "bad.yaml:2:1: a second YAML document" --params-from bad.yaml
'

test_expect_success 'bad JSON is refused with its file, line and column' '
	cd r &&
	printf "{\"a\": 1,\n \"b\": }\n" >bad.json &&
	refused "bad.json:2:" --metrics-from bad.json &&
	printf "[1, 2]\n" >list.json &&
	refused "list.json is a list, not a mapping" --metrics-from list.json
'

test_expect_success 'duplicate keys are refused with the line' '
	cd r &&
	printf "a: 1\nb:\n  c: 2\n  c: 3\n" >dup.yaml &&
	refused "dup.yaml:4:1: duplicate key '"'"'c'"'"' (first on line 3)" --params-from dup.yaml &&
	printf "{\"a\": 1,\n \"a\": 2}\n" >dup.json &&
	refused "dup.json:2:" --metrics-from dup.json &&
	printf "a.b: 1\na:\n  b: 2\n" >dup2.yaml &&
	refused "dup2.yaml: key '"'"'a.b'"'"' comes twice" --params-from dup2.yaml
'

test_expect_success 'a key that cannot be a sidecar key is named with its file' '
	cd r &&
	printf "{\"opt\": {\"lr=0.1\": 1}}\n" >key.json &&
	refused "key.json: key '"'"'opt.lr=0.1'"'"' cannot be a sidecar key" --params-from key.json &&
	printf "\"[x]\": 1\n" >key.yaml &&
	refused "key.yaml: key '"'"'[x]'"'"' cannot be a sidecar key" --params-from key.yaml
'

test_expect_success 'an alias bomb is refused, not expanded' '
	cd r &&
	{
		echo "a0: &a0 [x, x, x, x, x, x, x, x, x, x]" &&
		for i in 1 2 3 4 5 6 7 8 9; do
			p=$((i - 1)) &&
			echo "a$i: &a$i [*a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p]"
		done
	} >bomb.yaml &&
	refused "bomb.yaml:5:" --params-from bomb.yaml &&
	grep -q "aliases repeat more than 100000 values" ../err
'

test_expect_success '#last needs a log_history list; a name ending in #last is explained' '
	cd r &&
	refused "metrics.json has no top-level \"log_history\" list" \
		--metrics-from metrics.json#last &&
	printf "{}\n" >"odd.json#last" &&
	refused "a trailing '"'"'#last'"'"' selects the last log_history entry" \
		--metrics-from "odd.json#last"
'

test_expect_success 'a missing file, a directory and a file over 16 MiB are refused' '
	cd r &&
	refused "cannot open '"'"'nope.yaml'"'"'" --params-from nope.yaml &&
	refused "'"'"'data'"'"' is not a regular file" --params-from data &&
	truncate -s 17M huge.json &&
	refused "params and metrics files are read up to 16 MiB" --metrics-from huge.json
'

test_expect_success 'init with a bad file writes no sidecar at all' '
	cd r &&
	test_random_file models/churn.onnx 3000 c1 &&
	test_expect_code 128 git mlv sidecar init models/churn.onnx --data data/train.csv \
		--config params.yaml --params-from bad.yaml 2>../err &&
	grep -q "bad.yaml:2:1:" ../err &&
	test ! -e models/churn.onnx.mlv
'

test_expect_success '--params-from without a file is a usage error' '
	cd r &&
	test_expect_code 129 git mlv sidecar update models/fraud.onnx --params-from 2>../err &&
	grep -q "usage: git mlv sidecar update .*--params-from <file>" ../err
'

test_done
