#!/usr/bin/env bash
# bench/run.sh — mlv and git-lfs side by side, on the same files, in one run.
#
#   make && bench/run.sh              full run, 5 repetitions
#   bench/run.sh --reps 9             more repetitions (or BENCH_REPS=9)
#   bench/run.sh --quick              small files, 3 repetitions: a sanity run
#   bench/run.sh --only big,mem       a subset: big, small, mem
#
# See bench/README.md for what is measured and how to read the ratios.
# This is a benchmark, not a test: it is never run by `make test`, and a
# MISS does not change the exit status (use --strict for that).

set -euo pipefail
export LC_ALL=C

usage() {
	cat <<'EOF'
usage: bench/run.sh [--reps N] [--quick] [--only LIST] [--keep] [--strict] [--out DIR]

  -n, --reps N     repetitions per measurement (default 5, quick 3; env BENCH_REPS)
  -q, --quick      small sizes for a fast sanity run (env BENCH_QUICK=1)
      --only LIST  comma-separated subset of: big, small, mem (default all)
  -k, --keep       keep the work directory instead of deleting it
      --strict     exit 1 when a target is missed
  -o, --out DIR    where results go (default bench/out; env BENCH_OUT)

environment:
  MLV_BIN          directory holding git-mlv, or the binary itself (default: bin/)
  BENCH_DIR        parent of the temporary work directory (default: $TMPDIR or /tmp)
  BENCH_MEM_REPS   repetitions of the peak-memory runs (default 3, quick 1)
  BENCH_LFS_HOOKS  1 keeps the hooks git-lfs installs (default: disabled, so
                   that filter is compared with filter)
  BENCH_WARMUP     0 skips the uncounted warm-up round (default 1)
  BENCH_BIG_MB, BENCH_MID_MB, BENCH_SMALL_COUNT, BENCH_SMALL_BYTES
                   override the sizes (MiB, MiB, files, bytes per file)
EOF
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
REPS=${BENCH_REPS:-}
QUICK=${BENCH_QUICK:-0}
ONLY=big,small,mem
KEEP=0
STRICT=0
OUT=${BENCH_OUT:-$ROOT/bench/out}

parse_options "$@"

if [ "$QUICK" = 1 ]; then
	: "${REPS:=3}"
	BIG_MB=${BENCH_BIG_MB:-64}
	MID_MB=${BENCH_MID_MB:-16}
	SMALL_COUNT=${BENCH_SMALL_COUNT:-500}
	MEM_REPS=${BENCH_MEM_REPS:-1}
	MODE=quick
else
	: "${REPS:=5}"
	BIG_MB=${BENCH_BIG_MB:-1024}
	MID_MB=${BENCH_MID_MB:-256}
	SMALL_COUNT=${BENCH_SMALL_COUNT:-5000}
	MEM_REPS=${BENCH_MEM_REPS:-3}
	MODE=full
fi
SMALL_BYTES=${BENCH_SMALL_BYTES:-20480}
PER_DIR=100 # small files per directory

case $REPS in '' | *[!0-9]* | 0) echo "bench: --reps wants a positive number" >&2; exit 2 ;; esac
# Repetition 0 is an uncounted warm-up round: on this VM the first 1 GiB that
# git allocates after a quiet spell is much slower to fault in, and without
# it that cost would always land on whichever tool runs first.
if [ "${BENCH_WARMUP:-1}" = 1 ]; then FIRST_REP=0; else FIRST_REP=1; fi

# Targets: ratio mlv/git-lfs of medians (time), absolute MiB (memory).
TARGET_ADD_BIG=0.35
TARGET_CO_BIG=0.5
TARGET_ADD_SMALL=1.0
TARGET_CO_SMALL=1.0
TARGET_MEM_MIB=32
TARGET_MEM_GROWTH_MIB=4 # peak at BIG minus peak at MID: "flat in file size"

# --- tools and the binary under test ---------------------------------------

