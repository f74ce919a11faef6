#!/usr/bin/env bash
# Hook shims: `git mlv install` in a repo puts five small shims where git
# looks for hooks (core.hooksPath or .git/hooks), keeps a hook the user
# already had and runs it after mlv's check, and `git mlv uninstall` takes
# out only what mlv put there.
. "$(dirname "$0")/lib.sh"

HOOKS='pre-commit pre-merge-commit pre-push post-checkout post-merge'

# 1 when every mlv shim is in directory $1, executable, calling its hook.
shims_in() {
	for h in $HOOKS; do
		test -x "$1/$h" &&
		grep -q "^# mlv-hook-shim" "$1/$h" &&
		grep -q "git mlv hook $h " "$1/$h" || {
			echo "no mlv shim $1/$h"
			return 1
		}
	done
}

# 1 when none of mlv's hook names is a file in $1.
no_shims_in() {
	for h in $HOOKS; do
		if test -e "$1/$h"; then
			echo "left behind: $1/$h"
			return 1
		fi
	done
}

# A user hook $1 that appends "user hook" and its arguments to $TRASH/$2
# and exits with ${3:-0}.
user_hook() {
	mkdir -p "$(dirname "$1")" &&
	printf '#!/bin/sh\necho "user hook $*" >>"%s"\nexit %s\n' \
		"$TRASH/$2" "${3:-0}" >"$1" &&
	chmod +x "$1"
}

# A repo $1 that tracks models, with one commit.
model_repo() {
	git init -q "$1" &&
	(cd "$1" && echo "*.onnx filter=mlv diff=mlv merge=mlv -text mlv-model" >.gitattributes &&
	 git add .gitattributes && git commit -qm attributes)
}

test_expect_success 'install in a repo puts five executable shims in .git/hooks' '
	git init -q r1 && cd r1 &&
	git mlv install >../out &&
	shims_in .git/hooks &&
	for h in $HOOKS; do grep -q "installed $h hook" ../out || exit 1; done &&
	test "$(git config --global filter.mlv.process)" = "git-mlv filter-process"
'

test_expect_success 'the installed pre-commit hook runs: a model without sidecar is refused' '
	cd r1 &&
	echo "*.onnx filter=mlv diff=mlv merge=mlv -text mlv-model" >.gitattributes &&
	test_random_file m.onnx 3000 m1 &&
	git add .gitattributes m.onnx &&
	test_must_fail git commit -qm model 2>../err &&
	grep -q "m.onnx: model without a sidecar" ../err &&
	test_must_fail git rev-parse -q --verify HEAD >/dev/null
'

test_expect_success 'installing twice keeps the shims and chains nothing to itself' '
	cd r1 &&
	cp .git/hooks/pre-commit ../shim.before &&
	git mlv install >../out &&
	shims_in .git/hooks &&
	cmp ../shim.before .git/hooks/pre-commit &&
	for h in $HOOKS; do test ! -e .git/hooks/$h.pre-mlv || exit 1; done &&
	! grep -q "kept your" ../out
'

test_expect_success 'a relative core.hooksPath is taken from the work tree top' '
	model_repo r2 && cd r2 &&
	git config core.hooksPath my-hooks &&
	mkdir -p sub && cd sub &&
	git mlv install >/dev/null &&
	cd .. &&
	shims_in my-hooks && no_shims_in .git/hooks && test ! -d sub/my-hooks
'

test_expect_success 'git runs the shims from a relative core.hooksPath, also from a subdirectory' '
	cd r2/sub &&
	test_random_file m.onnx 3000 m2 &&
	git add m.onnx &&
	test_must_fail git commit -qm model 2>../../err &&
	grep -q "sub/m.onnx: model without a sidecar" ../../err &&
	test "$(git rev-list --count HEAD)" = 1
'

