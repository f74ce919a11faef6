#!/usr/bin/env bash
# bench/lineage.sh — the lineage queries on a large synthetic history, each
# against the git command that does the least work any answer needs.
#
#   make && bench/lineage.sh [--reps N] [--quick] [--only LIST] [--strict] [--out DIR]
#
# The history (bench/gen-lineage.py, git fast-import): 10,000 commits, 200
# models, 2,000 model versions, 200 data directories of 2,000 files and one
# of 20,000; built once under bench/out/lineage/ and reused while the
# parameters and the generator stay the same. --only takes lineage,
# lineage_json, uses_dir, uses_file, find, diff. See bench/README.md.
# shellcheck disable=SC2119,SC2317 # median/minmax read stdin; cleanup runs from the trap
set -euo pipefail
export LC_ALL=C
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPS=${BENCH_REPS:-} QUICK=${BENCH_QUICK:-0} KEEP=0 STRICT=0 OUT=${BENCH_OUT:-$HERE/out}
ONLY=lineage,lineage_json,uses_dir,uses_file,find,diff
usage() {
	sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
	cat <<'EOF'

  -n, --reps N       repetitions (default 5, quick 3; env BENCH_REPS); each one runs
                     every query cold (its cache removed), warm, and its git floor
  -q, --quick        a 1,000-commit history of 20 models: checks that the bench works
      --only LIST    a subset of the queries, comma-separated
  -k, --keep         keep the work directory (outputs of the last repetition)
      --strict       exit 1 when a query misses its target or fails its check
  -o, --out DIR      results (default bench/out; env BENCH_OUT)

environment:
  MLV_BIN            directory holding git-mlv, or the binary (default: bin/)
  BENCH_DIR          parent of the temporary work directory ($TMPDIR or /tmp)
  BENCH_LINEAGE_DIR  where the generated repositories live (default OUT/lineage)
  BENCH_WARMUP       0 skips the uncounted first round (default 1)
  BENCH_LINEAGE_COMMITS, _MODELS, _VERSIONS, _FILES, _BIG, _CHANGE, _SEED
                     the history's parameters (10000, 200, 10, 2000, 20000, 1 %, 1)
EOF
}
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
parse_options "$@"
if [ "$QUICK" = 1 ]; then
	: "${REPS:=3}"
	COMMITS=${BENCH_LINEAGE_COMMITS:-1000} MODELS=${BENCH_LINEAGE_MODELS:-20}
	FILES=${BENCH_LINEAGE_FILES:-200} BIG=${BENCH_LINEAGE_BIG:-2000} MODE=quick
else
	: "${REPS:=5}"
	COMMITS=${BENCH_LINEAGE_COMMITS:-10000} MODELS=${BENCH_LINEAGE_MODELS:-200}
	FILES=${BENCH_LINEAGE_FILES:-2000} BIG=${BENCH_LINEAGE_BIG:-20000} MODE=full
fi
VERSIONS=${BENCH_LINEAGE_VERSIONS:-10} CHANGE=${BENCH_LINEAGE_CHANGE:-1} SEED=${BENCH_LINEAGE_SEED:-1}
case $REPS in '' | *[!0-9]* | 0) die "--reps wants a positive number" ;; esac
if [ "${BENCH_WARMUP:-1}" = 1 ]; then FIRST_REP=0; else FIRST_REP=1; fi
for q in ${ONLY//,/ }; do
	case $q in lineage | lineage_json | uses_dir | uses_file | find | diff) ;;
	*) die "unknown query '$q' in --only (lineage, lineage_json, uses_dir, uses_file, find, diff)" ;;
	esac
done
command -v python3 >/dev/null || die "needs python3"

