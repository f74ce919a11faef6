#!/usr/bin/env bash
# git mlv gc --remote of a store of 10,000 objects under a history of 5,000
# commits, the newer half of which a deleted branch left unreachable.
#
#   bench/gc.sh [--reps N] [--quick] [--keep] [--out DIR]
#
# Measured on a file:// store: the mark with a dry run (walk the history,
# list the store), the sweep (mark, then move ~5,000 objects to trash/)
# and the restore (move them back), against git rev-list --objects --all
# (git's own walk, the floor of the mark).
#
# BENCH_S3=radosgw (or moto) also runs the same on an S3 store on loopback
# (tests/s3/server.sh, stopped at the end): the sweep, 8 moves at a time
# (mlv.concurrenttransfers) and, with --quick or BENCH_S3_SERIAL=1, 1 at a
# time, against what a user would run
# by hand to move the same keys, aws s3 mv --recursive, and to list them,
# aws s3 ls --recursive.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
REPS=${BENCH_REPS:-5} QUICK=0 ONLY=gc KEEP=0 STRICT=0 OUT=${BENCH_OUT:-$HERE/out}
usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }
. "$HERE/lib.sh"
parse_options "$@"
NCOMMITS=${BENCH_COMMITS:-5000}
[ "$QUICK" = 1 ] && { NCOMMITS=${BENCH_COMMITS:-500}; REPS=3; }
S3=${BENCH_S3:-}
SERIAL=${BENCH_S3_SERIAL:-$QUICK}
stop_s3() { "$HERE/../tests/s3/server.sh" stop "$WORK/s3" >/dev/null 2>&1 || true; }
[ -z "$S3" ] || BENCH_ON_EXIT=stop_s3
bench_setup gc

# The history in the store at $1: main (the older half of the commits)
# and side (all of them), then side deleted: the objects of the newer
# half are unreachable, and the mark walks the older half.
make_garbage() {
	git remote add origin "mlv::$1"
	git config mlv.gcgraceseconds 1
	git push -q origin "main~$((NCOMMITS / 2)):refs/heads/main" main:refs/heads/side
	git push -q origin :refs/heads/side
	git mlv gc --remote origin -q >/dev/null # the first mark
}

# After a restore by copies (S3: new writes), a mark newer than they are,
# a grace period old, for the next sweep to compare with; the gc that
# writes it moves nothing (the objects are younger than every mark).
mark_then_wait() { sleep 1.2; git mlv gc --remote origin -q >/dev/null; sleep 1.2; }

log "setup: $NCOMMITS commits, their objects in an mlv repository and a file:// store"
git init -q "$WORK/mlv"
nobj=$(python3 "$HERE/gen-prune.py" --commits "$NCOMMITS" "$WORK/mlv" \
	"$WORK/mlv/.git/mlv/objects" "$WORK/store/objects")
cd "$WORK/mlv"
git mlv install --local >/dev/null
MLV_SKIP_SMUDGE=1 git checkout -q -f main
find "$WORK/store/objects" -type f -exec touch -d '2 days ago' {} +
make_garbage "file://$WORK/store"
sleep 1.2
git mlv gc --remote origin -n >"$WORK/dry.out"
nmove=$(grep -c '^would move' "$WORK/dry.out" || true)
[ "$nmove" -gt 0 ] || die "gc would move nothing: $(tail -3 "$WORK/dry.out")"
log "gc would move $nmove of $nobj objects"

if [ -n "$S3" ]; then
	log "setup: $S3 on loopback, the same history pushed there"
	"$HERE/../tests/s3/server.sh" start "$S3" "$WORK/s3" >"$WORK/s3.log" 2>&1 ||
		die "the $S3 server did not start: $(tail -5 "$WORK/s3.log")"
	. "$WORK/s3/env"
	S3URL="s3://$MLV_TEST_S3_BUCKET/gc"
	git clone -q --no-checkout "$WORK/mlv" "$WORK/mlv-s3"
	cd "$WORK/mlv-s3"
	rm -rf .git/mlv && cp -al "$WORK/mlv/.git/mlv" .git/mlv
	git mlv install --local >/dev/null
	git remote remove origin
	git checkout -q main
	make_garbage "$S3URL"
	cd "$WORK/mlv"
