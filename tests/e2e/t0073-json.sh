#!/usr/bin/env bash
# --format json (and its alias --json) where a script reads mlv's output:
# status, ls-files and env, each checked against its schema in docs/schema
# with a real JSON parser; paths that would break a line are escaped in
# the text output and exact in the JSON.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a file in each state, one with a newline in its name' '
	git init -q r && cd r &&
	git mlv track "*.bin" >/dev/null &&
	test_random_file a.bin 2000 a && test_random_file b.bin 2000 b &&
	test_random_file c.bin 2000 c && test_random_file "new
line.bin" 2000 n &&
	git add . && git commit -qm files --no-verify &&
	printf "changed" >>b.bin && rm c.bin
'

test_expect_success 'status --format json: every file, its state and the counts' '
	cd r &&
	git mlv status --format json >../s.json &&
	check_schema status ../s.json &&
	python3 - ../s.json <<-\PY
	import json, sys
	s = json.load(open(sys.argv[1]))
	got = {f["path"]: f["state"] for f in s["files"]}
	assert got == {"a.bin": "materialized", "b.bin": "modified", "c.bin": "missing",
	               "new\nline.bin": "materialized"}, got
	assert s["counts"] == {"materialized": 2, "pointer": 0, "modified": 1, "missing": 1,
	                       "untracked": 0}, s
	assert s["untracked"] == [], s
	PY
	git mlv status --json >../s2.json && test_cmp ../s.json ../s2.json
'

test_expect_success 'status text: a newline in a path cannot forge a line' '
	cd r &&
	git mlv status >../s.txt &&
	test_line_count = 6 ../s.txt &&
	grep -qF "materialized  new\x0aline.bin" ../s.txt
'

test_expect_success 'ls-files --format json: the same as --json, the schema holds' '
	cd r &&
	git mlv ls-files --format json >../l.json &&
	git mlv ls-files --json >../l2.json && test_cmp ../l.json ../l2.json &&
	check_schema ls-files ../l.json &&
	python3 -c "
