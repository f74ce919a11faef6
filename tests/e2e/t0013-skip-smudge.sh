#!/usr/bin/env bash
# Skipping smudge: a clone made with MLV_SKIP_SMUDGE=1 (or mlv.skipsmudge)
# has pointers in its work tree, mlv says so, and `git mlv checkout` turns
# them into content later, all or by path, with git status staying clean.
. "$(dirname "$0")/lib.sh"

# Give clone $1 the source repo's objects: a local clone copies git's
# objects but not the mlv store.
copy_store() {
	mkdir -p "$1/.git/mlv" &&
	cp -R "$TRASH/src/.git/mlv/objects" "$1/.git/mlv/"
}

test_expect_success 'setup: a source repo with tracked files at top level and in a directory' '
	test_repo src && cd src &&
	mkdir -p models ../orig/models &&
	test_random_file a.bin 30000 a && test_random_file b.bin 40000 b &&
	test_random_file models/m.onnx 50000 m && test_random_file models/a.bin 5000 ma &&
	echo "plain text" >readme.txt &&
	cp a.bin b.bin ../orig/ && cp models/m.onnx models/a.bin ../orig/models/ &&
	git add . && git commit -qm files
'

test_expect_success 'a clone with MLV_SKIP_SMUDGE=1 has pointers in its work tree' '
	MLV_SKIP_SMUDGE=1 git clone -q src c1 && cd c1 &&
	for f in a.bin b.bin models/m.onnx models/a.bin; do
		git cat-file -p "HEAD:$f" | cmp - "$f" &&
		head -1 "$f" | grep -qx "version https://git-lfs.github.com/spec/v1" ||
		exit 1
	done &&
	test "$(cat readme.txt)" = "plain text" &&
	test -z "$(git status --porcelain)"
'

test_expect_success 'git mlv status reports the files as pointers' '
	cd c1 && copy_store . &&
	git mlv status >../out &&
	grep -q "^pointer  *a.bin" ../out &&
	grep -q "^pointer  *b.bin" ../out &&
	grep -q "^pointer  *models/m.onnx" ../out &&
	! grep -q "^materialized" ../out &&
	grep -qx "0 materialized, 4 pointer only, 0 modified, 0 missing" ../out
'

test_expect_success 'git mlv ls-files marks pointers with -' '
	cd c1 &&
	git mlv ls-files >../out &&
	test "$(grep -c " - " ../out)" = 4 &&
	! grep -q " \* " ../out &&
	grep -q "^$(test_pointer_oid a.bin | cut -c1-10) - a.bin$" ../out &&
	git mlv ls-files --json >../json &&
	grep -q "\"path\": \"a.bin\".*\"state\": \"pointer\", \"in_store\": true" ../json
'

test_expect_success 'git mlv checkout PATH materializes only that path' '
	cd c1 &&
	git mlv checkout --quiet a.bin &&
	cmp ../orig/a.bin a.bin &&
	git cat-file -p HEAD:b.bin | cmp - b.bin &&
	git cat-file -p HEAD:models/a.bin | cmp - models/a.bin &&
	git mlv ls-files >../out &&
	grep -q " \* a.bin$" ../out && grep -q " - b.bin$" ../out &&
	grep -q " - models/a.bin$" ../out &&
	test -z "$(git status --porcelain)"
'

test_expect_success 'git mlv checkout with a path from a subdirectory' '
	cd c1/models &&
	git mlv checkout --quiet a.bin &&
	cmp ../../orig/models/a.bin a.bin &&
	git cat-file -p HEAD:models/m.onnx | cmp - m.onnx &&
	git cat-file -p HEAD:b.bin | cmp - ../b.bin &&
	test -z "$(git status --porcelain)"
'

test_expect_success 'git mlv checkout materializes the rest and git status stays clean' '
	cd c1 &&
	git mlv checkout --quiet &&
	cmp ../orig/a.bin a.bin && cmp ../orig/b.bin b.bin &&
	cmp ../orig/models/m.onnx models/m.onnx &&
	cmp ../orig/models/a.bin models/a.bin &&
	test "$(cat readme.txt)" = "plain text" &&
	test -z "$(git status --porcelain)" &&
	git diff --quiet && git diff --cached --quiet &&
	git mlv status >../out &&
	grep -qx "4 materialized, 0 pointer only, 0 modified, 0 missing" ../out
