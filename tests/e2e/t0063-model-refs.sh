#!/usr/bin/env bash
# Model references (models/fraud@1.2.0, @v1.2.0, @latest, #prod, by
# registry name or model path) as revisions: lineage, diff, uses, sidecar
# show and checkout --model; refusals for what names nothing; git's own
# revisions (HEAD@{1}, main@{upstream}) still read as git's.
. "$(dirname "$0")/lib.sh"

# Commit version $1 of models/fraud.onnx (seed $2, metric auc $3), trained
# on data/train.csv holding $4; keep the bytes of both in ../m$1, ../d$1.
train() {
	test_random_file models/fraud.onnx 1000 "$2" &&
	printf "%s\n" "$4" >data/train.csv &&
	git mlv sidecar init models/fraud.onnx --data data/train.csv --config train.yaml \
		--version "$1" --metric auc="$3" --force >/dev/null &&
	git add models data && git commit -qm "fraud $1" &&
	cp models/fraud.onnx "../m$1" && cp data/train.csv "../d$1"
}

short() {
	cut -c1-12 "$1"
}

# The commit of the first version `git mlv lineage ARGS --format json` lists.
first_version() {
	git mlv lineage "$@" --format json | jq -r ".versions[0].commit"
}

test_expect_success 'setup: three registered versions, the middle one in prod' '
	git init -q r && cd r &&
	git mlv track --model "*.onnx" >/dev/null &&
	git mlv track "*.csv" >/dev/null &&
	mkdir models data && printf "lr: 1\n" >train.yaml &&
	printf "a\n" >data/train.csv &&
	git add . && git commit -qm data &&
	train 1.0.0 f1 0.90 a1 && git rev-parse HEAD >../c1 &&
	train 1.1.0 f2 0.93 b2 && git rev-parse HEAD >../c2 &&
	train 1.2.0 f3 0.95 c3 && git rev-parse HEAD >../c3 &&
	git mlv register models/fraud.onnx HEAD~2 >/dev/null &&
	git mlv register models/fraud.onnx HEAD~1 >/dev/null &&
	git mlv register models/fraud.onnx >/dev/null &&
	git mlv assign models/fraud 1.1.0 --stage prod >/dev/null &&
	git mlv assign models/fraud 1.2.0 --stage staging >/dev/null &&
	git mlv unassign models/fraud --stage staging >/dev/null &&
	git branch up HEAD~1 && git branch --set-upstream-to=up main >/dev/null
'

test_expect_success 'lineage REF: that version commit, for the model the reference names' '
	cd r &&
	test "$(first_version models/fraud@1.1.0)" = "$(cat ../c2)" &&
	test "$(first_version models/fraud@v1.0.0)" = "$(cat ../c1)" &&
	test "$(first_version models/fraud.onnx@1.1.0)" = "$(cat ../c2)" &&
	test "$(first_version models/fraud.onnx@v1.1.0)" = "$(cat ../c2)" &&
	test "$(first_version models/fraud@latest)" = "$(cat ../c3)" &&
	test "$(first_version models/fraud#prod)" = "$(cat ../c2)" &&
	test "$(first_version models/fraud.onnx#prod)" = "$(cat ../c2)" &&
	git mlv lineage models/fraud#prod --format json >../l.json &&
	test "$(jq -r .rev ../l.json)" = "models/fraud#prod" &&
	test "$(jq -r ".versions | length" ../l.json)" = 2 &&
	test "$(jq -r ".versions[].model.path" ../l.json | sort -u)" = models/fraud.onnx &&
	git mlv lineage models/fraud@1.0.0 >../out &&
	test "$(grep -c "^commit " ../out)" = 1 &&
	grep -q "^commit $(cat ../c1)$" ../out
'

test_expect_success 'lineage MODEL REF: the reference is the revision only' '
	cd r &&
	test "$(first_version models/fraud.onnx models/fraud#prod)" = "$(cat ../c2)"
'

test_expect_success 'lineage: git revisions with @ still read as git revisions' '
	cd r &&
	test "$(git rev-parse HEAD@{1})" = "$(cat ../c2)" &&
	test "$(first_version models/fraud.onnx HEAD@{1})" = "$(cat ../c2)" &&
	test "$(first_version models/fraud.onnx main@{upstream})" = "$(cat ../c2)" &&
	test "$(first_version models/fraud.onnx "models/fraud@v1.0.0")" = "$(cat ../c1)" &&
	test "$(first_version models/fraud.onnx HEAD~2)" = "$(cat ../c1)"
'

