# Shell functions bench/run.sh and bench/remote.sh share: sourced after a
# script has set ONLY, WORK and RAW. Results go to $RAW, one sample a line:
# METRIC TOOL REP SECONDS CPU-SECONDS, tab-separated.

# The options both benchmarks take, into REPS, QUICK, ONLY, KEEP, STRICT
# and OUT (the script sets their defaults first, and usage()).
parse_options() {
	while [ $# -gt 0 ]; do
		case $1 in
		-n | --reps) REPS=${2:?--reps needs a number}; shift 2 ;;
		--reps=*) REPS=${1#*=}; shift ;;
		-q | --quick) QUICK=1; shift ;;
		--only) ONLY=${2:?--only needs a list}; shift 2 ;;
		--only=*) ONLY=${1#*=}; shift ;;
		-k | --keep) KEEP=1; shift ;;
		--strict) STRICT=1; shift ;;
		-o | --out) OUT=${2:?--out needs a directory}; shift 2 ;;
		--out=*) OUT=${1#*=}; shift ;;
		-h | --help) usage; exit 0 ;;
		*) echo "bench: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
		esac
	done
}

want() { case ",$ONLY," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

die() { echo "bench: $*" >&2; exit 1; }

log() { printf '  %s\n' "$*" >&2; }

# Fast reproducible random bytes: random_file PATH BYTES SEED
random_file() {
	{ openssl enc -aes-128-ctr -nosalt -pass "pass:$3" -pbkdf2 -in /dev/zero 2>/dev/null || true; } |
		head -c "$2" >"$1"
	[ "$(stat -c %s "$1")" = "$2" ] || die "could not generate $1"
}

# Read files so that they are in the page cache, then flush dirty pages so
# that no earlier write-back runs during the timed command.
settle() {
	[ $# -eq 0 ] || find "$@" -type f -exec cat {} + >/dev/null
	sync
}

# timed METRIC TOOL REP -- command...: run in the current directory, record the
# wall-clock seconds and the user+sys CPU seconds of the command and the
# children it waited for (the filter and the remote helper included).
timed() {
	local metric=$1 tool=$2 rep=$3 t0 t1 u s wall
	shift 4
	t0=$EPOCHREALTIME
	if ! /usr/bin/time -f '%U %S' -o "$WORK/cpu" "$@" >"$WORK/cmd.out" 2>"$WORK/cmd.err"; then
		cat "$WORK/cmd.err" >&2
		die "$metric/$tool: '$*' failed"
	fi
	t1=$EPOCHREALTIME
	read -r u s <"$WORK/cpu"
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
	if [ "$rep" = 0 ]; then
		log "$(printf '%-16s %-4s warm-up %7.3f s (not counted)' "$metric" "$tool" "$wall")"
		return 0
	fi
	printf '%s\t%s\t%s\t%s\t%.2f\n' "$metric" "$tool" "$rep" "$wall" \
		"$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')" >>"$RAW"
	log "$(printf '%-16s %-4s rep %-2s %8.3f s' "$metric" "$tool" "$rep" "$wall")"
}

values() { awk -F'\t' -v m="$1" -v t="$2" '$1 == m && $2 == t { print $4 }' "$RAW"; }

# median, and "min-max", of the numbers on stdin ("-" when none), each
# divided by $1 (default 1) and printed with $2 decimals (default 3)
median() {
	sort -g | awk -v d="${1:-1}" -v p="${2:-3}" '{ a[NR] = $1 / d } END {
		if (NR == 0) print "-"; else if (NR % 2) printf "%.*f\n", p, a[(NR + 1) / 2];
		else printf "%.*f\n", p, (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

minmax() {
	sort -g | awk -v d="${1:-1}" -v p="${2:-3}" 'NR == 1 { lo = $1 / d } { hi = $1 / d }
		END { if (NR) printf "%.*f-%.*f\n", p, lo, p, hi; else print "-" }'
}

maximum() { sort -g | awk -v d="${1:-1}" -v p="${2:-1}" '{ hi = $1 / d } END { if (NR) printf "%.*f\n", p, hi; else print "-" }'; }

cpus() { awk -F'\t' -v m="$1" -v t="$2" '$1 == m && $2 == t && $5 != "" { print $5 }' "$RAW"; }

# Median over reps of the per-rep ratio METRIC(A)/METRIC(B).
pair_ratio() {
	awk -F'\t' -v m="$1" -v a="$2" -v b="$3" '
		$1 == m && $2 == a { x[$3] = $4 }
		$1 == m && $2 == b { y[$3] = $4 }
		END { for (r in x) if ((r in y) && y[r] > 0) print x[r] / y[r] }' "$RAW" | median
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.3f", a / b }'; }

le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "-" && a + 0 <= b + 0) }'; }

# bench_setup NAME: git-mlv from $MLV_BIN (default the build's bin/) first
# on PATH; a work directory $WORK (under $BENCH_DIR or $TMPDIR) with the
# samples file $RAW, removed at exit unless --keep (after running
# $BENCH_ON_EXIT, if set); HOME inside it, with a bench identity and
# branch main; $OUT made.
bench_setup() {
	MLV_BIN=${MLV_BIN:-$HERE/../bin}
	[ -d "$MLV_BIN" ] || MLV_BIN=$(dirname "$MLV_BIN")
	export PATH="$MLV_BIN:$PATH"
	[ -x "$MLV_BIN/git-mlv" ] && [ -x "$MLV_BIN/git-remote-mlv" ] ||
		die "no git-mlv and git-remote-mlv in $MLV_BIN (run make)"
	WORK=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/mlv-bench-$1.XXXXXX")
	RAW=$WORK/raw.tsv
	: >"$RAW"
	trap bench_cleanup EXIT
	export HOME=$WORK/home GIT_CONFIG_NOSYSTEM=1
	mkdir -p "$HOME" "$OUT"
	git config --global user.name bench && git config --global user.email bench@example.com
	git config --global init.defaultBranch main
}

bench_cleanup() {
	[ -z "${BENCH_ON_EXIT:-}" ] || $BENCH_ON_EXIT
	if [ "$KEEP" = 1 ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
