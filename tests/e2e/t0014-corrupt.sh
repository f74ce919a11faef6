#!/usr/bin/env bash
# A damaged local store: a flipped byte, a truncated object, a missing one.
# Checkout must fail loudly, naming the path, the object and what to run,
# and never leave wrong bytes in the work tree; fsck finds the damage and
# moves corrupt objects aside.
. "$(dirname "$0")/lib.sh"

# Flip the byte at offset $2 of file $1 in place (same size).
flip_byte() {
	old=$(dd if="$1" bs=1 skip="$2" count=1 status=none | od -An -tu1 | tr -d " ") &&
	printf "\\$(printf %03o $(((old + 1) % 256)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

test_expect_success 'setup: three committed files, their objects in the store' '
	test_repo r && cd r &&
	mkdir ../good &&
	test_random_file flip.bin 200000 flip &&
	test_random_file short.bin 300000 short &&
	test_random_file gone.bin 100000 gone &&
	cp flip.bin short.bin gone.bin ../good/ &&
	git add flip.bin short.bin gone.bin && git commit -qm files &&
	for f in flip short gone; do
		test_pointer_oid $f.bin HEAD >../$f.oid &&
		test -f "$(test_store_path "$(cat ../$f.oid)")" || exit 1
	done
'

test_expect_success 'setup: damage the store (flip a byte, truncate, delete)' '
	cd r &&
	flip=$(test_store_path "$(cat ../flip.oid)") &&
	chmod u+w "$flip" && flip_byte "$flip" 150000 &&
	test "$(stat -c %s "$flip")" = 200000 &&
	! cmp -s "$flip" ../good/flip.bin &&
	short=$(test_store_path "$(cat ../short.oid)") &&
	chmod u+w "$short" && truncate -s 123456 "$short" &&
	rm "$(test_store_path "$(cat ../gone.oid)")"
'

test_expect_success 'git checkout of a corrupt object fails and names path, oid and fsck' '
	cd r &&
	rm flip.bin &&
	test_must_fail git checkout -- flip.bin 2>../err &&
	grep "flip.bin" ../err | grep "$(cat ../flip.oid)" | grep -q "git mlv fsck" &&
	! test -e flip.bin
'

test_expect_success 'git checkout of a truncated object fails the same way' '
	cd r &&
	rm short.bin &&
	test_must_fail git checkout -- short.bin 2>../err &&
	grep "short.bin" ../err | grep "$(cat ../short.oid)" | grep -q "git mlv fsck" &&
	! test -e short.bin
'

test_expect_success 'git checkout of a missing object fails and names path and oid' '
	cd r &&
	rm gone.bin &&
	test_must_fail git checkout -- gone.bin 2>../err &&
	grep "gone.bin" ../err | grep -q "$(cat ../gone.oid)" &&
	! test -e gone.bin
'

test_expect_success 'a branch switch that needs a corrupt object fails without wrong bytes' '
	cd r &&
	git checkout -q -b other &&
	git rm -q --cached flip.bin short.bin gone.bin &&
	git commit -qm "drop them" &&
	rm -f flip.bin short.bin gone.bin &&
	test_must_fail git checkout -q main 2>../err &&
	grep -q "flip.bin" ../err &&
	! test -e flip.bin &&
	git checkout -q -f other
'

test_expect_success 'a work tree file is never replaced by bad bytes' '
	cd r &&
	git checkout -q main 2>/dev/null;
	for f in flip short gone; do
		if test -e $f.bin; then
			cmp ../good/$f.bin $f.bin || exit 1
		fi
	done &&
	MLV_SKIP_SMUDGE=1 git checkout -q -f main &&
	git cat-file -p HEAD:flip.bin | cmp - flip.bin &&
	test_must_fail git mlv checkout 2>../err &&
	grep "flip.bin" ../err | grep "$(cat ../flip.oid)" | grep -q "git mlv fsck" &&
	grep "short.bin" ../err | grep -q "$(cat ../short.oid)" &&
	grep "gone.bin" ../err | grep -q "$(cat ../gone.oid)" &&
	for f in flip short gone; do
		git cat-file -p HEAD:$f.bin | cmp - $f.bin || exit 1
	done &&
	! ls .*.mlv-* *.mlv-* 2>/dev/null
'

test_expect_success 'git mlv smudge of a corrupt object exits non-zero naming it, writing nothing' '
	cd r &&
	git cat-file -p HEAD:flip.bin >../ptr &&
	test_must_fail git mlv smudge -- flip.bin <../ptr >../smudged 2>../err &&
	grep "flip.bin" ../err | grep -q "$(cat ../flip.oid)" &&
	test ! -s ../smudged
'

test_expect_success 'with the single-file smudge filter the checkout fails too' '
	printf "[filter \"mlv\"]\n\tclean = git-mlv clean -- %%f\n\tsmudge = git-mlv smudge -- %%f\n\trequired = true\n" >single.cfg &&
	cd r &&
	rm flip.bin &&
	GIT_CONFIG_GLOBAL="$TRASH/single.cfg" &&
	export GIT_CONFIG_GLOBAL &&
	test_must_fail git checkout -- flip.bin 2>../err &&
	grep "flip.bin" ../err | grep -q "$(cat ../flip.oid)" &&
	! test -e flip.bin &&
	MLV_SKIP_SMUDGE=1 git checkout -- flip.bin
'

test_expect_success 'git mlv fsck reports corrupt and missing objects and exits non-zero' '
	cd r &&
	test_must_fail git mlv fsck >../out 2>&1 &&
	grep "corrupt" ../out | grep "$(cat ../flip.oid)" | grep -q "flip.bin" &&
	grep "corrupt" ../out | grep "$(cat ../short.oid)" | grep -q "short.bin" &&
	grep "missing" ../out | grep "$(cat ../gone.oid)" | grep -q "gone.bin" &&
	! grep "corrupt" ../out | grep -q "$(cat ../gone.oid)"
'

test_expect_success 'fsck moved the corrupt objects to .git/mlv/bad/' '
	cd r &&
	for f in flip short; do
		oid=$(cat ../$f.oid) &&
		! test -e "$(test_store_path $oid)" &&
		test -f .git/mlv/bad/$oid || exit 1
	done &&
	test "$(stat -c %s .git/mlv/bad/$(cat ../short.oid))" = 123456
'

test_expect_success 'after fsck the moved objects are reported missing' '
	cd r &&
	test_must_fail git mlv fsck >../out 2>&1 &&
	grep "missing" ../out | grep -q "$(cat ../flip.oid)" &&
	grep "missing" ../out | grep -q "$(cat ../short.oid)" &&
	! grep -q "corrupt:" ../out &&
	git mlv status >../st &&
	grep -q "^pointer.*flip.bin.*not in the local store" ../st
'

test_expect_success 're-adding good copies repairs the store; fsck passes' '
	cd r &&
	cp ../good/flip.bin ../good/short.bin ../good/gone.bin . &&
	git add flip.bin short.bin gone.bin &&
	test -z "$(git status --porcelain)" &&
	git mlv fsck >../out &&
	grep -q "all present and intact" ../out &&
	rm flip.bin && git checkout -- flip.bin && cmp ../good/flip.bin flip.bin
'

test_expect_success 'adding the file again repairs a corrupt object in place' '
	cd r &&
	obj=$(test_store_path "$(cat ../gone.oid)") &&
	chmod u+w "$obj" && flip_byte "$obj" 10 &&
	touch gone.bin && git add gone.bin &&
	cmp ../good/gone.bin "$obj" &&
	git mlv fsck --quiet
'

test_expect_success 'a pointer blob git cannot read fails fsck, naming it' '
	git init -q gone && cd gone &&
	git mlv track "*.bin" >/dev/null &&
	test_random_file x.bin 3000 x && git add x.bin .gitattributes &&
	blob=$(git rev-parse :x.bin) &&
	rm -f .git/objects/$(echo $blob | cut -c1-2)/$(echo $blob | cut -c3-) &&
	test_must_fail git mlv fsck >../out 2>&1 &&
	grep -q "$blob" ../out
'

test_expect_success 'stored objects are read-only, like git objects' '
	cd r &&
	obj=$(test_store_path "$(cat ../flip.oid)") &&
	test "$(stat -c %a "$obj")" = "$(printf "%o" $((0444 & ~0$(umask))))"
'

# A pointer whose size disagrees with its object: the object is intact,
# the pointer is wrong, and nothing may pass it on.
test_expect_success 'fsck reports a pointer whose size disagrees with its intact object' '
	test_repo w && cd w &&
	test_random_file s.bin 1024 s && git add s.bin && git commit -qm s &&
	oid=$(test_pointer_oid s.bin HEAD) &&
	printf "version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize 9223372036854775807\n" \
		$oid >../big.ptr &&
	blob=$(git hash-object -w ../big.ptr) &&
	git update-index --cacheinfo 100644,$blob,s.bin &&
	git commit -q --no-verify -m "wrong size" &&
	test_must_fail git mlv fsck >../out 2>&1 &&
	grep -q "wrong size: s.bin in HEAD: its pointer says 9223372036854775807 bytes, object $oid has 1024" ../out &&
	grep -q "0 missing, 0 corrupt, 2 pointers with a wrong size" ../out &&
	test -f "$(test_store_path $oid)"
'

test_expect_success 'a push refuses to upload under a pointer with a wrong size, naming the file' '
	cd w &&
	git remote add st "mlv::file://$TRASH/wstore" &&
	test_must_fail git push -q st main 2>../err &&
	grep -q "not uploading object $(test_pointer_oid s.bin HEAD) (.s.bin.): its pointer says 9223372036854775807 bytes but the object has 1024" ../err &&
	! test -e "$TRASH/wstore/git/refs"
'

test_done
