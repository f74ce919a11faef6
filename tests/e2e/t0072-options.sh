#!/usr/bin/env bash
# One option parser: options and arguments in any order, "--" ends the
# options, --opt=value and --opt value, bundled short options, -h, and an
# unknown option or remote named with the nearest real one. The cases a new
# user hit: track "*.bin" --model, untrack -- --model, fetch orign, and
# pull PATH... as git-lfs users write it.
. "$(dirname "$0")/lib.sh"

test_expect_success 'track PATTERN --model: the option after the pattern' '
	git init -q r && cd r &&
	git mlv track "*.bin" --model >../out &&
	grep -q "^Tracking \"\*.bin\" as a model$" ../out &&
	grep -qx "\*.bin filter=mlv diff=mlv merge=mlv -text mlv-model" .gitattributes &&
	! grep -q -- "--model" .gitattributes
'

test_expect_success '-- ends the options: track and untrack the pattern --model' '
	cd r &&
	git mlv track -- --model >../out &&
	grep -q "^Tracking \"--model\"$" ../out &&
	grep -q "^--model filter=mlv" .gitattributes &&
	git mlv untrack -- --model >../out &&
	grep -q "^Untracking \"--model\"$" ../out &&
	! grep -q "^--model" .gitattributes &&
	grep -q "^\*.bin filter=mlv" .gitattributes
'

test_expect_success 'an unknown option is named, the nearest suggested, the usage shown: 129' '
	cd r &&
	test_expect_code 129 git mlv track --modle "*.pt" 2>../err &&
	grep -q "^error: unknown option .modle.$" ../err &&
	grep -q "^The most similar option is$" ../err &&
	grep -q "^	--model$" ../err &&
	grep -q "^usage: git mlv track \[--model\] \[--\] \[<pattern>...\]$" ../err &&
	! grep -q "pt" .gitattributes &&
	test_expect_code 129 git mlv track --zzzzzz 2>../err &&
	! grep -q "most similar" ../err
'

test_expect_success '-h prints the usage and the options to stdout, exit 129' '
	cd r &&
	test_expect_code 129 git mlv track -h >../out 2>../err &&
	test_must_be_empty ../err &&
	grep -q "^usage: git mlv track" ../out &&
	grep -q "^    --\[no-\]model  *track them as models" ../out &&
	test_expect_code 129 git mlv pull -h >../out &&
	grep -q "^   or: git mlv pull \[<remote>\] \[--\] <path>...$" ../out
'

test_expect_success 'setup: a remote with a store, a clone that has pointers only' '
	cd r &&
	mkdir data &&
	test_random_file data/part-1.bin 3000 p1 &&
	test_random_file data/part-2.bin 3000 p2 &&
	test_random_file "data/-dash.bin" 3000 p3 &&
	git add . && git commit -qm data --no-verify &&
	git init -q --bare ../server.git &&
	git remote add origin ../server.git &&
	git config remote.origin.mlvstore "file://$TRASH/store" &&
	git push -q origin main 2>../err &&
	cd .. &&
	MLV_SKIP_SMUDGE=1 git clone -q server.git c &&
	git -C c config remote.origin.mlvstore "file://$TRASH/store" &&
	! cmp -s c/data/part-2.bin r/data/part-2.bin
'

test_expect_success 'fetch, pull and push refuse a remote that does not exist, naming the nearest' '
	cd c &&
	test_expect_code 128 git mlv fetch orign 2>../err &&
	grep -q "^fatal: no such remote .orign.$" ../err &&
	grep -q "^	origin$" ../err &&
	test_expect_code 128 git mlv fetch no-such-remote --all 2>../err &&
	grep -q "^fatal: no such remote .no-such-remote. (git remote -v lists them)$" ../err &&
	test_expect_code 128 git mlv pull orign 2>../err &&
	grep -q "no such remote .orign." ../err &&
	test_expect_code 128 git mlv push orign 2>../err &&
	grep -q "no such remote .orign." ../err &&
	test_expect_code 129 git mlv fetch origin origin 2>../err &&
	grep -q "one remote at most" ../err &&
	test "$(find .git/mlv/objects -type f 2>/dev/null | wc -l)" = 0
'

test_expect_success 'pull PATH: fetch and check out that file only, from the default remote' '
	cd c &&
	git mlv pull data/part-2.bin &&
	cmp data/part-2.bin ../r/data/part-2.bin &&
	! cmp -s data/part-1.bin ../r/data/part-1.bin &&
	test_expect_code 128 git mlv pull origin -- -dash.bin 2>../err &&
	grep -q "is no file that mlv stores here" ../err &&
	(cd data && git mlv pull -- -dash.bin) &&
	cmp data/-dash.bin ../r/data/-dash.bin &&
	! cmp -s data/part-1.bin ../r/data/part-1.bin
'

test_expect_success 'pull of a path that holds nothing mlv stores says so: 128' '
	cd c &&
	test_expect_code 128 git mlv pull no/such/file 2>../err &&
	grep -q "^fatal: .no/such/file. is no file that mlv stores here, nor a directory holding one" ../err
'

test_expect_success 'options anywhere, --opt=value and --opt value, bundled switches' '
	cd c &&
	git mlv fetch -qI "data/part-1.bin" &&
	git mlv fetch --include data/part-1.bin origin -q &&
	git mlv fetch origin --include=data/part-1.bin --quiet &&
	git mlv pull --quiet origin data &&
	cmp data/part-1.bin ../r/data/part-1.bin &&
	test_expect_code 129 git mlv fetch --include 2>../err &&
	grep -q "^error: option needs a value: .include.$" ../err &&
	test_expect_code 129 git mlv fetch --quiet=yes 2>../err &&
	grep -q "option takes no value" ../err
'

test_expect_success 'sidecar init --force MODEL: options before the model, any order' '
	git init -q s && cd s &&
	git mlv track --model "*.onnx" >/dev/null &&
	test_random_file m.onnx 300 m && printf "a\n" >d.csv && printf "x: 1\n" >c.yaml &&
	git mlv sidecar init --data d.csv m.onnx --config=c.yaml >/dev/null &&
	git mlv sidecar init --force --config c.yaml --data d.csv --param lr=0.1 m.onnx >/dev/null &&
	grep -qx "lr = 0.1" m.onnx.mlv &&
	test_expect_code 129 git mlv sidecar update m.onnx --data d.csv 2>../err &&
	grep -q "^error: unknown option .data.$" ../err &&
	test_expect_code 129 git mlv sidecar init -h >../out &&
	grep -q "^    --params-from <file> " ../out &&
	test_expect_code 129 git mlv sidecar show --manifst m.onnx 2>../err &&
	grep -q "^	--manifest$" ../err
'

test_done
