#!/usr/bin/env bash
# Data directories: a sidecar's [data] input may be a directory (its path
# ends in '/'), recorded as the SHA-256 of its manifest with the number of
# its files and their size. The manifest comes from git's index and trees
# alone, so a check needs no data, and every change under the directory is
# a change of the input.
. "$(dirname "$0")/lib.sh"

SC=models/m.onnx.mlv

# The manifest of directory $1 as the index holds it, computed without
# mlv from `git ls-files -s` and the blobs: an mlv file's oid and size are
# its pointer's, any other file's those of its bytes; lines in byte order
# of the path below the directory.
independent_manifest() {
	git ls-files -s -z -- "$1" | python3 -c '
import hashlib, re, subprocess, sys
top = sys.argv[1].encode()
lines = []
for rec in sys.stdin.buffer.read().split(b"\0"):
    if not rec:
        continue
    meta, path = rec.split(b"\t", 1)
    blob = meta.split()[1].decode()
    data = subprocess.run(["git", "cat-file", "blob", blob], check=True,
                          stdout=subprocess.PIPE).stdout
    m = re.fullmatch(rb"version https://git-lfs.github.com/spec/v1\noid sha256:([0-9a-f]{64})\nsize ([0-9]+)\n", data)
    oid, size = (m.group(1), m.group(2)) if m else \
        (hashlib.sha256(data).hexdigest().encode(), str(len(data)).encode())
    lines.append((path[len(top):], oid + b" " + size + b" " + path[len(top):] + b"\n"))
sys.stdout.buffer.write(b"".join(l for _, l in sorted(lines)))' "$1"
}

# The sum of the sizes in a manifest on stdin.
manifest_size() {
	awk '{ s += $2 } END { print s + 0 }'
}

# What a data directory's record must say: oid, files and size as the
# independent manifest of the index gives them.
record_matches_index() {
	independent_manifest "$1" >../manifest &&
	test "$(ini_get $SC 'data "images"' oid)" = "sha256:$(sha256sum <../manifest | cut -d" " -f1)" &&
	test "$(ini_get $SC 'data "images"' files)" = "$(wc -l <../manifest | tr -d " ")" &&
	test "$(ini_get $SC 'data "images"' size)" = "$(manifest_size <../manifest)"
}

# Write the sidecar of the model from what is staged.
update() {
	git mlv sidecar update models/m.onnx >../update.out
}

test_expect_success 'setup: images tracked by mlv, labels in git, nested directories' '
	git init -q r && cd r &&
	git mlv track --model "*.onnx" >/dev/null &&
	git mlv track "*.png" >/dev/null &&
	mkdir -p models configs data/images/cats data/images/dogs/small data/images/a data/images2 &&
	test_random_file data/images/cats/1.png 3000 c1 &&
	test_random_file data/images/cats/2.png 4000 c2 &&
	test_random_file data/images/dogs/small/3.png 5000 d3 &&
	test_random_file data/images/a/x.png 1000 ax &&
	printf "file,label\n1.png,cat\n" >data/images/labels.csv &&
	printf "dot\n" >data/images/a.b &&
	printf "kept apart\n" >data/images2/other.csv &&
	printf "lr: 0.1\n" >configs/train.yaml &&
	git add . && git commit -qm data &&
	git rev-parse HEAD >../base &&
	test_random_file models/m.onnx 20000 m1
'

test_expect_success 'sidecar init records the directory with its oid, number of files and size' '
	cd r &&
	git mlv sidecar init models/m.onnx --data data/images/ --config configs/train.yaml >/dev/null &&
	test "$(ini_get $SC "data \"images\"" path)" = data/images/ &&
	test "$(ini_get $SC "data \"images\"" files)" = 6 &&
	test "$(ini_get $SC "data \"images\"" size)" = $((3000 + 4000 + 5000 + 1000 + 21 + 4)) &&
	record_matches_index data/images/
'

