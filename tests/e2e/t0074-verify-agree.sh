#!/usr/bin/env bash
# After a commit that changes only data a sidecar records, the model's
# record still matches the commit where the model was trained; the data
# has moved on. `git mlv verify`, `git mlv sidecar check`, `sidecar show`
# and the pre-commit hook all say so, as a notice (exit 0) that says to
# retrain, and an error under strict-inputs. `sidecar show` reads a record
# as a revision holds it, as `MODEL REV` or as `REV:MODEL`.
. "$(dirname "$0")/lib.sh"

SC=models/x.onnx.mlv

# The commit where models/x.onnx was last trained, as messages abbreviate it.
trained_at() {
	git log -1 --format=%H -- models/x.onnx $SC | cut -c1-12
}

# Retrain the model (seed $1) and try to commit it without its record:
# refused, with the fix to update the record, in ../err.
retrain_unrecorded() {
	test_random_file models/x.onnx 20000 "$1" &&
	git add models/x.onnx &&
	commit_refused -m "retrained, no record" &&
	grep -q "\[model\] oid is $(ini_get $SC model oid) but models/x.onnx is staged as sha256:$(test_pointer_oid models/x.onnx)" ../err &&
	grep -qF "fix with: git mlv sidecar update 'models/x.onnx'" ../err
}

# sidecar check --json exits 1 with $1 problems and no notice; the
# problems into ../problems.
check_json_fails() {
	git mlv sidecar check --json >../check.json
	test $? = 1 &&
	check_schema sidecar-check ../check.json &&
	python3 - "$1" <<-\PY
	import json, sys
	c = json.load(open("../check.json"))
	assert not c["matches"] and c["stale"] == [], c
	assert len(c["problems"]) == int(sys.argv[1]), c
	open("../problems", "w").write("\n".join(c["problems"]) + "\n")
	PY
}

test_expect_success 'setup: a model trained on a file and a directory of data' '
	git init -q r && cd r &&
	git mlv track --model "*.onnx" >/dev/null &&
	git mlv track "data/**" >/dev/null &&
	mkdir -p models data/images configs &&
	seq 1 100 | sed "s/$/,0/" >data/part-5.csv &&
	test_random_file data/images/1.png 3000 i1 &&
	test_random_file data/images/2.png 4000 i2 &&
	printf "lr: 0.1\n" >configs/train.yaml &&
	test_random_file models/x.onnx 20000 m1 &&
	git add . &&
	git mlv sidecar init models/x.onnx --data data/part-5.csv --data data/images/ \
		--config configs/train.yaml >/dev/null &&
	git add $SC && git commit -qm "train x" &&
	test "$(git log -1 --format=%s)" = "train x" &&
	git rev-parse HEAD >../trained &&
	cp ../trained ../first
'

test_expect_success 'a data-only commit goes through the hook, with a notice to retrain' '
	cd r &&
	echo 1,2,3 >>data/part-5.csv &&
	git commit -qam "data change" 2>../err &&
	test "$(git log -1 --format=%s)" = "data change" &&
	grep -q "^mlv: notice: $SC:[0-9]*: models/x.onnx is out of date with its data" ../err &&
	grep -q "data/part-5.csv. is now staged as $(sha data/part-5.csv)" ../err &&
	grep -q "as when the model was trained at commit $(cut -c1-12 ../trained)" ../err &&
	grep -qF "retrain it, then record it with: git mlv sidecar update '\''models/x.onnx'\''" ../err &&
	! grep -q "commit refused" ../err
'

test_expect_success 'verify and sidecar check agree: a notice to retrain, exit 0' '
	cd r &&
	git mlv verify >../verify.out &&
	grep -q "^commit $(git rev-parse HEAD) data change$" ../verify.out &&
	grep -q "^  notice: $SC:[0-9]*: models/x.onnx is out of date with its data: \[data \"part-5\"\] .data/part-5.csv. is now committed as $(sha data/part-5.csv)" ../verify.out &&
	grep -q "^2 commits verified; 1 of them leaves a model out of date" ../verify.out &&
	git mlv sidecar check >../check.out &&
	grep -q "^notice: $SC:[0-9]*: models/x.onnx is out of date with its data: .*data/part-5.csv. is now staged as $(sha data/part-5.csv), not $(ini_get $SC "data \"part-5\"" oid) as when the model was trained at commit $(trained_at)" ../check.out &&
	grep -q "^sidecars match the commits their models were trained at; 1 recorded input has changed since" ../check.out &&
	git mlv sidecar check models/x.onnx >../check1.out &&
	test_cmp ../check.out ../check1.out &&
	for f in ../verify.out ../check.out; do
		grep -q "retrain it, then record it with: git mlv sidecar update" $f &&
		! grep -q "fix with" $f || exit 1
	done
