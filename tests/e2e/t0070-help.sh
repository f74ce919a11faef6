#!/usr/bin/env bash
# Help as git gives it: the verbs listed by group, a man page per verb that
# `git mlv help VERB`, `git mlv VERB --help` and `git help mlv` open, pages
# that claim only options the commands take, and "did you mean".
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$TEST_DIRECTORY/../.." && pwd)
PAGES=$ROOT/build/man
# man's output as a pipe gives it: no pager, no formatting, long lines
export MANPAGER=cat MANWIDTH=250 LC_ALL=C
unset MANPATH

if ! command -v man >/dev/null 2>&1; then
	test_skip 'manual pages' 'no man program here: apt-get install man-db (scripts/setup.sh test)'
	test_done
	exit
fi

# The verbs `git mlv help` lists: the indented lines of each group.
git mlv help >"$TRASH/list" 2>"$TRASH/list.err"
sed -n 's/^   \([a-z][a-z-]*\)  .*/\1/p' "$TRASH/list" >"$TRASH/verbs"

# The options `git mlv $1 -h` lists from the command's option table (and
# its subcommands', for registry and sidecar), one a line; --[no-]x as --x
# and --no-x. Nothing for a command without a table.
options_of() {
	local v
	for v in "$1" "$1 log" "$1 init" "$1 update" "$1 check" "$1 show"; do
		# shellcheck disable=SC2086
		git mlv $v -h 2>/dev/null </dev/null | grep -- '^    -'
	done | grep -oE -- '(^|[ ,])(-[a-zA-Z]|--(\[no-\])?[a-z][-a-z]*)' | tr -d ' ,' |
		sed -E 's/^--\[no-\](.*)/--\1\n--no-\1/' | sort -u
}

# Each option page $1 claims, in its SYNOPSIS and as an OPTIONS entry,
# must be one verb $2 takes: one its -h table lists, or for a command
# without a table a string its source compares ("--opt" or "--opt=, in
# the file that defines cmd_<verb>; git-mlv: main() in commands/git-mlv.c).
# Prints each that is not; fails when there is one.
page_options_in_source() {
	local page=$1 verb=$2 file opt bad=0 table=
	if [ "$verb" = git-mlv ]; then
		file=$ROOT/commands/git-mlv.c
	else
		file=$(grep -l "^int cmd_$(echo "$verb" | tr - _)(" "$ROOT"/commands/*.c) || {
			echo "no cmd_$verb in commands/*.c"; return 1; }
		table=$(options_of "$verb")
	fi
	for opt in $(awk '
		/^# / { sect = $0; next }
		sect == "# SYNOPSIS" || (sect == "# OPTIONS" && /^\*/) { print }
	' "$page" | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
		if [ -n "$table" ]; then
			printf '%s\n' "$table" | grep -qxF -- "$opt" && continue
			echo "$page: $opt is not an option of git mlv $verb (git mlv $verb -h)"
			bad=1
		elif ! grep -qE -- "\"$opt[\"=]" "$file"; then
			echo "$page: $opt is not an option of git mlv $verb ($file)"
			bad=1
		fi
	done
	return $bad
}

