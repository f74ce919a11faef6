#!/usr/bin/env bash
# Round trips through git: what a user adds comes back byte for byte, whatever
# its size or bytes, and content that is (or is not) a pointer passes through
# unchanged where the design says it must.
. "$(dirname "$0")/lib.sh"

# Commit file $1 (already written), delete it, check it out again and compare
# with the copy saved in ../orig/$1.
roundtrip() {
	mkdir -p ../orig && cp "$1" "../orig/$1" &&
	git add "$1" && git commit -qm "add $1" &&
	rm "$1" && git checkout -- "$1" &&
	cmp "../orig/$1" "$1"
}

test_expect_success 'an empty file round-trips and git stores an empty pointer' '
	test_repo r && cd r &&
	: >empty.bin &&
	roundtrip empty.bin &&
	test -f empty.bin && ! test -s empty.bin &&
	test "$(git cat-file -s HEAD:empty.bin)" = 0 &&
	test -z "$(git status --porcelain)"
'

test_expect_success 'binary data with NUL bytes round-trips byte for byte' '
	cd r &&
	test_random_file rnd 20000 nul &&
	{ printf "\000\000\377\376\000a\000\r\n\000" &&
	  head -c 5000 /dev/zero && cat rnd; } >nul.bin && rm rnd &&
	test "$(wc -c <nul.bin)" = 25010 &&
	roundtrip nul.bin &&
	git cat-file -p HEAD:nul.bin >ptr &&
	grep -qx "size 25010" ptr &&
	grep -qx "oid sha256:$(sha256sum <nul.bin | cut -d" " -f1)" ptr &&
	rm ptr
'

test_expect_success 'files around the 1024-byte pointer limit round-trip' '
	cd r &&
	for n in 1023 1024 1025; do
		test_random_file "s$n.bin" $n "s$n" &&
		roundtrip "s$n.bin" &&
		test "$(git cat-file -p HEAD:s$n.bin | sed -n "s/^size //p")" = $n &&
		cmp "s$n.bin" "$(test_store_path "$(test_pointer_oid "s$n.bin" HEAD)")" ||
		exit 1
	done
'

test_expect_success 'a one-byte file round-trips' '
	cd r &&
	printf x >tiny.bin &&
	roundtrip tiny.bin &&
	test "$(cat tiny.bin)" = x &&
	git cat-file -p HEAD:tiny.bin | grep -qx "size 1"
'

test_expect_success 'a file larger than the 1 MiB smudge spool round-trips' '
	cd r &&
	test_random_file big.bin 3000001 big &&
	roundtrip big.bin
'

test_expect_success 'a file with spaces and non-ASCII in its name round-trips' '
	cd r &&
	mkdir -p "sub dir" &&
	name="sub dir/données v1 (final).bin" &&
	test_random_file "$name" 4000 utf8 && cp "$name" ../utf8.orig &&
	git add "$name" && git commit -qm "odd name" &&
	git cat-file -p "HEAD:$name" | grep -qx "size 4000" &&
	rm "$name" && git checkout -- "$name" &&
	cmp ../utf8.orig "$name"
'

test_expect_success 'CRLF bytes come back unchanged even with core.autocrlf=true' '
	cd r &&
	printf "line one\r\nline two\r\n\000\r\n" >crlf.bin && cp crlf.bin ../crlf.orig &&
	git -c core.autocrlf=true add crlf.bin && git commit -qm crlf &&
	git cat-file -p HEAD:crlf.bin | grep -qx "size 23" &&
	rm crlf.bin && git -c core.autocrlf=true checkout -- crlf.bin &&
	cmp ../crlf.orig crlf.bin
'

test_expect_success 'git status is clean after all the checkouts' '
	cd r &&
	test -z "$(git status --porcelain)" &&
	git diff --quiet HEAD
'

test_expect_success 'a fresh checkout of the whole tree restores every file' '
	cd r &&
	git rm -q --cached "*.bin" && rm -f *.bin && git reset -q --hard &&
	for f in empty.bin nul.bin s1023.bin s1024.bin s1025.bin tiny.bin big.bin; do
		cmp "../orig/$f" "$f" || exit 1
	done &&
	test -z "$(git status --porcelain)"
