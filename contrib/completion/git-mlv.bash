# bash completion for `git mlv`                          -*- shell-script -*-
#
# This file plugs into Git's own completion (git-completion.bash; Debian's
# git package installs it as /usr/share/bash-completion/completions/git).
# For `git mlv <TAB>` Git's completion calls _git_mlv when it is defined,
# and, when it is not and bash-completion is loaded, first asks
# bash-completion to load a file named git-mlv from its completions
# directories. So either
#
#   - install this file as PREFIX/share/bash-completion/completions/git-mlv
#     (`make install` does) in a directory bash-completion searches
#     (/usr/local/share, /usr/share, ~/.local/share or $XDG_DATA_DIRS), or
#   - source it from ~/.bashrc, before or after Git's completion.
#
# It defines functions only; what it calls (__gitcomp, __git, ...) comes
# from Git's completion when a completion runs. `git-mlv <TAB>` works too
# when Git's completion was loaded before this file.
#
# zsh: Git's own git-completion.zsh (from Git's contrib/, not Debian's
# zsh _git) runs the bash functions; source this file after it.

# cur, words, cword and __git_cmd_idx are set by Git's completion.
# shellcheck disable=SC2154

# Verbs hidden unless GIT_COMPLETION_SHOW_ALL_COMMANDS=1, as Git hides its
# own plumbing.
__git_mlv_plumbing="hook filter-process clean smudge"

# The one table of options. For the verb $1 (with its subcommand, as in
# "sidecar init") set `opts` to the options offered after "-" and
# `argopts` to the options whose value is the next word.
# tests/e2e/t0071-completion.sh checks it against each command's usage
# string and source.
__git_mlv_options ()
{
	opts='' argopts=''
	case "$1" in
	install) opts="--global --local --force --skip-repo" ;;
	uninstall) opts="--global --local --skip-repo" ;;
	track) opts="--model" ;;
	ls-files)
		opts="--long --json --format --glob"
		argopts="--format" ;;
	status)
		opts="--json --format --glob"
		argopts="--format" ;;
	env)
		opts="--json --format"
		argopts="--format" ;;
	push)
		opts="--all --object --repair --quiet"
		argopts="--object" ;;
	fetch)
		opts="--all --include= --exclude= --quiet"
		argopts="-I -X" ;;
	pull)
		opts="--include= --exclude= --quiet"
		argopts="-I -X" ;;
	checkout)
		opts="--quiet --offline --glob --model"
		argopts="--model" ;;
	fsck)
		opts="--quiet --remote --full --json --format"
		argopts="--remote --format" ;;
	gc)
		opts="--remote --dry-run --quiet --grace --restore"
		argopts="--remote --grace" ;;
	prune)
		opts="--dry-run --verbose --quiet --recent-days --no-verify-remote"
		argopts="--recent-days" ;;
	migrate)
		opts="--from-lfs --keep-attributes --dry-run --quiet --info --import --everything --include-ref --top"
		argopts="--include-ref --top" ;;
	pointer)
		opts="--file"
		argopts="--file" ;;
	"sidecar init")
		argopts="--data --config --lockfile --param --metric --params-from --metrics-from"
		argopts="$argopts --base --version --name"
		opts="$argopts --force" ;;
	"sidecar update")
		argopts="--version --name --param --metric --params-from --metrics-from"
		opts=$argopts ;;
	"sidecar show")
		opts="--manifest --manifest= --json --format"
		argopts="--format" ;;
	"sidecar check")
		opts="--json --format"
		argopts="--format" ;;
	verify)
		opts="--all --quiet --json --format"
		argopts="--format" ;;
	diff|find)
		opts="--format --no-pager --color --no-color"
		argopts="--format" ;;
	uses)
		opts="--any-version --format --no-pager --color --no-color"
		argopts="--format" ;;
	lineage)
		opts="--all --format --no-pager --color --no-color"
		argopts="--format" ;;
	models)
		opts="--format --no-pager"
		argopts="--format" ;;
	"registry log")
		opts="--as-of --format --no-pager"
		argopts="--as-of --format" ;;
	register)
		opts="--version --bump-major --bump-minor --bump-patch -m --message -s --sign"
		argopts="--version -m --message" ;;
	assign|unassign)
		opts="--stage -m --message -s --sign --push --push="
		argopts="--stage -m --message" ;;
	deprecate)
		opts="-m --message -s --sign --push --push="
		argopts="-m --message" ;;
	esac
}

