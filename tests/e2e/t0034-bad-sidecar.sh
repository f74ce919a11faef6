#!/usr/bin/env bash
# Sidecars that are wrong in every way a file can be: the commit is refused
# with a message naming the file and the line, and mlv exits 1 (never a
# crash: no signal, no sanitizer report under make test-asan).
. "$(dirname "$0")/lib.sh"

SC=models/m.onnx.mlv

# Stage the sidecar text of file $1. The pre-commit check must exit 1 (a
# crash would give 128 + signal) with its message in ../err, and git commit
# must be refused.
refused() {
	local rc
	cp "$1" $SC && git add $SC || return 1
	git mlv hook pre-commit >/dev/null 2>../err
	rc=$?
	if test $rc != 1; then
		echo "pre-commit check exited $rc, not 1"
		cat ../err
		return 1
	fi
	if git commit -qm bad >/dev/null 2>&1; then
		echo "commit was accepted"
		return 1
	fi
	test "$(git rev-parse HEAD)" = "$(cat ../head)" || { echo "HEAD moved"; return 1; }
	grep -q "mlv: commit refused" ../err || { cat ../err; return 1; }
}

# ../err names the sidecar at line $1 with message $2 (a grep pattern).
says() {
	grep -q "^  $SC:$1: $2" ../err || {
		echo "no '$SC:$1: $2' in:"
		cat ../err
		return 1
	}
}

# Write case $1 (in ../cases) as the good sidecar edited by sed script $2.
case_sed() {
	sed "$2" ../good.mlv >../cases/"$1"
}

test_expect_success 'setup: a model staged with a hand-written sidecar that is valid' '
	git init -q r && cd r &&
	git mlv track --model "*.onnx" >/dev/null &&
	mkdir models data configs ../cases &&
	printf "id,label\n1,0\n" >data/train.csv &&
	printf "learning_rate: 0.1\n" >configs/train.yaml &&
	printf "numpy==1.26.4\n" >requirements.txt &&
	git add . && git commit -qm base &&
	git rev-parse HEAD >../head &&
	test_random_file models/m.onnx 10000 m && git add models/m.onnx &&
	h() { sha256sum "$1" | cut -d" " -f1; } &&
	cat >../good.mlv <<-EOF &&
	[mlv]
	version = 1
	[model]
	oid = sha256:$(h models/m.onnx)
	version = 1.0.0
	name = fraud
	[data "train"]
	path = data/train.csv
	oid = sha256:$(h data/train.csv)
	[config]
	path = configs/train.yaml
	oid = sha256:$(h configs/train.yaml)
	[environment]
	python = 3.11.7
	lockfile = requirements.txt
	lockfile-oid = sha256:$(h requirements.txt)
	[code]
	commit = $(git rev-parse HEAD)
	dirty = false
	EOF
	cp ../good.mlv $SC && git add $SC &&
	git mlv hook pre-commit &&
	git mlv sidecar check >/dev/null
'

test_expect_success 'binary garbage is refused as binary content' '
	cd r &&
	{ printf "[mlv]\nversion = 1\n\0\0\0"; test_random_file /dev/stdout 4000 garbage; } >../cases/binary &&
	refused ../cases/binary &&
	grep -q "^  $SC: binary content, not an INI sidecar" ../err
'

test_expect_success 'random bytes without NULs are refused, naming lines' '
	cd r &&
	test_random_file ../cases/noise.raw 6000 noise &&
	tr -d "\000" <../cases/noise.raw >../cases/noise &&
	refused ../cases/noise &&
	grep -q "^  $SC:[0-9][0-9]*: " ../err
'

test_expect_success 'a 300 KB line is refused with its line number and length' '
	cd r &&
	{ head -6 ../good.mlv; printf "notes = "; head -c 300000 /dev/zero | tr "\0" x; echo; sed 1,6d ../good.mlv; } >../cases/long &&
	refused ../cases/long &&
	says 7 "line is 300008 bytes long, the limit is 262144" &&
	{ cat ../good.mlv; printf "[params]\nnotes = "; head -c 300000 /dev/zero | tr "\0" y; } >../cases/long-eof &&
	refused ../cases/long-eof &&
	says 21 "line is 300008 bytes long"
'

