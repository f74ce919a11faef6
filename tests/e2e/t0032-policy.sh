#!/usr/bin/env bash
# The lineage policy: a commit that adds or changes a model, or the data,
# config or lockfile its sidecar records, needs a sidecar whose hashes match
# what the commit holds. pre-commit and pre-merge-commit check new commits,
# `git mlv verify` checks history, `git mlv hook pre-receive` checks a push.
. "$(dirname "$0")/lib.sh"

# Write the sidecar of model $1 from the work tree.
sidecar_init() {
	git mlv sidecar init "$1" --data data/train.csv --config configs/train.yaml \
		--force >/dev/null
}

SC=models/fraud.onnx.mlv

test_expect_success 'setup: a repo with data, a config and a lockfile' '
	git init -q r && cd r &&
	git mlv track --model "*.onnx" >/dev/null &&
	mkdir models data configs &&
	printf "id,label\n1,0\n" >data/train.csv &&
	printf "learning_rate: 0.1\n" >configs/train.yaml &&
	printf "numpy==1.26.4\n" >requirements.txt &&
	git add . && git commit -qm base &&
	git rev-parse HEAD >../base
'

test_expect_success 'a new model without a sidecar is refused, naming it and the command' '
	cd r &&
	test_random_file models/fraud.onnx 20000 m1 &&
	git add models/fraud.onnx &&
	commit_refused -m "model v1" &&
	grep -q "models/fraud.onnx: model without a sidecar" ../err &&
	grep -q "git mlv sidecar init .models/fraud.onnx." ../err &&
	test "$(git rev-parse HEAD)" = "$(cat ../base)" &&
	test "$(git diff --cached --name-only)" = models/fraud.onnx
'

test_expect_success 'the hook itself exits 1 for a refused commit' '
	cd r &&
	git mlv hook pre-commit 2>/dev/null; rc=$? &&
	test $rc = 1
'

test_expect_success 'the same model with a matching sidecar is accepted' '
	cd r &&
	sidecar_init models/fraud.onnx &&
	git add $SC &&
	git commit -qm "model v1" &&
	test "$(git log -1 --format=%s)" = "model v1" &&
	git cat-file -e HEAD:$SC &&
	git rev-parse HEAD >../good1
'

test_expect_success 'a changed model without an updated sidecar is refused with both oids' '
	cd r &&
	test_random_file models/fraud.onnx 20000 m2 &&
	git add models/fraud.onnx &&
	commit_refused -m "model v2" &&
	grep -q "$(ini_get $SC model oid)" ../err &&
	grep -q "sha256:$(test_pointer_oid models/fraud.onnx)" ../err &&
	grep -q "git mlv sidecar update .models/fraud.onnx." ../err
'

test_expect_success 'after git mlv sidecar update the changed model is accepted' '
	cd r &&
	git mlv sidecar update models/fraud.onnx >/dev/null &&
	git add $SC && git commit -qm "model v2" &&
	test "$(git log -1 --format=%s)" = "model v2" &&
	git rev-parse HEAD >../v2
'

test_expect_success 'by default new data can be committed before the model is retrained' '
	cd r &&
	printf "2,1\n" >>data/train.csv && git add data/train.csv &&
	git commit -qm "more data" &&
	test "$(git log -1 --format=%s)" = "more data" &&
	git mlv sidecar check models/fraud.onnx >../out &&
	grep -q "models/fraud.onnx is out of date with its data: .*data/train.csv" ../out &&
	git reset -q --hard "$(cat ../v2)"
'

test_expect_success 'setup: strict-inputs in .mlvconfig' '
	cd r &&
	printf "[policy]\nstrict-inputs = true\n" >.mlvconfig &&
	git add .mlvconfig && git commit -qm "strict inputs"
'

test_expect_success 'changed data without a sidecar update is refused' '
	cd r &&
	printf "2,1\n" >>data/train.csv && git add data/train.csv &&
	commit_refused -m "more data" &&
	grep -q "data/train.csv" ../err &&
	grep -q "$(sha data/train.csv)" ../err &&
	grep -q "git mlv sidecar update" ../err &&
	git reset -q --hard
'

test_expect_success 'a changed config without a sidecar update is refused' '
	cd r &&
	printf "learning_rate: 0.2\n" >configs/train.yaml && git add configs/train.yaml &&
	commit_refused -m "config" &&
	grep -q "configs/train.yaml.*$(sha configs/train.yaml)" ../err &&
	git reset -q --hard