'

test_expect_success 'sidecar show says the record matches where the model was trained' '
	cd r &&
	git mlv sidecar show models/x.onnx >../show.out &&
	grep -q "^notice: .*data/part-5.csv. is now staged as" ../show.out &&
	grep -q "^matches the commit where the model was trained; out of date with its inputs in what is staged" ../show.out &&
	git mlv sidecar show models/x.onnx HEAD >../show-head.out &&
	grep -q "^notice: .*data/part-5.csv. is now committed as $(sha data/part-5.csv)" ../show-head.out &&
	git mlv sidecar show models/x.onnx HEAD~1 >../show-trained.out &&
	! grep -q notice ../show-trained.out &&
	grep -q "^matches commit $(cut -c1-12 ../trained)$" ../show-trained.out
'

test_expect_success 'the JSON of verify, sidecar check and show carries the notice as stale' '
	cd r &&
	git mlv verify --format json >../verify.json &&
	check_schema verify ../verify.json &&
	git mlv sidecar check --format json >../check.json &&
	check_schema sidecar-check ../check.json &&
	git mlv sidecar show --json models/x.onnx >../show.json &&
	check_schema sidecar-show ../show.json &&
	python3 - ../verify.json ../check.json ../show.json "$(git rev-parse HEAD)" <<-\PY
	import json, sys
	v, c, s = (json.load(open(f)) for f in sys.argv[1:4])
	commits = v["commits"]
	assert commits["failed"] == 0 and commits["failures"] == [], v
	assert [x["commit"] for x in commits["stale"]] == [sys.argv[4]], v
	assert commits["stale"][0]["subject"] == "data change", v
	assert len(commits["stale"][0]["notices"]) == 1, v
	for o in (c, s):
	    assert o["matches"] is True and o["problems"] == [], o
	    assert len(o["stale"]) == 1 and "data/part-5.csv" in o["stale"][0], o
	    assert "out of date with its data" in o["stale"][0], o
	PY
'

test_expect_success 'a changed data directory is a notice too, naming what changed since training' '
	cd r &&
	test_random_file data/images/3.png 500 i3 &&
	git add data/images && git commit -qm "more images" 2>../err &&
	test "$(git log -1 --format=%s)" = "more images" &&
	grep -q "notice: .*directory .data/images/. is now staged as sha256:[0-9a-f]* (3 files, 7500 bytes), not $(ini_get $SC "data \"images\"" oid) (2 files, 7000 bytes) as when the model was trained at commit $(trained_at); since then, 1 file differs: .data/images/3.png. added" ../err &&
	git mlv sidecar check >../check.out &&
	test "$(grep -c "^notice: " ../check.out)" = 2 &&
	git mlv verify >../verify.out &&
	grep -q "^commit $(git rev-parse HEAD) more images$" ../verify.out &&
	grep -q "^3 commits verified; 2 of them leave a model out of date" ../verify.out
'

test_expect_success 'the training commit is found past unrelated commits; verify checks each commit' '
	cd r &&
	echo "# x" >README && git add README && git commit -qm readme &&
	git mlv sidecar check >../check.out &&
	grep -q "trained at commit $(cut -c1-12 ../trained)" ../check.out &&
	git mlv verify HEAD~1..HEAD >../verify.out &&
	echo "1 commits verified" >../expect &&
	test_cmp ../expect ../verify.out &&
	git mlv verify --quiet >../quiet.out &&
	test_must_be_empty ../quiet.out
'

test_expect_success 'a changed model without its sidecar is still refused, the fix is to update' '
	cd r &&
	retrain_unrecorded m2 &&
	grep -q "data/part-5.csv. is recorded as .* but staged as" ../err &&
	! grep -q "out of date" ../err &&
	test_expect_code 1 git mlv sidecar check 2>../err &&
	grep -q "\[model\] oid is" ../err &&
	check_json_fails 3