'

test_expect_success 'git mlv checkout keeps the executable bit' '
	cd src &&
	test_random_file run.bin 1000 x && chmod +x run.bin && cp run.bin ../orig/ &&
	git add run.bin && git commit -qm exec &&
	cd ../c1 && MLV_SKIP_SMUDGE=1 git pull -q &&
	git cat-file -p HEAD:run.bin | cmp - run.bin &&
	copy_store . && git mlv checkout --quiet run.bin &&
	cmp ../orig/run.bin run.bin && test -x run.bin &&
	test -z "$(git status --porcelain)"
'

test_expect_success 'a pointer whose object is not in the store is reported and left alone' '
	MLV_SKIP_SMUDGE=1 git clone -q src c2 && cd c2 &&
	git mlv status >../out &&
	grep -q "^pointer  *a.bin.*not in the local store" ../out &&
	git mlv ls-files --json | grep -q "\"path\": \"a.bin\".*\"in_store\": false" &&
	test_must_fail_quietly() { ! "$@" 2>../err; } &&
	test_must_fail_quietly git mlv checkout a.bin &&
	grep -q "a.bin" ../err &&
	grep -q "$(test_pointer_oid a.bin)" ../err &&
	git cat-file -p HEAD:a.bin | cmp - a.bin
'

test_expect_success 'mlv.skipsmudge=true in the new clone config leaves pointers' '
	git clone -q -c mlv.skipsmudge=true src c3 && cd c3 &&
	test "$(git config mlv.skipsmudge)" = true &&
	git cat-file -p HEAD:a.bin | cmp - a.bin &&
	git cat-file -p HEAD:models/m.onnx | cmp - models/m.onnx &&
	copy_store . && git mlv checkout --quiet &&
	cmp ../orig/a.bin a.bin && test -z "$(git status --porcelain)"
'

test_expect_success 'mlv.skipsmudge=true in the global config leaves pointers' '
	git config --global mlv.skipsmudge true &&
	git clone -q src c4 &&
	git config --global --unset mlv.skipsmudge &&
	cd c4 &&
	git cat-file -p HEAD:a.bin | cmp - a.bin &&
	git cat-file -p HEAD:b.bin | cmp - b.bin
'

test_expect_success 'git -c mlv.skipsmudge=true checkout leaves pointers' '
	cd c1 &&
	test_must_fail_quietly() { ! "$@" 2>/dev/null; } &&
	test_must_fail_quietly git config mlv.skipsmudge &&
	rm a.bin &&
	git -c mlv.skipsmudge=true checkout -- a.bin &&
	git cat-file -p HEAD:a.bin | cmp - a.bin &&
	git mlv checkout --quiet && cmp ../orig/a.bin a.bin &&
	rm a.bin &&
	git -c "user.name=O'"'"'Brien = x" -c mlv.skipsmudge=true checkout -- a.bin &&
	git cat-file -p HEAD:a.bin | cmp - a.bin &&
	git mlv checkout --quiet && cmp ../orig/a.bin a.bin
'

test_expect_success 'git -c mlv.skipsmudge (no value) and GIT_CONFIG_COUNT work too' '
	cd c1 &&
	rm a.bin && git -c mlv.skipsmudge checkout -- a.bin &&
	git cat-file -p HEAD:a.bin | cmp - a.bin &&
	rm a.bin &&
	GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=mlv.skipsmudge GIT_CONFIG_VALUE_0=yes \
		git checkout -- a.bin &&
	git cat-file -p HEAD:a.bin | cmp - a.bin &&
	git mlv checkout --quiet && cmp ../orig/a.bin a.bin
'

test_expect_success 'git -c mlv.skipsmudge=false overrides the repo config' '
	cd c3 &&
	test "$(git config mlv.skipsmudge)" = true &&
	rm a.bin && git -c mlv.skipsmudge=false checkout -- a.bin &&
	cmp ../orig/a.bin a.bin
