#!/usr/bin/env bash
# The basics a user meets first: install, track, add, commit, checkout.
. "$(dirname "$0")/lib.sh"

test_expect_success 'install writes the filter to global config' '
	test "$(git config --global filter.mlv.process)" = "git-mlv filter-process" &&
	test "$(git config --global filter.mlv.clean)" = "git-mlv clean -- %f" &&
	test "$(git config --global filter.mlv.smudge)" = "git-mlv smudge -- %f" &&
	test "$(git config --global filter.mlv.required)" = "true"
'

test_expect_success 'track writes .gitattributes lines' '
	git init -q r1 && cd r1 &&
	git mlv track "*.bin" && git mlv track --model "*.onnx" &&
	grep -qx "\*.bin filter=mlv diff=mlv merge=mlv -text" .gitattributes &&
	grep -qx "\*.onnx filter=mlv diff=mlv merge=mlv -text mlv-model" .gitattributes &&
	git mlv track >out && grep -q "\*.onnx (model)" out
'

test_expect_success 'add stores a pointer in git and the bytes in the store' '
	test_repo r2 && cd r2 &&
	test_random_file a.bin 100000 &&
	git add a.bin && git commit -qm add &&
	git cat-file -p HEAD:a.bin >../ptr &&
	oid=$(sha256sum a.bin | cut -d" " -f1) &&
	printf "version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize 100000\n" "$oid" >../expect &&
	cmp ../expect ../ptr &&
	cmp a.bin "$(test_store_path "$oid")"
'

test_expect_success 'checkout restores byte-identical content and status is clean' '
	cd r2 && rm a.bin && git checkout -- a.bin &&
	test "$(sha256sum <a.bin | cut -d" " -f1)" = "$(test_pointer_oid a.bin HEAD)" &&
	test -z "$(git status --porcelain)"
'

test_done
