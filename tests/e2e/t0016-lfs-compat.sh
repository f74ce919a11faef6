#!/usr/bin/env bash
# Pointers are Git LFS's, byte for byte: `git mlv pointer`, what `git add`
# stores and `git lfs pointer` agree for empty, small and 1 MiB files.
. "$(dirname "$0")/lib.sh"

if ! git lfs version >/dev/null 2>&1; then
	test_skip 'pointers match git-lfs byte for byte' \
		'git-lfs is not installed: apt-get install git-lfs'
	test_done
	exit
fi

test_expect_success 'setup: files of 0 bytes, 1 byte, a line of text and 1 MiB' '
	test_repo r && cd r &&
	: >empty.bin &&
	printf x >one.bin &&
	echo "hello, pointer" >text.bin &&
	test_random_file mib.bin 1048576 mib &&
	test_random_file model.onnx 4096 model &&
	git add . && git commit -qm files
'

for f in empty.bin one.bin text.bin mib.bin model.onnx; do
	test_expect_success "git mlv pointer matches git lfs pointer for $f" "
		cd r &&
		git lfs pointer --file=$f >../lfs.$f 2>/dev/null &&
		git mlv pointer --file $f >../mlv.$f &&
		cmp ../lfs.$f ../mlv.$f
	"

	test_expect_success "what git add stored for $f is the git-lfs pointer" "
		cd r &&
		git cat-file -p HEAD:$f >../stored.$f &&
		cmp ../lfs.$f ../stored.$f
	"
done

test_expect_success 'git lfs pointer --check --strict accepts every stored pointer' '
	cd r &&
	for f in one.bin text.bin mib.bin model.onnx; do
		git lfs pointer --check --strict --file=../stored.$f || exit 1
	done
'

test_expect_success 'git lfs pointer --pointer compares equal with what mlv stored' '
	cd r &&
	git lfs pointer --file=mib.bin --pointer=../stored.mib.bin >../cmp.out 2>&1 &&
	! grep -qi "differ\|mismatch" ../cmp.out
'

test_expect_success 'a pointer written by git-lfs checks out through mlv' '
	cd r &&
	test_random_file lfs.bin 70000 lfs &&
	git lfs pointer --file=lfs.bin >../lfs.ptr 2>/dev/null &&
	oid=$(sed -n "s/^oid sha256://p" ../lfs.ptr) &&
	mkdir -p "$(dirname "$(test_store_path $oid)")" &&
	cp lfs.bin "$(test_store_path $oid)" &&
	mv lfs.bin ../lfs.orig &&
	blob=$(git hash-object -w ../lfs.ptr) &&
	git update-index --add --cacheinfo 100644,$blob,lfs.bin &&
	git commit -qm "pointer made by git-lfs" &&
	git checkout -- lfs.bin &&
	cmp ../lfs.orig lfs.bin &&
	test -z "$(git status --porcelain)"
'

test_done