MLV_BIN=${MLV_BIN:-$HERE/../bin}
[ -d "$MLV_BIN" ] || MLV_BIN=$(dirname "$MLV_BIN")
[ -x "$MLV_BIN/git-mlv" ] || die "no git-mlv in $MLV_BIN (run make)"
WORK=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/mlv-bench-lineage.XXXXXX")
RAW=$WORK/raw.tsv
: >"$RAW"
cleanup() { if [ "$KEEP" = 1 ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
# a copy, so that a rebuild of bin/ during the run does not mix versions
mkdir -p "$WORK/bin" "$WORK/home" "$OUT"
rm -f "$OUT"/lineage-*.out "$OUT"/lineage-*.err  # a failed query's output, from the last run
cp "$MLV_BIN/git-mlv" "$WORK/bin/"
export HOME=$WORK/home GIT_CONFIG_NOSYSTEM=1 PATH="$WORK/bin:$PATH"
git config --global user.name bench && git config --global user.email bench@example.com
git config --global init.defaultBranch main

# --- the repository: built once per parameter set and generator ---
KEY=c$COMMITS-m$MODELS-v$VERSIONS-f$FILES-b$BIG-p$CHANGE-s$SEED
BASE=${BENCH_LINEAGE_DIR:-$OUT/lineage}/$KEY
REPO=$BASE/repo EXP=$BASE/expected.json
STAMP="$KEY $(sha256sum <"$HERE/gen-lineage.py" | cut -d' ' -f1)"
if [ -f "$BASE/stamp" ] && [ "$(cat "$BASE/stamp")" = "$STAMP" ] && [ -d "$REPO/.git" ]; then
	log "reusing $REPO"
else
	log "building $REPO ($KEY)"
	rm -rf "$BASE" "$BASE.tmp"
	mkdir -p "$BASE.tmp"
	git init -q "$BASE.tmp/repo"
	t0=$EPOCHREALTIME
	python3 "$HERE/gen-lineage.py" "$BASE.tmp/repo" "$BASE.tmp/expected.json" \
		--commits "$COMMITS" --models "$MODELS" --versions "$VERSIONS" --files "$FILES" \
		--big "$BIG" --change "$CHANGE" --seed "$SEED"
	t1=$EPOCHREALTIME
	# as a repository in use looks: one pack and a commit-graph (what git gc
	# leaves; no changed-path Bloom filters, which gc does not write), and a
	# sparse checkout of models/, configs/, src/ and the top level, so that
	# 420,000 pointer files are not written out
	(cd "$BASE.tmp/repo" && git gc --quiet && git config gc.auto 0 &&
		git sparse-checkout set models configs src && git read-tree -mu HEAD)
	t2=$EPOCHREALTIME
	python3 "$HERE/lineage-check.py" repo "$BASE.tmp/repo" "$BASE.tmp/expected.json" >&2 ||
		die "the generated repository is not what DESIGN.md says"
	t3=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v s="$(du -sk "$BASE.tmp/repo/.git" | cut -f1)" 'BEGIN {
		printf "generate + fast-import %.1f s, gc + sparse checkout %.1f s, check %.1f s; .git %.0f MiB\n",
			b - a, c - b, d - c, s / 1024 }' >"$BASE.tmp/build.txt"
	echo "$STAMP" >"$BASE.tmp/stamp"
	mv "$BASE.tmp" "$BASE"
fi
log "$(cat "$BASE/build.txt")"
GIT_DIR_ABS=$REPO/.git

# what the queries are asked, from the generator's record
jq_() { python3 -c 'import json, sys; e = json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"e": e}))' "$EXP" "$1"; }
LIN_MODEL=$(jq_ 'e["lineage"]["model"]')
USES_DIR=$(jq_ 'e["uses_dir"]["arg"]')
USES_FILE=$(jq_ 'e["uses_file"]["arg"]')
FIND_EXPR=$(jq_ 'e["find"]["expr"]')
DIFF_MODEL=$(jq_ 'e["diff"]["model"]')
DIFF_R1=$(jq_ 'e["diff"]["rev1"]')
DIFF_R2=$(jq_ 'e["diff"]["rev2"]')
COUNTS=$(jq_ '"%d commits (%d merges), %d model versions; expected: lineage %d, uses dir %d, uses file %d, find %d, diff %d+%d files" % (e["commits_total"], e["merges"], e["model_versions"], len(e["lineage"]["commits"]), len(e["uses_dir"]["commits"]), len(e["uses_file"]["commits"]), len(e["find"]["commits"]), len(e["diff"]["big_changed"]), len(e["diff"]["d_changed"]))')
log "$COUNTS"

# query -> the git mlv command (into CMD), its floor, its target
set_mlv() {
	case $1 in
	lineage) CMD=(git mlv lineage "$LIN_MODEL") ;;
	lineage_json) CMD=(git mlv lineage "$LIN_MODEL" --format json) ;;
	uses_dir) CMD=(git mlv uses "$USES_DIR") ;;
	uses_file) CMD=(git mlv uses "$USES_FILE") ;;
	find) CMD=(git mlv find "$FIND_EXPR") ;;
	diff) CMD=(git mlv diff "$DIFF_R1" "$DIFF_R2" -- "$DIFF_MODEL") ;;
	esac
}
# The floor: what git itself must do for any answer. lineage: the commits
# that changed the sidecar, from HEAD. uses and find read every model
# version in all refs: the commits that changed any sidecar. diff walks no
# history: the comparison of the two versions' trees (model, sidecar,
# config, lockfile, both data directories).
DIFF_STEM=$(basename "$DIFF_MODEL" .onnx)
set_floor() {
	case $1 in
	lineage | lineage_json) CMD=(git log --format=%H -- "$LIN_MODEL.mlv") ;;
	uses_dir | uses_file | find) CMD=(git log --all --format=%H -- 'models/*.mlv') ;;
	diff) CMD=(git diff --raw "$DIFF_R1" "$DIFF_R2" -- "$DIFF_MODEL" "$DIFF_MODEL.mlv"
		"configs/$DIFF_STEM.yaml" requirements.lock data/big/ "data/d${DIFF_STEM#m}/") ;;
	esac
}
floor_name() {
	case $1 in
	lineage | lineage_json) echo "git log -- $LIN_MODEL.mlv" ;;
	uses_dir | uses_file | find) echo "git log --all -- 'models/*.mlv'" ;;
	diff) echo "git diff --raw of the trees" ;;
	esac
}
shown() { set_"$1" "$2"; printf '%q' "${CMD[0]}"; [ ${#CMD[@]} = 1 ] || printf ' %q' "${CMD[@]:1}"; }
verb() { case $1 in lineage_json) echo lineage ;; uses_*) echo uses ;; *) echo "$1" ;; esac; }
# targets: seconds, and for lineage a ratio to the floor too
target_s() { case $1 in lineage | lineage_json) echo 0.3 ;; *) echo 0.5 ;; esac; }
target_ratio() { case $1 in lineage | lineage_json) echo 2 ;; *) echo - ;; esac; }