test_expect_success 'the recorded oid is the SHA-256 of the manifest, computed independently' '
	cd r &&
	independent_manifest data/images/ >../manifest &&
	grep -q "^$(test_pointer_oid data/images/cats/1.png) 3000 cats/1.png$" ../manifest &&
	grep -q "^$(sha256sum <data/images/labels.csv | cut -d" " -f1) 21 labels.csv$" ../manifest &&
	! grep -q other.csv ../manifest &&
	git mlv sidecar show --manifest models/m.onnx >../shown &&
	cmp ../manifest ../shown &&
	test "sha256:$(sha256sum <../shown | cut -d" " -f1)" = "$(ini_get $SC "data \"images\"" oid)"
'

test_expect_success 'the manifest is in byte order of the relative path' '
	cd r &&
	git mlv sidecar show --manifest models/m.onnx | cut -d" " -f3 >../order &&
	printf "a.b\na/x.png\ncats/1.png\ncats/2.png\ndogs/small/3.png\nlabels.csv\n" >../want &&
	cmp ../want ../order
'

test_expect_success 'the commit of the model, its sidecar and the data is accepted' '
	cd r &&
	git add models && git commit -qm "model v1" &&
	test "$(git log -1 --format=%s)" = "model v1" &&
	git mlv sidecar show models/m.onnx >../show &&
	grep -q "files  *6$" ../show &&
	grep -q "path  *data/images/$" ../show &&
	grep -q "^matches what is staged" ../show
'

test_expect_success 'a directory named without its slash is recorded as a directory' '
	cd r &&
	oid=$(ini_get $SC "data \"images\"" oid) &&
	git mlv sidecar init models/m.onnx --data data/images --config configs/train.yaml \
		--force >/dev/null &&
	test "$(ini_get $SC "data \"images\"" path)" = data/images/ &&
	test "$(ini_get $SC "data \"images\"" oid)" = "$oid" &&
	git checkout -q -- $SC
'

test_expect_success 'setup: strict-inputs, so that data cannot change under a record' '
	cd r &&
	printf "[policy]\nstrict-inputs = true\n" >.mlvconfig &&
	git add .mlvconfig && git commit -qm strict &&
	test "$(git log -1 --format=%s)" = strict
'

# A refused commit names the sidecar line of the record, the directory,
# both oids, the commit the model was trained at, what changed since and
# what to do: retrain, then update the record.
refused_for() {
	commit_refused -m "$1" &&
	grep -q "$SC:8: models/m.onnx is out of date with its data: \[data \"images\"\] directory .data/images/. is now staged as sha256:" ../err &&
	grep -q "not $(ini_get $SC "data \"images\"" oid) (.*) as when the model was trained at commit $(git log -1 --format=%h --abbrev=12 -- $SC models/m.onnx)" ../err &&
	grep -q "; since then, [1-9][0-9]* files* differs*: " ../err &&
	grep -qF "$2" ../err &&
	grep -qF "policy strict-inputs refuses a model out of date with its inputs: retrain it, then record it with: git mlv sidecar update 'models/m.onnx' && git add 'models/m.onnx.mlv'" ../err
}

# What the refusal says to run, run: the commit goes through.
fixed_by_update() {
	update && git add $SC && git commit -qm "$1" &&
	test "$(git log -1 --format=%s)" = "$1" &&
	record_matches_index data/images/
}

test_expect_success 'an added file is caught, named, and sidecar update fixes it' '
	cd r &&
	test_random_file data/images/cats/new.png 2500 n &&
	git add data/images &&
	refused_for "add" "1 file differs: '\''data/images/cats/new.png'\'' added" &&
	fixed_by_update "add a cat" &&
	grep -q "data/images/cats/new.png. added" ../update.out &&
	test "$(ini_get $SC "data \"images\"" files)" = 7
'

test_expect_success 'a removed file is caught, named, and sidecar update fixes it' '
	cd r &&
	git rm -q data/images/a.b &&
	refused_for "remove" "'\''data/images/a.b'\'' removed" &&
	fixed_by_update "drop a.b" &&
	test "$(ini_get $SC "data \"images\"" files)" = 6
'

test_expect_success 'a modified file is caught, named, and sidecar update fixes it' '
	cd r &&
	size=$(ini_get $SC "data \"images\"" size) &&
	test_random_file data/images/cats/2.png 4100 c2b &&
	git add data/images &&
	refused_for "modify" "'\''data/images/cats/2.png'\'' changed" &&
	fixed_by_update "relabel" &&
	test "$(ini_get $SC "data \"images\"" size)" = $((size + 100))
