#!/usr/bin/env bash
# The lineage record: `git mlv env` describes the machine as an
# [environment] section, and `git mlv sidecar init|update|check|show` writes
# and reads MODEL.mlv with hashes that equal what sha256sum and the staged
# pointers say.
. "$(dirname "$0")/lib.sh"

SC=models/fraud.onnx.mlv

test_expect_success 'git mlv env prints an [environment] section of key = value lines' '
	mkdir norepo && cd norepo &&
	GIT_CEILING_DIRECTORIES=$TRASH && export GIT_CEILING_DIRECTORIES &&
	git mlv env >../env.out &&
	test "$(head -1 ../env.out)" = "[environment]" &&
	test "$(grep -c "^\[" ../env.out)" = 1 &&
	! sed 1d ../env.out | grep -v "^[a-z][a-z0-9._-]* = ." &&
	test "$(ini_get ../env.out environment kernel)" = "$(uname -r)" &&
	test "$(ini_get ../env.out environment arch)" = "$(uname -m)" &&
	test "$(ini_get ../env.out environment libc)" = "$(getconf GNU_LIBC_VERSION)"
'

test_expect_success 'env: os from /etc/os-release, cpu from /proc/cpuinfo' '
	if test -r /etc/os-release && grep -q "^PRETTY_NAME=" /etc/os-release; then
		test "$(ini_get env.out environment os)" = "$(. /etc/os-release && echo "$PRETTY_NAME")"
	else
		! grep -q "^os = " env.out
	fi &&
	cpu=$(sed -n "s/^model name[[:space:]]*: *//p" /proc/cpuinfo | head -1) &&
	if test -n "$cpu"; then
		test "$(ini_get env.out environment cpu)" = "$cpu"
	fi &&
	grep -q "^cpus = [1-9]" env.out
'

if command -v python3 >/dev/null 2>&1; then
	test_expect_success 'env: python is what python3 --version says' '
		test "$(ini_get env.out environment python)" = \
			"$(python3 --version 2>&1 | sed "s/^Python //")"
	'
else
	test_skip 'env: python is what python3 --version says' 'no python3 on PATH'
fi

test_expect_success 'env: no python key when python3 is not on PATH' '
	mkdir -p bin-nopy && ln -sf "$(command -v git)" bin-nopy/git &&
	cd norepo &&
	GIT_CEILING_DIRECTORIES=$TRASH && export GIT_CEILING_DIRECTORIES &&
	PATH="$TRASH/bin-nopy:$MLV_BIN" git mlv env >../env.nopy &&
	! grep -q "^python = " ../env.nopy &&
	grep -q "^kernel = " ../env.nopy
'

test_expect_success 'env outside a repository reports no lockfiles' '
	cd norepo &&
	GIT_CEILING_DIRECTORIES=$TRASH && export GIT_CEILING_DIRECTORIES &&
	echo "numpy==1.26.4" >requirements.txt &&
	git mlv env >../out &&
	! grep -q "^lockfile" ../out
'

test_expect_success 'env in a repository lists the lockfiles at the top with their sha256' '
	git init -q lf && cd lf &&
	printf "numpy==1.26.4\n" >requirements.txt &&
	printf "pytest==8.0\n" >requirements-dev.txt &&
	printf "[[package]]\nname = \"numpy\"\n" >poetry.lock &&
	printf "version = 1\n" >uv.lock &&
	printf "not a lockfile\n" >notes.txt &&
	mkdir sub && printf "x\n" >sub/requirements.txt &&
	git mlv env >../out &&
	test "$(ini_get ../out environment lockfile)" = uv.lock &&
	test "$(ini_get ../out environment lockfile-oid)" = "$(sha uv.lock)" &&
	test "$(ini_get ../out environment lockfile.poetry.lock)" = "$(sha poetry.lock)" &&
	test "$(ini_get ../out environment lockfile.requirements.txt)" = "$(sha requirements.txt)" &&
	test "$(ini_get ../out environment lockfile.requirements-dev.txt)" = "$(sha requirements-dev.txt)" &&
	test "$(grep -c "^lockfile" ../out)" = 5 &&
	! grep -q "notes.txt" ../out
'

test_expect_success 'env from a subdirectory still finds the lockfiles at the top' '
	cd lf/sub &&
	git mlv env >../../out.sub &&
	grep "^lockfile" ../../out >../../expect &&
	grep "^lockfile" ../../out.sub >../../actual &&
	cmp ../../expect ../../actual
'

test_expect_success 'env with only requirements.txt: that is the lockfile' '
	git init -q lf2 && cd lf2 &&
	printf "torch==2.3.0\n" >requirements.txt &&
	git mlv env >../out &&
	test "$(ini_get ../out environment lockfile)" = requirements.txt &&
	test "$(ini_get ../out environment lockfile-oid)" = "$(sha requirements.txt)"
'

test_expect_success 'env completes in a work tree holding a large file' '
	cd lf &&
	test_random_file big.bin 20000000 big &&
	git mlv env >../out &&
	test "$(head -1 ../out)" = "[environment]" &&
	! grep -q big.bin ../out
'

test_expect_success 'setup: a repo with a model, mlv-tracked data, a config and a lockfile' '
	git init -q r && cd r &&
	git mlv track --model "*.onnx" >/dev/null &&
	git mlv track "data/*.parquet" >/dev/null &&
	mkdir models data configs &&
	test_random_file data/train.parquet 30000 d1 &&
	printf "id,label\n1,0\n2,1\n" >data/labels.csv &&
	printf "learning_rate: 0.1\n" >configs/train.yaml &&
	printf "numpy==1.26.4\n" >requirements.txt &&
	printf "print(1)\n" >train.py &&
	git add . && git commit -qm base &&
	test_random_file models/fraud.onnx 40000 m1
'

test_expect_success 'sidecar init records the model, data, config and lockfile hashes' '
	cd r &&
	git mlv sidecar init models/fraud.onnx --data data/train.parquet \
		--data data/labels.csv --config configs/train.yaml \
		--param learning_rate=0.1 --param layers=3 --metric auc=0.93 \
		--version 1.0.0 --name fraud-xgb >../out &&
	grep -qx "wrote $SC" ../out &&
	test "$(ini_get $SC mlv version)" = 1 &&
	test "$(ini_get $SC model oid)" = "$(sha models/fraud.onnx)" &&
	test "$(ini_get $SC model version)" = 1.0.0 &&
	test "$(ini_get $SC model name)" = fraud-xgb &&
	test "$(ini_get $SC "data \"train\"" path)" = data/train.parquet &&
	test "$(ini_get $SC "data \"train\"" oid)" = "$(sha data/train.parquet)" &&
	test "$(ini_get $SC "data \"labels\"" path)" = data/labels.csv &&
	test "$(ini_get $SC "data \"labels\"" oid)" = "$(sha data/labels.csv)" &&
	test "$(ini_get $SC config path)" = configs/train.yaml &&
	test "$(ini_get $SC config oid)" = "$(sha configs/train.yaml)" &&
	test "$(ini_get $SC environment lockfile)" = requirements.txt &&
	test "$(ini_get $SC environment lockfile-oid)" = "$(sha requirements.txt)" &&
	test "$(ini_get $SC environment kernel)" = "$(uname -r)" &&
	test "$(ini_get $SC environment arch)" = "$(uname -m)" &&
	test "$(ini_get $SC params learning_rate)" = 0.1 &&
	test "$(ini_get $SC params layers)" = 3 &&
	test "$(ini_get $SC metrics auc)" = 0.93