test_expect_success 'an absolute core.hooksPath gets the shims, .git/hooks none' '
	model_repo r3 && cd r3 &&
	git config core.hooksPath "$TRASH/shared-hooks" &&
	git mlv install >/dev/null &&
	shims_in "$TRASH/shared-hooks" && no_shims_in .git/hooks &&
	test_random_file m.onnx 3000 m3 && git add m.onnx &&
	test_must_fail git commit -qm model 2>../err &&
	grep -q "m.onnx: model without a sidecar" ../err &&
	git mlv uninstall >/dev/null &&
	no_shims_in "$TRASH/shared-hooks"
'

test_expect_success 'a user pre-commit hook is kept as pre-commit.pre-mlv and still runs' '
	model_repo r4 && cd r4 &&
	user_hook .git/hooks/pre-commit marker4 &&
	cp .git/hooks/pre-commit ../user-pre-commit &&
	git mlv install >../out &&
	grep -q "kept your pre-commit hook" ../out &&
	shims_in .git/hooks &&
	cmp ../user-pre-commit .git/hooks/pre-commit.pre-mlv &&
	echo text >a.txt && git add a.txt && git commit -qm text &&
	grep -qx "user hook " "$TRASH/marker4" &&
	test "$(git log -1 --format=%s)" = text
'

test_expect_success 'mlv checks first: a refused commit does not reach the user hook' '
	cd r4 && rm -f "$TRASH/marker4" &&
	test_random_file m.onnx 3000 m4 && git add m.onnx &&
	test_must_fail git commit -qm model 2>../err &&
	grep -q "model without a sidecar" ../err &&
	test ! -e "$TRASH/marker4" &&
	git rm -q --cached m.onnx && rm m.onnx
'

test_expect_success 'a user hook that fails still refuses the commit after install' '
	cd r4 &&
	user_hook .git/hooks/pre-commit.pre-mlv marker4 1 &&
	echo more >>a.txt && git add a.txt &&
	test_must_fail git commit -qm more 2>/dev/null &&
	grep -qx "user hook " "$TRASH/marker4" &&
	test "$(git log -1 --format=%s)" = text &&
	user_hook .git/hooks/pre-commit.pre-mlv marker4
'

test_expect_success 'a user pre-push hook still gets the ref lines on stdin' '
	cd r4 &&
	git init -q --bare ../r4-remote.git &&
	printf "#!/bin/sh\ncat >\"%s\"\n" "$TRASH/pushed4" >.git/hooks/pre-push.pre-mlv &&
	chmod +x .git/hooks/pre-push.pre-mlv &&
	git push -q ../r4-remote.git main &&
	grep -q "^refs/heads/main $(git rev-parse HEAD) refs/heads/main " "$TRASH/pushed4"
'

test_expect_success 'with a relative core.hooksPath the chained user hook runs too' '
	model_repo r5 && cd r5 &&
	git config core.hooksPath .githooks &&
	user_hook .githooks/pre-commit marker5 &&
	git mlv install >/dev/null &&
	test -x .githooks/pre-commit.pre-mlv && shims_in .githooks &&
	mkdir -p d && echo x >d/x.txt && git add d/x.txt &&
	(cd d && git commit -qm x) &&
	grep -qx "user hook " "$TRASH/marker5"
'

test_expect_success 'uninstall puts the user hook back and it keeps running' '
	cd r4 &&
	git mlv uninstall >../out &&
	grep -q "restored your pre-commit hook" ../out &&
	cmp ../user-pre-commit .git/hooks/pre-commit &&
	test ! -e .git/hooks/pre-commit.pre-mlv &&
	test -x .git/hooks/pre-push && test ! -e .git/hooks/pre-push.pre-mlv &&
	! grep -q mlv-hook-shim .git/hooks/pre-commit .git/hooks/pre-push &&
	for h in pre-merge-commit post-checkout post-merge; do
		test ! -e .git/hooks/$h || exit 1
	done &&
	rm -f "$TRASH/marker4" &&
	echo again >>a.txt && git add a.txt && git commit -qm again &&
	grep -qx "user hook " "$TRASH/marker4"
'