# The verbs, one a line: `git mlv --list-cmds`, or the help of a git-mlv
# that predates it.
__git_mlv_verbs ()
{
	local list v
	list=$(__git mlv --list-cmds) ||
		list=$(__git mlv help | sed -n 's/^   \([a-z][a-z-]*\) .*/\1/p')
	for v in $list; do
		case " $__git_mlv_plumbing " in
		*" $v "*) [ "${GIT_COMPLETION_SHOW_ALL_COMMANDS-}" = 1 ] || continue ;;
		esac
		echo "$v"
	done
}

# The registry's tags, one a line, without refs/tags/.
__git_mlv_tags ()
{
	__git for-each-ref --format='%(refname:strip=2)' refs/tags
}

# Registry names: NAME of NAME@vX.Y.Z, NAME#STAGE#N, NAME@deprecated#N and
# their removals (docs/registry.md). Tag names hold no spaces. Parsing the
# tag names (git for-each-ref, about 6 ms) beats asking `git mlv models
# --format json` (about 55 ms with a warm cache on a one-model repository,
# more as the registry grows) on every TAB.
__git_mlv_names ()
{
	__git_mlv_tags | sed -nE \
		's/^([^@#]+)(@v[0-9][^@#]*|@deprecated|#[A-Za-z0-9_-]+!?)(#[0-9]+)?$/\1/p' |
		sort -u
}

# Stages: those tags name and those .mlvconfig at HEAD allows.
__git_mlv_stages ()
{
	{
		__git_mlv_tags | sed -nE 's/^[^@#]+#([A-Za-z0-9_-]+)!?(#[0-9]+)?$/\1/p'
		__git config --blob HEAD:.mlvconfig --get registry.stages |
			tr -s ', ' '\n'
	} | sed '/^$/d' | sort -u
}

# The registered versions of name $1 (or of model path $1 without its
# extension), without the deregistered ones.
__git_mlv_versions ()
{
	local name="$1"
	case "$name" in
	*.*) name="${name%.*}" ;; # a name has no dot: a path
	esac
	__git for-each-ref --format='%(refname:strip=2)' "refs/tags/$name@v*" |
		sed -n 's/^[^@]*@v//p' |
		awk '{ sub(/#[0-9]+$/, "") }
		     /!$/ { gone[substr($0, 1, length($0) - 1)] = 1; next }
		     { v[$0] = 1 }
		     END { for (x in v) if (!(x in gone)) print x }' | sort
}

# Paths (relative to here, tracked or untracked and not ignored) that
# `git mlv track --model` marks: files with the mlv-model attribute, one
# a line. Under directory $1 when given. Paths with a newline are left out.
__git_mlv_model_paths ()
{
	local path value
	__git ls-files -z --cached --others --exclude-standard -- ${1:+":(literal)$1"} |
		__git check-attr -z --stdin mlv-model |
		while IFS= read -r -d '' path && IFS= read -r -d '' _ &&
			IFS= read -r -d '' value; do
			case "$value,$path" in
			set,*$'\n'*) ;;
			set,*) printf '%s\n' "$path" ;;
			esac
		done
}

# The files git mlv ls-files lists (pointers in the index), relative to
# here as the paths git mlv checkout takes, one a line. Under directory $1
# when given.
__git_mlv_pointer_paths ()
{
	local path prefix
	prefix=$(__git rev-parse --show-prefix)
	__git mlv ls-files | while read -r _ _ path; do
		case "$path" in
		"$prefix$1"*) printf '%s\n' "${path#"$prefix"}" ;;
		esac
	done
}

# Complete the word being typed, quoted as the user likes, from the paths
# that list function $1 prints: one path component at a time, as Git
# completes paths, with bash quoting spaces and the like.
__git_mlv_complete_paths ()
{
	local dequoted_word dir='' p rest seen=$'\n' list=''
	__git_dequote "$cur"
	case "$dequoted_word" in
	*/*) dir="${dequoted_word%/*}/" ;;
	esac
	while IFS= read -r p; do
		case "$p" in
		"") continue ;;
		"$dequoted_word"*) ;;
		*) continue ;;
		esac
		rest="${p#"$dir"}"
		case "$rest" in
		*/*) p="$dir${rest%%/*}" ;;
		esac
		case "$seen" in
		*$'\n'"$p"$'\n'*) continue ;;
		esac
		seen="$seen$p"$'\n'
		list="$list$p"$'\n'
	done < <($1 "$dir")
	__gitcomp_file "${list%$'\n'}" "" "$dequoted_word"
}