for t in git git-lfs openssl /usr/bin/time awk sort sync cmp; do
	command -v "$t" >/dev/null 2>&1 || die "'$t' is needed"
done
MLV_BIN=${MLV_BIN:-$ROOT/bin}
if [ -d "$MLV_BIN" ]; then MLV_EXE=$MLV_BIN/git-mlv; else MLV_EXE=$MLV_BIN; fi
[ -x "$MLV_EXE" ] || die "no git-mlv at '$MLV_EXE' (run 'make' or set MLV_BIN)"
MLV_EXE=$(cd "$(dirname "$MLV_EXE")" && pwd)/$(basename "$MLV_EXE")

# --- work directory and an isolated environment ----------------------------

PARENT=${BENCH_DIR:-${TMPDIR:-/tmp}}
mkdir -p "$PARENT"
WORK=$(mktemp -d "$PARENT/mlv-bench.XXXXXX")
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	local rc=$?
	cd /
	if [ "$KEEP" = 1 ]; then
		echo "bench: work directory kept in $WORK" >&2
	else
		rm -rf "$WORK"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$WORK/home" "$WORK/bin" "$WORK/src" "$WORK/repos" "$OUT"
# A private copy: a rebuild of bin/ during the run cannot mix two versions.
cp "$MLV_EXE" "$WORK/bin/git-mlv"
export PATH="$WORK/bin:$PATH"
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config"
export GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_CONFIG \
	GIT_CONFIG_GLOBAL GIT_CONFIG_PARAMETERS GIT_CONFIG_COUNT GIT_TRACE \
	GIT_TRACE_PACKET GIT_TRACE_PERFORMANCE GIT_LFS_SKIP_SMUDGE GIT_LFS_SKIP_PUSH \
	GIT_CEILING_DIRECTORIES MLV_SKIP_SMUDGE MLV_TRACE 2>/dev/null || true
git config --global init.defaultBranch main
git config --global gc.auto 0
git config --global maintenance.auto false
git config --global advice.detachedHead false
git config --global core.autocrlf false

RAW=$OUT/raw.tsv
RESULTS=$OUT/results.tsv
TABLE=$OUT/table.txt
META=$OUT/meta.txt
printf 'metric\ttool\trep\tvalue\tcpu_s\n' >"$RAW"

# --- helpers ---------------------------------------------------------------

# A fresh repository of kind mlv, lfs or git (no filter) at $1, with its
# .gitattributes committed.
new_repo() {
	local kind=$1 dir=$2
	rm -rf "$dir"
	git init -q "$dir"
	(
		cd "$dir"
		case $kind in
		mlv)
			git mlv install --local >/dev/null
			git mlv track '*.bin' >/dev/null
			;;
		lfs)
			git lfs install --local >/dev/null
			git lfs track '*.bin' >/dev/null
			# git-lfs filter-process reinstalls missing hooks each time it
			# starts, so deleting them is not enough: non-executable
			# placeholders are left alone by git-lfs and ignored by git.
			if [ "${BENCH_LFS_HOOKS:-0}" != 1 ]; then
				for h in post-checkout post-commit post-merge pre-push; do
					echo '# disabled by bench/run.sh' >.git/hooks/$h
					chmod 644 .git/hooks/$h
				done
				git config advice.ignoredHook false
			fi
			;;
		git)
			echo '# plain git: no filter' >.gitattributes
			;;
		esac
		git add .gitattributes
		git commit -qm attributes
	)
}

# The git-lfs hooks must still be disabled (unless BENCH_LFS_HOOKS=1).
check_hooks() {
	[ "$1" = lfs ] && [ "${BENCH_LFS_HOOKS:-0}" != 1 ] || return 0
	[ ! -x .git/hooks/post-checkout ] || die "git-lfs re-enabled its post-checkout hook"
}

