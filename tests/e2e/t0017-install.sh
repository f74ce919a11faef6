#!/usr/bin/env bash
# Setting up and tearing down: install and uninstall touch only the filter
# keys of the config they were asked to, track and untrack only their own
# .gitattributes lines.
. "$(dirname "$0")/lib.sh"

FILTER_KEYS='filter.mlv.process filter.mlv.clean filter.mlv.smudge filter.mlv.required'

# Run the rest with a fresh HOME whose ~/.gitconfig holds only $1.
fresh_home() {
	export HOME="$TRASH/$1" &&
	mkdir -p "$HOME" &&
	printf "[user]\n\tname = Some One\n[filter \"other\"]\n\tclean = cat\n" >"$HOME/.gitconfig" &&
	cp "$HOME/.gitconfig" "$HOME/gitconfig.before"
}

test_expect_success 'install --local writes the four keys to the repo config only' '
	fresh_home h1 &&
	git init -q r1 && cd r1 &&
	git mlv install --local >../out &&
	grep -q "local" ../out &&
	test "$(git config --local filter.mlv.process)" = "git-mlv filter-process" &&
	test "$(git config --local filter.mlv.clean)" = "git-mlv clean -- %f" &&
	test "$(git config --local filter.mlv.smudge)" = "git-mlv smudge -- %f" &&
	test "$(git config --local filter.mlv.required)" = true &&
	cmp "$HOME/gitconfig.before" "$HOME/.gitconfig"
'

test_expect_success 'a repo with install --local filters files without any global setup' '
	fresh_home h1 &&
	cd r1 &&
	git mlv track "*.bin" >/dev/null &&
	test_random_file a.bin 3000 local && cp a.bin ../a.local &&
	git add .gitattributes a.bin && git commit -qm local &&
	git cat-file -p HEAD:a.bin | grep -qx "size 3000" &&
	rm a.bin && git checkout -- a.bin && cmp ../a.local a.bin
'

test_expect_success 'install twice keeps one value per key' '
	fresh_home h2 &&
	git mlv install >/dev/null && git mlv install >/dev/null &&
	for k in $FILTER_KEYS; do
		test "$(git config --global --get-all $k | wc -l)" = 1 || exit 1
	done
'

test_expect_success 'install replaces a stale value of a filter key' '
	fresh_home h3 &&
	git config --global filter.mlv.clean "old-mlv clean %f" &&
	git mlv install >/dev/null &&
	test "$(git config --global --get-all filter.mlv.clean)" = "git-mlv clean -- %f"
'

test_expect_success 'install then uninstall leaves ~/.gitconfig as it was' '
	fresh_home h4 &&
	git mlv install >/dev/null &&
	test "$(git config --global filter.mlv.process)" = "git-mlv filter-process" &&
	git mlv uninstall >/dev/null &&
	cmp "$HOME/gitconfig.before" "$HOME/.gitconfig"
'

test_expect_success 'uninstall removes exactly the four filter keys' '
	fresh_home h5 &&
	git mlv install >/dev/null &&
	git config --global filter.mlv.mine "keep me" &&
	git config --global mlv.skipsmudge true &&
	git mlv uninstall >/dev/null &&
	for k in $FILTER_KEYS; do
		test_must_fail git config --global $k || exit 1
	done &&
	test "$(git config --global filter.mlv.mine)" = "keep me" &&
	test "$(git config --global mlv.skipsmudge)" = true &&
	test "$(git config --global user.name)" = "Some One" &&
	test "$(git config --global filter.other.clean)" = cat
'

test_expect_success 'uninstall --local leaves the global install alone' '
	fresh_home h6 &&
	git mlv install >/dev/null &&
	git init -q r6 && cd r6 &&
	git mlv install --local >/dev/null &&
	git mlv uninstall --local >/dev/null &&
	test_must_fail git config --local filter.mlv.process &&
	test "$(git config --global filter.mlv.process)" = "git-mlv filter-process"
'

test_expect_success 'uninstall when nothing is installed succeeds and changes nothing' '
	fresh_home h7 &&
	git mlv uninstall >/dev/null &&
	cmp "$HOME/gitconfig.before" "$HOME/.gitconfig"
'