'

test_expect_success 'the recorded oids equal the pointer oids git stores' '
	cd r &&
	git add models/fraud.onnx &&
	test "$(ini_get $SC model oid)" = "sha256:$(test_pointer_oid models/fraud.onnx)" &&
	test "$(ini_get $SC "data \"train\"" oid)" = "sha256:$(test_pointer_oid data/train.parquet)" &&
	git cat-file -p :data/labels.csv | cmp - data/labels.csv
'

test_expect_success '[code] holds HEAD and dirty = false in a clean work tree' '
	cd r &&
	test "$(ini_get $SC code commit)" = "$(git rev-parse HEAD)" &&
	test "$(ini_get $SC code dirty)" = false
'

test_expect_success 'the sidecar passes sidecar check and the commit is accepted' '
	cd r &&
	git add $SC &&
	git mlv sidecar check >../out &&
	grep -q "sidecars match what is staged" ../out &&
	git commit -qm "fraud model v1" &&
	test "$(git log -1 --format=%s)" = "fraud model v1" &&
	git cat-file -p HEAD:$SC | cmp - $SC
'

test_expect_success 'sidecar init refuses to overwrite a sidecar without --force' '
	cd r &&
	cp $SC ../sc.before &&
	test_must_fail git mlv sidecar init models/fraud.onnx --data data/labels.csv \
		--config configs/train.yaml 2>../err &&
	grep -q "$SC.* exists" ../err &&
	grep -q "git mlv sidecar update" ../err &&
	grep -q -- "--force" ../err &&
	cmp ../sc.before $SC
