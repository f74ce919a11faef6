#!/usr/bin/env bash
# A symbolic link is never an input: mlv records a file's own bytes, and a
# link committed as requirements.txt, a config or a data file could point
# anywhere on the machine of whoever runs the command. Every place that
# hashes inputs refuses it and says it is a symbolic link.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a repository with a model, data and a config' '
	git init -q r && cd r && git mlv install --local >/dev/null &&
	git mlv track --model "*.onnx" >/dev/null &&
	mkdir data && printf "id\n1\n" >data/train.csv &&
	printf "lr: 1\n" >cfg.yaml &&
	printf "secret-outside-the-repo\n" >../outside.txt &&
	git add . && git commit -qm base &&
	test_random_file m.onnx 3000 m
'

test_expect_success 'git mlv env does not hash a requirements.txt that is a symbolic link' '
	cd r &&
	ln -s ../outside.txt requirements.txt &&
	git mlv env >../env.out 2>../err &&
	! grep -q "^lockfile" ../env.out &&
	! grep -q "$(sha256sum <../outside.txt | cut -d" " -f1)" ../env.out &&
	grep -q "requirements.txt.* is a symbolic link" ../err
'

test_expect_success 'a regular requirements.txt beside it is still recorded' '
	cd r &&
	printf "numpy==2\n" >requirements-dev.txt &&
	git mlv env >../env.out 2>../err &&
	grep -qx "lockfile = requirements-dev.txt" ../env.out &&
	grep -qx "lockfile-oid = $(sha requirements-dev.txt)" ../env.out &&
	rm requirements-dev.txt
'

test_expect_success 'a FIFO named like a lockfile is refused at once, not waited on' '
	cd r && mkfifo poetry.lock &&
	timeout 20 git mlv env >../env.out 2>../err &&
	grep -q "poetry.lock.* is not a regular file" ../err &&
	rm poetry.lock
'

test_expect_success 'sidecar init records no lockfile through a link, and says why' '
	cd r &&
	git mlv sidecar init m.onnx --data data/train.csv --config cfg.yaml 2>../err &&
	! grep -q "lockfile" m.onnx.mlv &&
	grep -q "is a symbolic link" ../err &&
	rm m.onnx.mlv
'

test_expect_success 'sidecar init refuses a data input, a config or --lockfile that is a link' '
	cd r &&
	ln -s ../outside.txt link.csv &&
	test_must_fail git mlv sidecar init m.onnx --data link.csv --config cfg.yaml 2>../err &&
	grep -q "link.csv.* is a symbolic link" ../err &&
	test_must_fail git mlv sidecar init m.onnx --data data/train.csv --config link.csv 2>../err &&
	grep -q "link.csv.* is a symbolic link" ../err &&
	test_must_fail git mlv sidecar init m.onnx --data data/train.csv --config cfg.yaml \
		--lockfile requirements.txt 2>../err &&
	grep -q "requirements.txt.* is a symbolic link" ../err &&
	! test -e m.onnx.mlv
'

test_expect_success 'a committed symbolic link named in a sidecar is refused as a link, not as missing' '
	cd r &&
	git mlv sidecar init m.onnx --data data/train.csv --config cfg.yaml 2>/dev/null &&
	oid=$(sha ../outside.txt) &&
	sed -i "s|^path = data/train.csv|path = link.csv|; /^\[data/,/^\[/ s|^oid = .*|oid = $oid|" m.onnx.mlv &&
	grep -q "^path = link.csv" m.onnx.mlv &&
	git add link.csv m.onnx m.onnx.mlv &&
	commit_refused -m "model through a link" &&
	grep -q "link.csv. is a symbolic link in this commit" ../err &&
	! grep -q "link.csv. is not in this commit" ../err &&
	git commit -q --no-verify -m "model through a link" &&
	test_must_fail git mlv verify HEAD~1..HEAD >../err 2>&1 &&
	grep -q "link.csv. is a symbolic link in this commit" ../err
'

test_done
