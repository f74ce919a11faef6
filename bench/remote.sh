#!/usr/bin/env bash
# bench/remote.sh — mlv's remote (git push / git clone through git-remote-mlv)
# against `aws s3 sync` of the same files, on one radosgw on loopback, in one run.
#
#   make && bench/remote.sh           full run: 1 GiB file, 1,000 files of 100 KiB, 3 reps
#   bench/remote.sh --reps 5          more repetitions (or BENCH_REPS=5)
#   bench/remote.sh --quick           small files: checks that the bench works
#   bench/remote.sh --only small      a subset: big, small (lazy needs small)
#
# See bench/README.md for what is measured and how to read the ratios.
# This is a benchmark, not a test: it is never run by `make test`, and a
# MISS does not change the exit status (use --strict for that).

set -euo pipefail
export LC_ALL=C

usage() {
	cat <<'EOF'
usage: bench/remote.sh [--reps N] [--quick] [--only LIST] [--keep] [--strict] [--out DIR]

  -n, --reps N     repetitions per measurement (default 3; env BENCH_REPS)
  -q, --quick      small sizes for a fast sanity run (env BENCH_QUICK=1)
      --only LIST  comma-separated subset of: big, small, lazy (default all;
                   lazy reuses the small files' store, so it implies small)
  -k, --keep       keep the work directory (and leave the server running)
      --strict     exit 1 when a target is missed
  -o, --out DIR    where results go (default bench/out/remote; env BENCH_OUT)

environment:
  MLV_BIN          directory holding git-mlv and git-remote-mlv (default: bin/)
  BENCH_DIR        parent of the temporary work directory (default: $TMPDIR or /tmp)
  BENCH_WARMUP     0 skips the uncounted warm-up round (default 1)
  BENCH_BIG_MB, BENCH_SMALL_COUNT, BENCH_SMALL_BYTES
                   override the sizes (MiB, files, bytes per file)

needs: git, aws (awscli), openssl, GNU /usr/bin/time, and what
tests/s3/server.sh needs to start radosgw ('tests/s3/server.sh install').
EOF
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
REPS=${BENCH_REPS:-}
QUICK=${BENCH_QUICK:-0}
ONLY=big,small,lazy
KEEP=0
STRICT=0
OUT=${BENCH_OUT:-$ROOT/bench/out/remote}

parse_options "$@"

: "${REPS:=3}"
if [ "$QUICK" = 1 ]; then
	BIG_MB=${BENCH_BIG_MB:-64}
	SMALL_COUNT=${BENCH_SMALL_COUNT:-200}
	MODE=quick
else
	BIG_MB=${BENCH_BIG_MB:-1024}
	SMALL_COUNT=${BENCH_SMALL_COUNT:-1000}
	MODE=full
fi
SMALL_BYTES=${BENCH_SMALL_BYTES:-102400}
PER_DIR=100 # small files per directory: d000/f000.bin ... d000/f099.bin, d001/...
# The lazy clone fetches the files named f000-f049 of every directory (half
# of them); find -name with the same pattern lists what it must fetch.
LAZY_INCLUDE='f0[0-4]?.bin'

case $REPS in '' | *[!0-9]* | 0) echo "bench: --reps wants a positive number" >&2; exit 2 ;; esac
# Repetition 0 is an uncounted warm-up round for both tools (first use of
# the server's pools, first 1 GiB allocations, cold page cache of the inputs).
if [ "${BENCH_WARMUP:-1}" = 1 ]; then FIRST_REP=0; else FIRST_REP=1; fi
if want lazy && ! want small; then ONLY=$ONLY,small; fi

# Targets: ratio mlv / aws of the medians.
TARGET_PUSH_BIG=1.0
TARGET_CLONE_BIG=1.0
TARGET_PUSH_SMALL=1.0
TARGET_CLONE_SMALL=1.0

# --- tools and the binaries under test -------------------------------------

for t in git aws openssl /usr/bin/time awk sort sync cmp python3; do
	command -v "$t" >/dev/null 2>&1 || die "'$t' is needed"
done
MLV_BIN=${MLV_BIN:-$ROOT/bin}
[ -d "$MLV_BIN" ] || MLV_BIN=$(dirname "$MLV_BIN")
MLV_BIN=$(cd "$MLV_BIN" && pwd)
for t in git-mlv git-remote-mlv; do
	[ -x "$MLV_BIN/$t" ] || die "no $t in '$MLV_BIN' (run 'make' or set MLV_BIN)"
done
SERVER=$ROOT/tests/s3/server.sh
[ -x "$SERVER" ] || die "no $SERVER"

# --- work directory, an isolated environment, the server -------------------

PARENT=${BENCH_DIR:-${TMPDIR:-/tmp}}
mkdir -p "$PARENT"
WORK=$(mktemp -d "$PARENT/mlv-bench-remote.XXXXXX")
S3DIR=$WORK/s3
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	local rc=$?
	cd /
	if [ "$KEEP" = 1 ]; then
		echo "bench: work directory kept in $WORK (stop the server: $SERVER stop $S3DIR)" >&2
	else
		"$SERVER" stop "$S3DIR" >/dev/null 2>&1 || echo "bench: could not stop the server in $S3DIR" >&2
		rm -rf "$WORK"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$WORK/home" "$WORK/bin" "$WORK/src" "$WORK/repos" "$OUT"
# Private copies: a rebuild of bin/ during the run cannot mix two versions.
cp "$MLV_BIN/git-mlv" "$MLV_BIN/git-remote-mlv" "$WORK/bin/"
export PATH="$WORK/bin:$PATH"
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config"
export GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_CONFIG \
	GIT_CONFIG_GLOBAL GIT_CONFIG_PARAMETERS GIT_CONFIG_COUNT GIT_TRACE \
	GIT_TRACE_PACKET GIT_TRACE_PERFORMANCE GIT_CEILING_DIRECTORIES \
	MLV_SKIP_SMUDGE MLV_TRACE 2>/dev/null || true
git config --global init.defaultBranch main
git config --global gc.auto 0
git config --global maintenance.auto false
git config --global advice.detachedHead false
git config --global core.autocrlf false
git mlv install --skip-repo >/dev/null

RAW=$OUT/raw.tsv
RESULTS=$OUT/results.tsv
TABLE=$OUT/table.txt
META=$OUT/meta.txt
printf 'metric\ttool\trep\tvalue\tcpu_s\n' >"$RAW"

echo "bench: $MODE run, $REPS reps; $(git-mlv version 2>/dev/null || echo "?") from $MLV_BIN" >&2
echo "bench: work directory $WORK" >&2
log "starting radosgw on loopback"
"$SERVER" start radosgw "$S3DIR" >"$WORK/server.log" 2>&1 || {
	cat "$WORK/server.log" >&2
	die "the radosgw server did not start"
}
# The env file points the AWS variables (AWS_CONFIG_FILE and
# AWS_SHARED_CREDENTIALS_FILE included) at the server: ~/.aws is never read,
# and HOME is the work directory anyway.
# shellcheck disable=SC1091
. "$S3DIR/env"
BUCKET=$MLV_TEST_S3_BUCKET
RUN_ID=$(date +%s)
# The awscli command line (an array, so that /usr/bin/time can run it) and a
# shorthand for the untimed checks.
AWS=(aws --endpoint-url "$AWS_ENDPOINT_URL" s3)
aws_s3() { "${AWS[@]}" "$@"; }

# --- helpers (as in bench/run.sh) ------------------------------------------

# Sum of the sizes of the regular files under the given paths.
bytes_under() { find "$@" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%d\n", s }'; }

# A fresh mlv repository at $1 with `*.bin` tracked, the files of $2 (a file
# or a directory) hard-linked in and committed, and origin = mlv::$3.
mlv_source_repo() {
	local dir=$1 src=$2 url=$3
	rm -rf "$dir"
	git init -q "$dir"
	(
		cd "$dir"
		git mlv track '*.bin' >/dev/null
		cp -al "$src" . 2>/dev/null || cp -a "$src" .
		git add . && git commit -qm files
		git remote add origin "mlv::$url"
	)
}

# The store key of an mlv object (as the remote suite's obj_key).
obj_key() { echo "objects/${1:0:2}/${1:2:2}/$1"; }

# Delete what a round stored and have radosgw reclaim it now rather than
# within a minute: the OSD keeps objects in memory (memstore).
drop_prefixes() {
	local p
	for p in "$@"; do
		aws_s3 rm --recursive --only-show-errors "s3://$BUCKET/$p/" >/dev/null
	done
	radosgw-admin -c "$S3DIR/ceph.conf" gc process --include-all >/dev/null 2>&1 || true
}

# --- inputs, generated once ------------------------------------------------

BIG_BYTES=$((BIG_MB * 1024 * 1024))
BIGDIR=$WORK/src/bigdir # holds big.bin and nothing else: what aws syncs
SMALL=$WORK/src/small   # holds the small files: what aws syncs
if want big; then
	log "generating $BIG_MB MiB random file"
	mkdir -p "$BIGDIR"
	random_file "$BIGDIR/big.bin" "$BIG_BYTES" remote-big
fi
if want small; then
	log "generating $SMALL_COUNT files of $SMALL_BYTES bytes"
	d=0
	while [ $((d * PER_DIR)) -lt "$SMALL_COUNT" ]; do
		n=$((SMALL_COUNT - d * PER_DIR))
		[ $n -le $PER_DIR ] || n=$PER_DIR
		dir=$SMALL/$(printf 'd%03d' $d)
		mkdir -p "$dir"
		{ openssl enc -aes-128-ctr -nosalt -pass "pass:remote-small$d" -pbkdf2 -in /dev/zero 2>/dev/null || true; } |
			head -c $((n * SMALL_BYTES)) |
			split -b "$SMALL_BYTES" -a 3 -d --additional-suffix=.bin - "$dir/f"
		d=$((d + 1))
	done
	[ "$(find "$SMALL" -type f | wc -l)" = "$SMALL_COUNT" ] || die "could not generate the small files"
fi

# awscli's transfer settings: what our config file sets, else its defaults.
aws_setting() {
	local v
	v=$(aws configure get "default.s3.$1" 2>/dev/null) || v=
	if [ -n "$v" ]; then echo "$v"; else echo "$2 (default)"; fi
}

{
	echo "date	$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "mode	$MODE"
	echo "reps	$REPS"
	echo "big_bytes	$BIG_BYTES"
	echo "small_count	$SMALL_COUNT"
	echo "small_bytes	$SMALL_BYTES"
	echo "lazy_include	$LAZY_INCLUDE"
	echo "mlv_binary	$MLV_BIN"
	echo "mlv_version	$(git-mlv version 2>/dev/null | head -1 || echo "?")"
	echo "mlv_sha256	$(sha256sum "$WORK/bin/git-mlv" | cut -d' ' -f1)"
	echo "git_remote_mlv_sha256	$(sha256sum "$WORK/bin/git-remote-mlv" | cut -d' ' -f1)"
	echo "mlv_concurrenttransfers	$(git config --global mlv.concurrenttransfers || echo "8 (default)")"
	echo "git_version	$(git --version)"
	echo "aws_version	$(aws --version 2>&1)"
	echo "aws_config_file	$AWS_CONFIG_FILE"
	echo "aws_max_concurrent_requests	$(aws_setting max_concurrent_requests 10)"
	echo "aws_multipart_threshold	$(aws_setting multipart_threshold 8MB)"
	echo "aws_multipart_chunksize	$(aws_setting multipart_chunksize 8MB)"
	echo "aws_max_queue_size	$(aws_setting max_queue_size 1000)"
	echo "server	$(radosgw --version 2>/dev/null | head -1), memstore OSD, $AWS_ENDPOINT_URL"
	echo "cpus	$(nproc)"
	echo "loadavg_start	$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "kernel	$(uname -r)"
} >"$META"

R=$WORK/repos

# --- 1, 2: one big file: push, then clone ----------------------------------

if want big; then
	echo "bench: [1,2] push and clone of one $BIG_MB MiB file" >&2
	for rep in $(seq "$FIRST_REP" "$REPS"); do
		mp=bigmlv-$RUN_ID-$rep
		ap=bigaws-$RUN_ID-$rep
		mlv_source_repo "$R/src" "$BIGDIR/big.bin" "s3://$BUCKET/$mp"
		oid=$(git -C "$R/src" cat-file -p HEAD:big.bin | sed -n 's/^oid sha256://p')

		cd "$R/src"
		settle big.bin "$BIGDIR"
		timed push_big mlv "$rep" -- git push origin main
		cd "$WORK"
		sync
		timed push_big aws "$rep" -- "${AWS[@]}" sync --only-show-errors "$BIGDIR" "s3://$BUCKET/$ap/"
		[ "$(aws_s3 ls "s3://$BUCKET/$mp/$(obj_key "$oid")" | awk '{ print $3 }')" = "$BIG_BYTES" ] ||
			die "mlv: the pushed object is not in the store"
		[ "$(aws_s3 ls "s3://$BUCKET/$ap/big.bin" | awk '{ print $3 }')" = "$BIG_BYTES" ] ||
			die "aws: the synced object is not in the store"
		rm -rf "$R/src"

		# who goes first alternates: the first clone after the pushes meets
		# a server still busy with what they stored
		if [ $((rep % 2)) = 0 ]; then
			sync
			timed clone_big aws "$rep" -- "${AWS[@]}" sync --only-show-errors "s3://$BUCKET/$ap/" "$R/down"
			sync
			timed clone_big mlv "$rep" -- git clone -q "mlv::s3://$BUCKET/$mp" "$R/clone"
		else
			sync
			timed clone_big mlv "$rep" -- git clone -q "mlv::s3://$BUCKET/$mp" "$R/clone"
			sync
			timed clone_big aws "$rep" -- "${AWS[@]}" sync --only-show-errors "s3://$BUCKET/$ap/" "$R/down"
		fi
		if [ "$rep" = "$FIRST_REP" ]; then
			cmp -s "$R/clone/big.bin" "$BIGDIR/big.bin" || die "mlv: the clone has different bytes"
			cmp -s "$R/down/big.bin" "$BIGDIR/big.bin" || die "aws: the download has different bytes"
		fi
		[ -z "$(git -C "$R/clone" status --porcelain)" ] || die "mlv: the clone is not clean"
		rm -rf "$R/clone" "$R/down"
		drop_prefixes "$mp" "$ap"
	done
fi

# --- 3, 4: many small files: push, then clone; 5: lazy clone ---------------

if want small; then
	echo "bench: [3,4] push and clone of $SMALL_COUNT files of $SMALL_BYTES bytes" >&2
	for rep in $(seq "$FIRST_REP" "$REPS"); do
		mp=smallmlv-$RUN_ID-$rep
		ap=smallaws-$RUN_ID-$rep
		mlv_source_repo "$R/src" "$SMALL" "s3://$BUCKET/$mp"

		cd "$R/src"
		settle small "$SMALL"
		timed push_small mlv "$rep" -- git push origin main
		cd "$WORK"
		sync
		timed push_small aws "$rep" -- "${AWS[@]}" sync --only-show-errors "$SMALL" "s3://$BUCKET/$ap/"
		n=$(aws_s3 ls --recursive "s3://$BUCKET/$mp/objects/" | wc -l)
		[ "$n" = "$SMALL_COUNT" ] || die "mlv: $n objects in the store, not $SMALL_COUNT"
		n=$(aws_s3 ls --recursive "s3://$BUCKET/$ap/" | wc -l)
		[ "$n" = "$SMALL_COUNT" ] || die "aws: $n objects in the store, not $SMALL_COUNT"
		rm -rf "$R/src"

		# who goes first alternates: the first clone after the pushes meets
		# a server still busy with what they stored
		if [ $((rep % 2)) = 0 ]; then
			sync
			timed clone_small aws "$rep" -- "${AWS[@]}" sync --only-show-errors "s3://$BUCKET/$ap/" "$R/down"
			sync
			timed clone_small mlv "$rep" -- git clone -q "mlv::s3://$BUCKET/$mp" "$R/clone"
		else
			sync
			timed clone_small mlv "$rep" -- git clone -q "mlv::s3://$BUCKET/$mp" "$R/clone"
			sync
			timed clone_small aws "$rep" -- "${AWS[@]}" sync --only-show-errors "s3://$BUCKET/$ap/" "$R/down"
		fi
		if [ "$rep" = "$FIRST_REP" ]; then
			diff -rq "$R/clone/small" "$SMALL" >/dev/null || die "mlv: the clone has different files"
			diff -rq "$R/down" "$SMALL" >/dev/null || die "aws: the download has different files"
		fi
		[ -z "$(git -C "$R/clone" status --porcelain)" ] || die "mlv: the clone is not clean"
		rm -rf "$R/clone" "$R/down"

		# 5: once, on the last round's store: a clone that fetches only
		# what mlv.fetchinclude names, and leaves pointers for the rest.
		if want lazy && [ "$rep" = "$REPS" ]; then
			echo "bench: [5] lazy clone with mlv.fetchinclude='$LAZY_INCLUDE'" >&2
			sync
			timed clone_lazy mlv "$rep" -- git -c "mlv.fetchinclude=$LAZY_INCLUDE" \
				clone -q "mlv::s3://$BUCKET/$mp" "$R/lazy"
			cd "$R/lazy"
			(cd "$SMALL" && find . -type f -name "$LAZY_INCLUDE" | sort) >"$WORK/included"
			(cd "$SMALL" && find . -type f ! -name "$LAZY_INCLUDE" | sort) >"$WORK/excluded"
			LAZY_WANT=$(cd "$SMALL" && xargs -a "$WORK/included" stat -c %s | awk '{ s += $1 } END { print s + 0 }')
			LAZY_HAVE=$(bytes_under .git/mlv/objects)
			LAZY_OBJECTS=$(find .git/mlv/objects -type f | wc -l)
			LAZY_INCLUDED=$(wc -l <"$WORK/included")
			LAZY_SAME=0 LAZY_POINTERS=0
			while read -r f; do
				if cmp -s "small/$f" "$SMALL/$f"; then LAZY_SAME=$((LAZY_SAME + 1)); fi
			done <"$WORK/included"
			while read -r f; do
				if [ "$(stat -c %s "small/$f")" -lt 200 ] &&
					[ "$(head -1 "small/$f")" = "version https://git-lfs.github.com/spec/v1" ]; then
					LAZY_POINTERS=$((LAZY_POINTERS + 1))
				fi
			done <"$WORK/excluded"
			LAZY_EXCLUDED=$(wc -l <"$WORK/excluded")
			log "lazy: $LAZY_HAVE bytes in $LAZY_OBJECTS objects, included files $LAZY_WANT bytes in $LAZY_INCLUDED;" \
				"$LAZY_SAME/$LAZY_INCLUDED included files intact, $LAZY_POINTERS/$LAZY_EXCLUDED excluded files are pointers"
			cd "$WORK"
			rm -rf "$R/lazy"
		fi
		drop_prefixes "$mp" "$ap"
	done
fi

echo "loadavg_end	$(cut -d' ' -f1-3 /proc/loadavg)" >>"$META"

# --- summary ---------------------------------------------------------------
#
# results.tsv: one line per measurement, the columns of bench/run.sh's;
# ratio = mlv / aws of the medians; pair_ratio_median is the median of the
# per-repetition ratios.

printf 'metric\tunit\tmlv\tbaseline\tbaseline_value\tratio\tpair_ratio_median\ttarget\tverdict\tmlv_range\tbaseline_range\tn\tmode\tmlv_cpu_s\tbaseline_cpu_s\n' >"$RESULTS"
MISSES=0
ROWS=()

verdict() { # VALUE TARGET -> PASS/MISS (counted) or INFO when no target
	if [ "$2" = - ]; then
		echo INFO
	elif le "$1" "$2"; then
		echo PASS
	else
		echo MISS
	fi
}

# time_row METRIC LABEL TARGET
time_row() {
	local m=$1 label=$2 target=$3 a b r pr v ca cb
	a=$(values "$m" mlv | median)
	b=$(values "$m" aws | median)
	[ "$a" != - ] && [ "$b" != - ] || return 0
	r=$(ratio "$a" "$b")
	pr=$(pair_ratio "$m" mlv aws)
	v=$(verdict "$r" "$target")
	[ "$v" != MISS ] || MISSES=$((MISSES + 1))
	ca=$(cpus "$m" mlv | median 1 2)
	cb=$(cpus "$m" aws | median 1 2)
	printf '%s\ttime_s\t%s\tawscli\t%s\t%s\t%s\t<=%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$m" "$a" "$b" "$r" "$pr" \
		"$target" "$v" "$(values "$m" mlv | minmax)" "$(values "$m" aws | minmax)" \
		"$(values "$m" mlv | wc -l)" "$MODE" "$ca" "$cb" >>"$RESULTS"
	ROWS+=("$(printf '%-36s %9s s %9s s %7s %8s  %-7s pair-ratio %s; mlv %s, aws %s; cpu %s/%s s' "$label" "$a" "$b" "$r" \
		"<= $target" "$v" "$pr" "$(values "$m" mlv | minmax)" "$(values "$m" aws | minmax)" "$ca" "$cb")")
}

# lazy_row: bytes in the lazy clone's store against the included files' bytes
lazy_row() {
	local v r t
	[ -n "${LAZY_HAVE:-}" ] || return 0
	r=$(ratio "$LAZY_HAVE" "$LAZY_WANT")
	if [ "$LAZY_HAVE" = "$LAZY_WANT" ] && [ "$LAZY_OBJECTS" = "$LAZY_INCLUDED" ] &&
		[ "$LAZY_SAME" = "$LAZY_INCLUDED" ] && [ "$LAZY_POINTERS" = "$LAZY_EXCLUDED" ]; then
		v=PASS
	else
		v=MISS
		MISSES=$((MISSES + 1))
	fi
	t=$(values clone_lazy mlv | median)
	printf 'lazy_clone_bytes\tbytes\t%s\tincluded-files\t%s\t%s\t-\t=included\t%s\t-\t-\t1\t%s\t-\t-\n' \
		"$LAZY_HAVE" "$LAZY_WANT" "$r" "$v" "$MODE" >>"$RESULTS"
	ROWS+=("$(printf '%-36s %9s B %9s B %7s %8s  %-7s %s/%s objects; %s/%s included files intact, %s/%s excluded are pointers; clone %s s' \
		"5 lazy clone, store vs included" "$LAZY_HAVE" "$LAZY_WANT" "$r" "= 1" "$v" \
		"$LAZY_OBJECTS" "$LAZY_INCLUDED" "$LAZY_SAME" "$LAZY_INCLUDED" "$LAZY_POINTERS" "$LAZY_EXCLUDED" "$t")")
}

SMALL_LABEL="$SMALL_COUNT x $((SMALL_BYTES / 1024)) KiB"
time_row push_big "1 push, 1 file of $BIG_MB MiB" $TARGET_PUSH_BIG
time_row clone_big "2 clone, 1 file of $BIG_MB MiB" $TARGET_CLONE_BIG
time_row push_small "3 push, $SMALL_LABEL" $TARGET_PUSH_SMALL
time_row clone_small "4 clone, $SMALL_LABEL" $TARGET_CLONE_SMALL
lazy_row

{
	echo
	echo "mlv remote vs awscli: $MODE run, $REPS reps alternated (mlv, aws, ...); $(aws --version 2>&1 | cut -d' ' -f1), $(radosgw --version 2>/dev/null | awk '{ print "radosgw " $3 }') on loopback"
	echo "mlv: git push / git clone of mlv::s3://$BUCKET/PREFIX (mlv.concurrenttransfers $(sed -n 's/^mlv_concurrenttransfers\t//p' "$META"));" \
		"aws: aws s3 sync DIR s3://$BUCKET/PREFIX/ and back (max_concurrent_requests $(sed -n 's/^aws_max_concurrent_requests\t//p' "$META"), multipart_chunksize $(sed -n 's/^aws_multipart_chunksize\t//p' "$META"))"
	echo "times: medians of wall-clock seconds; ratio = median(mlv) / median(aws); lower is better for mlv"
	echo "notes: pair-ratio = median of per-rep ratios; min-max of the samples; cpu = median user+sys of the client (git + helper + filter / aws), mlv/aws"
	[ "$MODE" = full ] || echo "QUICK RUN: sizes are reduced, verdicts are only indicative"
	echo
	printf '%-36s %11s %11s %7s %8s  %-7s %s\n' "measurement" "mlv" "aws" "ratio" "target" "verdict" "notes"
	printf '%s\n' "-------------------------------------------------------------------------------------------------------"
	printf '%s\n' "${ROWS[@]}"
	echo
	echo "load average at start / end: $(sed -n 's/^loadavg_start\t//p' "$META") / $(sed -n 's/^loadavg_end\t//p' "$META")"
	echo "results: $RESULTS (summary), $RAW (every sample), $META"
} | tee "$TABLE"

if [ "$STRICT" = 1 ] && [ $MISSES -gt 0 ]; then
	echo "bench: $MISSES target(s) missed" >&2
	exit 1
fi
exit 0
