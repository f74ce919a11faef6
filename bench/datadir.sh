#!/usr/bin/env bash
# bench/datadir.sh — the pre-commit check of a model whose sidecar records
# a data directory of 20,000 files, beside git's own cost of the commit.
#
#   make && bench/datadir.sh [--reps N] [--files N] [--keep]
#
# The repository (built with git fast-import, objects unpacked loose as
# `git add` leaves them): 20,000 files under data/images/ in 200
# directories, 95 % of them mlv pointers and 5 % plain label files, a
# model, its config and a sidecar whose [data "images"] record is computed
# here, independently of mlv. Two commits are checked:
#
#   add     the commit that adds the model, its sidecar and the directory
#   change  a retrain: 20 files of the directory changed, the model and
#           its sidecar updated
#
# each with mlv's derived cache (.git/mlv/cache/) absent (cold: every blob
# is read, then the cache is written) and present (warm). Beside them, for
# the floor, `git commit --no-verify` of the same index, and `git commit`
# with mlv's hook, and `git mlv verify` of both commits for information.
# Target: the pre-commit check under 300 ms. Medians of
# N runs (default 11), wall clock. Not a test: never run by `make test`;
# a MISS changes the exit status only with --strict.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPS=11 FILES=20000 KEEP=0 STRICT=0 TARGET_MS=300
usage() { sed -n '2,/^set /s/^# \{0,1\}//p' "$0"; }
while [ $# -gt 0 ]; do
	case $1 in
	-n | --reps) REPS=${2:?--reps needs a number}; shift 2 ;;
	--files) FILES=${2:?--files needs a number}; shift 2 ;;
	-k | --keep) KEEP=1; shift ;;
	--strict) STRICT=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "bench: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
done
MLV_BIN=${MLV_BIN:-$ROOT/bin}
[ -x "$MLV_BIN/git-mlv" ] || { echo "bench: no $MLV_BIN/git-mlv (make first, or set MLV_BIN)" >&2; exit 1; }
WORK=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/mlv-datadir-bench.XXXXXX")
RAW=$WORK/raw.tsv ONLY=all
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
[ "$KEEP" = 1 ] && echo "bench: keeping $WORK" >&2 || trap 'rm -rf "$WORK"' EXIT
export HOME=$WORK/home PATH="$MLV_BIN:$PATH" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME" "$ROOT/bench/out"
git config --global init.defaultBranch main
git config --global user.name Bench
git config --global user.email bench@example.com
git mlv install --skip-repo >/dev/null
: >"$RAW"