'

test_expect_success 'a renamed file is caught as a rename, and sidecar update fixes it' '
	cd r &&
	files=$(ini_get $SC "data \"images\"" files) size=$(ini_get $SC "data \"images\"" size) &&
	git mv data/images/cats/new.png data/images/dogs/new.png &&
	refused_for "rename" "'\''data/images/cats/new.png'\'' renamed to '\''data/images/dogs/new.png'\''" &&
	fixed_by_update "move the cat" &&
	test "$(ini_get $SC "data \"images\"" files)" = "$files" &&
	test "$(ini_get $SC "data \"images\"" size)" = "$size"
'

test_expect_success 'a file beside the directory is not part of it' '
	cd r &&
	printf "more\n" >>data/images2/other.csv && git add data/images2 &&
	git commit -qm "other data" &&
	test "$(git log -1 --format=%s)" = "other data"
'

test_expect_success 'sidecar init refuses a directory whose work tree differs from the index' '
	cd r &&
	printf "x\n" >data/images/untracked.csv &&
	test_random_file data/images/cats/1.png 3001 c1b &&
	test_must_fail git mlv sidecar update models/m.onnx 2>../err &&
	grep -q "data/images/untracked.csv. is untracked" ../err &&
	grep -q "data/images/cats/1.png. is modified" ../err &&
	grep -qF "stage it first with: git add '\''data/images/'\''" ../err &&
	git diff --quiet -- $SC &&
	git add data/images && update &&
	record_matches_index data/images/ &&
	git add $SC && git commit -qm "more data"
'

test_expect_success 'an ignored file in the directory is not data and does not block init' '
	cd r &&
	printf "*.tmp\n" >data/images/.gitignore && git add data/images/.gitignore &&
	printf "scratch\n" >data/images/cache.tmp &&
	update && git add $SC && git commit -qm "ignore scratch" &&
	! independent_manifest data/images/ | grep -q cache.tmp &&
	record_matches_index data/images/
'

test_expect_success 'a symbolic link inside the directory is refused, naming it' '
	cd r &&
	ln -s ../../configs/train.yaml data/images/link.yaml && git add data/images &&
	test_must_fail git mlv sidecar update models/m.onnx 2>../err &&
	grep -q "data/images/link.yaml. is a symbolic link" ../err &&
	commit_refused -m link &&
	grep -q "$SC:8: \[data \"images\"\] .data/images/link.yaml. is a symbolic link" ../err &&
	git rm -q --cached data/images/link.yaml && rm data/images/link.yaml
'

test_expect_success 'a submodule inside the directory is refused, naming it' '
	cd r &&
	git update-index --add --cacheinfo "160000,$(git rev-parse HEAD),data/images/sub" &&
	test_must_fail git mlv sidecar check 2>../err &&
	grep -q "data/images/sub. is a submodule" ../err &&
	commit_refused -m submodule &&
	grep -q "data/images/sub. is a submodule" ../err &&
	git rm -q --cached data/images/sub
'

test_expect_success 'a file name with a line break inside the directory is refused, naming it' '
	cd r &&
	printf "x" >"data/images/two
lines.csv" && git add data/images &&
	commit_refused -m newline &&
	grep -qF "'\''data/images/two\nlines.csv'\'' has a line break in its name" ../err &&
	test_must_fail git mlv sidecar update models/m.onnx 2>../err &&
	grep -qF "data/images/two\nlines.csv" ../err &&
	git rm -q --cached "data/images/two
lines.csv" && rm "data/images/two
lines.csv" &&
	git mlv sidecar check >/dev/null
'

test_expect_success 'a missing or emptied directory is refused' '
	cd r &&
	git rm -q -r --cached data/images && mkdir -p ../hold && mv data/images ../hold/ &&
	commit_refused -m "no data" &&
	grep -q "data directory .data/images/. has no file in the index; git add it" ../err &&
	git reset -q && mv ../hold/images data/ &&
	git mlv sidecar check >/dev/null
'