'

test_expect_success 'a changed lockfile without a sidecar update is refused' '
	cd r &&
	test "$(ini_get $SC environment lockfile)" = requirements.txt &&
	printf "numpy==2.0.0\n" >requirements.txt && git add requirements.txt &&
	commit_refused -m "bump numpy" &&
	grep -q "requirements.txt.*$(sha requirements.txt)" ../err &&
	git reset -q --hard
'

test_expect_success 'deleting recorded data is refused' '
	cd r &&
	git rm -q data/train.csv &&
	commit_refused -m "drop data" &&
	grep -q "data/train.csv. is not in this commit" ../err &&
	git reset -q --hard
'

test_expect_success 'an unrelated file commits as usual' '
	cd r && git reset -q --hard "$(cat ../v2)" &&
	echo "# fraud" >README && git add README && git commit -qm readme &&
	test "$(git log -1 --format=%s)" = readme
'

test_expect_success 'every problem is listed at once' '
	cd r &&
	test_random_file models/fraud.onnx 20000 m3 &&
	printf "3,0\n" >>data/train.csv &&
	printf "learning_rate: 0.3\n" >configs/train.yaml &&
	printf "numpy==2.1.0\n" >requirements.txt &&
	test_random_file models/other.onnx 5000 o1 &&
	git add -A &&
	commit_refused -m "everything" &&
	grep -q "5 problems" ../err &&
	grep -q "\[model\] oid" ../err &&
	grep -q "data/train.csv" ../err &&
	grep -q "configs/train.yaml" ../err &&
	grep -q "requirements.txt" ../err &&
	grep -q "models/other.onnx: model without a sidecar" ../err &&
	git rm -q --cached models/other.onnx && rm models/other.onnx &&
	git mlv sidecar update models/fraud.onnx >/dev/null &&
	git add -A && git commit -qm "model v3" &&
	test "$(git log -1 --format=%s)" = "model v3"
'

test_expect_success 'git commit -a checks the model it picks up from the work tree' '
	cd r &&
	test_random_file models/fraud.onnx 20000 m4 &&
	commit_refused -a -m "v4 without sidecar" &&
	grep -q "models/fraud.onnx" ../err &&
	git diff --cached --quiet &&
	git mlv sidecar update models/fraud.onnx >/dev/null &&
	git commit -qam "model v4" &&
	test "$(git log -1 --format=%s)" = "model v4" &&
	test -z "$(git status --porcelain)"
'

test_expect_success 'git commit --amend that brings in a model change is refused' '
	cd r &&
	test_random_file models/fraud.onnx 20000 m5 &&
	git add models/fraud.onnx &&
	commit_refused --amend --no-edit &&
	grep -q "models/fraud.onnx" ../err &&
	test "$(git log -1 --format=%s)" = "model v4" &&
	git mlv sidecar update models/fraud.onnx >/dev/null && git add $SC &&
	git commit -q --amend -m "model v5" &&
	test "$(git log -1 --format=%s)" = "model v5" &&
	test "$(git log -2 --format=%s | tail -1)" = "model v3"
'

test_expect_success 'a merge bringing a recorded model change is accepted (pre-merge-commit)' '
	cd r &&
	git checkout -q -b retrain &&
	test_random_file models/fraud.onnx 20000 m6 &&
	git mlv sidecar update models/fraud.onnx >/dev/null &&
	git add -A && git commit -qm "model v6" &&
	git checkout -q main &&
	echo notes >NOTES && git add NOTES && git commit -qm notes &&
	git merge -q --no-ff -m "merge retrain" retrain &&
	test "$(git log -1 --format=%s)" = "merge retrain" &&
	git rev-parse -q --verify HEAD^2 >/dev/null &&
	git mlv sidecar check >/dev/null
'

test_expect_success 'a merge bringing an unrecorded model change is refused' '
	cd r &&
	git checkout -q -b sloppy &&
	test_random_file models/fraud.onnx 20000 m7 &&
	git commit -qam "model v7, no sidecar" --no-verify &&
	git checkout -q main &&
	echo more >>NOTES && git commit -qam notes2 &&
	before=$(git rev-parse HEAD) &&
	test_must_fail git merge -q --no-ff -m "merge sloppy" sloppy >/dev/null 2>../err &&
	grep -q "mlv: commit refused" ../err &&
	grep -q "models/fraud.onnx" ../err &&
	test "$(git rev-parse HEAD)" = "$before" &&
	commit_refused --no-edit &&
	git merge --abort &&
	test -z "$(git status --porcelain)" &&
	git branch -q -D sloppy