fi

for rep in $(seq 0 "$REPS"); do
	cd "$WORK/mlv"
	timed mark mlv "$rep" -- git mlv gc --remote origin -n -q
	timed mark git "$rep" -- git rev-list --objects "main~$((NCOMMITS / 2))"
	sleep 1.2 # the last mark a grace period old; a rename keeps the mtime
	timed sweep mlv "$rep" -- git mlv gc --remote origin -q
	grep -q "$nmove moved to trash/" "$WORK/cmd.out" || die "the sweep moved: $(tail -2 "$WORK/cmd.out")"
	timed restore mlv "$rep" -- git mlv gc --remote origin --restore -q
	if [ -n "$S3" ]; then
		cd "$WORK/mlv-s3"
		# a copy back is a new write: a later mark must come first
		mark_then_wait
		timed s3sweep mlv8 "$rep" -- git mlv gc --remote origin -q
		timed s3restore mlv8 "$rep" -- git mlv gc --remote origin --restore -q
		if [ "$SERIAL" = 1 ]; then
			mark_then_wait
			timed s3sweep mlv1 "$rep" -- git -c mlv.concurrenttransfers=1 mlv gc --remote origin -q
			git mlv gc --remote origin --restore -q >/dev/null
		fi
		timed s3sweep aws "$rep" -- aws --endpoint-url "$AWS_ENDPOINT_URL" s3 mv --quiet \
			--recursive "$S3URL/objects/" "$S3URL/moved/"
		aws --endpoint-url "$AWS_ENDPOINT_URL" s3 mv --quiet --recursive "$S3URL/moved/" "$S3URL/objects/"
		timed s3list aws "$rep" -- aws --endpoint-url "$AWS_ENDPOINT_URL" s3 ls --recursive "$S3URL/objects/"
	fi
done

mm=$(values mark mlv | median) mg=$(values mark git | median)
sm=$(values sweep mlv | median) rm_=$(values restore mlv | median)
{
	echo "gc --remote, $NCOMMITS commits ($((NCOMMITS / 2)) reachable), $nobj objects ($nmove unreachable), $REPS reps (medians of wall-clock seconds)"
	printf '%-36s %8s %s\n' measurement seconds detail
	printf '%-36s %8s mlv/git %s (pair-ratio %s)\n' "mlv gc -n (mark, list file://)" "$mm" "$(ratio "$mm" "$mg")" "$(pair_ratio mark mlv git)"
	printf '%-36s %8s\n' "git rev-list --objects (the walk)" "$mg"
	printf '%-36s %8s %s objects renamed into trash/\n' "mlv gc (mark and sweep, file://)" "$sm" "$nmove"
	printf '%-36s %8s\n' "mlv gc --restore (file://)" "$rm_"
	if [ -n "$S3" ]; then
		s8=$(values s3sweep mlv8 | median) s1=$(values s3sweep mlv1 | median)
		sa=$(values s3sweep aws | median) sl=$(values s3list aws | median)
		sr=$(values s3restore mlv8 | median)
		printf '%-36s %8s %s moves (copy, delete); 1 at a time: %s s (%sx slower)\n' \
			"mlv gc on $S3 (8 at a time)" "$s8" "$nmove" "${s1:--}" "$(ratio "${s1:--}" "$s8")"
		printf '%-36s %8s mlv/aws %s (pair-ratio %s), all %s keys\n' "aws s3 mv --recursive" "$sa" \
			"$(ratio "$s8" "$sa")" "$(pair_ratio s3sweep mlv8 aws)" "$nobj"
		printf '%-36s %8s\n' "mlv gc --restore on $S3" "$sr"
		printf '%-36s %8s\n' "aws s3 ls --recursive (a listing)" "$sl"
	fi
} | tee "$OUT/gc.txt"
