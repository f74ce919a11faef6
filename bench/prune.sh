#!/usr/bin/env bash
# git mlv prune of a store of 10,000 objects under a history of 5,000
# commits, against git lfs prune of the same history and objects, and git
# rev-list --objects --all (reading every tree once: git itself is the floor).
#
#   bench/prune.sh [--reps N] [--quick] [--keep] [--strict] [--out DIR]
#
# Every commit is old and pushed (refs/remotes/origin/main is HEAD), every
# object older than the grace period, so prune keeps only HEAD's objects.
# All runs are --dry-run, so each repetition sees the same store. Targets:
# the walk (--no-verify-remote) under 2 s; the run that asks a file://
# store about each of the ~10,000 objects (through the transfer queue)
# reported beside it.
#
# BENCH_S3=radosgw (or moto) also asks an S3 store on loopback (started by
# tests/s3/server.sh, stopped at the end; the objects uploaded by
# aws s3 sync): prune with mlv.concurrenttransfers 8 (the default) and 1,
# so the batching shows, against listing the same keys with
# aws s3 ls --recursive.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
REPS=${BENCH_REPS:-5} QUICK=0 ONLY=prune KEEP=0 STRICT=0 OUT=${BENCH_OUT:-$HERE/out}
usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; }
. "$HERE/lib.sh"
parse_options "$@"
NCOMMITS=${BENCH_COMMITS:-5000}
[ "$QUICK" = 1 ] && { NCOMMITS=${BENCH_COMMITS:-500}; REPS=3; }
command -v git-lfs >/dev/null || die "no git-lfs (apt-get install git-lfs)"
S3=${BENCH_S3:-}
stop_s3() { "$HERE/../tests/s3/server.sh" stop "$WORK/s3" >/dev/null 2>&1 || true; }
[ -z "$S3" ] || BENCH_ON_EXIT=stop_s3
bench_setup prune

log "setup: $NCOMMITS commits, their objects in an mlv repository, a git-lfs one and a file:// store"
git init -q "$WORK/mlv"
nobj=$(python3 "$HERE/gen-prune.py" --commits "$NCOMMITS" "$WORK/mlv" \
	"$WORK/mlv/.git/mlv/objects" "$WORK/store/objects" "$WORK/lfs-objects")
git clone -q --no-checkout "$WORK/mlv" "$WORK/lfs"
mkdir -p "$WORK/lfs/.git/lfs"
mv "$WORK/lfs-objects" "$WORK/lfs/.git/lfs/objects"
(
	cd "$WORK/mlv"
	git mlv install --local >/dev/null
	MLV_SKIP_SMUDGE=1 git checkout -q -f main
	git remote add origin "mlv::file://$WORK/store"
	git update-ref refs/remotes/origin/main HEAD
	find .git/mlv/objects -type f -exec touch -d '30 days ago' {} +
	git mlv prune -q --dry-run >"$WORK/mlv.out"
)
(
	cd "$WORK/lfs"
	git lfs install --local >/dev/null
	# the history's attributes name mlv; git-lfs reads the same pointers
	git config filter.mlv.process "git-lfs filter-process"
	git config filter.mlv.required true
	GIT_LFS_SKIP_SMUDGE=1 git checkout -q -f main
	git update-ref refs/remotes/origin/main HEAD
	find .git/lfs/objects -type f -exec touch -d '30 days ago' {} +
	git lfs prune --dry-run >"$WORK/lfs.out" 2>&1
)
grep -q "would delete" "$WORK/mlv.out" || die "mlv prune would delete nothing: $(cat "$WORK/mlv.out")"
ndel=$(grep -c '^would delete' "$WORK/mlv.out")
log "mlv would delete $ndel of $nobj objects; git-lfs: $(grep -i 'prune' "$WORK/lfs.out" | head -2 | tr '\n' ' ')"