# The history as a fast-import stream; the sidecars' [data] records are
# computed here from the manifest definition (DESIGN.md), not by mlv.
generate() {
	python3 - "$FILES" <<'PY'
import hashlib, sys
n_files = int(sys.argv[1])
out = sys.stdout.buffer
mark = 0
def sha(b): return hashlib.sha256(b).hexdigest()
def blob(data):
    global mark
    mark += 1
    out.write(b"blob\nmark :%d\ndata %d\n%s\n" % (mark, len(data), data))
    return mark
def pointer(seed):
    oid = sha(seed)
    return (b"version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %d\n"
            % (oid.encode(), 100000 + len(seed))), oid, 100000 + len(seed)
ATTRS = b"*.onnx filter=mlv diff=mlv merge=mlv -text mlv-model\ndata/** filter=mlv diff=mlv merge=mlv -text\n"
CONFIG = b"learning_rate: 0.001\n"
def rel(i):
    return "d%03d/f%05d.%s" % (i // 100, i, "txt" if i % 20 == 19 else "png")
def files_of(version, changed):
    """rel path -> (blob, mlv oid, mlv size); `changed` files at `version`"""
    files = {}
    for i in range(n_files):
        v = version if i in changed else 1
        if rel(i).endswith(".txt"):
            data = b"label %d v%d\n" % (i, v)
            files[rel(i)] = (data, sha(data), len(data))
        else:
            files[rel(i)] = pointer(b"image %d v%d" % (i, v))
    return files
def sidecar(model_oid, files):
    manifest = b"".join(b"%s %d %s\n" % (files[r][1].encode(), files[r][2], r.encode())
                        for r in sorted(files, key=lambda s: s.encode()))
    return ("[mlv]\nversion = 1\n\n[model]\noid = sha256:%s\n\n"
            "[data \"images\"]\npath = data/images/\noid = sha256:%s\nfiles = %d\nsize = %d\n\n"
            "[config]\npath = configs/train.yaml\noid = sha256:%s\n\n"
            "[environment]\npython = 3.11.7\n\n[code]\ncommit = %s\ndirty = false\n"
            % (model_oid, sha(manifest), len(files), sum(f[2] for f in files.values()),
               sha(CONFIG), "0" * 40)).encode()
def commit(ref, parent, entries):
    global mark
    mark += 1
    out.write(b"commit refs/heads/%s\nmark :%d\ncommitter B <b@e> 1700000000 +0000\ndata 2\n%s\n"
              % (ref.encode(), mark, ref[:2].encode()))
    if parent:
        out.write(b"from :%d\n" % parent)
    for path, m in entries:
        out.write(b"M 100644 :%d %s\n" % (m, path.encode()))
    out.write(b"\n")
    return mark
def version(ref, parent, v, changed, rels):
    files = files_of(v, changed)
    model, model_oid, _ = pointer(b"model v%d" % v)
    entries = [("models/m.onnx", blob(model)), ("models/m.onnx.mlv", blob(sidecar(model_oid, files)))]
    entries += [("data/images/" + r, blob(files[r][0])) for r in rels]
    return commit(ref, parent, entries)
base = commit("base", None, [(".gitattributes", blob(ATTRS)), ("configs/train.yaml", blob(CONFIG))])
v1 = version("v1", base, 1, set(), [rel(i) for i in range(n_files)])
changed = set(range(0, n_files, max(1, n_files // 20)))
version("v2", v1, 2, changed, [rel(i) for i in sorted(changed)])
PY
}

log "building a repository with $FILES data files"
git init -q "$WORK/src"
generate | git -C "$WORK/src" fast-import --quiet
git init -q "$WORK/r"
cd "$WORK/r"
git mlv install --local >/dev/null
git config gc.auto 0 # no background repacking between the runs
# loose objects, as `git add` writes them
git -C "$WORK/src" rev-list --objects --all | cut -d' ' -f1 |
	git -C "$WORK/src" pack-objects -q --stdout | git unpack-objects -q
git -C "$WORK/src" for-each-ref --format='update %(refname) %(objectname)' | git update-ref --stdin
[ "$(git ls-tree -r --name-only v1 -- data/images | wc -l)" = "$FILES" ] || die "the repository lacks files"

# Put scenario $1 in place: HEAD at its parent, its tree staged.
stage() {
	case $1 in
	add) git update-ref HEAD base; git read-tree v1 ;;
	change) git update-ref HEAD v1; git read-tree v2 ;;
	esac
	git update-index -q --refresh >/dev/null 2>&1 || true
}

for s in add change; do
	stage "$s"
	rm -rf .git/mlv/cache
	# the records were computed without mlv: the check must pass
	git mlv hook pre-commit || die "$s: the pre-commit check refused the commit"
	git mlv sidecar check >/dev/null || die "$s: git mlv sidecar check failed"
	cp .git/index "$WORK/index.$s"
	settle .git
	for rep in $(seq 0 "$REPS"); do
		rm -rf .git/mlv/cache
		timed "$s.cold" mlv "$rep" -- git mlv hook pre-commit
		timed "$s.warm" mlv "$rep" -- git mlv hook pre-commit
		timed "$s.commit" git "$rep" -- git commit -q --no-verify -m bench
		git update-ref HEAD "$([ "$s" = add ] && echo base || echo v1)"
		cp "$WORK/index.$s" .git/index
		timed "$s.hooked" git "$rep" -- git commit -q -m bench
		git update-ref HEAD "$([ "$s" = add ] && echo base || echo v1)"
		cp "$WORK/index.$s" .git/index
	done
done
# git mlv verify of both commits (what CI or a server's pre-receive runs)
git update-ref HEAD v2 && git read-tree v2
for rep in $(seq 0 "$REPS"); do
	rm -rf .git/mlv/cache
	timed verify.cold mlv "$rep" -- git mlv verify --quiet base..v2
	timed verify.warm mlv "$rep" -- git mlv verify --quiet base..v2
done
blobs=$(stat -c %s .git/mlv/cache/datadir-blobs)

ms() { values "$1" "$2" | median 0.001 1; }
range() { values "$1" "$2" | minmax 0.001 0; }
cpu() { cpus "$1" "$2" | median 0.001 0; }
verdict() { le "$1" "$TARGET_MS" && echo PASS || { echo MISS; MISSED=1; }; }
row() { # label metric tool [ratio-base] [target]
	local m r=""
	m=$(ms "$2" "$3")
	[ -n "${4:-}" ] && r=$(ratio "$m" "$4")
	printf '%-44s %7s %11s %6s %7s %6s %s\n' "$1" "$m" "$(range "$2" "$3")" "$(cpu "$2" "$3")" \
		"$r" "${5:+< $5}" "${5:+$(verdict "$m")}"
}
MISSED=0
{
	printf 'pre-commit check of a model with a %d-file data directory\n' "$FILES"
	printf 'medians of %d runs, ms; cpu: user+sys ms; ratio: to git commit --no-verify of the same index\n\n' "$REPS"
	printf '%-44s %7s %11s %6s %7s %6s %s\n' measurement median min-max cpu ratio target verdict
	for s in add change; do
		floor=$(ms "$s.commit" git)
		echo "$([ "$s" = add ] && echo "add: the commit adding the model and the directory" ||
			echo "change: a retrain, 20 files, the model and the sidecar changed")"
		row "  git mlv hook pre-commit, cold cache" "$s.cold" mlv "$floor" "$TARGET_MS"
		row "  git mlv hook pre-commit, warm cache" "$s.warm" mlv "$floor" "$TARGET_MS"
		row "  git commit --no-verify (git's floor)" "$s.commit" git "$floor"
		row "  git commit, with the mlv hook" "$s.hooked" git "$floor"
	done
	echo "git mlv verify of both commits"
	row "  cold cache" verify.cold mlv
	row "  warm cache" verify.warm mlv
	printf '\ncache after the run: %s bytes of blob records; load average %s\n' "$blobs" \
		"$(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$ROOT/bench/out/datadir.txt"
cp "$RAW" "$ROOT/bench/out/datadir-raw.tsv"
[ "$STRICT" = 1 ] && [ "$MISSED" = 1 ] && exit 1
exit 0