# The store files of a repository (for warming the cache before checkout).
store_dirs() {
	local d
	for d in "$1/.git/mlv/objects" "$1/.git/lfs/objects" "$1/.git/objects"; do
		[ -d "$d" ] && echo "$d"
	done
	return 0
}

# Run a command, showing its output only when it fails.
quiet() {
	"$@" >"$WORK/cmd.out" 2>&1 || { cat "$WORK/cmd.out" >&2; die "'$*' failed in $PWD"; }
}

record() { printf '%s\t%s\t%s\t%s\t\n' "$1" "$2" "$3" "$4" >>"$RAW"; }

# --- inputs, generated once ------------------------------------------------

BIG=$WORK/src/big.bin
MID=$WORK/src/mid.bin
SMALL=$WORK/src/small
BIG_BYTES=$((BIG_MB * 1024 * 1024))
MID_BYTES=$((MID_MB * 1024 * 1024))

echo "bench: $MODE run, $REPS reps; $("$WORK/bin/git-mlv" version 2>/dev/null || echo "?") from $MLV_EXE" >&2
echo "bench: work directory $WORK" >&2
if want big || want mem; then
	log "generating $BIG_MB MiB random file"
	random_file "$BIG" "$BIG_BYTES" big
fi
if want mem; then
	log "generating $MID_MB MiB random file"
	random_file "$MID" "$MID_BYTES" mid
fi
if want small; then
	log "generating $SMALL_COUNT files of $SMALL_BYTES bytes"
	d=0
	while [ $((d * PER_DIR)) -lt "$SMALL_COUNT" ]; do
		n=$((SMALL_COUNT - d * PER_DIR))
		[ $n -le $PER_DIR ] || n=$PER_DIR
		dir=$SMALL/$(printf 'd%03d' $d)
		mkdir -p "$dir"
		{ openssl enc -aes-128-ctr -nosalt -pass "pass:small$d" -pbkdf2 -in /dev/zero 2>/dev/null || true; } |
			head -c $((n * SMALL_BYTES)) |
			split -b "$SMALL_BYTES" -a 3 -d --additional-suffix=.bin - "$dir/f"
		d=$((d + 1))
	done
	[ "$(find "$SMALL" -type f | wc -l)" = "$SMALL_COUNT" ] || die "could not generate the small files"
fi

{
	echo "date	$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "mode	$MODE"
	echo "reps	$REPS"
	echo "mem_reps	$MEM_REPS"
	echo "big_bytes	$BIG_BYTES"
	echo "mid_bytes	$MID_BYTES"
	echo "small_count	$SMALL_COUNT"
	echo "small_bytes	$SMALL_BYTES"
	echo "mlv_binary	$MLV_EXE"
	echo "mlv_version	$("$WORK/bin/git-mlv" version 2>/dev/null | head -1 || echo "?")"
	echo "mlv_sha256	$(sha256sum "$WORK/bin/git-mlv" | cut -d' ' -f1)"
	echo "git_version	$(git --version)"
	echo "git_lfs_version	$(git lfs version)"
	echo "lfs_hooks	${BENCH_LFS_HOOKS:-0}"
	echo "cpus	$(nproc)"
	echo "loadavg_start	$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "kernel	$(uname -r)"
} >"$META"

R=$WORK/repos
POINTER_CHECKED=0

# --- 1, 2: one big file: add, then checkout from the local store -----------