import json
l = json.load(open(\"../l.json\"))
assert sorted(f[\"path\"] for f in l) == [\"a.bin\", \"b.bin\", \"c.bin\", \"new\nline.bin\"], l" &&
	git mlv ls-files >../l.txt && test_line_count = 4 ../l.txt
'

test_expect_success 'env --format json: what a sidecar would record' '
	cd r &&
	git mlv env --format json >../e.json &&
	check_schema env ../e.json &&
	git mlv env 2>/dev/null >../e.txt &&
	python3 - ../e.json ../e.txt <<-\PY
	import json, sys
	e = json.load(open(sys.argv[1]))["environment"]
	text = {}
	for line in open(sys.argv[2]).read().splitlines()[1:]:
	    k, v = line.split(" = ", 1)
	    text[k] = v
	assert e == text and e, (e, text)
	PY
'

test_expect_success 'verify --format json: the commits that break the policy and why' '
	git init -q v && cd v &&
	git mlv track --model "*.onnx" >/dev/null &&
	git add .gitattributes && git commit -qm attributes &&
	test_random_file m.onnx 500 m &&
	git add m.onnx && git commit -qm "no sidecar" --no-verify &&
	test_expect_code 1 git mlv verify --format json >../v.json &&
	check_schema verify ../v.json &&
	python3 - ../v.json "$(git rev-parse HEAD)" <<-\PY
	import json, sys
	v = json.load(open(sys.argv[1]))
	c = v["commits"]
	assert (c["checked"], c["failed"]) == (2, 1), c
	f = c["failures"][0]
	assert f["commit"] == sys.argv[2] and f["subject"] == "no sidecar", f
	assert any("m.onnx" in p for p in f["problems"]), f
	assert v["registry"] is None, v
	PY
	printf "[registry]\nstages = dev\n" >.mlvconfig &&
	git add .mlvconfig && git commit -qm rules --no-verify &&
	test_expect_code 1 git mlv verify --json HEAD >../v2.json &&
	check_schema verify ../v2.json &&
	python3 -c "
import json
v = json.load(open(\"../v2.json\"))
assert v[\"registry\"] == {\"checked\": 0, \"problems\": []}, v" &&
	sed "s/\"failed\": 1/\"failed\": \"one\"/" ../v.json >../bad.json &&
	check_schema_refuses verify ../bad.json
'

test_expect_success 'sidecar show and check --format json: the record and whether it holds' '
	cd v &&
	printf "a\n" >d.csv && printf "x: 1\n" >c.yaml &&
	git mlv sidecar init m.onnx --data d.csv --config c.yaml --param lr=0.1 >/dev/null &&
	git add . && git commit -qm sidecar &&
	git mlv sidecar show m.onnx --format json >../show.json &&
	check_schema sidecar-show ../show.json &&
	python3 - ../show.json <<-\PY &&
	import json, sys
	s = json.load(open(sys.argv[1]))
	assert s["matches"] and s["rev"] is None and s["sidecar"] == "m.onnx.mlv", s
	secs = {(x["section"], x["name"]): {e["key"]: e["value"] for e in x["entries"]}
	        for x in s["sections"]}
	assert secs[("params", None)] == {"lr": "0.1"}, secs
	assert secs[("data", "d")]["path"] == "d.csv", secs
	PY
	git mlv sidecar show --json m.onnx HEAD >../show2.json &&
	check_schema sidecar-show ../show2.json &&
	grep -q "\"commit\": \"$(git rev-parse HEAD)\"" ../show2.json &&
	git mlv sidecar check --format json >../check.json &&
	check_schema sidecar-check ../check.json &&
	grep -q "\"matches\": true" ../check.json &&
	printf "b\n" >d.csv && git add d.csv &&
	git mlv sidecar check m.onnx --json >../stale.json &&
	check_schema sidecar-check ../stale.json &&
	python3 -c "
import json
c = json.load(open(\"../stale.json\"))
assert c[\"matches\"] and not c[\"problems\"] and len(c[\"stale\"]) == 1, c
assert \"d.csv\" in c[\"stale\"][0] and \"out of date\" in c[\"stale\"][0], c" &&
	test_random_file m.onnx 500 m2 && git add m.onnx &&
	test_expect_code 1 git mlv sidecar check m.onnx --json >../check2.json &&
	check_schema sidecar-check ../check2.json &&
	python3 -c "
import json
c = json.load(open(\"../check2.json\"))
assert not c[\"matches\"] and c[\"model\"] == \"m.onnx\" and not c[\"stale\"], c
assert any(\"d.csv\" in p for p in c[\"problems\"]), c
assert any(\"[model] oid\" in p for p in c[\"problems\"]), c" &&
	git reset -q --hard &&
	sed "s/\"matches\": true/\"matches\": 1/" ../check.json >../bad.json &&
	check_schema_refuses sidecar-check ../bad.json &&
	sed "s/\"key\": \"lr\"/\"key\": \"\"/" ../show.json >../bad.json &&
	check_schema_refuses sidecar-show ../bad.json
'

test_expect_success 'fsck --format json: local and remote stores, each problem named' '
	cd r && git checkout -q -- b.bin c.bin &&
	git mlv fsck --format json >../f.json &&
	check_schema fsck ../f.json &&
	python3 -c "
import json
f = json.load(open(\"../f.json\"))
assert f[\"store\"] == \"local\" and f[\"problems\"] == [] and f[\"counts\"][\"checked\"] == 4, f" &&
	oid=$(test_pointer_oid a.bin) &&
	obj=$(test_store_path "$oid") && chmod u+w "$obj" && rm "$obj" &&
	test_expect_code 1 git mlv fsck --json >../f2.json &&
	check_schema fsck ../f2.json &&
	python3 - ../f2.json "$oid" <<-\PY &&
	import json, sys
	f = json.load(open(sys.argv[1]))
	assert f["counts"]["missing"] == 1, f
	p = f["problems"][0]
	assert (p["problem"], p["oid"], p["path"]) == ("missing", "sha256:" + sys.argv[2], "a.bin"), p
	PY
	git init -q --bare ../srv.git && git remote add origin ../srv.git &&
	git config remote.origin.mlvstore "file://$TRASH/rstore" &&
	git add --renormalize a.bin && git mlv fsck -q &&
	git push -q origin main 2>/dev/null &&
	git mlv fsck --remote origin --format json >../f3.json &&
	check_schema fsck ../f3.json &&
	python3 -c "
import json
f = json.load(open(\"../f3.json\"))
assert (f[\"store\"], f[\"remote\"], f[\"full\"], f[\"counts\"][\"bad\"]) == (\"remote\", \"origin\", False, 0), f" &&
	sed "s/\"store\": \"local\"/\"store\": \"remote\"/" ../f.json >../bad.json &&
	check_schema_refuses fsck ../bad.json
'

test_expect_success 'the schemas refuse what breaks them; a bad format is refused' '
	cd r &&
	sed "s/\"materialized\": 2/\"materialized\": -2/" ../s.json >../bad.json &&
	check_schema_refuses status ../bad.json &&
	sed "s/\"in_store\": true/\"in_store\": \"yes\"/" ../l.json >../bad.json &&
	check_schema_refuses ls-files ../bad.json &&
	sed "s/\"schema\": 1/\"schema\": 2/" ../e.json >../bad.json &&
	check_schema_refuses env ../bad.json &&
	test_expect_code 129 git mlv status --format yaml 2>../err &&
	grep -q "^fatal: unknown format .yaml. (text or json)$" ../err &&
	test_expect_code 129 git mlv env --json --format text 2>../err &&
	grep -q "disagree" ../err
'

test_done
