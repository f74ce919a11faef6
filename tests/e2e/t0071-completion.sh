#!/usr/bin/env bash
# Shell completion: contrib/completion/git-mlv.bash inside Git's own bash
# completion, driven as bash drives it on TAB (COMP_WORDS, COMP_CWORD,
# COMP_LINE, COMP_POINT, then the function `complete -p git` names), in a
# repository with models (one with a space in its path), registry tags
# and remotes. The option table is checked against every command's usage
# string and source.
. "$(dirname "$0")/lib.sh"

SRC=$(cd "$TEST_DIRECTORY/../.." && pwd)
export MLV_COMPLETION="$SRC/contrib/completion/git-mlv.bash"
export GIT_COMPLETION=/usr/share/bash-completion/completions/git
BASH_COMPLETION=/usr/share/bash-completion/bash_completion

# The driver: a fresh bash that loads bash-completion (when installed),
# Git's completion (LAZY_GIT: through bash-completion's loader, as a shell
# does on the first TAB) and ours (unless MLV_COMPLETION is empty), takes
# the words of a command line as readline splits it (a word "=" joins its
# neighbours in COMP_LINE), the last one being the word TAB completes, and
# prints COMPREPLY one entry a line. When the completion asks bash to
# treat the replies as file names (compopt -o filenames, noted by a
# function in the builtin's place), it prints each quoted as bash inserts
# it (printf %q): models/my\ model.onnx.
cat >complete.bash <<EOF
[ -f $BASH_COMPLETION ] && . $BASH_COMPLETION
EOF
cat >>complete.bash <<'EOF'
if [ -n "${LAZY_GIT-}" ]; then
	_completion_loader git
else
	. "$GIT_COMPLETION"
fi
[ -n "$MLV_COMPLETION" ] && . "$MLV_COMPLETION"
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
COMP_LINE= last=
for w in "$@"; do
	if [ -z "$COMP_LINE" ] || [ "$w" = "=" ] || [ "$last" = "=" ]; then
		COMP_LINE="$COMP_LINE$w"
	else
		COMP_LINE="$COMP_LINE $w"
	fi
	last=$w
