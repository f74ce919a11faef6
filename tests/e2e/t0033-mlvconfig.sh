#!/usr/bin/env bash
# Team policy in a committed .mlvconfig [policy]: which sidecar sections
# are required, whether a changed model must raise its version, a naming
# template, and whether data may live outside the repository.
. "$(dirname "$0")/lib.sh"

# Write the sidecar of models/m.onnx from the work tree, with options $@.
sidecar() {
	git mlv sidecar init models/m.onnx --data data/train.csv \
		--config configs/train.yaml --force "$@" >/dev/null &&
	git add models/m.onnx models/m.onnx.mlv
}

# A repo $1 with data and config committed and .mlvconfig holding $2.
policy_repo() {
	git init -q "$1" && cd "$1" &&
	git mlv track --model "*.onnx" >/dev/null &&
	mkdir models data configs &&
	printf "id,label\n1,0\n" >data/train.csv &&
	printf "learning_rate: 0.1\n" >configs/train.yaml &&
	printf "%b" "$2" >.mlvconfig &&
	git add . && git commit -qm base
}

test_expect_success 'by default params and metrics are optional, code is required' '
	policy_repo r0 "" &&
	test_random_file models/m.onnx 5000 a0 &&
	sidecar && git commit -qm v1 &&
	test "$(git log -1 --format=%s)" = v1 &&
	test_random_file models/m.onnx 5000 b0 &&
	sidecar && sed -i "/^\[code\]/,\$d" models/m.onnx.mlv && git add models/m.onnx.mlv &&
	commit_refused -m v2 &&
	grep -q "required section \[code\] is missing" ../err
'

test_expect_success 'required-sections with params and metrics refuses a sidecar without them' '
	policy_repo r1 "[policy]\nrequired-sections = model, data, config, params, metrics\n" &&
	test_random_file models/m.onnx 5000 a1 &&
	sidecar &&
	commit_refused -m v1 &&
	grep -q "models/m.onnx.mlv: required section \[params\] is missing" ../err &&
	grep -q "models/m.onnx.mlv: required section \[metrics\] is missing" ../err &&
	grep -q "2 problems" ../err &&
	sidecar --param lr=0.1 &&
	commit_refused -m v1 &&
	grep -q "\[metrics\]" ../err && ! grep -q "\[params\]" ../err &&
	sidecar --param lr=0.1 --metric auc=0.9 &&
	git commit -qm v1 &&
	test "$(git log -1 --format=%s)" = v1
'

test_expect_success 'required-sections without code and environment accepts a record without them' '
	cd r1 &&
	test_random_file models/m.onnx 5000 b1 &&
	sidecar --param lr=0.1 --metric auc=0.9 &&
	sed -i "/^\[environment\]/,\$d" models/m.onnx.mlv &&
	! grep -q "^\[code\]" models/m.onnx.mlv &&
	grep -q "^\[metrics\]" models/m.onnx.mlv &&
	git add models/m.onnx.mlv && git commit -qm v2 &&
	test "$(git log -1 --format=%s)" = v2
'

test_expect_success 'require-version-bump: a new model needs no particular version' '
	policy_repo r2 "[policy]\nrequire-version-bump = true\n" &&
	test_random_file models/m.onnx 5000 a2 &&
	sidecar --version 1.0.0 && git commit -qm v1.0.0 &&
	test "$(git log -1 --format=%s)" = v1.0.0
'

test_expect_success 'require-version-bump: the same version for a changed model is refused' '
	cd r2 &&
	test_random_file models/m.onnx 5000 b2 &&
	sidecar --version 1.0.0 &&
	commit_refused -m same &&
	grep -q "version 1.0.0 must be higher than the previous 1.0.0" ../err &&
	grep -q -- "--version" ../err
'

test_expect_success 'require-version-bump: a lower version is refused' '
	cd r2 &&
	sidecar --version 0.9.9 &&
	commit_refused -m lower &&
	grep -q "version 0.9.9 must be higher than the previous 1.0.0" ../err &&
	sidecar --version 1.0.0-rc.1 &&
	commit_refused -m prerelease &&
	grep -q "1.0.0-rc.1 must be higher" ../err
'

test_expect_success 'require-version-bump: a changed model without a version is refused' '
	cd r2 &&
	sidecar &&
	commit_refused -m none &&
	grep -q "version is required" ../err
'