'

test_expect_success 'sidecar init --force starts the record anew' '
	cd r &&
	git mlv sidecar init models/fraud.onnx --data data/labels.csv \
		--config configs/train.yaml --param depth=6 --force >/dev/null &&
	test "$(ini_get $SC params depth)" = 6 &&
	test -z "$(ini_get $SC params learning_rate)" &&
	test -z "$(ini_get $SC "data \"train\"" path)" &&
	test -z "$(ini_get $SC model version)" &&
	test "$(ini_get $SC "data \"labels\"" oid)" = "$(sha data/labels.csv)" &&
	git checkout -q -- $SC
'

test_expect_success '[code] dirty = true when a tracked file differs from HEAD' '
	cd r &&
	echo "print(2)" >>train.py &&
	git mlv sidecar init models/fraud.onnx --data data/labels.csv \
		--config configs/train.yaml --force >/dev/null &&
	test "$(ini_get $SC code dirty)" = true &&
	test "$(ini_get $SC code commit)" = "$(git rev-parse HEAD)" &&
	git checkout -q -- train.py $SC
'

test_expect_success 'retraining at a clean HEAD is not dirty: the model and sidecar are outputs' '
	cd r &&
	test_random_file models/fraud.onnx 40000 m2 &&
	git mlv sidecar update models/fraud.onnx >/dev/null &&
	test "$(ini_get $SC code dirty)" = false &&
	test "$(ini_get $SC model oid)" = "$(sha models/fraud.onnx)" &&
	git checkout -q -- models/fraud.onnx $SC
'

test_expect_success 'sidecar check fails when the staged model differs, naming it' '
	cd r &&
	test_random_file models/fraud.onnx 40000 m3 && git add models/fraud.onnx &&
	test_must_fail git mlv sidecar check >/dev/null 2>../err &&
	grep -q "sidecar check failed" ../err &&
	grep -q "models/fraud.onnx" ../err &&
	grep -q "sha256:$(test_pointer_oid models/fraud.onnx)" ../err &&
	grep -q "git mlv sidecar update" ../err &&
	test_must_fail git mlv sidecar check models/fraud.onnx >/dev/null 2>&1
'

test_expect_success 'sidecar update recomputes every hash and keeps params and metrics' '
	cd r &&
	test_random_file data/train.parquet 30000 d2 &&
	printf "learning_rate: 0.05\n" >configs/train.yaml &&
	git mlv sidecar update models/fraud.onnx --version 1.1.0 --metric auc=0.95 >../out &&
	grep -qx "updated $SC" ../out &&
	test "$(ini_get $SC model oid)" = "$(sha models/fraud.onnx)" &&
	test "$(ini_get $SC "data \"train\"" oid)" = "$(sha data/train.parquet)" &&
	test "$(ini_get $SC config oid)" = "$(sha configs/train.yaml)" &&
	test "$(ini_get $SC model version)" = 1.1.0 &&
	test "$(ini_get $SC model name)" = fraud-xgb &&
	test "$(ini_get $SC params learning_rate)" = 0.1 &&
	test "$(ini_get $SC metrics auc)" = 0.95 &&
	git add -A && git mlv sidecar check >/dev/null &&
	git commit -qm "fraud model v1.1" &&
	test "$(git log -1 --format=%s)" = "fraud model v1.1"
'

test_expect_success 'sidecar update refuses a record it cannot read whole, changing nothing' '
	cd r &&
	cp $SC ../sidecar.saved &&
	printf "\n[metrics]\nloss = 0.2\n" >>$SC &&
	cp $SC ../sidecar.broken &&
	test_must_fail git mlv sidecar update models/fraud.onnx 2>../err &&
	grep -q "duplicate section \[metrics\]" ../err &&
	grep -q "sidecar init --force" ../err &&
	cmp $SC ../sidecar.broken &&
	cp ../sidecar.saved $SC
'

test_expect_success 'sidecar show prints the record and whether it matches' '
	cd r &&
	git mlv sidecar show models/fraud.onnx >../out &&
	grep -q "lineage of models/fraud.onnx" ../out &&
	grep -q "^  data \"train\"" ../out &&
	grep -q "path  *data/train.parquet" ../out &&
	grep -q "oid  *$(sha data/train.parquet)" ../out &&
	grep -q "version  *1.1.0" ../out &&
	grep -qx "matches what is staged" ../out
