#!/usr/bin/env bash
# git mlv lineage: every version of a model in history, newest first, with
# what made it (data, config, params, environment, code) and the base model
# it was fine-tuned from, as text, JSON, Graphviz dot and Mermaid.
. "$(dirname "$0")/lib.sh"


# Train model $1 (random bytes from seed $2) and commit it with message $3;
# further arguments go to git mlv sidecar init.
train() {
	local model=$1 seed=$2 msg=$3
	shift 3
	test_random_file "$model" 3000 "$seed" &&
	git mlv sidecar init "$model" --config configs/train.yaml --force "$@" >/dev/null &&
	git add "$model" "$model.mlv" &&
	git commit -qm "$msg"
}

# Field $2 of version $3 (0: newest) of lineage JSON in file $1, as Python
# reads it ("model.path", "data.0.first_commit", ...).
jq_field() {
	python3 - "$@" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))["versions"][int(sys.argv[3])]
for k in sys.argv[2].split("."):
    v = v[int(k)] if isinstance(v, list) else v[k]
print("null" if v is None else v)
PY
}

test_expect_success 'setup: base model, two data versions, a fine-tune chain three deep' '
	git init -q r && cd r &&
	git mlv track --model "*.onnx" >/dev/null &&
	mkdir -p models data configs &&
	printf "id,label\n1,0\n" >data/train.csv &&
	printf "lr: 0.1\n" >configs/train.yaml &&
	git add . && git commit -qm "data v1" &&
	git rev-parse HEAD >../data1 &&
	train models/base.onnx b1 "base 1.0.0" --data data/train.csv --version 1.0.0 \
		--param learning_rate=0.1 --metric auc=0.81 --metric epochs=10 &&
	git rev-parse HEAD >../base1 &&
	printf "id,label\n1,0\n2,1\n" >data/train.csv && git add data/train.csv &&
	git commit -qm "data v2" --no-verify &&
	git rev-parse HEAD >../data2 &&
	train models/base.onnx b2 "base 1.1.0" --data data/train.csv --version 1.1.0 \
		--param learning_rate=0.05 --metric auc=0.87 &&
	git rev-parse HEAD >../base2 &&
	git mlv ls-files -l | sed -n "s/ .* models\/base.onnx.*//p" >../base2.oid &&
	train models/ft1.onnx f1 "ft1" --data data/train.csv --version 1.0.0 \
		--base "sha256:$(cat ../base2.oid)" --metric auc=0.9 &&
	git rev-parse HEAD >../ft1 &&
	git mlv ls-files -l | sed -n "s/ .* models\/ft1.onnx.*//p" >../ft1.oid &&
	train models/ft2.onnx f2 "ft2" --data data/train.csv --version 2.0.0 \
		--base "sha256:$(cat ../ft1.oid)" --metric auc=0.93 &&
	git rev-parse HEAD >../ft2 &&
	test "$(git log --format=%s | wc -l)" = 6
'

test_expect_success 'lineage MODEL lists each version newest first with what made it' '
	cd r &&
	git mlv lineage models/base.onnx >../out &&
	grep "^commit " ../out >../commits &&
	printf "commit %s\ncommit %s\n" "$(cat ../base2)" "$(cat ../base1)" >../want &&
	test_cmp ../want ../commits &&
	grep -q "^Model:    models/base.onnx 1.1.0$" ../out &&
	grep -q "^Data:     train: data/train.csv sha256:$(git show HEAD:data/train.csv | sha256sum | cut -d" " -f1)" ../out &&
	grep -q "^Config:   configs/train.yaml $(sha configs/train.yaml)$" ../out &&
	grep -q "^Params:   learning_rate = 0.05$" ../out &&
	grep -q "^Metrics:  auc = 0.87$" ../out &&
	grep -q "^Author:   A U Thor <author@example.com>$" ../out &&
	grep -q "^    base 1.1.0$" ../out
'

test_expect_success 'each data version names the commit it first appeared in' '
	cd r &&
	git mlv lineage models/base.onnx --format json >../j &&
	test "$(jq_field ../j data.0.first_commit 0)" = "$(cat ../data2)" &&
	test "$(jq_field ../j data.0.first_commit 1)" = "$(cat ../data1)" &&
	grep -q "(since $(cut -c1-12 ../data2))" ../out
'