'

test_expect_success 'retrained and recorded: no notice, the record matches what is staged' '
	cd r &&
	git mlv sidecar update models/x.onnx >/dev/null &&
	git add $SC && git commit -qm "train x again" 2>../err &&
	test "$(git log -1 --format=%s)" = "train x again" &&
	test_must_be_empty ../err &&
	git mlv sidecar check >../check.out &&
	echo "sidecars match what is staged" >../expect &&
	test_cmp ../expect ../check.out &&
	git mlv verify HEAD~1..HEAD >../verify.out &&
	echo "1 commits verified" >../expect &&
	test_cmp ../expect ../verify.out &&
	git rev-parse HEAD >../trained
'

test_expect_success 'a removed input is a notice whose hint writes the record anew' '
	cd r &&
	git rm -q data/part-5.csv && git commit -qm "drop part 5" 2>../err &&
	test "$(git log -1 --format=%s)" = "drop part 5" &&
	grep -q "notice: .*data/part-5.csv. is not in this commit; it was sha256:[0-9a-f]* when the model was trained at commit $(cut -c1-12 ../trained)" ../err &&
	grep -qF "git mlv sidecar init '\''models/x.onnx'\'' --data <path> --config <path> --force" ../err &&
	git mlv sidecar check >../check.out &&
	grep -q "data/part-5.csv. is not in this commit" ../check.out &&
	git mlv verify HEAD~1..HEAD >../verify.out &&
	grep -q "^commit $(git rev-parse HEAD) drop part 5$" ../verify.out &&
	git reset -q --hard HEAD~1
'

test_expect_success 'a record that never matched its training commit is a problem, not a notice' '
	cd r &&
	test_random_file models/x.onnx 20000 m3 &&
	git add models/x.onnx && git commit -q --no-verify -m "sneaky" &&
	test_expect_code 1 git mlv sidecar check 2>../err >../out &&
	grep -q "\[model\] oid is" ../err &&
	! grep -q notice ../out &&
	test_expect_code 1 git mlv verify HEAD~1..HEAD >../out &&
	grep -q "^commit $(git rev-parse HEAD) sneaky" ../out &&
	git reset -q --hard HEAD~1
'

test_expect_success 'setup: strict-inputs in .mlvconfig' '
	cd r &&
	printf "[policy]\nstrict-inputs = true\n" >.mlvconfig &&
	git add .mlvconfig && git commit -qm strict 2>../err &&
	test_must_be_empty ../err
'

test_expect_success 'strict: a data-only commit is refused, with the hint to retrain' '
	cd r &&
	echo 4,5,6 >>data/part-5.csv && git add data/part-5.csv &&
	commit_refused -m "strict data change" &&
	grep -q "models/x.onnx is out of date with its data: .*data/part-5.csv. is now staged as $(sha data/part-5.csv)" ../err &&
	grep -qF "policy strict-inputs refuses a model out of date with its inputs: retrain it, then record it with: git mlv sidecar update '\''models/x.onnx'\''" ../err &&
	! grep -q "notice" ../err
'

test_expect_success 'strict: sidecar check and verify both fail on it, exit 1' '
	cd r &&
	test_expect_code 1 git mlv sidecar check 2>../err >../out &&
	grep -q "out of date with its data" ../err &&
	! grep -q notice ../out &&
	check_json_fails 1 &&
	grep -q "policy strict-inputs refuses a model out of date" ../problems &&
	git commit -q --no-verify -m "strict data change" &&
	test_expect_code 1 git mlv verify >../out &&
	grep -q "^commit $(git rev-parse HEAD) strict data change" ../out &&
	grep -q "^  $SC:[0-9]*: models/x.onnx is out of date with its data" ../out &&
	grep -q "of .* commits break the mlv policy" ../out &&
	git mlv verify --json >../verify.json; test $? = 1 &&
	check_schema verify ../verify.json &&
	git reset -q --hard HEAD~1
'

test_expect_success 'strict: a changed model without its sidecar is refused as before' '
	cd r &&
	retrain_unrecorded m4 &&
	git reset -q --hard
'

# sidecar show at a revision: the record as that commit holds it.