test_expect_success 'install refuses when both the hook and hook.pre-mlv exist' '
	model_repo r6 && cd r6 &&
	user_hook .git/hooks/pre-commit new6 &&
	user_hook .git/hooks/pre-commit.pre-mlv old6 &&
	cp .git/hooks/pre-commit ../new6.hook && cp .git/hooks/pre-commit.pre-mlv ../old6.hook &&
	test_must_fail git mlv install >/dev/null 2>../err &&
	grep -q "hook .*/pre-commit. exists and so does .*/pre-commit.pre-mlv" ../err &&
	grep -q "git mlv install --force" ../err &&
	cmp ../new6.hook .git/hooks/pre-commit &&
	cmp ../old6.hook .git/hooks/pre-commit.pre-mlv &&
	for h in pre-merge-commit pre-push post-checkout post-merge; do
		test ! -e .git/hooks/$h || exit 1
	done
'

test_expect_success 'install --force replaces the old .pre-mlv with the current hook' '
	cd r6 &&
	git mlv install --force >/dev/null &&
	shims_in .git/hooks &&
	cmp ../new6.hook .git/hooks/pre-commit.pre-mlv &&
	echo x >x.txt && git add x.txt && git commit -qm x &&
	grep -qx "user hook " "$TRASH/new6" &&
	test ! -e "$TRASH/old6"
'

test_expect_success 'uninstall removes only mlv shims: other hooks of the user stay' '
	model_repo r7 && cd r7 &&
	user_hook .git/hooks/commit-msg msg7 &&
	cp .git/hooks/commit-msg ../msg7 &&
	ls .git/hooks | grep "\.sample$" >../samples.before &&
	git mlv install >/dev/null &&
	user_hook .git/hooks/post-merge mine7 &&
	cp .git/hooks/post-merge ../mine7 &&
	git mlv uninstall >../out &&
	for h in pre-commit pre-merge-commit pre-push post-checkout; do
		test ! -e .git/hooks/$h || exit 1
	done &&
	cmp ../mine7 .git/hooks/post-merge &&
	cmp ../msg7 .git/hooks/commit-msg &&
	ls .git/hooks | grep "\.sample$" >../samples.after &&
	cmp ../samples.before ../samples.after &&
	test -s ../samples.after
'

test_expect_success 'track installs the hooks when there are none' '
	git init -q r8 && cd r8 &&
	git mlv track --model "*.onnx" >../out &&
	shims_in .git/hooks &&
	grep -q "installed pre-commit hook" ../out &&
	test_random_file m.onnx 3000 m8 && git add .gitattributes m.onnx &&
	test_must_fail git commit -qm model 2>../err &&
	grep -q "m.onnx: model without a sidecar" ../err
'

test_expect_success 'track keeps installed hooks as they are and chains a user hook' '
	cd r8 &&
	cp .git/hooks/pre-commit ../shim8 &&
	git mlv track "*.bin" >../out &&
	! grep -q "installed" ../out &&
	cmp ../shim8 .git/hooks/pre-commit &&
	git init -q ../r9 && cd ../r9 &&
	user_hook .git/hooks/pre-commit marker9 &&
	git mlv track "*.bin" >../out &&
	grep -q "kept your pre-commit hook" ../out &&
	shims_in .git/hooks &&
	echo x >x.txt && git add x.txt && git commit -qm x &&
	grep -qx "user hook " "$TRASH/marker9"
'

if PATH=/usr/bin:/bin command -v git-mlv >/dev/null 2>&1; then
	test_skip 'a shim whose git-mlv is gone says so and refuses the commit' \
		'a git-mlv is installed in /usr/bin or /bin'
else
test_expect_success 'a shim whose git-mlv is gone says so and refuses the commit' '
	cd r8 &&
	git rm -q --cached m.onnx &&
	mkdir -p ../gitonly && ln -sf "$(command -v git)" ../gitonly/git &&
	echo y >y.txt && git add y.txt &&
	test_must_fail env PATH="$TRASH/gitonly:/usr/bin:/bin" git commit -qm y 2>../err &&
	grep -q "git-mlv is not on PATH" ../err
'
fi

test_done