if want big; then
	echo "bench: [1,2] add and checkout of a $BIG_MB MiB file" >&2
	for rep in $(seq "$FIRST_REP" "$REPS"); do
		for tool in mlv lfs; do
			repo=$R/$tool
			new_repo $tool "$repo"
			cd "$repo"
			ln "$BIG" big.bin 2>/dev/null || cp "$BIG" big.bin
			settle big.bin
			timed add_big $tool "$rep" -- git add big.bin
			git cat-file -p :big.bin >"$WORK/pointer.$tool"
			grep -q '^version https://git-lfs.github.com/spec/v1$' "$WORK/pointer.$tool" ||
				die "$tool: git add did not store a pointer"
			git commit -qm big
			rm big.bin
			mapfile -t stores < <(store_dirs "$repo")
			settle "${stores[@]}"
			timed checkout_big $tool "$rep" -- git checkout -- big.bin
			check_hooks $tool
			if [ "$rep" = "$FIRST_REP" ]; then
				cmp -s big.bin "$BIG" || die "$tool: checkout gave different bytes"
			fi
			cd "$WORK"
			rm -rf "$repo"
		done
		if [ $POINTER_CHECKED = 0 ]; then
			cmp -s "$WORK/pointer.mlv" "$WORK/pointer.lfs" ||
				die "mlv and git-lfs wrote different pointers for the same file"
			POINTER_CHECKED=1
		fi
	done
fi

# --- 3, 4: many small files: add, then checkout (plain git for context) -----

if want small; then
	echo "bench: [3,4] add and checkout of $SMALL_COUNT files of $SMALL_BYTES bytes" >&2
	for rep in $(seq "$FIRST_REP" "$REPS"); do
		for tool in mlv lfs git; do
			repo=$R/$tool
			new_repo $tool "$repo"
			cd "$repo"
			cp -al "$SMALL" small 2>/dev/null || cp -a "$SMALL" small
			settle small
			timed add_small $tool "$rep" -- git add small
			[ "$(git ls-files small | wc -l)" = "$SMALL_COUNT" ] || die "$tool: not all files added"
			git commit -qm small
			rm -rf small
			mapfile -t stores < <(store_dirs "$repo")
			settle "${stores[@]}"
			timed checkout_small $tool "$rep" -- git checkout -- .
			check_hooks $tool
			if [ "$rep" = "$FIRST_REP" ]; then
				diff -rq small "$SMALL" >/dev/null || die "$tool: checkout gave different files"
			fi
			cd "$WORK"
			rm -rf "$repo"
		done
	done
fi

# --- 5: peak RSS of the filter process itself -------------------------------
#
# filter.<name>.process is replaced by /usr/bin/time wrapped around the same
# command, so %M is the max RSS of the filter process (and of any child it
# waits for), not git's.

if want mem; then
	echo "bench: [5] peak RSS of the filter process (clean, and smudge for information)" >&2
	for rep in $(seq 1 "$MEM_REPS"); do
		for size in mid big; do
			if [ $size = mid ]; then src=$MID; else src=$BIG; fi
			for tool in mlv lfs; do
				repo=$R/$tool
				new_repo $tool "$repo"
				cd "$repo"
				if [ $tool = mlv ]; then
					key=filter.mlv.process; cmd="git-mlv filter-process"
				else
					key=filter.lfs.process; cmd="git-lfs filter-process"
				fi
				git config "$key" "/usr/bin/time -f %M -o $WORK/rss $cmd"
				ln "$src" big.bin 2>/dev/null || cp "$src" big.bin
				settle big.bin
				rm -f "$WORK/rss"
				quiet git add big.bin
				[ -s "$WORK/rss" ] || die "$tool: the filter wrapper did not run"
				record "rss_clean_$size" $tool "$rep" "$(tail -1 "$WORK/rss")"
				git commit -qm big
				rm -f big.bin "$WORK/rss"
				mapfile -t stores < <(store_dirs "$repo")
				settle "${stores[@]}"
				quiet git checkout -- big.bin
				[ -s "$WORK/rss" ] || die "$tool: the filter wrapper did not run"
				record "rss_smudge_$size" $tool "$rep" "$(tail -1 "$WORK/rss")"
				log "$(printf 'rss %-4s %-3s rep %s: clean %s KiB, smudge %s KiB' $size $tool "$rep" \
					"$(values "rss_clean_$size" $tool | tail -1)" "$(values "rss_smudge_$size" $tool | tail -1)")"
				cd "$WORK"
				rm -rf "$repo"
			done
		done
	done
fi