test_expect_success 'sidecar show MODEL REV and REV:MODEL print the record as REV holds it' '
	cd r &&
	n=$(git rev-list --count "$(cat ../first)..HEAD") && test "$n" -gt 1 &&
	git mlv sidecar show models/x.onnx HEAD~$n >../rev1.out &&
	git mlv sidecar show HEAD~$n:models/x.onnx >../rev2.out &&
	test_cmp ../rev1.out ../rev2.out &&
	grep -q "^lineage of models/x.onnx (models/x.onnx.mlv) as commit $(cut -c1-12 ../first) (HEAD~$n) holds it$" ../rev2.out &&
	old=$(git show "$(cat ../first):$SC" | sed -n "s/^oid = //p" | head -1) &&
	test "$old" != "$(ini_get $SC model oid)" &&
	grep -q "^    oid  *$old$" ../rev2.out &&
	! grep -q "$(ini_get $SC model oid)" ../rev2.out &&
	git mlv sidecar show models/x.onnx >../now.out &&
	grep -q "^lineage of models/x.onnx (models/x.onnx.mlv)$" ../now.out &&
	grep -q "$(ini_get $SC model oid)" ../now.out
'

test_expect_success 'REV:MODEL is from the top, or from here with ./; JSON and --manifest take it too' '
	cd r &&
	n=$(git rev-list --count "$(cat ../first)..HEAD") &&
	(cd models && git mlv sidecar show HEAD~$n:models/x.onnx >../../sub1.out &&
	 git mlv sidecar show HEAD~$n:./x.onnx >../../sub2.out) &&
	test_cmp ../rev2.out ../sub1.out && test_cmp ../rev2.out ../sub2.out &&
	git mlv sidecar show --format json HEAD~$n:models/x.onnx >../rev.json &&
	check_schema sidecar-show ../rev.json &&
	python3 - ../rev.json "$(cat ../first)" "HEAD~$n" <<-\PY &&
	import json, sys
	s = json.load(open(sys.argv[1]))
	assert s["model"] == "models/x.onnx" and s["sidecar"] == "models/x.onnx.mlv", s
	assert s["commit"] == sys.argv[2] and s["rev"] == sys.argv[3], s
	assert s["matches"] and s["problems"] == [] and s["stale"] == [], s
	PY
	git mlv sidecar show --manifest HEAD~$n:models/x.onnx >../m1 &&
	git mlv sidecar show --manifest models/x.onnx HEAD~$n >../m2 &&
	test_cmp ../m1 ../m2 && test_line_count = 2 ../m1
'

test_expect_success 'a path REV does not hold is an error naming the path and the revision' '
	cd r &&
	n=$(git rev-list --count "$(cat ../first)..HEAD") &&
	c=$(cut -c1-12 ../first) &&
	for args in "HEAD~$n:models/nope.onnx" "models/nope.onnx HEAD~$n"; do
		test_expect_code 128 git mlv sidecar show $args 2>../err &&
		grep -qx "fatal: .models/nope.onnx. is not in commit $c (HEAD~$n): name a revision that holds the model" ../err &&
		! grep -q "sidecar init" ../err || exit 1
	done &&
	test_expect_code 128 git mlv sidecar show HEAD~$n:configs/train.yaml 2>../err &&
	grep -qx "fatal: .configs/train.yaml. has no sidecar in commit $c (HEAD~$n): .configs/train.yaml.mlv. is not there" ../err &&
	test_expect_code 128 git mlv sidecar show no-such-rev:models/x.onnx 2>../err &&
	grep -q "no-such-rev. is not a commit or a model reference" ../err &&
	! grep -q "sidecar init" ../err
'

test_expect_success 'a model whose name has a colon is still shown from the work tree' '
	cd r &&
	test_random_file "models/a:b.onnx" 3000 ab &&
	git add "models/a:b.onnx" &&
	git mlv sidecar init "models/a:b.onnx" --data data/part-5.csv \
		--config configs/train.yaml >/dev/null &&
	git add "models/a:b.onnx.mlv" &&
	git mlv sidecar show "models/a:b.onnx" >../ab.out &&
	grep -q "^lineage of models/a:b.onnx (models/a:b.onnx.mlv)$" ../ab.out &&
	grep -q "^matches what is staged$" ../ab.out &&
	git rm -q -f "models/a:b.onnx" "models/a:b.onnx.mlv"
'

test_done
