#!/usr/bin/env bash
# bench/registry.sh — the model registry's commands on a repository with
# 10,000 registry tags in GTO's format and 10,000 unrelated tags, each against
# the git command that does the least work any answer needs (its floor).
#
#   make && bench/registry.sh [--reps N] [--quick] [--only LIST] [--strict] [--out DIR]
#
# The repository (bench/gen-registry.py, git fast-import; refs packed, git gc):
# 500 models x (10 register tags + 10 assign/unassign/deregister/deprecate tags
# with counters), 5,000 commits; built once under bench/out/registry/ and
# reused while the parameters and the generator stay the same. --only takes
# models, models_name, log_asof, log_name, assign. See bench/README.md.
# shellcheck disable=SC2119,SC2317 # median/minmax read stdin; cleanup runs from the trap
set -euo pipefail
export LC_ALL=C
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPS=${BENCH_REPS:-} QUICK=${BENCH_QUICK:-0} KEEP=0 STRICT=0 OUT=${BENCH_OUT:-$HERE/out}
ONLY=models,models_name,log_asof,log_name,assign
usage() {
	sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
	cat <<'EOF'

  -n, --reps N       repetitions (default 5, quick 3; env BENCH_REPS); each one runs
                     every query and its floors
  -q, --quick        50 models and 1,000 unrelated tags: checks that the bench works
      --only LIST    a subset of the queries, comma-separated
  -k, --keep         keep the work directory (outputs of the last repetition)
      --strict       exit 1 when a query misses its target or fails its check
  -o, --out DIR      results (default bench/out; env BENCH_OUT)

environment:
  MLV_BIN            directory holding git-mlv, or the binary (default: bin/)
  BENCH_DIR          parent of the temporary work directory ($TMPDIR or /tmp)
  BENCH_REGISTRY_DIR where the generated repositories live (default OUT/registry)
  BENCH_WARMUP       0 skips the uncounted first round (default 1)
  BENCH_REGISTRY_MODELS, _VERSIONS, _STAGE_TAGS, _OTHER, _SEED
                     the repository's parameters (500, 10, 10, 10000, 1)
EOF
}
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
parse_options "$@"
if [ "$QUICK" = 1 ]; then
	: "${REPS:=3}"
	MODELS=${BENCH_REGISTRY_MODELS:-50} OTHER=${BENCH_REGISTRY_OTHER:-1000} MODE=quick
else
	: "${REPS:=5}"
	MODELS=${BENCH_REGISTRY_MODELS:-500} OTHER=${BENCH_REGISTRY_OTHER:-10000} MODE=full
fi
VERSIONS=${BENCH_REGISTRY_VERSIONS:-10} STAGE_TAGS=${BENCH_REGISTRY_STAGE_TAGS:-10}
SEED=${BENCH_REGISTRY_SEED:-1}
case $REPS in '' | *[!0-9]* | 0) die "--reps wants a positive number" ;; esac
if [ "${BENCH_WARMUP:-1}" = 1 ]; then FIRST_REP=0; else FIRST_REP=1; fi
ALL_QUERIES="models models_name log_asof log_name assign"
for q in ${ONLY//,/ }; do
	case " $ALL_QUERIES " in *" $q "*) ;;
	*) die "unknown query '$q' in --only (${ALL_QUERIES// /, })" ;;
	esac
done
command -v python3 >/dev/null || die "needs python3"