test_expect_success 'duplicate sections are refused at the second header' '
	cd r &&
	{ cat ../good.mlv; printf "[model]\noid = sha256:%064d\n" 0; } >../cases/dup-model &&
	refused ../cases/dup-model &&
	says 20 "duplicate section \[model\]" &&
	{ cat ../good.mlv; sed -n 7,9p ../good.mlv; } >../cases/dup-data &&
	refused ../cases/dup-data &&
	says 20 "duplicate section \[data \"train\"\]"
'

test_expect_success 'a duplicate key is refused, naming both lines' '
	cd r &&
	case_sed dup-key "5a version = 2.0.0" &&
	refused ../cases/dup-key &&
	says 6 "duplicate key .version. (first on line 5)"
'

test_expect_success 'missing keys are refused, naming the section' '
	cd r &&
	case_sed no-model-oid 4d && refused ../cases/no-model-oid &&
	says 4 "\[model\] has no .oid." &&
	case_sed no-data-oid 9d && refused ../cases/no-data-oid &&
	says 8 "\[data \"train\"\] has no .oid." &&
	case_sed no-data-path 8d && refused ../cases/no-data-path &&
	says 8 "\[data \"train\"\] needs exactly one of .path. and .uri." &&
	case_sed no-config-path 11d && refused ../cases/no-config-path &&
	says 11 "\[config\] has no .path." &&
	case_sed no-lockfile-oid 16d && refused ../cases/no-lockfile-oid &&
	says 14 "\[environment\] needs both .lockfile. and .lockfile-oid." &&
	case_sed no-mlv 1,2d && refused ../cases/no-mlv &&
	grep -q "^  $SC: no \[mlv\] section with .version = 1." ../err &&
	: >../cases/empty && refused ../cases/empty &&
	grep -q "^  $SC: no \[mlv\] section" ../err
'

test_expect_success 'malformed oids are refused: uppercase, short, no sha256: prefix' '
	cd r &&
	upper=$(sed -n "4s/oid = sha256://p" ../good.mlv | tr a-f A-F) &&
	case_sed oid-upper "4s/sha256:.*/sha256:$upper/" && refused ../cases/oid-upper &&
	says 4 "model.oid .sha256:$upper. is not .sha256:. and 64 lowercase hex digits" &&
	case_sed oid-short "4s/.$//" && refused ../cases/oid-short &&
	says 4 "model.oid .sha256:[0-9a-f]\{63\}. is not" &&
	case_sed oid-bare "9s/sha256://" && refused ../cases/oid-bare &&
	says 9 "data.oid .[0-9a-f]\{64\}. is not .sha256:." &&
	case_sed oid-sha1 "12s/sha256:\(.\{40\}\).*/sha1:\1/" && refused ../cases/oid-sha1 &&
	says 12 "config.oid .sha1:[0-9a-f]\{40\}. is not" &&
	case_sed oid-long "16s/$/00/" && refused ../cases/oid-long &&
	says 16 "environment.lockfile-oid .sha256:[0-9a-f]\{66\}. is not" &&
	case_sed oid-space "4s/sha256:/sha256: /" && refused ../cases/oid-space &&
	says 4 "model.oid" &&
	case_sed base "6a base = sha256:XYZ" && refused ../cases/base &&
	says 7 "model.base .sha256:XYZ. is not"
'

test_expect_success 'paths outside the repository are refused' '
	cd r &&
	case_sed path-dotdot "8s|=.*|= ../x|" && refused ../cases/path-dotdot &&
	says 8 "data.path .\.\./x. must be a path inside the repository" &&
	case_sed path-abs "11s|=.*|= /etc/passwd|" && refused ../cases/path-abs &&
	says 11 "config.path ./etc/passwd. must be a path inside the repository" &&
	case_sed path-inner "8s|=.*|= data/../../x|" && refused ../cases/path-inner &&
	says 8 "data.path .data/\.\./\.\./x. must be" &&
	case_sed path-lock "15s|=.*|= ../requirements.txt|" && refused ../cases/path-lock &&
	says 15 "environment.lockfile .\.\./requirements.txt. must be" &&
	case_sed path-backslash "8s|=.*|= data\\\\train.csv|" && refused ../cases/path-backslash &&
	says 8 "data.path .data.train.csv. must be"