test_expect_success 'install --local outside a repository fails' '
	fresh_home h8 &&
	mkdir norepo && cd norepo &&
	GIT_CEILING_DIRECTORIES="$TRASH" &&
	export GIT_CEILING_DIRECTORIES &&
	test_must_fail git mlv install --local 2>/dev/null &&
	cmp "$HOME/gitconfig.before" "$HOME/.gitconfig"
'

test_expect_success 'an unknown option is refused' '
	test_must_fail git mlv install --system 2>err &&
	grep -q usage err
'

test_expect_success 'track a pattern with spaces: the file under it is stored by mlv' '
	git init -q r2 && cd r2 &&
	git mlv track "my models/*.bin" >/dev/null &&
	grep -qx "my\[\[:space:\]\]models/\*.bin filter=mlv diff=mlv merge=mlv -text" .gitattributes &&
	mkdir "my models" && test_random_file "my models/a b.bin" 2000 sp &&
	test "$(git check-attr filter -- "my models/a b.bin")" = "my models/a b.bin: filter: mlv" &&
	git add .gitattributes "my models/a b.bin" && git commit -qm spaces &&
	git cat-file -p "HEAD:my models/a b.bin" | grep -qx "size 2000" &&
	git mlv track >../out &&
	grep -q "my\[\[:space:\]\]models/\*.bin" ../out
'

test_expect_success 'tracking the same pattern twice adds no second line' '
	cd r2 &&
	git mlv track "my models/*.bin" >../out &&
	grep -q "already" ../out &&
	test "$(grep -c "filter=mlv" .gitattributes)" = 1
'

test_expect_success 'untrack of a pattern with spaces keeps every unrelated line' '
	cd r2 &&
	cp .gitattributes ../attr.orig &&
	{
		echo "# my own comment" &&
		echo "*.txt text eol=lf" &&
		echo "*.bin diff=hexdump" &&
		echo "docs/** linguist-documentation"
	} >../user.lines &&
	cat ../user.lines >>.gitattributes &&
	git mlv track "*.bin" "data/**" >/dev/null &&
	git mlv untrack "my models/*.bin" >/dev/null &&
	! grep -q "my\[\[:space:\]\]models" .gitattributes &&
	grep -qx "\*.bin filter=mlv diff=mlv merge=mlv -text" .gitattributes &&
	grep -qx "data/\*\* filter=mlv diff=mlv merge=mlv -text" .gitattributes &&
	grep -vx ".* filter=mlv diff=mlv merge=mlv -text" .gitattributes >../kept &&
	cmp ../user.lines ../kept &&
	test "$(git check-attr filter -- "my models/a b.bin")" = "my models/a b.bin: filter: mlv"
'

test_expect_success 'untrack removes only the named pattern, in place' '
	cd r2 &&
	git mlv untrack "*.bin" >/dev/null &&
	! grep -q "^\*.bin filter=mlv" .gitattributes &&
	grep -qx "\*.bin diff=hexdump" .gitattributes &&
	grep -qx "data/\*\* filter=mlv diff=mlv merge=mlv -text" .gitattributes &&
	{ cat ../user.lines && echo "data/** filter=mlv diff=mlv merge=mlv -text"; } >../expect &&
	cmp ../expect .gitattributes
'

test_expect_success 'untrack of a pattern that is not tracked warns and changes nothing' '
	cd r2 &&
	cp .gitattributes ../before &&
	git mlv untrack "*.nope" 2>../err &&
	grep -q "not tracked" ../err &&
	cmp ../before .gitattributes
'

test_expect_success 'track keeps a last line that has no newline' '
	git init -q r3 && cd r3 &&
	printf "*.txt text" >.gitattributes &&
	git mlv track "*.bin" >/dev/null &&
	printf "*.txt text\n*.bin filter=mlv diff=mlv merge=mlv -text\n" >../expect &&
	cmp ../expect .gitattributes
'

test_expect_success 'track --model marks the pattern as a model' '
	cd r3 &&
	git mlv track --model "*.onnx" >/dev/null &&
	grep -qx "\*.onnx filter=mlv diff=mlv merge=mlv -text mlv-model" .gitattributes &&
	test "$(git check-attr mlv-model -- m.onnx)" = "m.onnx: mlv-model: set" &&
	test "$(git check-attr filter -- m.onnx)" = "m.onnx: filter: mlv"
'

test_done
