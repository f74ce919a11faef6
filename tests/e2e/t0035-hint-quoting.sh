#!/usr/bin/env bash
# Every command mlv prints for the user to paste ("write it with:", "fix
# with:", ...) is quoted for sh, whatever the file is called. For models
# whose names hold quotes, spaces, $(), backticks, ;, a newline, a leading
# - or #, or glob characters, each hint is taken from mlv's own message and
# run with sh -c: it must do what it says, and nothing else (no PWNED file
# anywhere, no other file touched).
. "$(dirname "$0")/lib.sh"

# The text of file $1 after the first "$2", up to the end of that problem
# (the next line that starts a problem, "\n  ") and before the last "$3"
# in it, as mlv printed it.
hint_in() {
	python3 - "$@" <<'PY'
import sys
text = open(sys.argv[1], encoding="utf-8", errors="surrogateescape").read()
start, end = sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else ""
if start not in text:
    sys.exit("no %r in the message:\n%s" % (start, text))
hint = text.split(start, 1)[1].split("\n  ", 1)[0].rstrip("\n")
hint = hint.rsplit(end, 1)[0] if end else hint
sys.stdout.write(hint)
PY
}

# Run hint $1 with sh -c in the current repo, then check that no PWNED
# file exists and that git status lists only what is expected ($2: a
# pattern that every changed entry must match, or "" for none).
paste_hint() {
	printf "%s\n" "$1" >../hint &&
	sh -c "$1" >../hint.out 2>&1 || { echo "hint failed: $1"; cat ../hint.out; return 1; }
	test -z "$(find "$TRASH" -name PWNED -print)" || { echo "a PWNED file appeared"; return 1; }
}

# Path $1 as a pathspec that matches only itself, for the test's own git
# commands (the hints must manage without).
lit() {
	printf ":(literal)%s" "$1"
}

# Placeholders the hints leave for the user, filled as a user would.
fill() {
	printf "%s" "$1" | sed -e "s|--data <path>|--data data/train.csv|" \
		-e "s|--config <path>|--config cfg.yaml|" \
		-e "s|--version X.Y.Z|--version 1.0.0|" \
		-e "s|--version <higher>|--version 2.0.0|"
}

names=(
	"x';touch PWNED;'.onnx"
	"with space.onnx"
	'$(touch PWNED).onnx'
	'`touch PWNED`.onnx'
	'a;touch PWNED;.onnx'
	$'nl\nx.onnx'
	'-dash.onnx'
	'#hash.onnx'
	'star*.onnx'
	'q[1]?.onnx'
	':colon.onnx'
)

test_expect_success 'setup: a template repository with data and a config' '
	git init -q tmpl && cd tmpl &&
	git mlv install --local >/dev/null &&
	git mlv track --model "*.onnx" >/dev/null &&
	mkdir data && printf "id,label\n1,0\n" >data/train.csv &&
	printf "lr: 0.1\n" >cfg.yaml &&
	printf "[policy]\nrequire-version-bump = true\n" >.mlvconfig &&
	git add . && git commit -qm base
'

i=0
for name in "${names[@]}"; do
	i=$((i + 1))
	export NAME="$name" R="r$i"
	shown=$(printf "%q" "$name")

	test_expect_success "$shown: the sidecar init hint writes and stages the sidecar" '
		git clone -q tmpl $R && cd $R && git mlv install --local >/dev/null &&
		test_random_file "$NAME" 3000 v1 &&
		git add -- "$(lit "$NAME")" &&
		commit_refused -m v1 &&
		hint=$(hint_in ../err "write it with: ") &&
		paste_hint "$(fill "$hint")" &&
		test -f "$NAME.mlv" &&
		test -n "$(git diff --cached --name-only -- "$(lit "$NAME.mlv")")" &&
		git commit -qm v1 &&
		test -z "$(git status --porcelain)"
	'

	test_expect_success "$shown: the fix hint for a changed model updates and stages it" '
		cd $R &&
		test_random_file "$NAME" 3000 v2 && git add -- "$(lit "$NAME")" &&
		commit_refused -m v2 &&
		grep -q "\[model\] oid is" ../err &&
		hint=$(hint_in ../err "fix with: ") &&
		paste_hint "$hint" &&
		commit_refused -m v2 &&
		grep -q "version is required" ../err
	'

	test_expect_success "$shown: the version hints set a version and stage it" '
		cd $R &&
		hint=$(hint_in ../err "set it with: ") &&
		paste_hint "$(fill "$hint")" &&
		git commit -qm v2 &&
		test "$(ini_get "$NAME.mlv" model version)" = 1.0.0 &&
		test_random_file "$NAME" 3000 v3 && git add -- "$(lit "$NAME")" &&
		git mlv sidecar update "./$NAME" >/dev/null && git add -- "$(lit "$NAME.mlv")" &&
		commit_refused -m v3 &&
		hint=$(hint_in ../err "fix with: ") &&
		paste_hint "$(fill "$hint")" &&
		git commit -qm v3 &&
		test "$(ini_get "$NAME.mlv" model version)" = 2.0.0 &&
		test -z "$(git status --porcelain)"
	'

	test_expect_success "$shown: sidecar init on an existing sidecar names update; show names init" '
		cd $R &&
		test_must_fail git mlv sidecar init "./$NAME" --data data/train.csv \
			--config cfg.yaml 2>../err &&
		hint=$(hint_in ../err "refresh its hashes with: " " (or start it anew") &&
		paste_hint "$hint" &&
		test "$(git status --porcelain -z | tr "\0" "\n")" = " M $NAME.mlv" &&
		test "$(ini_get "$NAME.mlv" code commit)" = "$(git rev-parse HEAD)" &&
		mv -- "$NAME.mlv" ../saved.mlv &&
		test_must_fail git mlv sidecar show "./$NAME" 2>../err &&
		hint=$(hint_in ../err "write it with: ") &&
		paste_hint "$(fill "$hint")" &&
		test -f "$NAME.mlv"
	'

	test_expect_success "$shown: git rm hints remove exactly that sidecar" '
		cd $R && git reset -q --hard &&
		cp -- "$NAME.mlv" ../saved.mlv &&
		git rm -q -- "$(lit "$NAME")" &&
		commit_refused -m "drop model" &&
		hint=$(hint_in ../err "remove it too: ") &&
		paste_hint "$hint" &&
		git commit -qm "drop model" &&
		git ls-files | grep -c . >../count && test "$(cat ../count)" = 4 &&
		cp ../saved.mlv "./$NAME.mlv" && git add -- "$(lit "$NAME.mlv")" &&
		commit_refused -m "stray sidecar" &&
		hint=$(hint_in ../err "unstage the sidecar with: ") &&
		paste_hint "$hint" &&
		test -z "$(git diff --cached --name-only)" &&
		test -f "$NAME.mlv"
	'

	test_expect_success "$shown: the git add hint for a model stored as bytes stores a pointer" '
		cd $R && rm -f -- "$NAME.mlv" &&
		test_random_file "$NAME" 3000 v4 &&
		blob=$(git hash-object -w --no-filters -- "$NAME") &&
		printf "100644 %s\t%s\0" "$blob" "$NAME" | git update-index --add -z --index-info &&
		commit_refused -m raw &&
		hint=$(hint_in ../err "then: git add " ": model without a sidecar") &&
		hint=$(printf "%s" "$hint" | python3 -c "import sys; t=sys.stdin.read(); print(t.split(chr(10)+\"  \")[0], end=\"\")") &&
		paste_hint "git add $hint" &&
		git cat-file -p ":$NAME" | grep -q "^oid sha256:"
	'
done

test_done
