#!/usr/bin/env bash
# The tree keeps the layout of docs/architecture.md: each folder includes
# only the modules of the folders it may use. tests/check-layout.sh checks
# the real tree, and here also copies of it with one bad include each, so
# that a checker which lets anything through fails this script too.
SRC=$(cd "$(dirname "$0")/../.." && pwd)
CHECK=$SRC/tests/check-layout.sh
. "$(dirname "$0")/lib.sh"

# A copy of the sources the checker reads, in directory $1.
copy_tree() {
	mkdir "$1" &&
	(cd "$SRC" && tar cf - docs/architecture.md include lib filter hooks \
		remote-helper commands tests/unit tests/fuzz bench \
		$(test -d lineage && echo lineage)) | (cd "$1" && tar xf -)
}

test_expect_success 'every include in the tree follows the layout' '
	"$CHECK" "$SRC" >out 2>&1 || { cat out; false; } &&
	test_must_be_empty out
'

test_expect_success 'the core including a hooks module is refused, naming file and header' '
	copy_tree t1 &&
	sed -i "1i #include \"mlv/policy.h\"" t1/lib/store.c &&
	test_must_fail "$CHECK" t1 >out &&
	grep -x "lib/store.c:1: includes mlv/policy.h (hooks/), but lib/ may use only lib/" out &&
	test_line_count = 1 out
'

test_expect_success 'a header of the core including an upper module is refused' '
	copy_tree t2 &&
	sed -i "/#include \"mlv\/buf.h\"/a #include \"mlv/transfer.h\"" t2/include/mlv/store.h &&
	test_must_fail "$CHECK" t2 >out &&
	grep "^include/mlv/store.h:[0-9]*: includes mlv/transfer.h (remote-helper/), but lib/ may use only lib/$" out
'

test_expect_success 'the filter may use the lazy fetch and nothing else of the remote helper' '
	copy_tree t3 &&
	grep -q "#include \"mlv/lazy.h\"" t3/filter/process.c &&
	sed -i "1i #include \"mlv/sync.h\"" t3/filter/pktline.c &&
	test_must_fail "$CHECK" t3 >out &&
	grep -x "filter/pktline.c:1: includes mlv/sync.h (remote-helper/), but filter/ may use only lib/, filter/, remote-helper/'\''s lazy.h" out &&
	test_line_count = 1 out
'

test_expect_success 'hooks and lineage may not use the remote helper' '
	copy_tree t4 &&
	sed -i "1i #include \"mlv/backend.h\"" t4/hooks/sidecar.c &&
	mkdir -p t4/lineage && printf "#include \"mlv/sync.h\"\n" >t4/lineage/walk.c &&
	test_must_fail "$CHECK" t4 >out &&
	grep -x "hooks/sidecar.c:1: includes mlv/backend.h (remote-helper/), but hooks/ may use only lib/, hooks/" out &&
	grep -x "lineage/walk.c:1: includes mlv/sync.h (remote-helper/), but lineage/ may use only lib/, hooks/, lineage/" out
'

test_expect_success 'the remote helper may use hooks; commands and tests may use everything' '
	copy_tree t5 &&
	sed -i "1i #include \"mlv/policy.h\"" t5/remote-helper/backend.c &&
	sed -i "1i #include \"mlv/filter.h\"" t5/commands/status.c &&
	sed -i "1i #include \"mlv/lazy.h\"" t5/tests/unit/test_buf.c &&
	"$CHECK" t5 >out &&
	test_must_be_empty out
'

test_expect_success 'a module moved without updating the map is refused' '
	copy_tree t6 &&
	mv t6/hooks/env.c t6/lib/env.c &&
	test_must_fail "$CHECK" t6 >out &&
	grep -x "lib/env.c: implements mlv/env.h, which docs/architecture.md places in hooks/; move one of them" out
'

test_expect_success 'a header no folder lists, and an include of a missing header, are refused' '
	copy_tree t7 &&
	printf "#ifndef X\n#endif\n" >t7/include/mlv/orphan.h &&
	printf "#include \"mlv/nope.h\"\n" >>t7/commands/env.c &&
	test_must_fail "$CHECK" t7 >out &&
	grep -x "include/mlv/orphan.h: no module table of docs/architecture.md lists it; add it under its folder" out &&
	grep "^commands/env.c:[0-9]*: includes mlv/nope.h, which does not exist$" out
'

test_done