test_expect_success 'lineage: a reference that names nothing fails, saying why' '
	cd r &&
	test_must_fail git mlv lineage models/fraud@9.9.9 >/dev/null 2>../err &&
	grep -q "^fatal: .models/fraud@9.9.9.: .models/fraud. has no version v9.9.9" ../err &&
	test_must_fail git mlv lineage models/fraud.onnx#staging >/dev/null 2>../err &&
	grep -q "no version of .models/fraud. is in stage .staging." ../err &&
	test_must_fail git mlv lineage models/fraud#qa >/dev/null 2>../err &&
	grep -q "no version of .models/fraud. is in stage .qa." ../err &&
	test_must_fail git mlv lineage models/nope@1.0.0 >/dev/null 2>../err &&
	grep -q "no model .models/nope. in the registry" ../err
'

test_expect_success 'diff REF REF: those commits, for that model' '
	cd r &&
	git mlv diff models/fraud#prod models/fraud@latest --format json >../d.json &&
	test "$(jq -r ".models | length" ../d.json)" = 1 &&
	test "$(jq -r ".models[0].path" ../d.json)" = models/fraud.onnx &&
	test "$(jq -r ".models[0].old.commit" ../d.json)" = "$(cat ../c2)" &&
	test "$(jq -r ".models[0].new.commit" ../d.json)" = "$(cat ../c3)" &&
	test "$(jq -r ".models[0].old.label" ../d.json)" = "models/fraud#prod" &&
	git mlv diff models/fraud.onnx@1.0.0 models/fraud@v1.1.0 >../out &&
	grep -q "^model models/fraud.onnx  models/fraud.onnx@1.0.0 ($(short ../c1)) -> models/fraud@v1.1.0 ($(short ../c2))" ../out &&
	grep -q "version   1.0.0 -> 1.1.0" ../out &&
	git mlv diff models/fraud.onnx#prod models/fraud.onnx@v1.2.0 --format json >../d.json &&
	test "$(jq -r ".models[0].new.commit" ../d.json)" = "$(cat ../c3)"
'

test_expect_success 'diff REF: that version against the work tree' '
	cd r &&
	git mlv diff models/fraud@1.0.0 --format json >../d.json &&
	test "$(jq -r ".models[0].path" ../d.json)" = models/fraud.onnx &&
	test "$(jq -r ".models[0].old.commit" ../d.json)" = "$(cat ../c1)" &&
	test "$(jq -r ".models[0].new.label" ../d.json)" = "work tree"
'

test_expect_success 'diff: git revisions still work; -- MODEL still chooses' '
	cd r &&
	git mlv diff HEAD@{1} main@{upstream} --format json -- models/fraud.onnx >../d.json &&
	test "$(jq -r ".models[0].old.commit" ../d.json)" = "$(cat ../c2)" &&
	test "$(jq -r ".models[0].new.commit" ../d.json)" = "$(cat ../c2)" &&
	git mlv diff models/fraud@1.0.0 HEAD --format json -- models/fraud.onnx >../d.json &&
	test "$(jq -r ".models[0].new.commit" ../d.json)" = "$(cat ../c3)"
'

test_expect_success 'diff: a reference that names nothing fails, saying why' '
	cd r &&
	test_must_fail git mlv diff models/fraud@2.0.0 HEAD >/dev/null 2>../err &&
	grep -q "has no version v2.0.0" ../err &&
	test_must_fail git mlv diff HEAD models/fraud#qa >/dev/null 2>../err &&
	grep -q "no version of .models/fraud. is in stage .qa." ../err &&
	test_must_fail git mlv diff models/nope#prod HEAD >/dev/null 2>../err &&
	grep -q "no model .models/nope. in the registry" ../err
'

test_expect_success 'uses PATH@REF: the data as that version commit holds it' '
	cd r &&
	git mlv uses data/train.csv@models/fraud#prod --format json >../u.json &&
	test "$(jq -r ".target.rev" ../u.json)" = "models/fraud#prod" &&
	test "$(jq -r ".matches | length" ../u.json)" = 1 &&
	test "$(jq -r ".matches[0].commit" ../u.json)" = "$(cat ../c2)" &&
	git mlv uses data/train.csv@models/fraud@1.0.0 >../out &&
	grep -q "^$(short ../c1) models/fraud.onnx 1.0.0 " ../out &&
	test_line_count = 1 ../out &&
	git mlv uses data/train.csv@models/fraud.onnx@v1.0.0 >../out &&
	grep -q "^$(short ../c1) " ../out &&
	git mlv uses data/train.csv@models/fraud@latest >../out &&
	grep -q "^$(short ../c3) " ../out &&
	git mlv uses data/train.csv@models/fraud.onnx#prod >../out &&
	grep -q "^$(short ../c2) " ../out