'

test_expect_success 'a conflicted merge is committed only with a matching sidecar' '
	cd r &&
	git checkout -q -b left &&
	test_random_file models/fraud.onnx 20000 left &&
	git mlv sidecar update models/fraud.onnx --metric auc=0.91 >/dev/null &&
	git add -A && git commit -qm left &&
	git checkout -q main &&
	test_random_file models/fraud.onnx 20000 right &&
	git mlv sidecar update models/fraud.onnx --metric auc=0.92 >/dev/null &&
	git add -A && git commit -qm right &&
	test_must_fail git merge -q left >/dev/null 2>&1 &&
	git ls-files -u | grep -q "models/fraud.onnx.mlv" &&
	git checkout -q --theirs models/fraud.onnx && git add models/fraud.onnx &&
	git checkout -q --ours $SC && git add $SC &&
	commit_refused --no-edit &&
	grep -q "models/fraud.onnx" ../err &&
	git checkout -q left -- $SC &&
	git commit -q --no-edit &&
	git rev-parse -q --verify HEAD^2 >/dev/null &&
	test "$(ini_get $SC metrics auc)" = 0.91
'

test_expect_success 'renaming model and sidecar together with git mv passes' '
	cd r &&
	git mv models/fraud.onnx models/fraud-v2.onnx &&
	git mv $SC models/fraud-v2.onnx.mlv &&
	git commit -qm rename &&
	test "$(git log -1 --format=%s)" = rename &&
	git rev-parse HEAD >../renamed &&
	git mlv sidecar check >/dev/null
'

test_expect_success 'renaming only the model is refused' '
	cd r &&
	git mv models/fraud-v2.onnx models/fraud-v3.onnx &&
	commit_refused -m "rename model only" &&
	grep -q "models/fraud-v2.onnx.mlv: the model was removed but its sidecar stays" ../err &&
	grep -q "models/fraud-v3.onnx: model without a sidecar" ../err &&
	git mv models/fraud-v3.onnx models/fraud-v2.onnx
'

test_expect_success 'deleting the model but keeping its sidecar is refused' '
	cd r &&
	git rm -q models/fraud-v2.onnx &&
	commit_refused -m "drop model" &&
	grep -q "sidecar stays" ../err &&
	grep -q "git rm .models/fraud-v2.onnx.mlv." ../err &&
	git reset -q --hard
'

test_expect_success 'deleting the sidecar but keeping the model is refused' '
	cd r &&
	git rm -q models/fraud-v2.onnx.mlv &&
	commit_refused -m "drop sidecar" &&
	grep -q "models/fraud-v2.onnx: model without a sidecar" ../err &&
	git reset -q --hard
'

test_expect_success 'a sidecar without its model is refused' '
	cd r && git reset -q --hard "$(cat ../renamed)" &&
	cp models/fraud-v2.onnx.mlv models/ghost.onnx.mlv &&
	git add models/ghost.onnx.mlv &&
	commit_refused -m ghost &&
	grep -q "models/ghost.onnx.mlv: sidecar without its model" ../err &&
	git rm -q --cached models/ghost.onnx.mlv && rm models/ghost.onnx.mlv
'

test_expect_success 'deleting model and sidecar together passes' '
	cd r &&
	git checkout -q -b drop &&
	git rm -q models/fraud-v2.onnx models/fraud-v2.onnx.mlv &&
	git commit -qm "drop model" &&
	git checkout -q main && git branch -q -D drop
'

test_expect_success 'git mlv verify passes on a good history' '
	cd r &&
	git mlv verify >../out &&
	grep -q "^[0-9][0-9]* commits verified" ../out
'

test_expect_success '--no-verify lets a bad commit in and git mlv verify names it' '
	cd r &&
	good=$(git rev-parse HEAD) &&
	test_random_file models/fraud-v2.onnx 20000 m8 &&
	git add models/fraud-v2.onnx &&
	git commit -q --no-verify -m "unrecorded retrain" &&
	bad=$(git rev-parse HEAD) &&
	echo x >x.txt && git add x.txt && git commit -qm after &&
	test_must_fail git mlv verify >../out 2>&1 &&
	grep -q "^commit $bad unrecorded retrain" ../out &&
	grep -q "\[model\] oid" ../out &&
	grep -q "^1 of [0-9]* commits break the mlv policy" ../out &&
	! grep -q "^commit $good" ../out &&
	git mlv verify "$good" >/dev/null &&
	test_must_fail git mlv verify "$good..HEAD" >../out &&
	grep -q "1 of 2 commits" ../out &&
	git mlv verify --quiet HEAD~2 >../out && test ! -s ../out