# The value of option $2 of verb $1, the word being typed being `cur_`
# (after "--opt=": bash splits words at "=", so the reply is the value).
__git_mlv_complete_value ()
{
	local verb="$1" opt="$2" cur_="${3-$cur}"
	case "$opt" in
	--stage) __gitcomp_nl "$(__git_mlv_stages)" "" "$cur_" ;;
	--push|--remote) __gitcomp_nl "$(__git_remotes)" "" "$cur_" ;;
	--model) __gitcomp_nl "$(__git_mlv_names)" "" "$cur_" ;;
	--format)
		case "$verb" in
		lineage) __gitcomp "text json dot mermaid" "" "$cur_" ;;
		diff) __gitcomp "text json md" "" "$cur_" ;;
		*) __gitcomp "text json" "" "$cur_" ;;
		esac ;;
	# --data, --config, --lockfile, --file: bash completes file names
	esac
}

_git_mlv ()
{
	local verb_idx=$((${__git_cmd_idx:-0} + 1)) first verb i w
	local opts argopts pos=0 dashdash='' valueof='' model=''

	if [ "$cword" -le "$verb_idx" ]; then
		case "$cur" in
		-*) __gitcomp "--help --version" ;;
		*) __gitcomp_nl "$(__git_mlv_verbs)" ;;
		esac
		return
	fi
	verb="${words[verb_idx]}"
	first=$((verb_idx + 1))
	case "$verb" in
	sidecar|registry)
		if [ "$cword" -eq "$first" ]; then
			case "$verb" in
			sidecar) __gitcomp "init update check show" ;;
			registry) __gitcomp "log" ;;
			esac
			return
		fi
		verb="$verb ${words[first]}"
		first=$((first + 1))
		;;
	esac
	__git_mlv_options "$verb"

	# Where the word being typed stands: the value of an option, or the
	# pos-th argument (after "--" when dashdash is set).
	for ((i = first; i < cword; i++)); do
		w="${words[i]}"
		if [ -z "$dashdash" ]; then
			case " $argopts " in
			*" $w "*)
				i=$((i + 1))
				[ "$i" -eq "$cword" ] && valueof=$w
				continue ;;
			esac
			case "$w" in
			--) dashdash=y; continue ;;
			-*) continue ;;
			esac
		fi
		[ "$pos" -eq 0 ] && model=$w
		pos=$((pos + 1))
	done
	# fsck's --remote may go without one: an option then is an option.
	case "$valueof,$cur" in
	--remote,-*) valueof='' ;;
	esac
	if [ -n "$valueof" ]; then
		__git_mlv_complete_value "$verb" "$valueof"
		return
	fi
	if [ -z "$dashdash" ]; then
		case "$cur" in
		--*=*)
			__git_mlv_complete_value "$verb" "${cur%%=*}" "${cur#*=}"
			return ;;
		-*)
			__gitcomp "$opts"
			return ;;
		esac
	fi

	case "$verb,$pos" in
	push,0|fetch,0|pull,0) __gitcomp_nl "$(__git_remotes)" ;;
	checkout,*|ls-files,*|status,*) __git_mlv_complete_paths __git_mlv_pointer_paths ;;
	"sidecar show",0)
		case "$cur" in
		?*:*) __git_complete_revlist_file ;; # REV:MODEL, as for git show
		*) __git_mlv_complete_paths __git_mlv_model_paths ;;
		esac ;;
	"sidecar "*,0|lineage,*) __git_mlv_complete_paths __git_mlv_model_paths ;;
	"sidecar show",1|register,1|verify,*) __git_complete_refs ;;
	diff,*)
		if [ -n "$dashdash" ]; then
			__git_mlv_complete_paths __git_mlv_model_paths
		else
			__git_complete_refs
		fi ;;
	register,0) __git_mlv_complete_paths __git_mlv_model_paths ;;
	assign,0|unassign,0|deprecate,0|models,0|"registry log",0)
		__gitcomp_nl "$(__git_mlv_names)" ;;
	assign,1) __gitcomp_nl "$(__git_mlv_versions "$model")" ;;
	hook,0)
		__gitcomp "pre-commit pre-merge-commit pre-push post-checkout post-merge pre-receive" ;;
	esac
}

# `git-mlv <TAB>` as well, when Git's completion is already loaded.
if declare -F __git_complete >/dev/null 2>&1; then
	__git_complete git-mlv _git_mlv
fi