done
COMP_POINT=${#COMP_LINE}
func=$(complete -p "$1" 2>/dev/null | sed -n 's/.* -F \([^ ]*\) .*/\1/p')
[ -n "$func" ] || { echo "no completion function for $1" >&2; exit 1; }
compopt () {
	while [ $# -gt 1 ]; do
		[ "$1 $2" = "-o filenames" ] && filenames=y
		shift
	done
}
filenames=
COMPREPLY=()
"$func" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
[ ${#COMPREPLY[@]} -eq 0 ] && exit 0
if [ -n "$filenames" ]; then
	printf '%q\n' "${COMPREPLY[@]}"
else
	printf '%s\n' "${COMPREPLY[@]}"
fi
EOF

# What TAB offers at the end of the words "$@" (the last may be empty),
# sorted, into $TRASH/out.
complete_words() {
	bash "$TRASH/complete.bash" "$@" | sort >"$TRASH/out"
}

# Lines $@, sorted, into $TRASH/expect.
expect() {
	printf '%s\n' "$@" | sort >"$TRASH/expect"
}

# The options usage string $1 names, one a line, without their values
# ("--[no-]x" is both --x and --no-x).
usage_options() {
	printf ' %s\n' "$1" | sed -E 's/--\[no-\]([a-z-]+)/--\1 --no-\1/g' |
		grep -oE -- '[ [|(]-[-a-zA-Z]+' | cut -c2- | grep -vx -- '--' | sort -u
}

# The source files of verb $1: the file that defines its cmd_ function,
# and the one that defines output_option() when that file uses it.
sources_of() {
	local verb=${1%% *} fn f
	fn=$(sed -n "s/^[[:space:]]*{ \"$verb\", \\(cmd_[a-z_]*\\),.*/\\1/p" "$SRC/commands/git-mlv.c")
	[ -n "$fn" ] || { echo "no command $verb in commands/git-mlv.c" >&2; return 1; }
	f=$(grep -l "^int $fn(" "$SRC"/commands/*.c)
	echo "$f"
	grep -q "output_option(" "$f" && grep -l "^int output_option(" "$SRC"/commands/*.c
	return 0
}

# The usage string of `git mlv $1` ($1 may hold a subcommand): what the
# command prints for an option it does not know, else the literals in its
# source that start with its name. Run in a repository.
usage_of() {
	local u
	# shellcheck disable=SC2086
	u=$(git mlv $1 --mlv-no-such-option </dev/null 2>&1 >/dev/null |
		sed -n 's/^usage: git mlv //p')
	[ -n "$u" ] || u=$(grep -ohE "\"$1 [^\"]*\"" $(sources_of "$1"))
	printf '%s\n' "$u"
}

# The option table of the script $MLV_COMPLETION for verb $1: opts and
# argopts, one a line.
script_options() {
	bash -c '. "$MLV_COMPLETION" && __git_mlv_options "$1" &&
		printf "%s\n" $opts $argopts' _ "$1" | sort -u
}

# The verbs the option table of $MLV_COMPLETION names, one a line.
script_verbs() {
	sed -n '/^__git_mlv_options ()/,/^}/p' "$MLV_COMPLETION" |
		sed -n 's/^\t\([a-z"][a-z |"-]*\))\( .*\)\{0,1\}$/\1/p' |
		tr '|' '\n' | tr -d '"'
}

# Each option of a usage string (every porcelain verb and subcommand) the
# script lacks, as "VERB: OPTION". Run in a repository.
usage_not_in_script() {
	local v
	for v in $(git mlv --list-cmds |
			grep -vx "help\|version\|hook\|filter-process\|clean\|smudge\|sidecar\|registry") \
		"sidecar init" "sidecar update" "sidecar check" "sidecar show" "registry log"; do
		usage_options "$(usage_of "$v")" >"$TRASH/want" &&
		script_options "$v" | sed "s/=$//" | sort -u >"$TRASH/have" &&
		comm -23 "$TRASH/want" "$TRASH/have" | sed "s|^|$v: |"
	done
}

# Each option the script offers that its command's source never names,
# as "VERB: OPTION (FILES)".
# The options `git mlv $1 -h` lists from its option table, one a line
# (--[no-]x as --x and --no-x); nothing for a command without a table.
options_read_by() {
	# shellcheck disable=SC2086
	git mlv $1 -h 2>/dev/null </dev/null | grep -- '^    -' |
		grep -oE -- '(^|[ ,])(-[a-zA-Z]|--(\[no-\])?[a-z][-a-z]*)' | tr -d ' ,' |
		sed -E 's/^--\[no-\](.*)/--\1\n--no-\1/' | sort -u
}

# Each option the script offers that its command does not read, as
# "VERB: OPTION (WHERE)": the command's -h table, else its source's strings.
script_not_in_source() {
	local v o files read
	script_verbs | while IFS= read -r v; do
		files=$(sources_of "$v") || { echo "$v: not a verb"; continue; }
		read=$(options_read_by "$v")
		for o in $(script_options "$v"); do
			o=${o%=}
			if [ -n "$read" ]; then
				printf '%s\n' "$read" | grep -qxF -- "$o" ||
					echo "$v: $o (git mlv $v -h)"
			else
				grep -qF -e "\"$o\"" -e "\"$o=" $files ||
					echo "$v: $o ($(echo $files))"
			fi
		done
	done
}

if [ ! -f "$GIT_COMPLETION" ]; then
	test_skip 'completion' "git's completion script $GIT_COMPLETION is absent (Debian's git package ships it)"
	test_done
	exit
fi

test_expect_success 'setup: models, one with a space in its path, registry tags, remotes' '
	git init -q r && cd r &&
	git mlv track --model "*.onnx" >/dev/null && git mlv track "*.bin" >/dev/null &&
	mkdir models data &&
	printf "a\n" >data/train.csv && printf "lr: 1\n" >train.yaml &&
	printf "[registry]\nstages = dev, staging, prod\n" >.mlvconfig &&
	test_random_file models/fraud.onnx 1000 f1 &&
	test_random_file "models/my model.onnx" 1000 f2 &&
	test_random_file models/weights.bin 100 w &&
	git mlv sidecar init models/fraud.onnx --data data/train.csv --config train.yaml \
		--version 1.0.0 >/dev/null &&
	git mlv sidecar init "models/my model.onnx" --data data/train.csv \
		--config train.yaml --version 1.0.0 >/dev/null &&
	git add . && git commit -qm models &&
	git mlv register models/fraud.onnx >/dev/null &&
	git mlv assign models/fraud.onnx 1.0.0 --stage staging >/dev/null &&
	git mlv assign models/fraud.onnx 1.0.0 --stage prod >/dev/null &&
	git remote add origin ../origin.git && git remote add backup ../backup.git &&
	git tag v1 && git tag -l >../tags && grep -q "models/fraud#prod" ../tags
'

test_expect_success 'git mlv si<TAB> completes the verb git mlv help lists' '
	cd r && complete_words git mlv si &&
	git mlv help | sed -n "s/^ *\(si[a-z-]*\) .*/\1 /p" >../expect &&
	test_line_count = 1 ../expect && test_cmp ../expect ../out
'

test_expect_success 'git mlv <TAB> offers every porcelain verb, no plumbing' '
	cd r && complete_words git mlv "" &&
	grep -qx "sidecar " ../out && grep -qx "assign " ../out &&
	grep -qx "ls-files " ../out && grep -qx "help " ../out &&
	! grep -q "^filter-process\|^smudge\|^hook" ../out &&
	GIT_COMPLETION_SHOW_ALL_COMMANDS=1 complete_words git mlv "" &&
	grep -qx "filter-process " ../out
'

test_expect_success 'git mlv --list-cmds lists each verb git mlv runs' '
	cd r && git mlv --list-cmds >../verbs &&
	test_line_count -gt 20 ../verbs &&
	while read -r v; do
		# help takes a topic, and says an unknown one is no command
		[ "$v" = help ] && continue
		git mlv "$v" --mlv-no-such-option </dev/null >/dev/null 2>../err
		if grep -q "is not a git mlv command" ../err; then
			echo "listed but unknown: $v"; exit 1
		fi
	done <../verbs &&
	test_must_fail git mlv nosuchverb 2>../err &&
	grep -q "is not a git mlv command" ../err
'

test_expect_success 'git mlv sidecar init --<TAB> offers the options of its usage string' '
	cd r && complete_words git mlv sidecar init -- &&
	usage_options "$(usage_of "sidecar init")" | sed "s/$/ /" >../expect &&
	test_line_count = 11 ../expect && test_cmp ../expect ../out &&
	complete_words git mlv sidecar init models/fraud.onnx --data data/train.csv --con &&
	expect "--config " && test_cmp ../expect ../out
'

test_expect_success 'git mlv assign --stage <TAB> offers the stages of the tags and .mlvconfig' '
	cd r && complete_words git mlv assign models/fraud 1.0.0 --stage "" &&
	expect "dev " "prod " "staging " && test_cmp ../expect ../out &&
	complete_words git mlv assign --stage "" &&
	test_cmp ../expect ../out &&
	complete_words git mlv unassign models/fraud --stage = p &&
	expect "prod " && test_cmp ../expect ../out
'

test_expect_success 'git mlv push <TAB> offers the remotes' '
	cd r && complete_words git mlv push "" &&
	git remote | sed "s/$/ /" | sort >../expect &&
	test_line_count = 2 ../expect && test_cmp ../expect ../out &&
	complete_words git mlv fetch b && expect "backup " && test_cmp ../expect ../out &&
	complete_words git mlv assign models/fraud 1.0.0 --push = o &&
	expect "origin " && test_cmp ../expect ../out &&
	complete_words git mlv fsck --remote o && test_cmp ../expect ../out &&
	complete_words git mlv fsck --remote --fu && expect "--full " && test_cmp ../expect ../out
'

test_expect_success 'git mlv sidecar show models/<TAB> offers the models, a space and all' '
	cd r && complete_words git mlv sidecar show models/ &&
	expect "models/fraud.onnx" "models/my\\ model.onnx" && test_cmp ../expect ../out &&
	complete_words git mlv sidecar show "models/my\\ m" &&
	expect "models/my\\ model.onnx" && test_cmp ../expect ../out &&
	complete_words git mlv sidecar check "\"models/my m" &&
	test_cmp ../expect ../out &&
	complete_words git mlv sidecar show m &&
	expect models && test_cmp ../expect ../out
'

test_expect_success 'git mlv sidecar show REV:<TAB> completes the paths of REV, as git show does' '
	cd r && complete_words git mlv sidecar show HEAD:models/ &&
	git ls-tree --name-only HEAD models/ | sed "s/ /\\\\ /" | sort >../expect &&
	grep -qx "models/fraud.onnx" ../expect &&
	test_cmp ../expect ../out
'

test_expect_success 'sidecar init offers a model not yet added; not ignored ones, not data' '
	cd r && test_random_file models/new.onnx 10 n &&
	test_random_file models/old.onnx 10 o && echo "old.onnx" >models/.gitignore &&
	complete_words git mlv sidecar init models/ &&
	expect "models/fraud.onnx" "models/my\\ model.onnx" "models/new.onnx" &&
	test_cmp ../expect ../out &&
	(cd models && complete_words git mlv sidecar init n) &&
	expect "new.onnx" && test_cmp ../expect ../out
'

test_expect_success 'checkout offers the files git mlv ls-files lists, from here' '
	cd r && complete_words git mlv checkout models/ &&
	expect "models/fraud.onnx" "models/my\\ model.onnx" "models/weights.bin" &&
	test_cmp ../expect ../out &&
	(cd models && complete_words git mlv checkout --quiet "") &&
	expect "fraud.onnx" "my\\ model.onnx" "weights.bin" && test_cmp ../expect ../out
'

test_expect_success 'registry names, versions and formats' '
	cd r && complete_words git mlv models "" &&
	expect "models/fraud " && test_cmp ../expect ../out &&
	complete_words git mlv registry log m && test_cmp ../expect ../out &&
	complete_words git mlv deprecate "" && test_cmp ../expect ../out &&
	complete_words git mlv assign models/fraud "" &&
	expect "1.0.0 " && test_cmp ../expect ../out &&
	complete_words git mlv assign models/fraud.onnx "" && test_cmp ../expect ../out &&
	complete_words git mlv registry "" && expect "log " && test_cmp ../expect ../out &&
	complete_words git mlv lineage --format "" &&
	expect "dot " "json " "mermaid " "text " && test_cmp ../expect ../out &&
	complete_words git mlv models --format = j &&
	expect "json " && test_cmp ../expect ../out
'

test_expect_success 'git -C DIR mlv completes in DIR; git-mlv completes too' '
	complete_words git -C r mlv push o &&
	expect "origin " && test_cmp expect out &&
	cd r && complete_words git-mlv fetch o && test_cmp ../expect ../out
'

test_expect_success 'every option of every usage string is in the script' '
	cd r && usage_not_in_script >../missing && test_must_be_empty ../missing
'

test_expect_success 'every option in the script is one its command reads' '
	script_verbs >verbs && grep -qx "sidecar init" verbs && grep -qx unassign verbs &&
	script_not_in_source >unknown && test_must_be_empty unknown
'

test_expect_success 'the option checks catch an option too many and one too few' '
	sed "s/opts=\"--long --json --format --glob\"/opts=\"--long --json --format --glob --jsonl\"/" "$MLV_COMPLETION" >bad.bash &&
	MLV_COMPLETION=$TRASH/bad.bash script_not_in_source >unknown &&
	grep -q "^ls-files: --jsonl " unknown && test_line_count = 1 unknown &&
	sed "s/opts=\"--long --json --format --glob\"/opts=\"--json --format --glob\"/" "$MLV_COMPLETION" >bad.bash &&
	(cd r && MLV_COMPLETION=$TRASH/bad.bash usage_not_in_script) >missing &&
	echo "ls-files: --long" >want && test_cmp want missing
'

test_expect_success 'make install-completion puts it where bash-completion looks' '
	make -s -C "$SRC" install-completion DESTDIR="$TRASH/dest" PREFIX=/usr/local &&
	cmp "$MLV_COMPLETION" dest/usr/local/share/bash-completion/completions/git-mlv
'

if [ -f "$BASH_COMPLETION" ]; then
	test_expect_success 'unsourced: bash-completion loads git, git loads git-mlv' '
		cd r &&
		XDG_DATA_DIRS="$TRASH/dest/usr/local/share:/usr/share" LAZY_GIT=1 MLV_COMPLETION= \
			complete_words git mlv push o &&
		expect "origin " && test_cmp ../expect ../out &&
		XDG_DATA_DIRS=/nonexistent:/usr/share LAZY_GIT=1 MLV_COMPLETION= \
			complete_words git mlv push o &&
		! grep -qx "origin " ../out
	'
else
	test_skip 'bash-completion loads git-mlv' "no $BASH_COMPLETION (apt-get install bash-completion)"
fi

test_done
