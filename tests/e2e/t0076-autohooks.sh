#!/usr/bin/env bash
# Hooks without `git mlv install` in the repository: on a machine where only
# the global `git mlv install --skip-repo` ran, mlv's filter installs the
# hook shims the first time it runs in a repository that has none of them,
# says so once, and leaves hooks that are not mlv's alone.
. "$(dirname "$0")/lib.sh"

HOOKS='pre-commit pre-merge-commit pre-push post-checkout post-merge'
STORE="file://$TRASH/store"

# Every mlv shim is in directory $1, executable.
shims_in() {
	for h in $HOOKS; do
		test -x "$1/$h" && grep -q "^# mlv-hook-shim" "$1/$h" ||
			{ echo "no mlv shim $1/$h"; return 1; }
	done
}

# None of mlv's hook names is a file in $1.
no_hooks_in() {
	for h in $HOOKS; do
		test ! -e "$1/$h" || { echo "unexpected $1/$h"; return 1; }
	done
}

test_expect_success 'setup: a model with its sidecar in an mlv:: store' '
	git init -q src && cd src &&
	git mlv track --model "*.onnx" >/dev/null &&
	echo "a,b" >train.csv && echo "lr: 1" >train.yaml &&
	test_random_file m.onnx 5000 m1 &&
	git add .gitattributes train.csv train.yaml m.onnx &&
	git mlv sidecar init m.onnx --data train.csv --config train.yaml >/dev/null &&
	git add m.onnx.mlv && git commit -qm "model v1" &&
	git push -q "mlv::$STORE" main
'

test_expect_success 'the clone checkout through the filter installs the hooks and says so once' '
	git clone "mlv::$STORE" c1 2>err &&
	shims_in c1/.git/hooks &&
	grep "^mlv: installed hooks" err >said &&
	test_line_count = 1 said &&
	grep -q "pre-commit, pre-merge-commit, pre-push, post-checkout, post-merge in .git/hooks (mlv.autohooks=false turns this off)" said &&
	cmp c1/m.onnx src/m.onnx &&
	git clone -q "mlv::$STORE" c1q 2>err &&
	shims_in c1q/.git/hooks && ! grep -q "installed hooks" err
'

test_expect_success 'later filter runs say nothing and leave the shims as they are' '
	cd c1 &&
	cp .git/hooks/pre-commit ../pre-commit.before &&
	test_random_file x.onnx 3000 x &&
	git add x.onnx 2>../err && rm -f m.onnx && git checkout -- m.onnx 2>>../err &&
	! grep "installed hooks" ../err &&
	cmp ../pre-commit.before .git/hooks/pre-commit &&
	cmp m.onnx ../src/m.onnx
'

test_expect_success 'then a model change without a sidecar update is refused at commit' '
	cd c1 && git reset -q --hard &&
	test_random_file m.onnx 5000 m2 &&
	git add m.onnx &&
	test_must_fail git commit -qm "model v2" 2>../err &&
	grep -q "commit refused" ../err && grep -q "but m.onnx is staged as" ../err &&
	test "$(git rev-list --count HEAD)" = 1
'

test_expect_success 'git add in a repository made by git init installs them too' '
	git init -q r2 && cd r2 &&
	echo "*.bin filter=mlv diff=mlv merge=mlv -text" >.gitattributes &&
	no_hooks_in .git/hooks &&
	test_random_file a.bin 2000 a &&
	git add .gitattributes a.bin 2>../err &&
	shims_in .git/hooks &&
	test_line_count = 1 ../err
'

test_expect_success 'two filters starting at once write every hook whole, once' '
	git init -q r3 && cd r3 &&
	echo "*.bin filter=mlv diff=mlv merge=mlv -text" >.gitattributes &&
	test_random_file a.bin 2000 a && test_random_file b.bin 2000 b &&
	for i in 1 2 3 4; do
		rm -f .git/hooks/pre-* .git/hooks/post-* &&
		{ git hash-object --stdin-paths <<<a.bin >/dev/null 2>../err.a & } &&
		git hash-object --stdin-paths <<<b.bin >/dev/null 2>../err.b &&
		wait &&
		shims_in .git/hooks || return 1
		test -z "$(ls -a .git/hooks | grep -v -e "\.sample$" -e "^\.*$" | grep -v -x -e pre-commit -e pre-merge-commit -e pre-push -e post-checkout -e post-merge)" ||
			{ ls -a .git/hooks; return 1; }
	done
'

test_expect_success 'mlv.autohooks=false installs nothing' '
	git -c mlv.autohooks=false clone -q "mlv::$STORE" c4 2>err &&
	no_hooks_in c4/.git/hooks &&
	! grep -q "installed hooks" err &&
	cd c4 && git config mlv.autohooks false &&
	rm m.onnx && git checkout -- m.onnx 2>../err &&
	no_hooks_in .git/hooks && cmp m.onnx ../src/m.onnx
'

test_expect_success 'a pre-commit hook of the user is kept untouched; the others are installed' '
	git init -q r5 && cd r5 &&
	printf "#!/bin/sh\necho mine >>\"%s\"\n" "$TRASH/ran" >.git/hooks/pre-commit &&
	chmod 755 .git/hooks/pre-commit && cp .git/hooks/pre-commit ../mine &&
	echo "*.bin filter=mlv diff=mlv merge=mlv -text" >.gitattributes &&
	test_random_file a.bin 2000 a &&
	git add .gitattributes a.bin 2>../err &&
	cmp ../mine .git/hooks/pre-commit && test ! -e .git/hooks/pre-commit.pre-mlv &&
	grep -q "installed hooks pre-merge-commit, pre-push, post-checkout, post-merge in .git/hooks; kept yours: pre-commit (.git mlv install. chains them)" ../err &&
	test -x .git/hooks/pre-push && grep -q "^# mlv-hook-shim" .git/hooks/pre-push &&
	git commit -qm a && grep -qx mine ../ran &&
	test_random_file b.bin 2000 b && git add b.bin 2>../err &&
	test_must_be_empty ../err &&
	cmp ../mine .git/hooks/pre-commit
'

test_expect_success 'with core.hooksPath set nothing is installed anywhere' '
	git init -q r6 && cd r6 &&
	git config core.hooksPath hooks-here &&
	echo "*.bin filter=mlv diff=mlv merge=mlv -text" >.gitattributes &&
	test_random_file a.bin 2000 a &&
	git add .gitattributes a.bin 2>../err &&
	test_must_be_empty ../err &&
	test ! -e hooks-here && no_hooks_in .git/hooks
'

test_expect_success 'git mlv install afterwards chains a kept hook as usual' '
	cd r5 &&
	git mlv install --local >/dev/null &&
	cmp ../mine .git/hooks/pre-commit.pre-mlv &&
	shims_in .git/hooks
'

test_done