test_expect_success 'require-version-bump: a higher version is accepted' '
	cd r2 &&
	sidecar --version 1.0.1 && git commit -qm v1.0.1 &&
	test "$(git log -1 --format=%s)" = v1.0.1 &&
	test_random_file models/m.onnx 5000 c2 &&
	sidecar --version 1.10.0 && git commit -qm v1.10.0 &&
	test "$(git log -1 --format=%s)" = v1.10.0
'

test_expect_success 'require-version-bump: new metrics for an unchanged model need no bump' '
	cd r2 &&
	git mlv sidecar update models/m.onnx --metric auc=0.97 >/dev/null &&
	git add models/m.onnx.mlv &&
	git commit -qm "metrics" &&
	test "$(git log -1 --format=%s)" = metrics
'

test_expect_success 'name-template: a name that follows it is accepted' '
	policy_repo r3 "[policy]\nname-template = {project}-{task}-{date}-{run-id}\n" &&
	test_random_file models/m.onnx 5000 a3 &&
	sidecar --name fraud-detect-20261123-r42 &&
	git commit -qm named &&
	test "$(git log -1 --format=%s)" = named
'

test_expect_success 'name-template: a name that does not follow it is refused' '
	cd r3 &&
	test_random_file models/m.onnx 5000 b3 &&
	sidecar --name fraud-detect-2026-11-23-r42 &&
	commit_refused -m badname &&
	grep -q "name .fraud-detect-2026-11-23-r42. does not follow the naming template .{project}-{task}-{date}-{run-id}." ../err &&
	sidecar --name fraud-detect-20261123 &&
	commit_refused -m short &&
	sidecar &&
	commit_refused -m noname &&
	grep -q "name .. does not follow" ../err
'

test_expect_success 'allow-external-data = false refuses data given by URI' '
	policy_repo r4 "[policy]\nallow-external-data = false\n" &&
	test_random_file models/m.onnx 5000 a4 &&
	oid=$(printf "%064d" 1) &&
	git mlv sidecar init models/m.onnx --data "s3://datasets/fraud/=sha256:$oid" \
		--config configs/train.yaml >/dev/null &&
	git add models &&
	commit_refused -m external &&
	grep -q "external data .s3://datasets/fraud/." ../err &&
	grep -q "allow-external-data" ../err &&
	sidecar && git commit -qm local &&
	test "$(git log -1 --format=%s)" = local
'

test_expect_success 'allow-external-data = true (the default) accepts data given by URI' '
	cd r4 &&
	printf "[policy]\nallow-external-data = true\n" >.mlvconfig &&
	test_random_file models/m.onnx 5000 b4 &&
	oid=$(printf "%064d" 1) &&
	git mlv sidecar init models/m.onnx --data "s3://datasets/fraud/=sha256:$oid" \
		--config configs/train.yaml --force >/dev/null &&
	git add -A && git commit -qm external &&
	test "$(git log -1 --format=%s)" = external
'

test_expect_success 'a malformed .mlvconfig refuses the commit naming the file and line' '
	policy_repo r5 "" &&
	printf "[policy]\nrequire-version-bump = true\nthis is not ini\n" >.mlvconfig &&
	git add .mlvconfig &&
	commit_refused -m broken &&
	grep -q "\.mlvconfig:3: syntax error" ../err &&
	git mlv hook pre-commit 2>/dev/null; rc=$? &&
	test $rc = 1
'

test_expect_success 'unknown keys, sections and values in [policy] are named' '
	cd r5 &&
	printf "[policy]\nrequire-version-bumps = true\n" >.mlvconfig && git add .mlvconfig &&
	commit_refused -m typo &&
	grep -q "\.mlvconfig: unknown key policy.require-version-bumps" ../err &&
	printf "[policy]\nrequire-version-bump = sometimes\n" >.mlvconfig && git add .mlvconfig &&
	commit_refused -m bool &&
	grep -q "require-version-bump .sometimes. is not true or false" ../err &&
	printf "[policy]\nrequired-sections = model, hyperparams\n" >.mlvconfig && git add .mlvconfig &&
	commit_refused -m section &&
	grep -q "required-sections .model, hyperparams. names an unknown section" ../err &&
	printf "[policy]\nrequired-sections = model\n\0\0\0" >.mlvconfig && git add .mlvconfig &&
	commit_refused -m binary &&
	grep -q "\.mlvconfig: binary content" ../err
'

test_expect_success 'other sections of .mlvconfig are left to their readers' '
	cd r5 &&
	printf "[store]\nurl = s3://bucket/prefix\n[policy]\nallow-external-data = true\n" >.mlvconfig &&
	git add .mlvconfig && git commit -qm store &&
	test "$(git log -1 --format=%s)" = store
'

test_done