test_expect_success 'a path that names a file where the directory should be is refused as such' '
	cd r &&
	sed "s|^path = data/images/|path = data/images2/other.csv/|" $SC >../sc &&
	cp ../sc $SC && git add $SC &&
	test_must_fail git mlv sidecar check 2>../err &&
	grep -q "data directory .data/images2/other.csv/. is not a directory: .data/images2/other.csv. is a file" ../err &&
	git checkout -q HEAD -- $SC
'

test_expect_success 'without strict-inputs, a retrained model with a stale directory record is refused' '
	cd r &&
	git rm -q .mlvconfig && git commit -qm "default policy" &&
	test_random_file models/m.onnx 20000 m2 &&
	update &&
	test_random_file data/images/cats/late.png 100 late &&
	git add models data &&
	commit_refused -m "model v2" &&
	grep -q "data/images/cats/late.png. added" ../err &&
	fixed_by_update "model v2"
'

test_expect_success 'verify passes the history and names a --no-verify commit that broke it' '
	cd r &&
	git mlv verify "$(cat ../base)..HEAD" >../out &&
	grep -q "commits verified" ../out &&
	test_random_file data/images/cats/sneaky.png 700 s &&
	test_random_file models/m.onnx 20000 m3 &&
	git add data models && git commit -q --no-verify -m sneaky &&
	test_must_fail git mlv verify HEAD~3..HEAD >../out &&
	grep -q "^commit $(git rev-parse HEAD) sneaky" ../out &&
	grep -q "directory .data/images/. is recorded as .* but committed as sha256:" ../out &&
	grep -q "data/images/cats/sneaky.png. added" ../out &&
	grep -q "1 of 3 commits break the mlv policy" ../out &&
	git reset -q --hard HEAD~1
'

test_expect_success 'verify reads no data: the same answer without the local store or the cache' '
	cd r &&
	rm -rf .git/mlv/objects .git/mlv/cache &&
	git mlv verify "$(cat ../base)..HEAD" >../out &&
	grep -q "commits verified" ../out &&
	git mlv sidecar check >/dev/null
'

test_expect_success 'a clone that leaves pointers gets the same oid without any content' '
	MLV_SKIP_SMUDGE=1 git clone -q r lazy && cd lazy &&
	head -1 data/images/cats/1.png | grep -qx "version https://git-lfs.github.com/spec/v1" &&
	test -z "$(find .git/mlv/objects -type f 2>/dev/null)" &&
	git mlv sidecar check >/dev/null &&
	git mlv verify >../out && grep -q "commits verified" ../out &&
	git mlv sidecar show --manifest models/m.onnx >../lazy.manifest &&
	test "sha256:$(sha256sum <../lazy.manifest | cut -d" " -f1)" = "$(ini_get $SC "data \"images\"" oid)" &&
	oid=$(ini_get $SC "data \"images\"" oid) files=$(ini_get $SC "data \"images\"" files) &&
	update &&
	test "$(ini_get $SC "data \"images\"" oid)" = "$oid" &&
	test "$(ini_get $SC "data \"images\"" files)" = "$files" &&
	test -z "$(find .git/mlv/objects -type f 2>/dev/null)"
'

test_expect_success 'a damaged cache is not believed: it is rebuilt and gives the same answer' '
	cd r &&
	git mlv sidecar check >/dev/null &&
	blobs=.git/mlv/cache/datadir-blobs &&
	n=$(($(stat -c %s $blobs) - 48)) && test $((n % 60)) = 0 &&
	python3 -c "
import sys
p = sys.argv[1]
b = bytearray(open(p, \"rb\").read())
for i in range(16 + 20, len(b) - 32, 60):
    b[i] ^= 0xff   # every recorded oid, the seal left as it was
open(p, \"wb\").write(b)" $blobs &&
	git mlv sidecar check >/dev/null &&
	git mlv sidecar show --manifest models/m.onnx >../again &&
	test "sha256:$(sha256sum <../again | cut -d" " -f1)" = "$(ini_get $SC "data \"images\"" oid)" &&
	python3 -c "
import hashlib, sys
b = open(sys.argv[1], \"rb\").read()
sys.exit(hashlib.sha256(b[:-32]).digest() != b[-32:])" $blobs
'

test_done
