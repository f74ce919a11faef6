#!/usr/bin/env bash
# A store whose directories are symbolic links is never written (or read)
# through them: someone who can write a shared store, or plant a link in
# .git/mlv, must not be able to make mlv write files elsewhere.
. "$(dirname "$0")/lib.sh"

# oid of a file's bytes, and its two directory levels in a store.
oid_of() { sha256sum <"$1" | cut -d" " -f1; }

test_expect_success 'setup: a repository and a directory links point to' '
	mkdir outside &&
	test_repo r && cd r &&
	test_random_file a.bin 5000 a &&
	test_random_file b.bin 5000 b
'

test_expect_success 'git add refuses an objects/xx of the local store that is a link' '
	cd r &&
	oid=$(oid_of a.bin) && aa=$(echo $oid | cut -c1-2) &&
	mkdir -p .git/mlv/objects && ln -s "$TRASH/outside" .git/mlv/objects/$aa &&
	test_must_fail git add a.bin 2>../err &&
	grep -q "objects/$aa. is a symbolic link" ../err &&
	test -z "$(ls -A ../outside)" &&
	rm .git/mlv/objects/$aa &&
	git add a.bin && test -f "$(test_store_path $oid)"
'

test_expect_success 'git add refuses a tmp/ of the local store that is a link' '
	cd r &&
	rm -rf .git/mlv/tmp && ln -s "$TRASH/outside" .git/mlv/tmp &&
	test_must_fail git add b.bin 2>../err &&
	grep -q "mlv/tmp. is a symbolic link" ../err &&
	test -z "$(ls -A ../outside)" &&
	rm .git/mlv/tmp && git add b.bin && git commit -qm two
'

test_expect_success 'a checkout does not read an object through a linked directory' '
	cd r &&
	oid=$(test_pointer_oid b.bin HEAD) && bb=$(echo $oid | cut -c1-2) &&
	mkdir -p ../elsewhere/$(echo $oid | cut -c3-4) &&
	cp "$(test_store_path $oid)" ../elsewhere/$(echo $oid | cut -c3-4)/ &&
	mv .git/mlv/objects/$bb ../saved && ln -s "$TRASH/elsewhere" .git/mlv/objects/$bb &&
	rm b.bin && test_must_fail git checkout -- b.bin 2>../err &&
	! test -e b.bin &&
	git cat-file -p HEAD:b.bin | test_must_fail git mlv smudge -- b.bin >out 2>../err &&
	test ! -s out &&
	rm .git/mlv/objects/$bb && mv ../saved .git/mlv/objects/$bb &&
	git checkout -- b.bin && test "$(oid_of b.bin)" = $oid
'

test_expect_success 'a push into a file:// store whose objects/xx is a link writes nothing there' '
	test_repo p && cd p &&
	test_random_file a.bin 5000 a && git add a.bin && git commit -qm a &&
	oid=$(test_pointer_oid a.bin HEAD) && aa=$(echo $oid | cut -c1-2) &&
	mkdir -p ../store/objects && ln -s "$TRASH/outside" ../store/objects/$aa &&
	git remote add st "mlv::file://$TRASH/store" &&
	test_must_fail git push -q st main 2>../err &&
	grep -q "objects/$aa. is a symbolic link" ../err &&
	test -z "$(ls -A ../outside)" &&
	test ! -e ../store/git/refs
'

test_expect_success 'a file:// store whose git/ is a link gets no pack and no manifest' '
	cd p &&
	rm ../store/objects/$(test_pointer_oid a.bin HEAD | cut -c1-2) &&
	rm -rf ../store/git && ln -s "$TRASH/outside" ../store/git &&
	test_must_fail git push -q st main 2>../err &&
	grep -q "store/git. is a symbolic link" ../err &&
	test -z "$(ls -A ../outside)" &&
	rm ../store/git && git push -q st main &&
	test -f ../store/git/refs
'

test_done