'

test_expect_success 'sidecar show of a model without sidecar says how to write one' '
	cd r &&
	test_random_file models/other.onnx 1000 o &&
	test_must_fail git mlv sidecar show models/other.onnx >/dev/null 2>../err &&
	grep -q "models/other.onnx.mlv" ../err &&
	grep -q "git mlv sidecar init" ../err &&
	rm models/other.onnx
'

test_expect_success 'data given as URI=sha256:oid is recorded as uri and oid' '
	cd r &&
	oid=$(printf "%064d" 7 | tr 0 a) &&
	git mlv sidecar init models/fraud.onnx --data "s3://datasets/fraud/2024-10/=sha256:$oid" \
		--config configs/train.yaml --force >/dev/null &&
	test "$(ini_get $SC "data \"2024-10\"" uri)" = s3://datasets/fraud/2024-10/ &&
	test "$(ini_get $SC "data \"2024-10\"" oid)" = "sha256:$oid" &&
	test -z "$(ini_get $SC "data \"2024-10\"" path)" &&
	git add $SC && git mlv sidecar check >/dev/null &&
	git commit -qm "external data" &&
	git cat-file -p HEAD:$SC | grep -qx "uri = s3://datasets/fraud/2024-10/"
'

test_expect_success 'data given as URI without an oid is refused and nothing is written' '
	cd r &&
	cp $SC ../sc.before &&
	test_must_fail git mlv sidecar init models/fraud.onnx --data s3://datasets/fraud/ \
		--config configs/train.yaml --force 2>../err &&
	grep -q "s3://datasets/fraud/" ../err &&
	grep -q "=sha256:" ../err &&
	cmp ../sc.before $SC &&
	test_must_fail git mlv sidecar init models/fraud.onnx --data s3://datasets/fraud/=sha256:1234 \
		--config configs/train.yaml --force 2>/dev/null &&
	cmp ../sc.before $SC
'

test_expect_success 'a data path with a wrong =oid is refused' '
	cd r &&
	oid=$(printf "%064d" 0) &&
	test_must_fail git mlv sidecar init models/fraud.onnx --data "data/labels.csv=sha256:$oid" \
		--config configs/train.yaml --force 2>../err &&
	grep -q "data/labels.csv" ../err &&
	grep -q "$(sha data/labels.csv)" ../err
'

test_expect_success 'sidecar init refuses params and metrics a sidecar cannot hold as given' '
	cd r &&
	cp $SC ../sc.before &&
	test_must_fail git mlv sidecar init models/fraud.onnx --data data/labels.csv \
		--config configs/train.yaml --metric "val:auc=0.9" --force 2>../err &&
	grep -q "val:auc" ../err &&
	test_must_fail git mlv sidecar init models/fraud.onnx --data data/labels.csv \
		--config configs/train.yaml --param "; note=1" --force 2>/dev/null &&
	test_must_fail git mlv sidecar init models/fraud.onnx --data data/labels.csv \
		--config configs/train.yaml --param "notes=a
[model]" --force 2>../err &&
	grep -q "line break" ../err &&
	test_must_fail git mlv sidecar init models/fraud.onnx --data data/labels.csv \
		--config configs/train.yaml --param "note=early stop ; retrained" --force 2>../err &&
	grep -q "comment" ../err &&
	cmp ../sc.before $SC &&
	git mlv sidecar init models/fraud.onnx --data data/labels.csv \
		--config configs/train.yaml --metric "val.auc-macro_avg=0.9" --force >/dev/null &&
	test "$(ini_get $SC metrics val.auc-macro_avg)" = 0.9 &&
	cp ../sc.before $SC
'

test_expect_success 'sidecar init needs --data and --config, and files that exist' '
	cd r &&
	cp $SC ../sc.before &&
	test_must_fail git mlv sidecar init models/fraud.onnx --data data/labels.csv --force 2>../err &&
	grep -q -- "--config" ../err &&
	test_must_fail git mlv sidecar init models/fraud.onnx --config configs/train.yaml --force 2>../err &&
	grep -q -- "--data" ../err &&
	test_must_fail git mlv sidecar init models/fraud.onnx --data data/nope.csv \
		--config configs/train.yaml --force 2>../err &&
	grep -q "data/nope.csv" ../err &&
	test_must_fail git mlv sidecar init models/nope.onnx --data data/labels.csv \
		--config configs/train.yaml 2>../err &&
	grep -q "models/nope.onnx" ../err &&
	test ! -e models/nope.onnx.mlv &&
	cmp ../sc.before $SC
