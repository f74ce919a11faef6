# Test library for mlv's end-to-end tests, in the style of git's t/test-lib.sh.
#
# A test script sources this file, then states what a user does and what must
# hold:
#
#   test_expect_success 'checkout restores the bytes' '
#       git checkout -- a.bin &&
#       cmp a.bin ../a.orig
#   '
#   test_done
#
# Every script runs in its own throwaway directory with its own HOME (so the
# user's ~/.gitconfig is never read or written), with git-mlv from $MLV_BIN
# first on PATH and `git mlv install` done. Tests run in the script's shell in
# order; each test body runs in a subshell from the trash directory.

set -u
MLV_BIN=${MLV_BIN:?set MLV_BIN to the directory holding git-mlv}
TEST_NAME=$(basename "$0" .sh)
TRASH=$(mktemp -d "${TMPDIR:-/tmp}/mlv-$TEST_NAME.XXXXXX")
export HOME="$TRASH/home"
export PATH="$MLV_BIN:$PATH"
export GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME='A U Thor' GIT_AUTHOR_EMAIL=author@example.com
export GIT_COMMITTER_NAME='C O Mitter' GIT_COMMITTER_EMAIL=committer@example.com
unset GIT_DIR GIT_WORK_TREE MLV_SKIP_SMUDGE MLV_TRACE
mkdir -p "$HOME"
git config --global init.defaultBranch main
git config --global advice.detachedHead false
git mlv install --skip-repo >/dev/null

test_count=0
test_failures=0
test_skipped=0

cleanup_trash() {
	if [ "$test_failures" -eq 0 ] || [ -z "${MLV_KEEP_TRASH:-}" ]; then
		rm -rf "$TRASH"
	else
		echo "# trash kept in $TRASH" >&2
	fi
}
trap cleanup_trash EXIT

# This directory, for the helpers beside the scripts.
TEST_DIRECTORY=$(cd "$(dirname "$0")" && pwd)

cd "$TRASH" || exit 1

test_expect_success() {
	local desc=$1 body=$2 out rc
	test_count=$((test_count + 1))
	out=$( (cd "$TRASH" && eval "$body") 2>&1 )
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "ok $test_count - $desc"
	else
		test_failures=$((test_failures + 1))
		echo "not ok $test_count - $desc"
		printf '%s\n' "$out" | sed 's/^/#   /'
	fi
}

# Skip loudly with the reason.
test_skip() {
	test_count=$((test_count + 1))
	test_skipped=$((test_skipped + 1))
	echo "ok $test_count # skip $1 ($2)"
}

test_done() {
	echo "# $TEST_NAME: $((test_count - test_failures - test_skipped)) passed, $test_failures failed, $test_skipped skipped"
	echo "$TEST_NAME $((test_count - test_failures - test_skipped)) $test_failures $test_skipped" >>"${MLV_RESULTS:-/dev/null}"
	[ "$test_failures" -eq 0 ]
}

# Helpers for test bodies.

# Make a repo tracking *.bin and *.onnx in directory $1 (plain data: the
# model policy has tests of its own that track models with --model).
test_repo() {
	git init -q "$1" &&
	(cd "$1" && git mlv track '*.bin' >/dev/null &&
	 git mlv track '*.onnx' >/dev/null &&
	 git add .gitattributes && git commit -qm attributes)
}

# Write $2 bytes of reproducible pseudo-random data to $1 (seed $3).
test_random_file() {
	openssl enc -aes-128-ctr -nosalt -pass "pass:${3:-seed}" -pbkdf2 \
		-in /dev/zero 2>/dev/null | head -c "$2" >"$1"
}

# The object path in a repo's local store for an oid.
test_store_path() {
	echo "$(git rev-parse --git-common-dir)/mlv/objects/$(echo "$1" | cut -c1-2)/$(echo "$1" | cut -c3-4)/$1"
}