'

test_expect_success 'uses: git revisions still split as before, and @{...} now too' '
	cd r &&
	git mlv uses data/train.csv@HEAD~2 >../out &&
	grep -q "^$(short ../c1) " ../out &&
	git mlv uses data/train.csv@HEAD@{1} >../out &&
	grep -q "^$(short ../c2) " ../out &&
	git mlv uses data/train.csv >../out &&
	grep -q "^$(short ../c3) " ../out
'

test_expect_success 'uses: a reference that names nothing fails, saying why' '
	cd r &&
	test_must_fail git mlv uses data/train.csv@models/fraud@9.9.9 2>../err &&
	grep -q "has no version v9.9.9" ../err &&
	test_must_fail git mlv uses data/train.csv@models/fraud#staging 2>../err &&
	grep -q "no version of .models/fraud. is in stage .staging." ../err &&
	test_must_fail git mlv uses data/train.csv@models/nope@latest 2>../err &&
	grep -q "no model .models/nope. in the registry" ../err
'

test_expect_success 'sidecar show REF and MODEL REV: the sidecar as that commit holds it' '
	cd r &&
	git mlv sidecar show models/fraud#prod >../out &&
	grep -q "^lineage of models/fraud.onnx (models/fraud.onnx.mlv) as commit $(short ../c2) (models/fraud#prod) holds it$" ../out &&
	grep -q "^    version  *1.1.0$" ../out &&
	grep -q "^matches commit $(short ../c2)$" ../out &&
	git mlv sidecar show models/fraud.onnx@1.0.0 >../out &&
	grep -q "^    version  *1.0.0$" ../out &&
	git mlv sidecar show models/fraud@v1.0.0 >../out &&
	grep -q "^    version  *1.0.0$" ../out &&
	git mlv sidecar show models/fraud@latest >../out &&
	grep -q "^    version  *1.2.0$" ../out &&
	git mlv sidecar show models/fraud.onnx#prod >../out &&
	grep -q "^    version  *1.1.0$" ../out &&
	git mlv sidecar show models/fraud.onnx models/fraud@1.0.0 >../out &&
	grep -q "as commit $(short ../c1) (models/fraud@1.0.0) holds it$" ../out &&
	git mlv sidecar show models/fraud.onnx HEAD~1 >../out &&
	grep -q "^    version  *1.1.0$" ../out &&
	git mlv sidecar show models/fraud.onnx >../out &&
	grep -q "^lineage of models/fraud.onnx (models/fraud.onnx.mlv)$" ../out &&
	grep -q "^matches what is staged$" ../out
'

test_expect_success 'sidecar show: a reference that names nothing fails, saying why' '
	cd r &&
	test_must_fail git mlv sidecar show models/fraud@0.1.0 2>../err &&
	grep -q "has no version v0.1.0" ../err &&
	test_must_fail git mlv sidecar show models/fraud#staging 2>../err &&
	grep -q "no version of .models/fraud. is in stage .staging." ../err &&
	test_must_fail git mlv sidecar show models/nope#prod 2>../err &&
	grep -q "no model .models/nope. in the registry" ../err &&
	test_must_fail git mlv sidecar show models/fraud.onnx nosuchrev 2>../err &&
	grep -q "nosuchrev. is not a commit" ../err
'

test_expect_success 'checkout --model REF: that version and its data, HEAD unmoved' '
	cd r &&
	git mlv checkout --model models/fraud#prod >../out &&
	cmp models/fraud.onnx ../m1.1.0 &&
	cmp data/train.csv ../d1.1.0 &&
	test "$(git rev-parse HEAD)" = "$(cat ../c3)" &&
	grep -q "^Checked out models/fraud#prod (commit $(short ../c2)) into the work tree and the index:$" ../out &&
	grep -q "^  models/fraud.onnx$" ../out &&
	grep -q "^  models/fraud.onnx.mlv$" ../out &&
	grep -q "^  data/train.csv$" ../out &&
	grep -q "^To check out the commit itself: git switch --detach $(cat ../c2)$" ../out &&
	git diff --cached --name-only >../staged &&
	printf "%s\n" data/train.csv models/fraud.onnx models/fraud.onnx.mlv >../want &&
	test_cmp ../want ../staged &&
	git mlv sidecar show models/fraud.onnx | grep -q "^    version  *1.1.0$"
'

