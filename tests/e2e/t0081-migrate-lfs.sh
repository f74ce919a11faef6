#!/usr/bin/env bash
# git mlv migrate --from-lfs makes a repository made with the real git-lfs an
# mlv one without rewriting a commit: .gitattributes changes in one new
# commit, git-lfs's objects go into the store verified, its hooks give way
# to mlv's; a clone through an mlv store has every file's bytes; the
# result stays readable by git-lfs. git mlv migrate --info shows what
# history holds by kind of file.
. "$(dirname "$0")/lib.sh"

if ! git lfs version >/dev/null 2>&1; then
	test_skip 'migrate from git-lfs' 'git-lfs is not installed: apt-get install git-lfs'
	test_done
	exit
fi

# A repository made with git-lfs alone: *.bin and *.onnx in LFS, sub/*.dat
# by a nested .gitattributes, a CSV committed into git as it is.
make_lfs_repo() {
	git init -q "$1" && (
		cd "$1" &&
		git lfs install --local >/dev/null &&
		printf "# made by git-lfs\n*.txt text\n" >.gitattributes &&
		git lfs track "*.bin" "*.onnx" >/dev/null &&
		mkdir sub && printf "*.dat filter=lfs diff=lfs merge=lfs -text lockable\n" >sub/.gitattributes &&
		test_random_file a.bin 100000 a1 && test_random_file "-odd 'name'.bin" 3000 odd &&
		test_random_file m.onnx 20000 m1 && test_random_file sub/x.dat 5000 x1 &&
		test_random_file table.csv 40000 csv && echo notes >notes.txt &&
		git add . && git commit -qm one &&
		test_random_file a.bin 100000 a2 && test_random_file m.onnx 20000 m2 &&
		git commit -qam two &&
		git checkout -q -b side && test_random_file side.bin 7000 side &&
		git add side.bin && git commit -qm side && git checkout -q main
	)
}

test_expect_success 'setup: a repository made with git-lfs' '
	make_lfs_repo r &&
	git -C r lfs ls-files >lfs-files && test_line_count = 4 lfs-files &&
	test -f r/.git/hooks/pre-push && grep -q "git lfs pre-push" r/.git/hooks/pre-push
'

test_expect_success 'migrate --info: bytes by kind of file, how many are in LFS' '
	cd r && git mlv migrate --info >../out &&
	grep -q "^\*\.bin  *198.24 KiB  *3 files  *3 stored by mlv or git-lfs (all)$" ../out &&
	grep -q "^\*\.csv  *39.06 KiB  *1 file  *0 stored by mlv or git-lfs$" ../out &&
	grep -q "^\*\.onnx  *39.06 KiB  *2 files  *2 stored" ../out &&
	grep -q "^migrate: 2 commits, " ../out &&
	head -1 ../out | grep -q "^\*\.bin " &&
	git mlv migrate --info --everything >../out &&
	grep -q "^\*\.bin  *205.08 KiB  *4 files" ../out && grep -q "^migrate: 3 commits" ../out &&
	git mlv migrate --info --include-ref side --top 1 >../out &&
	test_line_count = 3 ../out && grep -q "more kinds of file" ../out &&
	test_expect_code 128 git mlv migrate --info --include-ref no-such 2>../err &&
	grep -q "no-such. names no commit" ../err
'

test_expect_success 'migrate --from-lfs --dry-run changes nothing' '
	cd r && head=$(git rev-parse HEAD) && cp .gitattributes ../attr.before &&
	git mlv migrate --from-lfs --dry-run >../out 2>../err &&
	grep -q "^migrate: would take 7 objects" ../out &&
	grep -q "would remove git-lfs.s hooks pre-push, post-checkout, post-commit, post-merge" ../out &&
	grep -q "^migrate: would change 3 lines of .gitattributes to filter=mlv$" ../out &&
	grep -q "^migrate: would make mlv the lfs filter driver" ../out &&
	test "$(git config filter.lfs.process)" = "git-lfs filter-process" &&
	test_must_be_empty ../err &&
	test "$(git rev-parse HEAD)" = "$head" && test_cmp ../attr.before .gitattributes &&
	! test -d .git/mlv/objects && grep -q "git lfs pre-push" .git/hooks/pre-push
'

test_expect_success 'refused with staged changes, or a .gitattributes not committed' '
	cd r && echo more >>notes.txt && git add notes.txt &&
	test_expect_code 128 git mlv migrate --from-lfs 2>../err &&
	grep -q "the index has staged changes" ../err &&
	git reset -q && git checkout -q -- notes.txt &&
	echo "*.zip filter=lfs diff=lfs merge=lfs -text" >>sub/.gitattributes &&
	test_expect_code 128 git mlv migrate --from-lfs 2>../err &&
	grep -q "sub/.gitattributes. has changes that are not committed" ../err &&
	git checkout -q -- sub/.gitattributes && ! test -d .git/mlv/objects