'

test_expect_success 'mlv.skipsmudge=false and MLV_SKIP_SMUDGE=0 smudge as usual' '
	cd c3 &&
	git config mlv.skipsmudge false &&
	rm a.bin && git checkout -- a.bin && cmp ../orig/a.bin a.bin &&
	rm a.bin && MLV_SKIP_SMUDGE=0 git checkout -- a.bin && cmp ../orig/a.bin a.bin
'

test_expect_success 'MLV_SKIP_SMUDGE=1 wins over mlv.skipsmudge=false' '
	cd c3 &&
	rm a.bin && MLV_SKIP_SMUDGE=1 git checkout -- a.bin &&
	git cat-file -p HEAD:a.bin | cmp - a.bin &&
	git mlv checkout --quiet && cmp ../orig/a.bin a.bin
'

test_expect_success 'with the index locked by another git, checkout still materializes and warns' '
	cd c3 &&
	rm a.bin && MLV_SKIP_SMUDGE=1 git checkout -- a.bin &&
	: >.git/index.lock &&
	git mlv checkout --quiet a.bin 2>../err; rc=$?; rm -f .git/index.lock &&
	test $rc = 0 &&
	cmp ../orig/a.bin a.bin &&
	grep -q "^warning: .*index" ../err
'

# Paths on the command line are literal: a leading # or - and a newline
# name files, not pathspec comments or options; patterns need --glob.
test_expect_success 'setup: pointers with hostile names' '
	test_repo h && cd h &&
	for n in "#hash.bin" "-dash.bin" "$(printf "nl\nx.bin")" "star*.bin" "starX.bin" "sub/q.bin"; do
		mkdir -p "$(dirname -- "$n")" &&
		test_random_file "./$n" 2000 "$n" || return 1
	done &&
	git add -A && git commit -qm hostile &&
	cp -R . ../h.orig &&
	git ls-files -z | grep -z "\.bin$" | xargs -0 rm -f -- &&
	MLV_SKIP_SMUDGE=1 git checkout -- . &&
	head -1 "#hash.bin" | grep -q "^version https://git-lfs"
'

test_expect_success 'git mlv checkout of a path with a leading # checks out that file only' '
	cd h &&
	git mlv checkout --quiet -- "#hash.bin" &&
	cmp "#hash.bin" "../h.orig/#hash.bin" &&
	head -1 starX.bin | grep -q "^version https://git-lfs" &&
	head -1 sub/q.bin | grep -q "^version https://git-lfs"
'

test_expect_success 'a newline and a leading - in a path are that file' '
	cd h &&
	git mlv checkout --quiet -- "$(printf "nl\nx.bin")" -dash.bin &&
	cmp "$(printf "nl\nx.bin")" "../h.orig/$(printf "nl\nx.bin")" &&
	cmp ./-dash.bin ../h.orig/-dash.bin &&
	head -1 starX.bin | grep -q "^version https://git-lfs"
'

test_expect_success 'a * in a path is literal; --glob and :(glob) make it a pattern' '
	cd h &&
	git mlv checkout --quiet -- "star*.bin" &&
	cmp "star*.bin" "../h.orig/star*.bin" &&
	head -1 starX.bin | grep -q "^version https://git-lfs" &&
	git mlv checkout --quiet ":(glob)sub/*.bin" &&
	cmp sub/q.bin ../h.orig/sub/q.bin &&
	git mlv checkout --quiet --glob "star?.bin" &&
	cmp starX.bin ../h.orig/starX.bin
'

test_expect_success 'a path that matches no mlv file is an error naming it' '
	cd h &&
	test_must_fail git mlv checkout -- nothing.bin "#hash.bin" 2>../err &&
	grep -q "nothing.bin. matches no file stored by mlv" ../err &&
	! grep -q "#hash" ../err &&
	test_must_fail git mlv checkout -- "$(printf "nl\nnope")" 2>../err &&
	grep -q "matches no file" ../err &&
	test_must_fail git mlv checkout -- ../../outside 2>../err &&
	grep -q "outside the work tree" ../err
'

test_done