test_expect_success 'the JSON output follows the documented schema' '
	cd r &&
	git mlv lineage --format json >../all.json &&
	check_schema lineage ../all.json &&
	test "$(python3 -c "import json; print(len(json.load(open(\"../all.json\"))[\"versions\"]))")" = 4 &&
	test "$(jq_field ../j metrics.auc 0)" = 0.87 &&
	test "$(jq_field ../j metrics.epochs 1)" = 10 &&
	test "$(jq_field ../j params.learning_rate 0)" = 0.05 &&
	test "$(jq_field ../j model.version 0)" = 1.1.0 &&
	test "$(jq_field ../j model.size 0)" = 3000 &&
	test "$(jq_field ../j model.oid 0)" = "sha256:$(cat ../base2.oid)" &&
	test "$(jq_field ../j commit 1)" = "$(cat ../base1)"
'

test_expect_success 'a schema check can fail: a version without its commit is refused' '
	python3 -c "import json,sys; d=json.load(open(\"all.json\")); del d[\"versions\"][0][\"commit\"]; print(json.dumps(d))" >bad.json &&
	check_schema_refuses lineage bad.json
'

test_expect_success 'a fine-tune follows its base back to the root' '
	cd r &&
	git mlv lineage models/ft2.onnx --format json >../ft2.json &&
	test "$(jq_field ../ft2.json base.path 0)" = models/ft1.onnx &&
	test "$(jq_field ../ft2.json base.commit 0)" = "$(cat ../ft1)" &&
	test "$(jq_field ../ft2.json chain.0.path 0)" = models/ft1.onnx &&
	test "$(jq_field ../ft2.json chain.1.path 0)" = models/base.onnx &&
	test "$(jq_field ../ft2.json chain.1.version 0)" = 1.1.0 &&
	test "$(jq_field ../ft2.json chain.1.commit 0)" = "$(cat ../base2)" &&
	git mlv lineage models/ft2.onnx >../ft2.txt &&
	grep -q "^Base:     models/ft1.onnx 1.0.0 at $(cut -c1-12 ../ft1)$" ../ft2.txt &&
	grep -q "^  from    models/base.onnx 1.1.0 at $(cut -c1-12 ../base2)$" ../ft2.txt
'

test_expect_success 'a base that no version here has shows as external' '
	cd r &&
	git checkout -q -b ext &&
	train models/ext.onnx e1 "ext" --data data/train.csv \
		--base sha256:$(printf "%064d" 7) &&
	git mlv lineage models/ext.onnx --format json >../ext.json &&
	test "$(jq_field ../ext.json base.external 0)" = True &&
	git mlv lineage models/ext.onnx | grep -q "^Base:     sha256:0*7 (external" &&
	git checkout -q main
'

test_expect_success 'REV limits the walk; --all walks every ref' '
	cd r &&
	git mlv lineage models/base.onnx HEAD~3 >../old &&
	test "$(grep -c ^commit ../old)" = 1 &&
	grep -q "^commit $(cat ../base1)$" ../old &&
	test_must_fail git mlv lineage models/ext.onnx 2>../err &&
	grep -q "no version of .models/ext.onnx. in the history of HEAD" ../err &&
	git mlv lineage models/ext.onnx --all | grep -q "^Model:    models/ext.onnx$"
'

test_expect_success 'a path relative to a subdirectory, or the sidecar path, names the model' '
	cd r/models &&
	git mlv lineage base.onnx >../../sub &&
	git mlv lineage ../models/base.onnx.mlv >../../sub2 &&
	test_cmp ../../sub ../../sub2 &&
	test "$(grep -c ^commit ../../sub)" = 2
'

test_expect_success 'a merge that takes a branch model as it is adds no version' '
	cd r &&
	git checkout -q -b feature &&
	train models/base.onnx b3 "base 1.2.0 on a branch" --data data/train.csv \
		--version 1.2.0 &&
	git rev-parse HEAD >../b3 &&
	git checkout -q main &&
	printf "notes\n" >README && git add README && git commit -qm readme &&
	git merge -q --no-edit feature &&
	git mlv lineage models/base.onnx >../merged &&
	test "$(grep -c ^commit ../merged)" = 3 &&
	grep -q "^commit $(cat ../b3)$" ../merged &&
	! grep -q "^commit $(git rev-parse HEAD)$" ../merged
'

test_expect_success 'dot output is one node per distinct oid and Graphviz draws it' '
	cd r &&
	git mlv lineage --format dot >../g.dot &&
	dot -Tsvg ../g.dot >../g.svg &&
	grep -q "<svg" ../g.svg &&
	models=$(git mlv lineage --format json | python3 -c "
import json, sys
vs = json.load(sys.stdin)[\"versions\"]
print(len({v[\"model\"][\"oid\"] for v in vs}))") &&
	test "$(grep -c "^  \"m_[0-9a-f]*\" \[shape=box" ../g.dot)" = "$models" &&
	test "$(grep -c "^  \"d_[0-9a-f]*\" \[shape=cylinder" ../g.dot)" = 2 &&
	grep -q "\"m_$(cat ../base2.oid)\" -> \"m_$(cat ../ft1.oid)\" \[label=\"fine-tune\"\]" ../g.dot
'

test_expect_success 'mermaid output is a flowchart with the same nodes' '
	cd r &&
	git mlv lineage --format mermaid >../g.mmd &&
	head -1 ../g.mmd | grep -qx "flowchart LR" &&
	test "$(grep -c "^  m_[0-9a-f]*\[\"" ../g.mmd)" = "$(grep -c "^  \"m_[0-9a-f]*\" \[shape=box" ../g.dot)" &&
	grep -q "^  m_$(cat ../ft1.oid) -- fine-tune --> m_" ../g.mmd
'

test_expect_success 'hostile names stay inside their quotes in dot and mermaid' '
	cd r &&
	git checkout -q -b hostile &&
	mkdir -p "data/x\"];evil[label=\"" &&
	printf "1\n" >"data/x\"];evil[label=\"/<b>#1.csv" &&
	git add data && git commit -qm "hostile data" --no-verify &&
	train models/h.onnx h1 "hostile" --data "data/x\"];evil[label=\"/<b>#1.csv" &&
	git mlv lineage models/h.onnx --format dot >../h.dot &&
	dot -Tsvg ../h.dot >/dev/null &&
	grep -F -q "label=\"<b>#1: data/x\\\"];evil[label=\\\"/<b>#1.csv\\n" ../h.dot &&
	test "$(dot -Tplain ../h.dot | grep -c "^node")" = 3 &&
	git mlv lineage models/h.onnx --format mermaid >../h.mmd &&
	! grep -q "<b>" ../h.mmd && grep -q "#quot;\]" ../h.mmd &&
	git checkout -q main
'

test_expect_success 'a sidecar broken in an old commit is reported and the walk goes on' '
	cd r &&
	git checkout -q -b broken &&
	test_random_file models/base.onnx 3000 b9 &&
	printf "[mlv]\nversion = 1\n[model\ngarbage\n" >models/base.onnx.mlv &&
	git add models && git commit -qm "broken sidecar" --no-verify &&
	git rev-parse HEAD >../broken &&
	train models/base.onnx b10 "fixed" --data data/train.csv --version 1.3.0 &&
	git mlv lineage models/base.onnx >../b.txt &&
	grep -q "^commit $(cat ../broken)$" ../b.txt &&
	grep -q "^Problem:  models/base.onnx.mlv:3: section header without" ../b.txt &&
	test "$(grep -c ^commit ../b.txt)" = 5 &&
	git mlv lineage models/base.onnx --format json >../b.json &&
	check_schema lineage ../b.json &&
	git checkout -q main
'

test_expect_success 'a clone without any model content answers the same' '
	MLV_SKIP_SMUDGE=1 git clone -q r lazy &&
	(cd r && git mlv lineage --format json) >full.json &&
	cd lazy &&
	test "$(git mlv status | grep -c pointer)" -ge 4 &&
	rm -rf .git/mlv/objects &&
	git mlv lineage --format json >../lazy.json &&
	python3 -c "
import json
a = json.load(open(\"../full.json\"))[\"versions\"]
b = json.load(open(\"../lazy.json\"))[\"versions\"]
assert [v[\"model\"] for v in a] == [v[\"model\"] for v in b], \"models differ\"
assert [v[\"data\"] for v in a] == [v[\"data\"] for v in b], \"data differs\"
"
'

test_expect_success 'the cache: deleted, damaged or truncated, the answer is the same' '
	cd r &&
	git mlv lineage --all --format json >../want.json &&
	test -f .git/mlv/lineage-cache &&
	rm .git/mlv/lineage-cache &&
	git mlv lineage --all --format json >../got.json && test_cmp ../want.json ../got.json &&
	test -f .git/mlv/lineage-cache &&
	sed -i "3s/^[0-9a-f]/0/" .git/mlv/lineage-cache &&
	git mlv lineage --all --format json >../got.json && test_cmp ../want.json ../got.json &&
	head -c 300 .git/mlv/lineage-cache >../short && cp ../short .git/mlv/lineage-cache &&
	git mlv lineage --all --format json >../got.json && test_cmp ../want.json ../got.json &&
	tail -1 .git/mlv/lineage-cache | grep -q "^end [0-9a-f]\{64\}$"
'

test_expect_success 'a forged cache entry cannot add a version: it is sealed' '
	cd r &&
	cp .git/mlv/lineage-cache ../cache.orig &&
	sed -i "s|models/base.onnx\$|models/bxse.onnx|" .git/mlv/lineage-cache &&
	grep -q "models/bxse.onnx" .git/mlv/lineage-cache &&
	git mlv lineage --all --format json >../got.json && test_cmp ../want.json ../got.json &&
	! grep -q bxse ../got.json &&
	! grep -q bxse .git/mlv/lineage-cache
'

test_expect_success 'a malformed tree in history is an error, not a wrong answer' '
	cd r &&
	tree=$(printf "100644 no-nul-here" | git hash-object -t tree --literally -w --stdin) &&
	c=$(git commit-tree "$tree" -p HEAD -m "bad tree") &&
	git update-ref refs/heads/badtree "$c" &&
	test_must_fail git mlv lineage --all 2>../err &&
	grep -q "a tree of this repository is malformed" ../err &&
	git update-ref -d refs/heads/badtree &&
	git mlv lineage --all >/dev/null
'

test_expect_success 'a shallow clone is refused with what to do' '
	MLV_SKIP_SMUDGE=1 git clone -q --depth 1 "file://$PWD/r" shallow &&
	(cd shallow && test_must_fail git mlv lineage 2>../err) &&
	grep -q "shallow clone.*git fetch --unshallow" err
'

test_expect_success 'a sidecar key that is not UTF-8 is shown, not fatal' '
	cd r &&
	git checkout -q -b latin1 &&
	test_random_file models/base.onnx 3000 l1 &&
	git mlv sidecar init models/base.onnx --data data/train.csv --config configs/train.yaml \
		--force >/dev/null &&
	printf "[params]\ncaf\351 = 1\n" >>models/base.onnx.mlv &&
	git add models && git commit -qm latin1 --no-verify &&
	git mlv lineage models/base.onnx --format json >../l.json &&
	check_schema lineage ../l.json &&
	python3 -c "
import json
v = json.load(open(\"../l.json\"))[\"versions\"][0]
assert v[\"params\"] == {\"caf\\ufffd\": \"1\"}, v[\"params\"]" &&
	git checkout -q main
'

test_expect_success 'control characters from the repository never reach the terminal' '
	cd r &&
	git checkout -q -b escapes &&
	test_random_file models/base.onnx 3000 esc1 &&
	git mlv sidecar init models/base.onnx --data data/train.csv --config configs/train.yaml \
		--param "note=$(printf "\033]0;pwned\007\033[2J")" --force >/dev/null &&
	git add models && git commit -qm "$(printf "esc \033[31mred")" &&
	git mlv lineage models/base.onnx >../esc.txt &&
	! grep -q "$(printf "\033")" ../esc.txt &&
	grep -F -q "Params:   note = \\x1b]0;pwned\\x07\\x1b[2J" ../esc.txt &&
	grep -F -q "    esc \\x1b[31mred" ../esc.txt &&
	git mlv find "params.note is not null" >../f.txt &&
	grep -q "models/base.onnx" ../f.txt &&
	! grep -q "$(printf "\033")" ../f.txt &&
	git checkout -q main
'

test_expect_success 'a pager runs on a terminal; --no-pager and pipes print directly' '
	cd r &&
	PAGER="sed s/^/PAGED:/" script -qec "git mlv lineage models/base.onnx" /dev/null >../tty.out &&
	grep -q "^PAGED:.*commit $(cat ../base2)" ../tty.out &&
	PAGER="sed s/^/PAGED:/" script -qec "git mlv lineage --no-pager models/base.onnx" /dev/null >../tty2.out &&
	! grep -q PAGED ../tty2.out && grep -q "commit $(cat ../base2)" ../tty2.out &&
	PAGER="sed s/^/PAGED:/" git mlv lineage models/base.onnx >../pipe.out &&
	! grep -q PAGED ../pipe.out
'

test_expect_success 'colour on a terminal only, unless color.ui says otherwise' '
	cd r &&
	script -qec "git mlv lineage --no-pager models/base.onnx" /dev/null >../c.out &&
	grep -q "$(printf "\033\\[33mcommit")" ../c.out &&
	! grep -q "$(printf "\033")" ../pipe.out &&
	git -c color.ui=never mlv lineage --no-pager >/dev/null &&
	script -qec "git -c color.ui=never mlv lineage --no-pager models/base.onnx" /dev/null >../c2.out &&
	! grep -q "$(printf "\033")" ../c2.out &&
	script -qec "git -c color.ui=true mlv lineage --no-pager models/base.onnx" /dev/null >../c3.out &&
	grep -q "$(printf "\033\\[33mcommit")" ../c3.out &&
	git -c color.ui=always mlv lineage models/base.onnx | grep -q "$(printf "\033\\[33mcommit")"
'

test_expect_success 'bad arguments: unknown format, unknown option, no such revision' '
	cd r &&
	test_expect_code 129 git mlv lineage --format yaml 2>../err &&
	grep -q "unknown format .yaml." ../err &&
	test_expect_code 129 git mlv lineage --bogus 2>../err &&
	grep -q "usage: git mlv lineage" ../err &&
	test_must_fail git mlv lineage models/nothere.onnx 2>../err &&
	grep -q "no version of .models/nothere.onnx." ../err
'

test_done