echo "loadavg_end	$(cut -d' ' -f1-3 /proc/loadavg)" >>"$META"

# --- summary ---------------------------------------------------------------
#
# results.tsv: one line per measurement. `baseline` names what mlv is compared
# with (git-lfs, or plain git for the context lines); ratio = mlv / baseline
# of the medians (of the maxima for memory); pair_ratio_median is the median
# of the per-repetition ratios, a cross-check that is less sensitive to a
# noisy spell hitting only some repetitions.

printf 'metric\tunit\tmlv\tbaseline\tbaseline_value\tratio\tpair_ratio_median\ttarget\tverdict\tmlv_range\tbaseline_range\tn\tmode\tmlv_cpu_s\tbaseline_cpu_s\n' >"$RESULTS"
MISSES=0
ROWS=()
declare -A TOOL_NAME=([lfs]=git-lfs [git]=plain-git)

verdict() { # VALUE TARGET -> PASS/MISS (counted) or INFO when no target
	if [ "$2" = - ]; then
		echo INFO
	elif le "$1" "$2"; then
		echo PASS
	else
		echo MISS
	fi
}

# time_row METRIC BASE LABEL TARGET|-
time_row() {
	local m=$1 base=$2 label=$3 target=$4 a b r pr v ca cb
	a=$(values "$m" mlv | median)
	b=$(values "$m" "$base" | median)
	[ "$a" != - ] && [ "$b" != - ] || return 0
	r=$(ratio "$a" "$b")
	pr=$(pair_ratio "$m" mlv "$base")
	v=$(verdict "$r" "$target")
	[ "$v" != MISS ] || MISSES=$((MISSES + 1))
	[ "$base" = lfs ] || m=${m}_vs_plain_git
	ca=$(cpus "$1" mlv | median 1 2)
	cb=$(cpus "$1" "$base" | median 1 2)
	printf '%s\ttime_s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$m" "$a" "${TOOL_NAME[$base]}" "$b" "$r" "$pr" \
		"$([ "$target" = - ] && echo - || echo "<=$target")" "$v" "$(values "$1" mlv | minmax)" \
		"$(values "$1" "$base" | minmax)" "$(values "$1" mlv | wc -l)" "$MODE" "$ca" "$cb" >>"$RESULTS"
	if [ "$base" = lfs ]; then
		ROWS+=("$(printf '%-36s %9s s %9s s %7s %8s  %-7s pair-ratio %s; mlv %s, git-lfs %s; cpu %s/%s s' "$label" "$a" "$b" "$r" \
			"<= $target" "$v" "$pr" "$(values "$1" mlv | minmax)" "$(values "$1" "$base" | minmax)" "$ca" "$cb")")
	else
		ROWS+=("$(printf '%-36s %9s s %9s s %7s %8s  %-7s plain git %s; cpu %s/%s s' "$label" "$a" "$b" "$r" \
			- "$v" "$(values "$1" "$base" | minmax)" "$ca" "$cb")")
	fi
}

# mem_row METRIC LABEL TARGET_MIB|-   (samples are KiB; the figure is the max over reps)
mem_row() {
	local m=$1 label=$2 target=$3 a b r v
	a=$(values "$m" mlv | maximum 1024)
	b=$(values "$m" lfs | maximum 1024)
	[ "$a" != - ] || return 0
	r=$(ratio "$a" "$b")
	v=$(verdict "$a" "$target")
	[ "$v" != MISS ] || MISSES=$((MISSES + 1))
	printf '%s\tpeak_rss_mib\t%s\tgit-lfs\t%s\t%s\t-\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$m" "$a" "$b" "$r" \
		"$([ "$target" = - ] && echo - || echo "<=$target")" "$v" "$(values "$m" mlv | minmax 1024 1)" \
		"$(values "$m" lfs | minmax 1024 1)" "$(values "$m" mlv | wc -l)" "$MODE" - - >>"$RESULTS"
	ROWS+=("$(printf '%-36s %7s MiB %7s MiB %7s %8s  %-7s max of %s runs' "$label" "$a" "$b" "$r" \
		"$([ "$target" = - ] && echo - || echo "<= $target")" "$v" "$(values "$m" mlv | wc -l)")")
}