# sample METRIC TOOL REP: run "${CMD[@]}" in the current directory, keep its
# output in $WORK/METRIC.TOOL.out and .err, record wall-clock and CPU
# seconds as lib.sh's timed does; return the command's status, not die.
sample() {
	local metric=$1 tool=$2 rep=$3 t0 t1 u s wall rc=0
	t0=$EPOCHREALTIME
	/usr/bin/time -f '%U %S' -o "$WORK/cpu" "${CMD[@]}" \
		>"$WORK/$metric.$tool.out" 2>"$WORK/$metric.$tool.err" || rc=$?
	t1=$EPOCHREALTIME
	[ "$rc" = 0 ] || return "$rc"
	read -r u s <"$WORK/cpu"
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
	if [ "$rep" = 0 ]; then
		log "$(printf '%-13s %-5s warm-up %7.3f s (not counted)' "$metric" "$tool" "$wall")"
		return 0
	fi
	printf '%s\t%s\t%s\t%s\t%.2f\n' "$metric" "$tool" "$rep" "$wall" \
		"$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')" >>"$RAW"
	log "$(printf '%-13s %-5s rep %-2s %8.3f s' "$metric" "$tool" "$rep" "$wall")"
}

declare -A STATE WHY # query -> "" (measuring), SKIP, FAIL (error|output); why it failed
fail_q() {
	STATE[$1]="FAIL ($4)" WHY[$1]=$2
	cp "$WORK/$1.$3.out" "$OUT/lineage-$1.out" 2>/dev/null || true
	cp "$WORK/$1.$3.err" "$OUT/lineage-$1.err" 2>/dev/null || true
	log "$1: $2 (output in $OUT/lineage-$1.out, .err)"
}
QUERIES=()
for q in lineage lineage_json uses_dir uses_file find diff; do
	want "$q" || continue
	QUERIES+=("$q")
	STATE[$q]=
	help=$(git -C "$REPO" mlv "$(verb "$q")" -h 2>&1 || true)
	if [[ $help == *"is not a git mlv command"* ]]; then
		STATE[$q]=SKIP
		log "$q: git mlv $(verb "$q") is not built: SKIP"
	fi