test_expect_success 'git mlv help lists every verb once, in the five groups' '
	test_must_be_empty list.err &&
	test_line_count -ge 25 verbs &&
	test "$(sort verbs | uniq -d)" = "" &&
	for g in "start a working area" "lineage" "registry" "remote" "plumbing"; do
		grep -Eq "^([a-z].*)?$g" list || { echo "no group about $g"; exit 1; }
	done &&
	# each group heading is followed by at least one verb
	awk "prev == \"\" && /^[a-z]/ && !/^usage/ { h = \$0; n[h] = 0; groups++ }
	     /^   [a-z]/ && h { n[h]++ }
	     /^\$/ { h = \"\" }
	     { prev = \$0 }
	     END { for (k in n) if (!n[k]) { print \"empty group: \" k; bad = 1 }
		   if (groups != 5) { print groups \" groups, not 5\"; bad = 1 }
		   exit bad }" list &&
	for v in hook filter-process clean smudge; do
		sed -n "/^plumbing/,/^\$/p" list | grep -q "^   $v " ||
			{ echo "$v not under plumbing"; exit 1; }
	done &&
	# the list is the command table: every entry, nothing else
	sed -n "s/^	{ \"\\([a-z-]*\\)\", cmd_.*/\\1/p" "$ROOT/commands/git-mlv.c" | sort >table &&
	sort verbs >listed && test_cmp table listed
'

test_expect_success 'git mlv alone prints the list and exits 1; -h and help exit 0' '
	test_expect_code 1 git mlv >bare 2>bare.err &&
	test_must_be_empty bare.err &&
	test_cmp list bare &&
	git mlv -h >h 2>h.err && test_must_be_empty h.err && test_cmp list h &&
	test_expect_code 129 git mlv --frobnicate 2>opt.err &&
	grep -q "unknown option: --frobnicate" opt.err &&
	grep -q "^usage: git mlv" opt.err
'

test_expect_success 'every verb has a built page; man finds it there' '
	while read -r v; do
		test -s "$PAGES/man1/git-mlv-$v.1" || { echo "no page for $v: make doc"; exit 1; }
		test "$(MANPATH=$PAGES man -w "git-mlv-$v")" = "$PAGES/man1/git-mlv-$v.1" || exit 1
		MANPATH=$PAGES man "git-mlv-$v" >page 2>&1 &&
		grep -q "^ *git-mlv-$v - " page || { echo "no NAME in git-mlv-$v"; cat page; exit 1; }
	done <verbs &&
	for p in man1/git-mlv.1 man1/git-remote-mlv.1 man5/mlv-sidecar.5 \
		 man5/mlvconfig.5 man5/mlv-store.5; do
		test -s "$PAGES/$p" || { echo "no $p"; exit 1; }
	done
'

test_expect_success 'every option a page claims is one its command takes' '
	bad=0 &&
	while read -r v; do
		page_options_in_source "$ROOT/docs/man/git-mlv-$v.1.scd" "$v" || bad=1
	done <verbs &&
	{ page_options_in_source "$ROOT/docs/man/git-mlv.1.scd" git-mlv || bad=1; } &&
	test $bad = 0
'

test_expect_success 'the option check names an option the command lacks' '
	sed "/^# OPTIONS/a *--frobnicate*\\n\\tNot an option.\\n" \
		"$ROOT/docs/man/git-mlv-track.1.scd" >made-up.scd &&
	grep -q "^\*--frobnicate\*" made-up.scd &&
	! page_options_in_source made-up.scd track >out &&
	grep -q -- "--frobnicate is not an option of git mlv track" out &&
	! grep -q -- "--model" out &&
	# a page put under another verb: track takes --model, fsck does not
	! page_options_in_source "$ROOT/docs/man/git-mlv-track.1.scd" fsck >out &&
	grep -q -- "--model is not an option of git mlv fsck" out
'

test_expect_success 'git mlv help VERB and git mlv VERB --help open the page' '
	git mlv help sidecar >a 2>a.err &&
	head -1 a | grep -q "^git-mlv-sidecar(1)" &&
	grep -q "^ *git-mlv-sidecar - write, update, check or show" a &&
	git mlv sidecar --help >b && test_cmp a b &&
	git mlv help hook | grep -q "^ *git-mlv-hook - " &&
	git-mlv --help | head -1 | grep -q "^git-mlv(1)" &&
	git mlv help mlvconfig | head -1 | grep -q "^mlvconfig(5)" &&
	git mlv help mlv-store | grep -q "REF MANIFEST"
'

test_expect_success 'git mlv VERB --help runs nothing of the verb' '
	cp "$HOME/.gitconfig" before &&
	git config --global filter.mlv.process >/dev/null &&
	git mlv uninstall --help >page &&
	grep -q "^ *git-mlv-uninstall - " page &&
	test_cmp before "$HOME/.gitconfig"
'

test_expect_success 'the build tree shows its own pages before MANPATH' '
	mkdir -p shadow/man1 &&
	printf ".TH git-mlv-sidecar 1\n.SH NAME\ngit-mlv-sidecar \\\\- SHADOW\n" \
		>shadow/man1/git-mlv-sidecar.1 &&
	MANPATH=$TRASH/shadow man git-mlv-sidecar | grep -q SHADOW &&
	MANPATH=$TRASH/shadow git mlv help sidecar >out &&
	! grep -q SHADOW out && grep -q "lineage record" out
'

test_expect_success 'git help mlv and git mlv --help, as git opens them' '
	MANPATH=$PAGES: git help mlv >a &&
	head -1 a | grep -q "^git-mlv(1)" &&
	grep -q "EXIT STATUS" a &&
	MANPATH=$PAGES: git mlv --help >b && test_cmp a b
'

test_expect_success 'installed, git help and git mlv help find the installed pages' '
	make -s -C "$ROOT" install PREFIX="$TRASH/prefix" BIN="$MLV_BIN" \
		-o "$MLV_BIN/git-mlv" -o "$MLV_BIN/git-remote-mlv" >/dev/null &&
	test -x prefix/bin/git-mlv &&
	test -s prefix/share/man/man5/mlv-sidecar.5 &&
	sed -i "s/write, update, check or show/INSTALLED COPY/" \
		prefix/share/man/man1/git-mlv-sidecar.1 &&
	(
		PATH=$TRASH/prefix/bin:$PATH &&
		test "$(command -v git-mlv)" = "$TRASH/prefix/bin/git-mlv" &&
		test "$(man -w git-mlv-sidecar)" = "$TRASH/prefix/share/man/man1/git-mlv-sidecar.1" &&
		git help mlv | head -1 | grep -q "^git-mlv(1)" &&
		git mlv help sidecar | grep -q "INSTALLED COPY" &&
		git mlv sidecar --help | grep -q "INSTALLED COPY" &&
		# the installed copy never reaches into the build tree
		MANPATH=$TRASH/shadow git mlv help sidecar | grep -q SHADOW
	)
'

test_expect_success 'a mistyped verb gets git'"'"'s suggestion, on stderr, exit 1' '
	test_expect_code 1 git mlv sidcar >out 2>err &&
	test_must_be_empty out &&
	printf "%s\n" "git mlv: '"'"'sidcar'"'"' is not a git mlv command. See '"'"'git mlv help'"'"'." \
		"" "The most similar command is" "	sidecar" >want &&
	test_cmp want err &&
	test_expect_code 1 git mlv stauts 2>err && grep -qx "	status" err &&
	test_expect_code 1 git mlv reg 2>err &&
	grep -q "The most similar commands are" err &&
	grep -qx "	register" err && grep -qx "	registry" err &&
	test_expect_code 1 git mlv qqqqqqqqqq 2>err &&
	test_line_count = 1 err &&
	test_expect_code 1 git mlv help sidcar 2>err &&
	grep -qx "	sidecar" err
'

test_done