'

test_expect_success 'paths outside the repository are refused' '
	cd r &&
	echo x >../outside.csv &&
	test_must_fail git mlv sidecar init models/fraud.onnx --data ../outside.csv \
		--config configs/train.yaml --force 2>../err &&
	grep -q "outside the repository" ../err &&
	test_must_fail git mlv sidecar init models/fraud.onnx --data "$TRASH/outside.csv" \
		--config configs/train.yaml --force 2>../err &&
	grep -q "outside the repository" ../err &&
	test_must_fail git mlv sidecar init models/fraud.onnx --data data/labels.csv \
		--config /etc/passwd --force 2>../err &&
	grep -q "outside the repository" ../err &&
	test_random_file ../outside.onnx 100 out &&
	test_must_fail git mlv sidecar init ../outside.onnx --data data/labels.csv \
		--config configs/train.yaml 2>../err &&
	grep -q "outside the repository" ../err &&
	test ! -e ../outside.onnx.mlv &&
	cmp ../sc.before $SC
'

test_expect_success 'symbolic links and .git paths are not recorded' '
	cd r &&
	cp $SC ../sc.before &&
	ln -s /etc/hostname data/host.csv &&
	test_must_fail git mlv sidecar init models/fraud.onnx --data data/host.csv \
		--config configs/train.yaml --force 2>../err &&
	grep -q "data/host.csv. is a symbolic link" ../err &&
	ln -s /etc data/etc &&
	test_must_fail git mlv sidecar init models/fraud.onnx --data data/etc/hostname \
		--config configs/train.yaml --force 2>../err &&
	grep -q "outside the work tree" ../err &&
	test_must_fail git mlv sidecar init models/fraud.onnx --data data/labels.csv \
		--config .git/config --force 2>../err &&
	grep -q ".git/config. cannot be recorded: it is inside .git" ../err &&
	rm data/host.csv data/etc &&
	cmp ../sc.before $SC
'

test_expect_success 'a backslash in a recorded path is refused with the reason' '
	cd r &&
	cp $SC ../sc.before &&
	printf "x\n" >"a\\b" &&
	test_must_fail git mlv sidecar init models/fraud.onnx --data "a\\b" \
		--config configs/train.yaml --force 2>../err &&
	grep -q "holds a backslash, which Windows reads as a directory separator" ../err &&
	! grep -q "outside" ../err &&
	rm "a\\b" && cmp ../sc.before $SC
'

test_expect_success 'sidecar check of a path that is not in the index says so' '
	cd r &&
	test_must_fail git mlv sidecar check models/none.onnx 2>../err &&
	grep -q "models/none.onnx: no such model in this commit" ../err
'

test_expect_success 'env finishes when its parent ignores SIGCHLD' '
	timeout 20 perl -e "\$SIG{CHLD} = q(IGNORE); exec q(git-mlv), q(env)" >../out &&
	grep -q "^kernel = " ../out
'

test_expect_success 'from a subdirectory, paths are taken relative to it' '
	cd r/models &&
	git mlv sidecar init fraud.onnx --data ../data/labels.csv \
		--config "$TRASH/r/configs/train.yaml" --lockfile ./../requirements.txt \
		--force >../../out &&
	grep -qx "wrote $SC" ../../out &&
	cd .. &&
	test "$(ini_get $SC "data \"labels\"" path)" = data/labels.csv &&
	test "$(ini_get $SC config path)" = configs/train.yaml &&
	test "$(ini_get $SC environment lockfile)" = requirements.txt &&
	test "$(ini_get $SC environment lockfile-oid)" = "$(sha requirements.txt)" &&
	git add $SC && git mlv sidecar check >/dev/null
'

test_expect_success 'a data file left as a pointer is recorded by its pointer oid' '
	MLV_SKIP_SMUDGE=1 git clone -q r r2 && cd r2 &&
	git cat-file -p HEAD:data/train.parquet | cmp - data/train.parquet &&
	mkdir -p .git/mlv && cp -R ../r/.git/mlv/objects .git/mlv/ &&
	git mlv sidecar init models/fraud.onnx --data data/train.parquet \
		--config configs/train.yaml --force >/dev/null &&
	test "$(ini_get $SC "data \"train\"" oid)" = "sha256:$(test_pointer_oid data/train.parquet HEAD)" &&
	test "$(ini_get $SC "data \"train\"" oid)" = "$(sha ../r/data/train.parquet)"
'

test_done