'

test_expect_success 'migrate --from-lfs: one new commit, no commit rewritten, objects verified into the store' '
	cd r && git rev-list --all | sort >../commits.before &&
	git mlv migrate --from-lfs >../out 2>../err &&
	test_must_be_empty ../err &&
	grep -q "^migrate: take 7 objects (.*) from .*: 7 hard-linked, 0 copied, 0 already in the store$" ../out &&
	grep -q "^migrate: change 3 lines of .gitattributes to filter=mlv (commit [0-9a-f]* " ../out &&
	git rev-list --all | sort >../commits.after &&
	test "$(comm -13 ../commits.before ../commits.after | wc -l)" = 1 &&
	test -z "$(comm -23 ../commits.before ../commits.after)" &&
	git diff --name-only HEAD~1 HEAD >../changed &&
	printf ".gitattributes\nsub/.gitattributes\n" >../want && test_cmp ../want ../changed &&
	sed "s/=lfs/=mlv/g" ../attr.before >../want && test_cmp ../want .gitattributes &&
	grep -q "^# made by git-lfs$" .gitattributes && grep -q "^\*\.bin filter=mlv diff=mlv merge=mlv -text$" .gitattributes &&
	echo "*.dat filter=mlv diff=mlv merge=mlv -text lockable" >../want &&
	test_cmp ../want sub/.gitattributes &&
	oid=$(test_pointer_oid a.bin HEAD) &&
	# (a racy work tree file git cleans again during the commit may
	# replace the link with a fresh copy: the bytes are what counts)
	test "$(sha256sum <"$(test_store_path "$oid")" | cut -d" " -f1)" = "$oid" &&
	git mlv fsck >../fsck && grep -q "all present and intact" ../fsck &&
	git status --porcelain >../st && test_must_be_empty ../st
'

test_expect_success 'git-lfs hooks gave way to mlv: a model without a sidecar is refused' '
	cd r && ! grep -q "git lfs" .git/hooks/pre-push && grep -q "git mlv hook" .git/hooks/pre-push &&
	test -x .git/hooks/pre-commit && ! test -e .git/hooks/post-commit
'

test_expect_success 'running it again changes nothing' '
	cd r && head=$(git rev-parse HEAD) &&
	git mlv migrate --from-lfs >../out &&
	grep -q "0 hard-linked, 0 copied, 7 already in the store" ../out &&
	grep -q "has no filter=lfs line to change" ../out &&
	test "$(git rev-parse HEAD)" = "$head"
'

test_expect_success 'new versions go to the mlv store; old ones check out' '
	cd r && test_random_file a.bin 100000 a3 && git add a.bin && git commit -qm three &&
	test -f "$(test_store_path "$(test_pointer_oid a.bin HEAD)")" &&
	git checkout -q HEAD~3 -- a.bin && test_random_file ../a1 100000 a1 && cmp a.bin ../a1 &&
	git checkout -q HEAD -- a.bin
'

test_expect_success 'pushed to an mlv store and cloned: every file has its bytes' '
	cd r && git push -q "mlv::file://$TRASH/store" main side 2>/dev/null &&
	cd .. && git clone -q "mlv::file://$TRASH/store" c 2>/dev/null && cd c &&
	test_random_file ../a3 100000 a3 && cmp a.bin ../a3 &&
	test_random_file ../m2 20000 m2 && cmp m.onnx ../m2 &&
	test_random_file ../odd 3000 odd && cmp "./-odd '\''name'\''.bin" ../odd &&
	test_random_file ../x1 5000 x1 && cmp sub/x.dat ../x1 &&
	test_random_file ../csv 40000 csv && cmp table.csv ../csv &&
	git checkout -q side && test_random_file ../side 7000 side &&
	git cat-file -p HEAD:side.bin >../side.ptr && cmp side.bin ../side.ptr
'

test_expect_success 'a branch made before the migration checks out once the clone runs it too' '
	cd c && git mlv migrate --from-lfs >../out &&
	test "$(git config filter.lfs.process)" = "git-mlv filter-process" &&
	rm side.bin && git checkout -- side.bin && cmp side.bin ../side &&
	git checkout -q main
'