MLV_BIN=${MLV_BIN:-$HERE/../bin}
[ -d "$MLV_BIN" ] || MLV_BIN=$(dirname "$MLV_BIN")
[ -x "$MLV_BIN/git-mlv" ] || die "no git-mlv in $MLV_BIN (run make)"
WORK=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/mlv-bench-registry.XXXXXX")
RAW=$WORK/raw.tsv
: >"$RAW"
cleanup() { if [ "$KEEP" = 1 ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
# a copy, so that a rebuild of bin/ during the run does not mix versions
mkdir -p "$WORK/bin" "$WORK/home" "$OUT"
rm -f "$OUT"/registry-*.out "$OUT"/registry-*.err  # a failed query's output, from the last run
cp "$MLV_BIN/git-mlv" "$WORK/bin/"
export HOME=$WORK/home GIT_CONFIG_NOSYSTEM=1 PATH="$WORK/bin:$PATH"
git config --global user.name bench && git config --global user.email bench@example.com
git config --global init.defaultBranch main

# --- the repository: built once per parameter set and generator ---
KEY=m$MODELS-v$VERSIONS-t$STAGE_TAGS-o$OTHER-s$SEED
BASE=${BENCH_REGISTRY_DIR:-$OUT/registry}/$KEY
EXP=$BASE/expected.json
STAMP="$KEY $(sha256sum <"$HERE/gen-registry.py" | cut -d' ' -f1)"
if [ -f "$BASE/stamp" ] && [ "$(cat "$BASE/stamp")" = "$STAMP" ] && [ -d "$BASE/repo/.git" ]; then
	log "reusing $BASE/repo"
else
	log "building $BASE/repo ($KEY)"
	rm -rf "$BASE" "$BASE.tmp"
	mkdir -p "$BASE.tmp"
	git init -q "$BASE.tmp/repo"
	t0=$EPOCHREALTIME
	python3 "$HERE/gen-registry.py" gen "$BASE.tmp/repo" "$BASE.tmp/expected.json" \
		--models "$MODELS" --versions "$VERSIONS" --stage-tags "$STAGE_TAGS" \
		--other "$OTHER" --seed "$SEED"
	t1=$EPOCHREALTIME
	# as a repository in use looks: refs packed (fast-import leaves 20,000
	# loose ones), one pack, the work tree checked out
	(cd "$BASE.tmp/repo" && git pack-refs --all && git gc --quiet && git config gc.auto 0 &&
		git read-tree -mu HEAD)
	t2=$EPOCHREALTIME
	loose=$(find "$BASE.tmp/repo/.git/refs/tags" -type f | wc -l)
	[ "$loose" = 0 ] || die "$loose loose tags left after git pack-refs --all"
	awk -v a="$t0" -v b="$t1" -v c="$t2" -v s="$(du -sk "$BASE.tmp/repo/.git" | cut -f1)" 'BEGIN {
		printf "generate + fast-import %.1f s, pack-refs + gc + checkout %.1f s; .git %.1f MiB\n",
			b - a, c - b, s / 1024 }' >"$BASE.tmp/build.txt"
	echo "$STAMP" >"$BASE.tmp/stamp"
	mv "$BASE.tmp" "$BASE"
fi
log "$(cat "$BASE/build.txt")"
# the assigns write tags: each run works on its own copy
cp -a "$BASE/repo" "$WORK/repo"
REPO=$WORK/repo

jq_() { python3 -c 'import json, sys; e = json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"e": e}))' "$EXP" "$1"; }
PROBE=$(jq_ 'e["probe"]')
AS_OF=$(jq_ 'e["as_of_iso"]')
read -r ALT1 ALT2 <<<"$(jq_ '" ".join(e["assign_versions"])')"
COUNTS=$(jq_ '"%d models, %d registry tags, %d unrelated tags; as of %s: %d events; %s: prod v%s now, v%s then" % (e["models"], e["registry_tags"], e["other_tags"], e["as_of_iso"], e["events_as_of"], e["probe"], e["now"][e["probe"]]["stages"]["prod"], e["then"][e["probe"]]["stages"]["prod"])')
log "$COUNTS"
NTAGS=$(git -C "$REPO" for-each-ref refs/tags | wc -l)
[ "$NTAGS" = "$(jq_ 'e["registry_tags"] + e["other_tags"]')" ] || die "the repository has $NTAGS tags"

# query -> the git mlv command (into CMD); the version an assign asks for
set_mlv() {
	case $1 in
	models) CMD=(git mlv models) ;;
	models_name) CMD=(git mlv models "$PROBE") ;;
	log_asof) CMD=(git mlv registry log --as-of "$AS_OF") ;;
	log_name) CMD=(git mlv registry log "$PROBE") ;;
	assign) CMD=(git mlv assign "$PROBE" "$ASSIGN_V" --stage prod) ;;
	esac
}
# The floors. Every reader must at least list the tags (git for-each-ref
# refs/tags, which also reads each object's type); git tag -l is shown
# too, and, for context, for-each-ref reading every tag object (tagger,
# date, the commit it points at), as a registry reader must. An assign must
# at least write one annotated tag with git (git tag -a).
FLOORS="fer tagl fer_obj tag_a"
set_floor() {
	case $1 in
	fer) CMD=(git for-each-ref refs/tags) ;;
	tagl) CMD=(git tag -l) ;;
	fer_obj) CMD=(git for-each-ref '--format=%(refname) %(*objectname) %(taggername) %(taggerdate:raw)' refs/tags) ;;
	tag_a) CMD=(git tag -a -m "bench floor" bench-floor "$ALT1_COMMIT") ;;
	esac
}
floor_of() { case $1 in assign) echo tag_a ;; *) echo fer ;; esac; }
target_s() { case $1 in models | models_name) echo 0.1 ;; *) echo 0.2 ;; esac; }
shown() { set_"$1" "$2"; printf '%q' "${CMD[0]}"; [ ${#CMD[@]} = 1 ] || printf ' %q' "${CMD[@]:1}"; }

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
		log "$(printf '%-12s %-8s warm-up %7.3f s (not counted)' "$metric" "$tool" "$wall")"
		return 0
	fi
	printf '%s\t%s\t%s\t%s\t%.2f\n' "$metric" "$tool" "$rep" "$wall" \
		"$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')" >>"$RAW"
	log "$(printf '%-12s %-8s rep %-2s %8.3f s' "$metric" "$tool" "$rep" "$wall")"
}

declare -A STATE WHY # query -> "" (measuring) or FAIL (error|output); why it failed
fail_q() {
	STATE[$1]="FAIL ($3)" WHY[$1]=$2
	cp "$WORK/$1.mlv.out" "$OUT/registry-$1.out" 2>/dev/null || true
	cp "$WORK/$1.mlv.err" "$OUT/registry-$1.err" 2>/dev/null || true
	log "$1: $2 (output in $OUT/registry-$1.out, .err)"
}
QUERIES=()
for q in $ALL_QUERIES; do
	want "$q" || continue
	QUERIES+=("$q")
	STATE[$q]=
done

cd "$REPO"
ALT1_COMMIT=$(git rev-parse "$PROBE@v$ALT1^{commit}")
prod_tags() { git for-each-ref --format='%(refname:strip=2)' "refs/tags/$PROBE#prod#*" | sort; }

# The assign of rep REP: alternately ALT1 and ALT2 (neither is in prod
# now), timed; then the check that exactly one new tag NAME#prod#N points at
# that version's commit and that models NAME says so, and its deletion, so
# that every repetition (and every other query) sees the generated registry.
run_assign() {
	local rep=$1 before after new want_c got_c why
	ASSIGN_V=$ALT1
	[ $((rep % 2)) = 0 ] || ASSIGN_V=$ALT2
	before=$(prod_tags)
	set_mlv assign
	if ! sample assign mlv "$rep"; then
		fail_q assign "'$(shown mlv assign)' failed: $(head -c 300 "$WORK/assign.mlv.err")" error
		return
	fi
	after=$(prod_tags)
	new=$(comm -13 <(echo "$before") <(echo "$after"))
	want_c=$(git rev-parse "$PROBE@v$ASSIGN_V^{commit}")
	if [ -z "$new" ] || [ "$(echo "$new" | wc -l)" != 1 ]; then
		fail_q assign "rep $rep: new prod tags: '$new', want one" output
		return
	fi
	got_c=$(git rev-parse "$new^{commit}")
	if [ "$got_c" != "$want_c" ]; then
		fail_q assign "rep $rep: $new points at $got_c, not v$ASSIGN_V's $want_c" output
	elif ! why=$(python3 "$HERE/gen-registry.py" check assign "$EXP" "$WORK/assign.mlv.out" \
		"$new $got_c $ASSIGN_V"); then
		fail_q assign "rep $rep: $why" output
	elif ! git mlv models "$PROBE" | grep -q "^  prod  *v$ASSIGN_V "; then
		fail_q assign "rep $rep: git mlv models $PROBE does not show v$ASSIGN_V in prod" output
	fi
	git tag -d "$new" >/dev/null
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
for rep in $(seq "$FIRST_REP" "$REPS"); do
	for q in "${QUERIES[@]}"; do
		[ -z "${STATE[$q]}" ] || continue
		if [ "$q" = assign ]; then
			run_assign "$rep"
			continue
		fi
		set_mlv "$q"
		if ! sample "$q" mlv "$rep"; then
			fail_q "$q" "'$(shown mlv "$q")' failed: $(head -c 300 "$WORK/$q.mlv.err")" error
		elif ! why=$(python3 "$HERE/gen-registry.py" check "$q" "$EXP" "$WORK/$q.mlv.out"); then
			fail_q "$q" "$why" output
		fi
	done
	for f in $FLOORS; do
		set_floor "$f"
		sample "$f" git "$rep" || { cat "$WORK/$f.git.err" >&2; die "floor '$(shown floor "$f")' failed"; }
		if [ "$f" = tag_a ]; then
			[ "$(git rev-parse 'bench-floor^{commit}')" = "$ALT1_COMMIT" ] || die "floor: git tag -a wrote no tag"
			git tag -d bench-floor >/dev/null
		else
			why=$(python3 "$HERE/gen-registry.py" check floor "$EXP" "$WORK/$f.git.out") ||
				die "floor $f: $why"
		fi
	done
done

# --- the table ---
MISSED=0
floor_name() {
	case $1 in
	fer) echo "git for-each-ref refs/tags" ;;
	tagl) echo "git tag -l" ;;
	fer_obj) echo "git for-each-ref --format='%(refname) %(*objectname) %(taggername) %(taggerdate:raw)'" ;;
	tag_a) echo "git tag -a -m MSG NAME COMMIT" ;;
	esac
}
{
	echo "registry ($MODE), $COUNTS; $REPS reps, medians of wall-clock seconds"
	echo "git-mlv sha256 $(sha256sum <"$WORK/bin/git-mlv" | cut -c1-12), $(git --version), $(date -u +%FT%TZ), load $LOAD0 -> $(cut -d' ' -f1-3 /proc/loadavg)"
	printf '%-14s %8s %8s %7s %-9s %-14s %s\n' query mlv floor ratio target verdict "notes (floor; min-max; cpu mlv)"
	for q in "${QUERIES[@]}"; do
		fl=$(floor_of "$q")
		f=$(values "$fl" git | median)
		ts=$(target_s "$q")
		case ${STATE[$q]} in
		FAIL*) a=- r=- v=${STATE[$q]} ;;
		*)
			a=$(values "$q" mlv | median)
			r=$(ratio "$a" "$f")
			v=MISS
			if le "$a" "$ts"; then v=PASS; fi
			;;
		esac
		[ "$v" = PASS ] || MISSED=1
		printf '%-14s %8s %8s %7s %-9s %-14s %s\n' "$q" "$a" "$f" "$r" "<= $ts s" "$v" \
			"$(floor_name "$fl"); mlv $(values "$q" mlv | minmax), floor $(values "$fl" git | minmax); cpu $(cpus "$q" mlv | median 1 2) s"
	done
	for fl in $FLOORS; do
		printf '%-14s %8s %8s %7s %-9s %-14s %s\n' "(floor $fl)" - "$(values "$fl" git | median)" - - INFO \
			"$(floor_name "$fl"); $(values "$fl" git | minmax)"
	done
	for q in "${QUERIES[@]}"; do [ -z "${WHY[$q]:-}" ] || echo "$q: ${WHY[$q]}"; done
	echo "commands (every output checked against the generator's expected.json):"
	for q in "${QUERIES[@]}"; do
		if [ "$q" = assign ]; then
			echo "  $q: git mlv assign $PROBE $ALT1 --stage prod (odd reps: $ALT2; the tag deleted after its check)"
		else
			echo "  $q: $(shown mlv "$q")"
		fi
	done
	echo "GTO (not measured here): 6-12 s per command at 1,500 tags, iterative/gto#156"
} >"$OUT/registry.txt"
cat "$OUT/registry.txt"
cp "$RAW" "$OUT/registry-raw.tsv"
[ "$STRICT" = 0 ] || [ "$MISSED" = 0 ]
