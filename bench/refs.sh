#!/usr/bin/env bash
# git ls-remote of an mlv store holding many refs, against git ls-remote of
# a local bare repository holding the same refs (git itself is the floor).
#
#   bench/refs.sh [--reps N] [--quick] [--keep] [--strict] [--out DIR]
#
# The store's manifest lists BENCH_REFS refs (default 100,000) to one
# commit; the bare repository has the same refs, packed as git gc leaves
# them. Target: median(mlv) / median(git) <= 2.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
REPS=${BENCH_REPS:-5} QUICK=0 ONLY=refs KEEP=0 STRICT=0 OUT=${BENCH_OUT:-$HERE/out}
usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; }
. "$HERE/lib.sh"
parse_options "$@"
NREFS=${BENCH_REFS:-100000}
[ "$QUICK" = 1 ] && { NREFS=${BENCH_REFS:-5000}; REPS=3; }
bench_setup refs

log "setup: one commit, $NREFS refs, in an mlv store and in a bare repository"
git init -q "$WORK/src"
git -C "$WORK/src" commit -q --allow-empty -m one
commit=$(git -C "$WORK/src" rev-parse HEAD)
git -C "$WORK/src" push -q "mlv::file://$WORK/store" main 2>/dev/null
git init -q --bare "$WORK/bare.git"
git -C "$WORK/src" push -q "$WORK/bare.git" main
awk -v n="$NREFS" -v c="$commit" 'BEGIN { for (i = 0; i < n; i++) printf "create refs/heads/b/%07d %s\n", i, c }' |
	git -C "$WORK/bare.git" update-ref --stdin
git -C "$WORK/bare.git" pack-refs --all
# the same refs in the manifest, sorted and sealed as a push writes them
{
	grep -v -e '^end ' -e '^[0-9a-f]* refs/heads/main$' "$WORK/store/git/refs"
	{ echo "$commit refs/heads/main"
	  awk -v n="$NREFS" -v c="$commit" 'BEGIN { for (i = 0; i < n; i++) printf "%s refs/heads/b/%07d\n", c, i }'; } |
		LC_ALL=C sort -k2
} >"$WORK/refs.body"
{ cat "$WORK/refs.body"; echo "end $(sha256sum <"$WORK/refs.body" | cut -d' ' -f1)"; } >"$WORK/store/git/refs"
[ "$(git ls-remote "mlv::file://$WORK/store" | wc -l)" = $((NREFS + 2)) ] || die "the store does not list $NREFS refs"
[ "$(git ls-remote "$WORK/bare.git" | wc -l)" = $((NREFS + 2)) ] || die "the bare repository does not list $NREFS refs"

cd "$WORK"
for rep in $(seq 0 "$REPS"); do
	timed ls_remote mlv "$rep" -- git ls-remote "mlv::file://$WORK/store"
	timed ls_remote git "$rep" -- git ls-remote "$WORK/bare.git"
done

a=$(values ls_remote mlv | median)
b=$(values ls_remote git | median)
r=$(ratio "$a" "$b")
pr=$(pair_ratio ls_remote mlv git)
verdict=MISS
le "$r" 2 && verdict=PASS
{
	echo "git ls-remote, $NREFS refs, $REPS reps (medians of wall-clock seconds)"
	printf '%-28s %9s %9s %7s %7s %s\n' measurement mlv git ratio target verdict
	printf '%-28s %9s %9s %7s %7s %s (pair-ratio %s; mlv %s, git %s)\n' "ls-remote $NREFS refs" "$a" "$b" "$r" "<= 2" "$verdict" \
		"$pr" "$(values ls_remote mlv | minmax)" "$(values ls_remote git | minmax)"
} | tee "$OUT/refs.txt"
[ "$STRICT" = 0 ] || [ "$verdict" = PASS ]