done

cd "$REPO"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
for rep in $(seq "$FIRST_REP" "$REPS"); do
	for q in "${QUERIES[@]}"; do
		if [ -z "${STATE[$q]}" ]; then
			rm -rf "$GIT_DIR_ABS"/mlv/*cache*
			for tool in cold warm; do
				[ -z "${STATE[$q]}" ] || break
				set_mlv "$q"
				if ! sample "$q" "$tool" "$rep"; then
					fail_q "$q" "$tool: '$(shown mlv "$q")' failed: $(head -c 300 "$WORK/$q.$tool.err")" "$tool" error
				elif ! why=$(python3 "$HERE/lineage-check.py" out "$q" "$EXP" "$WORK/$q.$tool.out"); then
					fail_q "$q" "$tool: $why" "$tool" output
				fi
			done
		fi
		set_floor "$q"
		sample "$q" git "$rep" || { cat "$WORK/$q.git.err" >&2; die "$q: '$(shown floor "$q")' failed"; }
		why=$(python3 "$HERE/lineage-check.py" floor "$q" "$EXP" "$WORK/$q.git.out") ||
			die "$q: the floor: $why"
	done
done

# --- the table ---
MISSED=0
{
	echo "lineage queries ($MODE), $COUNTS; $REPS reps, medians of wall-clock seconds"
	echo "git-mlv sha256 $(sha256sum <"$WORK/bin/git-mlv" | cut -c1-12), $(git --version), $(date -u +%FT%TZ), load $LOAD0 -> $(cut -d' ' -f1-3 /proc/loadavg)"
	printf '%-24s %8s %8s %7s %-16s %-18s %s\n' query mlv floor ratio target verdict "notes (floor; min-max)"
	for q in "${QUERIES[@]}"; do
		f=$(values "$q" git | median)
		ts=$(target_s "$q") tr=$(target_ratio "$q")
		if [ "$tr" = - ]; then tt="<= $ts s"; else tt="<= ${tr}x, $ts s"; fi
		for tool in cold warm; do
			st=${STATE[$q]}
			case $st in
			SKIP) a=- r=- v="SKIP (not built)" ;;
			FAIL*) a=- r=- v=$st ;;
			*)
				a=$(values "$q" "$tool" | median)
				r=$(ratio "$a" "$f")
				v=FAIL
				if le "$a" "$ts" && { [ "$tr" = - ] || le "$r" "$tr"; }; then v=PASS; fi
				;;
			esac
			case $v in FAIL*) MISSED=1 ;; esac
			printf '%-24s %8s %8s %7s %-16s %-18s %s\n' "$q ($tool)" "$a" "$f" "$r" "$tt" "$v" \
				"$(floor_name "$q"); mlv $(values "$q" "$tool" | minmax), floor $(values "$q" git | minmax)"
		done
	done
	for q in "${QUERIES[@]}"; do [ -z "${WHY[$q]:-}" ] || echo "$q: ${WHY[$q]}"; done
	echo "commands: cold = after rm -rf .git/mlv/*cache*, warm = the same command again"
	for q in "${QUERIES[@]}"; do echo "  $q: $(shown mlv "$q")  floor: $(shown floor "$q")"; done
} >"$OUT/lineage.txt"
cat "$OUT/lineage.txt"
cp "$RAW" "$OUT/lineage-raw.tsv"
[ "$STRICT" = 0 ] || [ "$MISSED" = 0 ]