# The oid in the pointer git holds for path $1 at revision $2 (default index).
test_pointer_oid() {
	git cat-file -p "${2:-}:$1" | sed -n 's/^oid sha256://p'
}

# Run a command that must fail: exit non-zero, not by a signal (129 is a
# usage error, as in git; 130-192 are signals).
test_must_fail() {
	"$@"
	local rc=$?
	if [ $rc -eq 0 ]; then
		echo "expected failure: $*"
		return 1
	fi
	if [ $rc -gt 129 ] && [ $rc -le 192 ]; then
		echo "died of signal $((rc - 128)): $*"
		return 1
	fi
	return 0
}

# File $1 must be empty; shows it when not.
test_must_be_empty() {
	if [ -s "$1" ]; then
		echo "expected $1 to be empty, it holds:"
		cat "$1"
		return 1
	fi
}

# File $3 must have a line count that compares to $2 by test's operator $1
# (test_line_count = 1 out).
test_line_count() {
	local n
	n=$(wc -l <"$3")
	test "$n" "$1" "$2" || { echo "expected $1 $2 lines in $3, got $n:"; cat "$3"; return 1; }
}

# The value of key $3 in section $2 (as written in the header, without the
# brackets) of INI file $1.
ini_get() {
	awk -v s="[$2]" -v k="$3" '
		/^\[/ { in_s = ($0 == s); next }
		in_s && index($0, k " = ") == 1 { print substr($0, length(k) + 4); exit }
	' "$1"
}

# "sha256:<hex>" of a file's bytes.
sha() {
	echo "sha256:$(sha256sum "$1" | cut -d" " -f1)"
}

# SHA-256 of a file in big reads (sha256sum crawls through the holes of a
# sparse file).
sha256_of() {
	python3 -c '
import hashlib, sys
h = hashlib.sha256()
with open(sys.argv[1], "rb", buffering=0) as f:
    for chunk in iter(lambda: f.read(1 << 20), b""):
        h.update(chunk)
print(h.hexdigest())' "$1"
}

# A commit attempt that must be refused by mlv's hook: HEAD stays put, and
# the message lands in ../err.
commit_refused() {
	local before after
	before=$(git rev-parse -q --verify HEAD)
	if git commit "$@" 2>../err >/dev/null; then
		echo "commit was accepted: git commit $*"
		return 1
	fi
	after=$(git rev-parse -q --verify HEAD)
	test "$before" = "$after" || { echo "HEAD moved"; return 1; }
	grep -q "mlv: commit refused" ../err || { cat ../err; return 1; }
}

# Files $1 (what is wanted) and $2 (what came) must be equal; shows the
# difference when not.
test_cmp() {
	diff -u "$1" "$2"
}

# Run a command that must exit with code $1.
test_expect_code() {
	local want=$1 rc
	shift
	"$@"
	rc=$?
	[ "$rc" -eq "$want" ] || { echo "expected exit $want, got $rc: $*"; return 1; }
}

# A Python with the jsonschema module (Debian: python3-jsonschema, which
# scripts/setup.sh installs), or empty; a schema check fails without one.
SCHEMA_PY=
for py in python3 /usr/bin/python3; do
	if "$py" -c 'import jsonschema' 2>/dev/null; then SCHEMA_PY=$py; break; fi
done

# JSON file $2 must follow docs/schema/$1.schema.json.
check_schema() {
	if [ -z "$SCHEMA_PY" ]; then
		echo "no python3 with jsonschema: apt-get install python3-jsonschema"
		return 1
	fi
	"$SCHEMA_PY" "$TEST_DIRECTORY/check-schema.py" "$1" <"$2"
}

# JSON file $2 must break docs/schema/$1.schema.json: the check is no
# rubber stamp.
check_schema_refuses() {
	[ -n "$SCHEMA_PY" ] || { echo "no python3 with jsonschema"; return 1; }
	! "$SCHEMA_PY" "$TEST_DIRECTORY/check-schema.py" "$1" <"$2" >/dev/null
}