test_expect_success 'checkout --model refuses to overwrite local changes, naming them' '
	cd r &&
	printf "mine\n" >data/train.csv &&
	test_must_fail git mlv checkout --model models/fraud@1.0.0 2>../err &&
	grep -q "^fatal: local changes to data/train.csv, models/fraud.onnx, models/fraud.onnx.mlv would be overwritten by models/fraud@1.0.0" ../err &&
	test "$(cat data/train.csv)" = mine &&
	git checkout -q HEAD -- data models &&
	printf "x\n" >models/fraud.onnx.orig &&
	git mlv checkout --model models/fraud@1.0.0 >/dev/null &&
	cmp models/fraud.onnx ../m1.0.0 &&
	rm models/fraud.onnx.orig && git checkout -q HEAD -- data models
'

test_expect_success 'checkout --model: the printed command puts it all back' '
	cd r &&
	git mlv checkout --model models/fraud.onnx@v1.0.0 >../out &&
	cmp models/fraud.onnx ../m1.0.0 &&
	cmp data/train.csv ../d1.0.0 &&
	undo=$(sed -n "s/^To put them back: //p" ../out) &&
	test -n "$undo" && eval "$undo" &&
	test -z "$(git status --porcelain)" &&
	cmp models/fraud.onnx ../m1.2.0 &&
	git mlv checkout --model models/fraud@latest >/dev/null &&
	test -z "$(git status --porcelain)" &&
	git mlv checkout --quiet --model models/fraud.onnx#prod >../out &&
	test_must_be_empty ../out &&
	cmp models/fraud.onnx ../m1.1.0 &&
	git checkout -q HEAD -- data models
'

test_expect_success 'checkout --model: what is no model version is refused' '
	cd r &&
	test_must_fail git mlv checkout --model models/fraud@3.0.0 2>../err &&
	grep -q "has no version v3.0.0" ../err &&
	test_must_fail git mlv checkout --model models/fraud#staging 2>../err &&
	grep -q "no version of .models/fraud. is in stage .staging." ../err &&
	test_must_fail git mlv checkout --model models/nope@latest 2>../err &&
	grep -q "no model .models/nope. in the registry" ../err &&
	test_must_fail git mlv checkout --model HEAD~1 2>../err &&
	grep -q "is no model reference .*git switch --detach .HEAD~1.$" ../err &&
	test_expect_code 129 git mlv checkout --model models/fraud#prod models 2>/dev/null &&
	test -z "$(git status --porcelain)"
'

test_expect_success 'checkout --model: a data directory ends up exactly as recorded' '
	cd r &&
	mkdir data/img && printf "1\n" >data/img/a.csv && printf "2\n" >data/img/b.csv &&
	git add data &&
	git mlv sidecar init models/fraud.onnx --data data/img/ --config train.yaml \
		--data "s3://bucket/x=sha256:$(printf "%064d" 1)" --version 1.3.0 --force >/dev/null &&
	git add models data && git commit -qm "fraud 1.3.0" && git mlv register models/fraud.onnx >/dev/null &&
	rm data/img/a.csv && printf "3\n" >data/img/c.csv && git add -A data &&
	git mlv sidecar init models/fraud.onnx --data data/img/ --config train.yaml \
		--version 1.4.0 --force >/dev/null &&
	git add models && git commit -qm "fraud 1.4.0" && git mlv register models/fraud.onnx >/dev/null &&
	git mlv sidecar show --manifest models/fraud@1.3.0 >../manifest &&
	test "$(cut -d" " -f3 ../manifest | tr "\n" " ")" = "a.csv b.csv " &&
	git mlv checkout --model models/fraud@1.3.0 >../out &&
	test "$(ls data/img | tr "\n" " ")" = "a.csv b.csv " &&
	grep -q "^  data/img$" ../out &&
	grep -q "^Not checked out:$" ../out &&
	grep -q "^  x (external: s3://bucket/x)$" ../out &&
	eval "$(sed -n "s/^To put them back: //p" ../out)" &&
	test "$(ls data/img | tr "\n" " ")" = "b.csv c.csv " &&
	test -z "$(git status --porcelain)"
'

test_expect_success 'checkout --model in a clone fetches the version lazily' '
	cd r && git push -q "mlv::file://$TRASH/store" main --tags 2>/dev/null &&
	cd .. && git clone -q "mlv::file://$TRASH/store" cl 2>/dev/null && cd cl &&
	oid=$(sha256sum <../m1.0.0 | cut -d" " -f1) &&
	test ! -e "$(test_store_path "$oid")" &&
	git mlv checkout --model models/fraud@1.0.0 >/dev/null &&
	cmp models/fraud.onnx ../m1.0.0 &&
	cmp data/train.csv ../d1.0.0 &&
	test -e "$(test_store_path "$oid")"
'

test_done