'

test_expect_success 'a pointer committed in a tracked path is stored unchanged' '
	cd r &&
	printf "some other content" >other &&
	oid=$(sha256sum <other | cut -d" " -f1) &&
	printf "version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize 18\n" "$oid" >ptr.bin &&
	cp ptr.bin ../ptr.orig &&
	git add ptr.bin && git commit -qm "a pointer as content" &&
	git cat-file -p HEAD:ptr.bin >../ptr.stored &&
	cmp ../ptr.orig ../ptr.stored &&
	! test -e "$(test_store_path "$(sha256sum <ptr.bin | cut -d" " -f1)")" &&
	rm other
'

test_expect_success 'text that only looks like a pointer is cleaned as content' '
	cd r &&
	{ cat ../ptr.orig && echo "extra line"; } >fake.bin &&
	git add fake.bin && git commit -qm "not quite a pointer" &&
	git cat-file -p HEAD:fake.bin >stored &&
	grep -qx "oid sha256:$(sha256sum <fake.bin | cut -d" " -f1)" stored &&
	grep -qx "size $(wc -c <fake.bin)" stored &&
	rm stored
'

test_expect_success 'clean of pointer text on stdin returns it unchanged' '
	cd r &&
	git mlv clean -- x.bin <../ptr.orig >out &&
	cmp ../ptr.orig out &&
	rm out
'

test_expect_success 'a blob committed before its pattern was tracked checks out unchanged' '
	git init -q plain && cd plain &&
	printf "version https://git-lfs.github.com/spec/v1\nnot really\n" >small.dat &&
	test_random_file large.dat 1500000 plain &&
	printf "\000binary\000" >nul.dat &&
	mkdir ../plain.orig && cp small.dat large.dat nul.dat ../plain.orig/ &&
	git add small.dat large.dat nul.dat && git commit -qm "before tracking" &&
	git mlv track "*.dat" >/dev/null &&
	git add .gitattributes && git commit -qm "track *.dat" &&
	rm small.dat large.dat nul.dat &&
	git checkout -- small.dat large.dat nul.dat &&
	for f in small.dat large.dat nul.dat; do
		cmp "../plain.orig/$f" "$f" &&
		git cat-file -p "HEAD:$f" | cmp - "$f" || exit 1
	done
'

test_expect_success 'smudge of a non-pointer on stdin returns it unchanged' '
	cd plain &&
	git mlv smudge -- large.dat <large.dat >out &&
	cmp large.dat out &&
	git mlv smudge -- small.dat <small.dat >out &&
	cmp small.dat out &&
	rm out
'

# The same round trips with git driving the single-file clean and smudge
# commands instead of the long-running process.
test_expect_success 'round trips hold with the single-file clean/smudge filter' '
	printf "[filter \"mlv\"]\n\tclean = git-mlv clean -- %%f\n\tsmudge = git-mlv smudge -- %%f\n\trequired = true\n" >single.cfg &&
	export GIT_CONFIG_GLOBAL="$TRASH/single.cfg" &&
	test -z "$(git config --get filter.mlv.process)" &&
	test_repo single && cd single &&
	: >empty.bin && printf "\000\001\000" >nul.bin &&
	test_random_file big.bin 2000000 single &&
	cp ../r/ptr.bin ptr.bin &&
	mkdir ../single.orig && cp *.bin ../single.orig/ &&
	git add *.bin && git commit -qm files &&
	git cat-file -p HEAD:ptr.bin | cmp - ptr.bin &&
	git cat-file -p HEAD:big.bin | grep -qx "size 2000000" &&
	rm empty.bin nul.bin big.bin &&
	git checkout -- empty.bin nul.bin big.bin &&
	for f in empty.bin nul.bin big.bin ptr.bin; do
		cmp "../single.orig/$f" "$f" || exit 1
	done &&
	test -z "$(git status --porcelain)"
'

test_done