'

test_expect_success 'verify judges each commit by its own .gitattributes, not the staged one' '
	cd r &&
	bad=$(git rev-parse HEAD~1) &&
	cp .gitattributes ../attrs.saved &&
	echo "*.onnx -mlv-model" >>.gitattributes && git add .gitattributes &&
	test_must_fail git mlv verify >../out &&
	grep -q "^commit $bad" ../out &&
	cp ../attrs.saved .gitattributes &&
	echo "*.txt mlv-model" >>.gitattributes && git add .gitattributes &&
	test_must_fail git mlv verify >../out &&
	test "$(grep -c "^commit " ../out)" = 1 &&
	cp ../attrs.saved .gitattributes && git add .gitattributes
'

test_expect_success 'git mlv verify --all finds a bad commit on another branch' '
	cd r &&
	git checkout -q -b side HEAD~2 &&
	echo y >y.txt && git add y.txt && git commit -qm side &&
	git mlv verify >/dev/null &&
	test_must_fail git mlv verify --all >../out &&
	grep -q "^commit [0-9a-f]* unrecorded retrain" ../out &&
	git checkout -q main
'

test_expect_success 'setup: a bare server with git mlv hook pre-receive' '
	git init -q --bare server.git &&
	printf "#!/bin/sh\nexec git mlv hook pre-receive\n" >server.git/hooks/pre-receive &&
	chmod +x server.git/hooks/pre-receive &&
	git clone -q server.git c 2>/dev/null && cd c &&
	git config remote.origin.mlvstore "file://$TRASH/store" &&
	git mlv track --model "*.onnx" >/dev/null &&
	mkdir models data configs &&
	printf "id,label\n1,0\n" >data/train.csv &&
	printf "learning_rate: 0.1\n" >configs/train.yaml &&
	test_random_file models/m.onnx 10000 s1 &&
	git mlv sidecar init models/m.onnx --data data/train.csv \
		--config configs/train.yaml >/dev/null &&
	git add . && git commit -qm "model v1"
'

test_expect_success 'the server accepts a push of good commits' '
	cd c &&
	git push -q origin main 2>../err &&
	test "$(git -C ../server.git rev-parse main)" = "$(git rev-parse HEAD)"
'

test_expect_success 'the server refuses a push with a --no-verify commit and names it' '
	cd c &&
	before=$(git -C ../server.git rev-parse main) &&
	test_random_file models/m.onnx 10000 s2 &&
	git commit -q --no-verify -am "unrecorded" &&
	bad=$(git rev-parse HEAD) &&
	echo x >x.txt && git add x.txt && git commit -qm "on top" &&
	test_must_fail git push origin main >/dev/null 2>../err &&
	grep -q "pre-receive hook declined" ../err &&
	grep -q "remote: commit $bad unrecorded" ../err &&
	grep -q "remote: .*models/m.onnx" ../err &&
	test "$(git -C ../server.git rev-parse main)" = "$before" &&
	test_must_fail git push origin HEAD:refs/heads/other >/dev/null 2>&1 &&
	test_must_fail git -C ../server.git rev-parse -q --verify other
'

test_expect_success 'the refusal follows the commits it is about' '
	awk "/remote: commit /{c=NR} /remote: mlv: push refused/{r=NR} END{exit !(c && r > c)}" err
'

test_expect_success 'after fixing the history the push is accepted' '
	cd c &&
	git reset -q --hard HEAD~2 &&
	test_random_file models/m.onnx 10000 s3 &&
	git mlv sidecar update models/m.onnx >/dev/null &&
	git commit -qam "model v2" &&
	git push -q origin main 2>../err &&
	test "$(git -C ../server.git rev-parse main)" = "$(git rev-parse HEAD)" &&
	git push -q origin HEAD:refs/heads/feature 2>/dev/null &&
	git push -q origin :refs/heads/feature 2>/dev/null &&
	test_must_fail git -C ../server.git rev-parse -q --verify feature
'

test_done
