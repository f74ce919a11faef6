#!/usr/bin/env bash
# git mlv checkout PATH of a file whose object the local store lacks
# downloads it from the remote lazy fetches use, then checks it out; with
# --offline it downloads nothing and prints the command that would.
. "$(dirname "$0")/lib.sh"

STORE_DIR="$TRASH/store"
HOSTILE="-x \$(touch pwned) 'q'.bin"
HOSTILE_HINT=$(cat <<'EOF'
git mlv checkout -- ./'-x $(touch pwned) '\''q'\''.bin' 'sub/b.bin'
EOF
)

# The object file of an oid in the file:// store.
store_object() {
	echo "$STORE_DIR/objects/$(echo "$1" | cut -c1-2)/$(echo "$1" | cut -c3-4)/$1"
}

# 0 when the work tree file $1 is still a pointer.
is_pointer() {
	head -c 200 -- "$1" | grep -q "^version https://git-lfs.github.com/spec/v1"
}

test_expect_success 'setup: files in an mlv:: store, a clone that left them pointers' '
	test_repo src && cd src &&
	mkdir sub &&
	test_random_file a.bin 300000 a &&
	test_random_file sub/b.bin 200000 b &&
	test_random_file sub/c.bin 100000 c &&
	test_random_file "$HOSTILE" 5000 h &&
	git add . && git commit -qm files &&
	git push -q "mlv::file://$STORE_DIR" main &&
	cd .. && MLV_SKIP_SMUDGE=1 git clone -q "mlv::file://$STORE_DIR" c 2>err &&
	cd c && is_pointer a.bin && is_pointer sub/b.bin && is_pointer "$HOSTILE" &&
	test ! -e "$(test_store_path "$(test_pointer_oid a.bin)")"
'

test_expect_success 'git mlv checkout PATH downloads that object and restores the bytes' '
	cd c &&
	git mlv checkout -q a.bin 2>../err &&
	cmp a.bin ../src/a.bin &&
	test -f "$(test_store_path "$(test_pointer_oid a.bin)")" &&
	is_pointer sub/b.bin &&
	test ! -e "$(test_store_path "$(test_pointer_oid sub/b.bin)")" &&
	test -z "$(git status --porcelain)"
'

test_expect_success '--offline refuses, names file and object, and hints a quoted command' '
	cd c &&
	test_must_fail git mlv checkout --offline -- sub/b.bin "$HOSTILE" 2>../err &&
	is_pointer sub/b.bin && is_pointer "$HOSTILE" &&
	grep -q "^error: .sub/b.bin.: object $(test_pointer_oid sub/b.bin) is not in the local store$" ../err &&
	test "$(grep -c "is not in the local store" ../err)" = 2 &&
	hint=$(sed -n "s/^hint: to download them from the remote and check them out: //p" ../err) &&
	test "$hint" = "$HOSTILE_HINT" &&
	test ! -e "$(test_store_path "$(test_pointer_oid sub/b.bin)")" &&
	sh -c "$hint" 2>../err &&
	test ! -e pwned &&
	cmp sub/b.bin ../src/sub/b.bin && cmp -- "$HOSTILE" "../src/$HOSTILE" &&
	test -z "$(git status --porcelain)"
'

test_expect_success 'the --offline hint from a subdirectory works from there' '
	cd c && rm a.bin sub/b.bin sub/c.bin &&
	MLV_SKIP_SMUDGE=1 git checkout -- a.bin sub/b.bin sub/c.bin &&
	is_pointer a.bin && is_pointer sub/b.bin && is_pointer sub/c.bin &&
	rm -f "$(test_store_path "$(test_pointer_oid a.bin)")" \
		"$(test_store_path "$(test_pointer_oid sub/c.bin)")" &&
	cd sub &&
	test_must_fail git mlv checkout --offline 2>../../err &&
	cmp b.bin ../../src/sub/b.bin && is_pointer c.bin && is_pointer ../a.bin &&
	hint=$(sed -n "s/^hint: to download them from the remote and check them out: //p" ../../err) &&
	test "$hint" = "git mlv checkout -- '\''../a.bin'\'' '\''c.bin'\''" &&
	sh -c "$hint" && cmp c.bin ../../src/sub/c.bin && cmp ../a.bin ../../src/a.bin
'

test_expect_success 'an object the remote lacks is named with its path and the remote' '
	cd c &&
	rm sub/c.bin && MLV_SKIP_SMUDGE=1 git checkout -- sub/c.bin && is_pointer sub/c.bin &&
	oid=$(test_pointer_oid sub/c.bin) &&
	rm -f "$(test_store_path "$oid")" &&
	mv "$(store_object "$oid")" ../kept-object &&
	test_must_fail git mlv checkout sub/c.bin 2>../err &&
	mv ../kept-object "$(store_object "$oid")" &&
	is_pointer sub/c.bin &&
	grep -q "^error: remote .origin.: object $oid (.sub/c.bin.) is not in file://$STORE_DIR" ../err &&
	grep -q "1 of 1 files could not be checked out" ../err
'

test_expect_success 'without a remote it says there is none, and checks out the rest' '
	cd c && git remote remove origin &&
	rm -f "$(test_store_path "$(test_pointer_oid sub/c.bin)")" &&
	rm a.bin && MLV_SKIP_SMUDGE=1 git checkout -- a.bin && is_pointer a.bin &&
	test_must_fail git mlv checkout 2>../err &&
	grep -q "^error: cannot download 1 object the local store lacks (the first: $(test_pointer_oid sub/c.bin) for .sub/c.bin.): no remote" ../err &&
	grep -q "1 of 2 files could not be checked out" ../err &&
	is_pointer sub/c.bin && cmp a.bin ../src/a.bin
'

test_done
