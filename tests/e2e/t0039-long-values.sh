#!/usr/bin/env bash
# Long values in sidecars: a 64 KiB param, a data path of more than a
# kilobyte and an 8 KiB data URI are recorded by `git mlv sidecar init`,
# read back whole by check, show, update, the pre-commit hook, verify and
# lineage; a line over the limit is refused with its file and line.
. "$(dirname "$0")/lib.sh"

SC=models/m.onnx.mlv

# The value of key $2 in the sidecar's section $1, by sed (lines of any
# length).
sc_value() {
	sed -n "/^\[$1\]\$/,/^\[/s/^$2 = //p" "$SC"
}

# Field $2 ("params.notes", "data.1.uri") of the newest version in the
# lineage JSON file $1.
json_field() {
	python3 - "$@" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))["versions"][0]
for k in sys.argv[2].split("."):
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v)
PY
}

test_expect_success 'setup: a model, a small and a deeply nested data file, a config' '
	# 64 KiB with what a line splitter could get wrong: blanks, "=", ":",
	# "[", "#" inside (but no " ;", which starts a comment)
	awk "BEGIN { while (length(s) < 65536) s = s \"alpha = 1:beta[2] #gamma/\"
		print substr(s, 1, 65536) }" >long.txt &&
	test "$(wc -c <long.txt)" = 65537 &&
	deep=data &&
	for i in $(seq 20); do
		deep=$deep/directory-$i-with-a-name-long-enough-to-add-up-to-a-lot
	done &&
	echo "$deep/part.csv" >deep.txt &&
	test "$(wc -c <deep.txt)" -gt 1100 &&
	{ printf "s3://datasets/"; for i in $(seq 400); do printf "partition=%010d/" $i; done; echo; } >uri.txt &&
	test "$(wc -c <uri.txt)" -gt 8000 &&
	git init -q r && cd r &&
	git mlv track --model "*.onnx" >/dev/null &&
	mkdir -p models configs "$deep" &&
	printf "id,label\n1,0\n" >data/train.csv &&
	printf "id,label\n2,1\n" >"$(cat ../deep.txt)" &&
	printf "lr: 0.1\n" >configs/train.yaml &&
	git add . && git commit -qm inputs &&
	test_random_file models/m.onnx 4000 m1
'

test_expect_success 'sidecar init records the long param, path and URI whole' '
	cd r &&
	ext=$(printf "external data\n" | sha256sum | cut -d" " -f1) &&
	git mlv sidecar init models/m.onnx --data data/train.csv \
		--data "$(cat ../deep.txt)" --data "$(cat ../uri.txt)=sha256:$ext" \
		--config configs/train.yaml --param "notes=$(cat ../long.txt)" \
		--param lr=0.1 >/dev/null &&
	sc_value params notes >../got &&
	test_cmp ../long.txt ../got &&
	test "$(sc_value params lr)" = 0.1 &&
	sc_value "data \"part\"" path >../got &&
	test_cmp ../deep.txt ../got &&
	grep -q "^oid = $(sha "$(cat ../deep.txt)")$" $SC &&
	grep "^uri = " $SC | sed "s/^uri = //" >../got &&
	test_cmp ../uri.txt ../got &&
	test "$(grep -c "^notes = " $SC)" = 1
'

test_expect_success 'sidecar check and show read the long values whole' '
	cd r &&
	git add models &&
	git mlv sidecar check models/m.onnx >../out 2>&1 &&
	git mlv sidecar show models/m.onnx >../show &&
	grep -q "^matches what is staged$" ../show &&
	printf "    %-16s %s\n" notes "$(cat ../long.txt)" >../want &&
	grep -Fx -f ../want ../show >/dev/null &&
	printf "    %-16s %s\n" path "$(cat ../deep.txt)" >../want &&
	grep -Fx -f ../want ../show >/dev/null &&
	printf "    %-16s %s\n" uri "$(cat ../uri.txt)" >../want &&
	grep -Fx -f ../want ../show >/dev/null
'

test_expect_success 'the pre-commit hook accepts the commit; verify and update keep the values' '
	cd r &&
	git commit -qm "model with long values" &&
	test "$(git log -1 --format=%s)" = "model with long values" &&
	git show HEAD:$SC >../committed &&
	test_cmp $SC ../committed &&
	git mlv verify HEAD >../out 2>&1 &&
	git mlv sidecar update models/m.onnx --metric auc=0.9 >/dev/null &&
	test "$(sc_value metrics auc)" = 0.9 &&
	sc_value params notes >../got &&
	test_cmp ../long.txt ../got &&
	sc_value "data \"part\"" path >../got &&
	test_cmp ../deep.txt ../got &&
	grep "^uri = " $SC | sed "s/^uri = //" >../got &&
	test_cmp ../uri.txt ../got &&
	git checkout -q -- $SC
'

test_expect_success 'lineage --format json shows the full values' '
	cd r &&
	git mlv lineage models/m.onnx --format json >../lineage.json &&
	json_field ../lineage.json params.notes >../got &&
	test_cmp ../long.txt ../got &&
	python3 - ../lineage.json "$(cat ../deep.txt)" "$(cat ../uri.txt)" <<-\PY
	import json, sys
	data = json.load(open(sys.argv[1]))["versions"][0]["data"]
	assert sorted(d["path"] for d in data if d["path"]) == sorted(
	    ["data/train.csv", sys.argv[2]]), data
	assert [d["uri"] for d in data if d["uri"]] == [sys.argv[3]], data
	PY
'

test_expect_success 'a stale oid of the long path is refused by the hook and by verify' '
	cd r &&
	deep=$(cat ../deep.txt) &&
	printf "id,label\n3,0\n" >"$deep" &&
	test_random_file models/m.onnx 4000 m2 &&
	git add -A &&
	commit_refused -m "input changed, record stale" &&
	grep -qF "$deep" ../err &&
	git commit -qm "unrecorded" --no-verify &&
	test_must_fail git mlv verify HEAD >../out 2>&1 &&
	grep -qF "$deep" ../out &&
	git reset -q --hard HEAD^
'

test_expect_success 'a line over the limit is refused with file:line, by check and the hook' '
	cd r &&
	{ cat $SC; printf "[metrics]\nbig = "; head -c 300000 /dev/zero | tr "\0" 7; echo; } >../big &&
	cp ../big $SC &&
	line=$(wc -l <../big) &&
	git add models &&
	test_must_fail git mlv sidecar check models/m.onnx >../out 2>&1 &&
	grep -q "$SC:$line: line is 300006 bytes long, the limit is 262144" ../out &&
	commit_refused -m "too long" &&
	grep -q "$SC:$line: line is 300006 bytes long" ../err
'

test_done