# growth_row: mlv's clean peak at the big size minus at the mid size
growth_row() {
	local a b g v
	a=$(values rss_clean_mid mlv | maximum 1)
	b=$(values rss_clean_big mlv | maximum 1)
	[ "$a" != - ] && [ "$b" != - ] || return 0
	g=$(awk -v a="$a" -v b="$b" 'BEGIN { g = (b - a) / 1024; printf "%+.1f", (g > -0.05 && g < 0.05) ? 0 : g }')
	v=$(verdict "$g" "$TARGET_MEM_GROWTH_MIB")
	[ "$v" != MISS ] || MISSES=$((MISSES + 1))
	printf 'rss_clean_growth\tpeak_rss_mib\t%s\t-\t-\t-\t-\t<=%s\t%s\t-\t-\t-\t%s\t-\t-\n' "$g" \
		"$TARGET_MEM_GROWTH_MIB" "$v" "$MODE" >>"$RESULTS"
	ROWS+=("$(printf '%-36s %7s MiB %13s %7s %8s  %-7s %s' "  mlv growth, clean ${MID_MB} -> ${BIG_MB} MiB" "$g" "" "" \
		"<= $TARGET_MEM_GROWTH_MIB" "$v" "flat in file size")")
}

SMALL_LABEL="$SMALL_COUNT x $((SMALL_BYTES / 1024)) KiB"
time_row add_big lfs "1 git add, 1 file of $BIG_MB MiB" $TARGET_ADD_BIG
time_row checkout_big lfs "2 git checkout, $BIG_MB MiB" $TARGET_CO_BIG
time_row add_small lfs "3 git add, $SMALL_LABEL" $TARGET_ADD_SMALL
time_row add_small git "  (context: plain git add)" -
time_row checkout_small lfs "4 git checkout, $SMALL_LABEL" $TARGET_CO_SMALL
time_row checkout_small git "  (context: plain git checkout)" -
mem_row rss_clean_big "5 filter peak RSS, clean $BIG_MB MiB" $TARGET_MEM_MIB
mem_row rss_clean_mid "  filter peak RSS, clean $MID_MB MiB" -
growth_row
mem_row rss_smudge_big "  filter peak RSS, smudge $BIG_MB MiB" -

{
	echo
	echo "mlv vs git-lfs: $MODE run, $REPS reps alternated (mlv, git-lfs, ...); $(git lfs version | cut -d' ' -f1), $(git --version)"
	echo "times: medians of wall-clock seconds; ratio = median(mlv) / median(baseline); lower is better for mlv"
	echo "notes: pair-ratio = median of per-rep ratios; min-max of the samples; cpu = median user+sys (git + filter), mlv/baseline"
	[ "$MODE" = full ] || echo "QUICK RUN: sizes are reduced, verdicts are only indicative"
	echo
	printf '%-36s %11s %11s %7s %8s  %-7s %s\n' "measurement" "mlv" "baseline" "ratio" "target" "verdict" "notes"
	printf '%s\n' "-------------------------------------------------------------------------------------------------------"
	printf '%s\n' "${ROWS[@]}"
	echo
	echo "baseline is git-lfs except on the (context) lines, where it is plain git without a filter"
	echo "load average at start / end: $(sed -n 's/^loadavg_start\t//p' "$META") / $(sed -n 's/^loadavg_end\t//p' "$META")"
	echo "results: $RESULTS (summary), $RAW (every sample), $META"
} | tee "$TABLE"

if [ "$STRICT" = 1 ] && [ $MISSES -gt 0 ]; then
	echo "bench: $MISSES target(s) missed" >&2
	exit 1
fi
exit 0