if [ -n "$S3" ]; then
	log "setup: $S3 on loopback, the objects uploaded with aws s3 sync"
	"$HERE/../tests/s3/server.sh" start "$S3" "$WORK/s3" >"$WORK/s3.log" 2>&1 ||
		die "the $S3 server did not start: $(tail -5 "$WORK/s3.log")"
	. "$WORK/s3/env"
	S3URL="s3://$MLV_TEST_S3_BUCKET/prune"
	aws --endpoint-url "$AWS_ENDPOINT_URL" s3 sync --quiet "$WORK/store/objects" "$S3URL/objects"
	git clone -q --no-checkout "$WORK/mlv" "$WORK/mlv-s3"
	(
		cd "$WORK/mlv-s3"
		rm -rf .git/mlv && cp -al "$WORK/mlv/.git/mlv" .git/mlv
		git mlv install --local >/dev/null
		MLV_SKIP_SMUDGE=1 git checkout -q -f main
		git remote set-url origin "mlv::$S3URL"
		git mlv prune -q --dry-run >"$WORK/s3.out"
		grep -q "$ndel would be deleted" "$WORK/s3.out" || die "prune against $S3: $(tail -3 "$WORK/s3.out")"
	)
fi

for rep in $(seq 0 "$REPS"); do
	if [ -n "$S3" ]; then
		cd "$WORK/mlv-s3"
		timed s3check mlv8 "$rep" -- git mlv prune -q --dry-run
		timed s3check mlv1 "$rep" -- git -c mlv.concurrenttransfers=1 mlv prune -q --dry-run
		timed s3check aws "$rep" -- aws --endpoint-url "$AWS_ENDPOINT_URL" s3 ls --recursive "$S3URL/objects/"
	fi
	cd "$WORK/mlv"
	timed walk mlv "$rep" -- git mlv prune -q --dry-run --no-verify-remote
	timed check mlv "$rep" -- git mlv prune -q --dry-run
	cd "$WORK/lfs"
	timed walk lfs "$rep" -- git lfs prune --dry-run
	cd "$WORK/mlv"
	timed walk git "$rep" -- git rev-list --objects --all
done

wm=$(values walk mlv | median)
wl=$(values walk lfs | median)
wg=$(values walk git | median)
cm=$(values check mlv | median)
verdict=MISS
le "$wm" 2 && verdict=PASS
{
	echo "prune, $NCOMMITS commits, $nobj objects ($ndel to delete), $REPS reps (medians of wall-clock seconds)"
	printf '%-34s %8s %s\n' measurement seconds detail
	printf '%-34s %8s target < 2 s: %s (min-max %s)\n' "mlv prune --no-verify-remote" "$wm" "$verdict" "$(values walk mlv | minmax)"
	printf '%-34s %8s mlv/git-lfs %s (pair-ratio %s)\n' "git lfs prune (no remote check)" "$wl" "$(ratio "$wm" "$wl")" "$(pair_ratio walk mlv lfs)"
	printf '%-34s %8s mlv/git %s (pair-ratio %s)\n' "git rev-list --objects --all" "$wg" "$(ratio "$wm" "$wg")" "$(pair_ratio walk mlv git)"
	printf '%-34s %8s %s objects asked, %s s each\n' "mlv prune, asking file:// store" "$cm" "$ndel" \
		"$(awk -v a="$cm" -v b="$wm" -v n="$ndel" 'BEGIN { if (n) printf "%.6f", (a - b) / n; else print "-" }')"
	if [ -n "$S3" ]; then
		s8=$(values s3check mlv8 | median) s1=$(values s3check mlv1 | median) sa=$(values s3check aws | median)
		printf '%-34s %8s %s HEAD requests; 1 at a time: %s s (%sx slower)\n' "mlv prune, asking $S3 (8 at a time)" "$s8" "$ndel" "$s1" "$(ratio "$s1" "$s8")"
		printf '%-34s %8s mlv/aws %s (pair-ratio %s)\n' "aws s3 ls --recursive (a listing)" "$sa" "$(ratio "$s8" "$sa")" "$(pair_ratio s3check mlv8 aws)"
	fi
} | tee "$OUT/prune.txt"
[ "$STRICT" = 0 ] || [ "$verdict" = PASS ]