'

test_expect_success 'unknown sections and keys are refused' '
	cd r &&
	{ cat ../good.mlv; printf "[hyperparams]\nlr = 0.1\n"; } >../cases/unknown-section &&
	refused ../cases/unknown-section &&
	says 21 "unknown section \[hyperparams\]" &&
	case_sed unknown-key "6a color = red" && refused ../cases/unknown-key &&
	says 7 "unknown key .color. in \[model\]" &&
	case_sed named-config "10s/.*/[config \"main\"]/" && refused ../cases/named-config &&
	says 11 "\[config\] takes no name" &&
	case_sed unnamed-data "7s/.*/[data]/" && refused ../cases/unnamed-data &&
	says 8 "\[data\] needs a name"
'

test_expect_success 'lines that are not INI are refused' '
	cd r &&
	case_sed not-ini "6a this is not ini" && refused ../cases/not-ini &&
	says 7 "expected .key = value. or .\[section\]." &&
	case_sed open-header "10s/.*/[config/" && refused ../cases/open-header &&
	says 10 "section header without .\]."
'

test_expect_success 'values of the wrong kind are refused' '
	cd r &&
	case_sed mlv-v2 "2s/1/2/" && refused ../cases/mlv-v2 &&
	says 2 "sidecar version .2. is not supported" &&
	case_sed semver "5s/=.*/= v1.0/" && refused ../cases/semver &&
	says 5 "model.version .v1.0. is not a semantic version" &&
	case_sed commit "18s/=.*/= HEAD/" && refused ../cases/commit &&
	says 18 "code.commit .HEAD. is not a commit id" &&
	case_sed dirty "19s/=.*/= perhaps/" && refused ../cases/dirty &&
	says 19 "code.dirty .perhaps. is not true or false"
'

test_expect_success 'sidecar show names each problem once' '
	cd r &&
	cp ../cases/dup-model $SC && git add $SC &&
	git mlv sidecar show models/m.onnx >../out 2>../err; rc=$? &&
	test $rc = 1 &&
	grep -q "lineage of models/m.onnx" ../out &&
	test "$(grep -c "duplicate section \[model\]" ../err)" = 1
'

test_expect_success 'a valid sidecar with CRLF line ends is accepted' '
	cd r &&
	sed "s/\$/\r/" ../good.mlv >$SC && git add $SC &&
	git mlv hook pre-commit
'

test_expect_success 'committed with --no-verify, a bad sidecar fails verify, check and show with exit 1' '
	cd r &&
	cp ../cases/binary $SC && git add $SC &&
	git commit -q --no-verify -m "garbage sidecar" &&
	bad=$(git rev-parse HEAD) &&
	git mlv verify >../out 2>../err; rc=$? &&
	test $rc = 1 &&
	grep -q "^commit $bad garbage sidecar" ../out &&
	grep -q "binary content" ../out &&
	git mlv sidecar check >/dev/null 2>../err; rc=$? &&
	test $rc = 1 &&
	git mlv sidecar show models/m.onnx >/dev/null 2>../err; rc=$? &&
	test $rc = 1 &&
	grep -q "binary content" ../err
'

test_expect_success 'no bad sidecar crashes check, show, update or verify' '
	cd r &&
	git reset -q --soft "$(cat ../head)" &&
	for f in ../cases/*; do
		cp "$f" $SC && git add $SC &&
		git mlv sidecar check >/dev/null 2>&1; rc=$?
		test $rc = 1 || { echo "check: $f: exit $rc"; exit 1; }
		git mlv sidecar show models/m.onnx >/dev/null 2>&1; rc=$?
		test $rc = 1 || { echo "show: $f: exit $rc"; exit 1; }
		git commit -q --no-verify -m "$(basename "$f")" &&
		git mlv verify HEAD >/dev/null 2>&1; rc=$?
		test $rc = 1 || { echo "verify: $f: exit $rc"; exit 1; }
		git mlv sidecar update models/m.onnx >/dev/null 2>&1; rc=$?
		test $rc = 0 || test $rc = 128 || { echo "update: $f: exit $rc"; exit 1; }
		git reset -q --soft "$(cat ../head)" || exit 1
	done
'

test_done