test_expect_success 'the mlv repository stays readable by git-lfs' '
	cd c &&
	git lfs ls-files -l >../lfs-ls &&
	grep -q "^$(test_pointer_oid a.bin HEAD) [-*] a.bin$" ../lfs-ls &&
	git cat-file -p HEAD:a.bin >../ptr && git lfs pointer --check --file=../ptr &&
	mkdir -p .git/lfs && cp -r .git/mlv/objects .git/lfs/objects &&
	git lfs smudge a.bin <../ptr >../via-lfs && cmp ../via-lfs ../a3
'

test_expect_success 'a corrupt git-lfs object is named and left out' '
	make_lfs_repo k && cd k &&
	oid=$(test_pointer_oid m.onnx HEAD) &&
	f=.git/lfs/objects/$(echo $oid | cut -c1-2)/$(echo $oid | cut -c3-4)/$oid &&
	chmod u+w "$f" && printf X | dd of="$f" bs=1 seek=10 conv=notrunc 2>/dev/null &&
	git mlv migrate --from-lfs >../out 2>../err &&
	grep -q "^warning: left out .*/$oid.: its content does not hash to its name$" ../err &&
	grep -q "^migrate: 1 files of .* left out" ../out &&
	# the store has no copy of it, or (git re-cleaned the racy work tree
	# file through mlv during the commit) a whole one from the work tree
	p=$(test_store_path "$oid") &&
	if test -e "$p"; then
		test "$(sha256sum <"$p" | cut -d" " -f1)" = "$oid"
	else
		grep -q "^warning: 1 file of HEAD (m.onnx) has no object here" ../err
	fi
'

test_expect_success '--keep-attributes: filter=lfs stays, mlv is its driver' '
	make_lfs_repo kp && cd kp && cp .gitattributes ../attr.before && head=$(git rev-parse HEAD) &&
	git mlv migrate --from-lfs --keep-attributes >../out &&
	grep -q "^migrate: keep filter=lfs in .gitattributes$" ../out &&
	grep -q "^migrate: make mlv the lfs filter driver of this repository" ../out &&
	test "$(git rev-parse HEAD)" = "$head" && test_cmp ../attr.before .gitattributes &&
	test "$(git config filter.lfs.process)" = "git-mlv filter-process" &&
	mv .git/lfs ../lfs-gone && rm a.bin && git checkout -- a.bin &&
	test_random_file ../a2 100000 a2 && cmp a.bin ../a2 &&
	test_random_file new.bin 3000 new && git add new.bin &&
	test -f "$(test_store_path "$(test_pointer_oid new.bin)")"
'

SHM=/dev/shm
if [ -d "$SHM" ] && [ -w "$SHM" ] && [ "$(stat -c %d "$SHM")" != "$(stat -c %d "$TRASH")" ]; then
test_expect_success 'objects on another file system (lfs.storage) are copied, verified' '
	make_lfs_repo fs && cd fs &&
	elsewhere=$(mktemp -d "$SHM/mlv-lfs.XXXXXX") &&
	mv .git/lfs "$elsewhere/lfs" && git config lfs.storage "$elsewhere/lfs" &&
	git mlv migrate --from-lfs >../out 2>../err; rc=$?
	rm -rf "$elsewhere"
	test $rc = 0 &&
	grep -q "^migrate: take 7 objects (.*) from .*: 0 hard-linked, 7 copied, 0 already in the store$" ../out &&
	oid=$(test_pointer_oid a.bin HEAD) &&
	test "$(sha256sum <"$(test_store_path "$oid")" | cut -d" " -f1)" = "$oid" &&
	test "$(stat -c %h "$(test_store_path "$oid")")" = 1
'
else
	test_skip 'objects on another file system are copied' \
		"no writable $SHM on another file system than $TRASH"
fi

test_expect_success 'objects git-lfs never fetched: a warning and how to get them' '
	make_lfs_repo src2 &&
	GIT_LFS_SKIP_SMUDGE=1 git clone -q "file://$TRASH/src2" nf 2>/dev/null && cd nf &&
	git lfs install --local >/dev/null &&
	git mlv migrate --from-lfs >../out 2>../err &&
	grep -q "^warning: 4 files of HEAD (.*) have no object here: git-lfs never fetched them$" ../err &&
	grep -q "^hint: .git lfs fetch --all. before the migration" ../err
'

test_expect_success 'a bare repository and one with no commits are refused' '
	git init -q --bare b.git && (cd b.git && test_expect_code 128 git mlv migrate --from-lfs 2>../err) &&
	grep -q "bare repository" err &&
	git init -q e && (cd e && test_expect_code 128 git mlv migrate --from-lfs 2>../err) &&
	grep -q "no commits yet" err &&
	(cd e && test_expect_code 129 git mlv migrate 2>../err) &&
	(cd e && test_expect_code 129 git mlv migrate --info --from-lfs 2>../err)
'

test_done
