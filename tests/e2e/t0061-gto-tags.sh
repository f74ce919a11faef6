#!/usr/bin/env bash
# A repository tagged by GTO reads as it is: tag sets written with plain
# `git tag -a` in GTO's exact format, as its documentation shows them
# (awesome-model@v0.0.1, awesome-model#prod#1, awesome-model#prod!#2,
# awesome-model@v0.0.1!#3, awesome-model@deprecated#4, and the simple forms
# without a counter, churn#prod, legacy@deprecated), read by git mlv models
# and git mlv registry log, text and JSON; malformed registry-looking tags
# and unrelated tags are ignored.
. "$(dirname "$0")/lib.sh"

# gto_tag TAG REV TIME MESSAGE: an annotated tag as GTO writes one, its
# tagger time TIME (git takes the tagger from the committer).
gto_tag() {
	GIT_COMMITTER_DATE="$3" git tag -a -m "$4" "$1" "$2"
}

# The JSON on stdin, then a Python expression on `d` that must hold.
json_ok() {
	python3 -c "
import json, sys
d = json.load(sys.stdin)
ok = ($1)
if not ok:
    print(json.dumps(d, indent=1)[:3000])
    sys.exit(1)"
}

test_expect_success 'setup: a GTO history (no sidecars, as GTO has none)' '
	git init -q r && cd r &&
	mkdir models &&
	printf "v1\n" >models/awesome-model.pkl && git add . && git commit -qm one &&
	git rev-parse HEAD >../c1 &&
	printf "v2\n" >models/awesome-model.pkl && git commit -qam two &&
	git rev-parse HEAD >../c2 &&
	printf "v3\n" >models/awesome-model.pkl && git commit -qam three &&
	git rev-parse HEAD >../c3 &&
	c1=$(cat ../c1) c2=$(cat ../c2) c3=$(cat ../c3) &&
	# awesome-model: the counter form, as gto register/assign/deprecate write it
	gto_tag "awesome-model@v0.0.1" $c1 2026-01-01T10:00:00Z "Registering artifact awesome-model version v0.0.1" &&
	gto_tag "awesome-model#prod#1" $c1 2026-01-01T10:10:00Z "Assigning stage prod to artifact awesome-model version v0.0.1" &&
	gto_tag "awesome-model#prod!#2" $c1 2026-01-01T10:20:00Z "Unassigning stage prod from artifact awesome-model version v0.0.1" &&
	gto_tag "awesome-model@v0.0.1!#3" $c1 2026-01-01T10:30:00Z "Deregistering artifact awesome-model version v0.0.1" &&
	gto_tag "awesome-model@v0.1.0" $c2 2026-01-01T11:00:00Z "Registering artifact awesome-model version v0.1.0" &&
	gto_tag "awesome-model#staging#4" $c2 2026-01-01T11:10:00Z "Assigning stage staging to artifact awesome-model version v0.1.0" &&
	gto_tag "awesome-model#prod#5" $c2 2026-01-01T11:20:00Z "Assigning stage prod to artifact awesome-model version v0.1.0" &&
	gto_tag "awesome-model@v1.0.0" $c3 2026-01-01T12:00:00Z "Registering artifact awesome-model version v1.0.0" &&
	gto_tag "awesome-model@v1.0.0!#6" $c3 2026-01-01T12:10:00Z "Deregistering artifact awesome-model version v1.0.0" &&
	# two tags in the same second: the counter orders them (by tag name
	# the unassign, "#dev!#8", would sort first)
	gto_tag "awesome-model#dev#7" $c2 2026-01-01T13:00:00Z "Assigning stage dev to artifact awesome-model version v0.1.0" &&
	gto_tag "awesome-model#dev!#8" $c2 2026-01-01T13:00:00Z "Unassigning stage dev from artifact awesome-model version v0.1.0" &&
	# churn: the simple forms (gto --simple), versions that sort wrongly as text
	gto_tag "churn@v3.0.0" $c1 2026-01-01T09:00:00Z "Registering artifact churn version v3.0.0" &&
	gto_tag "churn@v3.9.0" $c2 2026-01-01T09:05:00Z "Registering artifact churn version v3.9.0" &&
	gto_tag "churn@v3.10.0" $c3 2026-01-01T09:06:00Z "Registering artifact churn version v3.10.0" &&
	gto_tag "churn#prod" $c1 2026-01-01T09:10:00Z "Assigning stage prod to artifact churn version v3.0.0" &&
	gto_tag "churn#dev" $c3 2026-01-01T09:15:00Z "Assigning stage dev to artifact churn version v3.10.0" &&
	# deprecated artifacts, with a counter and in the simple form
	gto_tag "old-model@v1.0.0" $c1 2026-01-01T08:00:00Z "Registering artifact old-model version v1.0.0" &&
	gto_tag "old-model@deprecated#1" $c1 2026-01-01T08:30:00Z "Deprecating artifact old-model" &&
	gto_tag "legacy@v0.1.0" $c1 2026-01-01T08:01:00Z "Registering artifact legacy version v0.1.0" &&
	gto_tag "legacy@deprecated" $c1 2026-01-01T08:40:00Z "Deprecating artifact legacy" &&
	# registry-looking tags that break the format, beside a good one
	gto_tag "x@v1.0.0" $c1 2026-01-01T07:00:00Z "Registering artifact x version v1.0.0" &&
	gto_tag "x@vnot-semver" $c2 2026-01-01T07:01:00Z "not a version" &&
	gto_tag "x#prod#abc" $c2 2026-01-01T07:02:00Z "not a counter" &&
	gto_tag "x@v1.0!#9" $c2 2026-01-01T07:03:00Z "not semver either" &&
	# tags that are no registry tags at all
	gto_tag v1.2.3 $c2 2026-01-01T07:30:00Z "release 1.2.3" &&
	gto_tag release-123 $c3 2026-01-01T07:31:00Z "release 123" &&
	git tag nightly $c3 && git tag v2.0 $c1 && git tag awesome-model-v2 $c3 &&
	test "$(git tag -l | wc -l)" = 29
'

test_expect_success 'models: latest versions, stage holders, deprecation (text)' '
	cd r &&
	c1=$(cut -c1-12 ../c1) c2=$(cut -c1-12 ../c2) c3=$(cut -c1-12 ../c3) &&
	git mlv models >../out 2>../err &&
	grep -v "^ " ../out >../heads &&
	printf "%s\n" awesome-model churn "legacy [deprecated]" "old-model [deprecated]" x >../want &&
	test_cmp ../want ../heads &&
	sed -n "/^awesome-model$/,/^[^ ]/p" ../out | sed "\$d" >../am &&
	test_line_count = 4 ../am &&
	grep -qx "  latest     v0.1.0 $c2" ../am &&
	grep -qx "  prod       v0.1.0 $c2  since 2026-01-01T11:20:00+00:00 by C O Mitter" ../am &&
	grep -qx "  staging    v0.1.0 $c2  since 2026-01-01T11:10:00+00:00 by C O Mitter" ../am &&
	sed -n "/^churn$/,/^[^ ]/p" ../out | sed "\$d" >../churn &&
	test_line_count = 4 ../churn &&
	grep -qx "  latest     v3.10.0 $c3" ../churn &&
	grep -qx "  dev        v3.10.0 $c3  since 2026-01-01T09:15:00+00:00 by C O Mitter" ../churn &&
	grep -qx "  prod       v3.0.0 $c1  since 2026-01-01T09:10:00+00:00 by C O Mitter" ../churn &&
	sed -n "/^x$/,\$p" ../out >../x &&
	printf "x\n  latest     v1.0.0 %s\n" $c1 >../want &&
	test_cmp ../want ../x
'

test_expect_success 'models --format json: what GTO would show; path null without sidecars' '
	cd r &&
	git mlv models --format json >../m.json &&
	C1=$(cat ../c1) C2=$(cat ../c2) &&
	json_ok "
[m[\"name\"] for m in d[\"models\"]] == [\"awesome-model\", \"churn\", \"legacy\", \"old-model\", \"x\"]
and all(m[\"path\"] is None for m in d[\"models\"])
and [m[\"deprecated\"] for m in d[\"models\"]] == [False, False, True, True, False]
and [m[\"latest\"][\"version\"] for m in d[\"models\"]] == [\"0.1.0\", \"3.10.0\", \"0.1.0\", \"1.0.0\", \"1.0.0\"]
and d[\"models\"][0][\"latest\"][\"commit\"] == \"$C2\"
and d[\"models\"][0][\"latest\"][\"tag\"] == \"awesome-model@v0.1.0\"
and d[\"models\"][0][\"latest\"][\"metrics\"] == {}
and sorted(d[\"models\"][0][\"stages\"]) == [\"prod\", \"staging\"]
and d[\"models\"][0][\"stages\"][\"prod\"][\"version\"] == \"0.1.0\"
and d[\"models\"][0][\"stages\"][\"prod\"][\"tag\"] == \"awesome-model#prod#5\"
and d[\"models\"][0][\"stages\"][\"prod\"][\"commit\"] == \"$C2\"
and d[\"models\"][0][\"stages\"][\"prod\"][\"since\"] == \"2026-01-01T11:20:00+00:00\"
and d[\"models\"][0][\"stages\"][\"staging\"][\"tag\"] == \"awesome-model#staging#4\"
and d[\"models\"][1][\"stages\"][\"prod\"][\"version\"] == \"3.0.0\"
and d[\"models\"][1][\"stages\"][\"prod\"][\"tag\"] == \"churn#prod\"
and d[\"models\"][1][\"stages\"][\"prod\"][\"commit\"] == \"$C1\"
and d[\"models\"][1][\"stages\"][\"dev\"][\"version\"] == \"3.10.0\"
and d[\"models\"][4][\"stages\"] == {}
" <../m.json
'

test_expect_success 'models NAME: every version, deregistered ones marked and not latest' '
	cd r &&
	git mlv models awesome-model >../out &&
	grep "^  v" ../out | cut -c1-25 >../got &&
	printf "  v%-9s %s\n" 1.0.0 "$(cut -c1-12 ../c3)" 0.1.0 "$(cut -c1-12 ../c2)" \
		0.0.1 "$(cut -c1-12 ../c1)" >../want &&
	test_cmp ../want ../got &&
	grep -q "^  v1.0.0     .* \[deregistered\]$" ../out &&
	grep -q "^  v0.1.0     .* 2026-01-01T11:00:00+00:00 \[prod\] \[staging\]$" ../out &&
	grep -q "^  v0.0.1     .* \[deregistered\]$" ../out &&
	git mlv models awesome-model --format json | json_ok "
[(v[\"version\"], v[\"deregistered\"], v[\"stages\"]) for v in d[\"models\"][0][\"versions\"]] ==
    [(\"1.0.0\", True, []), (\"0.1.0\", False, [\"prod\", \"staging\"]), (\"0.0.1\", True, [])]
and d[\"models\"][0][\"latest\"][\"version\"] == \"0.1.0\"
" &&
	git mlv models churn --format json | json_ok "
[v[\"version\"] for v in d[\"models\"][0][\"versions\"]] == [\"3.10.0\", \"3.9.0\", \"3.0.0\"]
" &&
	test_must_fail git mlv models y 2>../err &&
	grep -q "no model .y. in the registry" ../err
'

test_expect_success 'registry log: every GTO event in order, text' '
	cd r &&
	git mlv registry log >../log &&
	test_line_count = 21 ../log &&
	sed "s/ at [0-9a-f]\{12\} by C O Mitter <committer@example.com>: .*//" ../log >../got &&
	cat >../want <<-\EOF &&
	2026-01-01T07:00:00+00:00 register   x v1.0.0
	2026-01-01T08:00:00+00:00 register   old-model v1.0.0
	2026-01-01T08:01:00+00:00 register   legacy v0.1.0
	2026-01-01T08:30:00+00:00 deprecate  old-model
	2026-01-01T08:40:00+00:00 deprecate  legacy
	2026-01-01T09:00:00+00:00 register   churn v3.0.0
	2026-01-01T09:05:00+00:00 register   churn v3.9.0
	2026-01-01T09:06:00+00:00 register   churn v3.10.0
	2026-01-01T09:10:00+00:00 assign     churn v3.0.0 to prod
	2026-01-01T09:15:00+00:00 assign     churn v3.10.0 to dev
	2026-01-01T10:00:00+00:00 register   awesome-model v0.0.1
	2026-01-01T10:10:00+00:00 assign     awesome-model v0.0.1 to prod
	2026-01-01T10:20:00+00:00 unassign   awesome-model v0.0.1 from prod
	2026-01-01T10:30:00+00:00 deregister awesome-model v0.0.1
	2026-01-01T11:00:00+00:00 register   awesome-model v0.1.0
	2026-01-01T11:10:00+00:00 assign     awesome-model v0.1.0 to staging
	2026-01-01T11:20:00+00:00 assign     awesome-model v0.1.0 to prod
	2026-01-01T12:00:00+00:00 register   awesome-model v1.0.0
	2026-01-01T12:10:00+00:00 deregister awesome-model v1.0.0
	2026-01-01T13:00:00+00:00 assign     awesome-model v0.1.0 to dev
	2026-01-01T13:00:00+00:00 unassign   awesome-model v0.1.0 from dev
	EOF
	test_cmp ../want ../got &&
	grep -q "^2026-01-01T10:20:00+00:00 unassign   awesome-model v0.0.1 from prod at $(cut -c1-12 ../c1) by C O Mitter <committer@example.com>: Unassigning stage prod from artifact awesome-model version v0.0.1$" ../log &&
	grep -q "^2026-01-01T08:30:00+00:00 deprecate  old-model at $(cut -c1-12 ../c1) by C O Mitter <committer@example.com>: Deprecating artifact old-model$" ../log &&
	! grep -q "v1.2.3\|release-123\|nightly\|not-semver\|abc" ../log
'

test_expect_success 'registry log --format json: tags, counters, taggers, messages' '
	cd r &&
	git mlv registry log --format json >../log.json &&
	json_ok "
len(d[\"events\"]) == 21 and d[\"as_of\"] is None and \"models\" not in d
and [e[\"tag\"] for e in d[\"events\"] if e[\"name\"] == \"awesome-model\"] == [
    \"awesome-model@v0.0.1\", \"awesome-model#prod#1\", \"awesome-model#prod!#2\",
    \"awesome-model@v0.0.1!#3\", \"awesome-model@v0.1.0\", \"awesome-model#staging#4\",
    \"awesome-model#prod#5\", \"awesome-model@v1.0.0\", \"awesome-model@v1.0.0!#6\",
    \"awesome-model#dev#7\", \"awesome-model#dev!#8\"]
and [e[\"event\"] for e in d[\"events\"] if e[\"name\"] == \"awesome-model\"] == [
    \"register\", \"assign\", \"unassign\", \"deregister\", \"register\", \"assign\",
    \"assign\", \"register\", \"deregister\", \"assign\", \"unassign\"]
and d[\"events\"][12] == {\"time\": \"2026-01-01T10:20:00+00:00\", \"event\": \"unassign\",
    \"name\": \"awesome-model\", \"version\": \"0.0.1\", \"stage\": \"prod\",
    \"commit\": open(\"../c1\").read().strip(), \"tag\": \"awesome-model#prod!#2\",
    \"tagger\": \"C O Mitter\", \"email\": \"committer@example.com\",
    \"message\": \"Unassigning stage prod from artifact awesome-model version v0.0.1\\n\"}
and [(e[\"event\"], e[\"version\"]) for e in d[\"events\"] if e[\"name\"] in (\"old-model\", \"legacy\")] ==
    [(\"register\", \"1.0.0\"), (\"register\", \"0.1.0\"), (\"deprecate\", None), (\"deprecate\", None)]
and [e[\"tag\"] for e in d[\"events\"] if e[\"name\"] == \"churn\"][3:] == [\"churn#prod\", \"churn#dev\"]
and not [e for e in d[\"events\"] if e[\"name\"] == \"x\" and e[\"tag\"] != \"x@v1.0.0\"]
" <../log.json &&
	git mlv registry log awesome-model --format json | json_ok "len(d[\"events\"]) == 11"
'

test_expect_success 'registry log --as-of: the state at each GTO boundary' '
	cd r &&
	at() {
		git mlv registry log awesome-model --as-of "$1" --format json | python3 -c "
import json, sys
d = json.load(sys.stdin)
if not d[\"models\"]:
    print(\"absent\")
else:
    m = d[\"models\"][0]
    print(m[\"latest\"][\"version\"] if m[\"latest\"] else \"none\",
          \",\".join(\"%s=%s\" % (s, v[\"version\"]) for s, v in sorted(m[\"stages\"].items())) or \"-\")"
	} &&
	test "$(at 2026-01-01T09:59:59Z)" = absent &&
	test "$(at 2026-01-01T10:00:00Z)" = "0.0.1 -" &&
	test "$(at 2026-01-01T10:10:00Z)" = "0.0.1 prod=0.0.1" &&
	test "$(at 2026-01-01T10:19:59Z)" = "0.0.1 prod=0.0.1" &&
	test "$(at 2026-01-01T10:20:00Z)" = "0.0.1 -" &&
	test "$(at 2026-01-01T10:30:00Z)" = "none -" &&
	test "$(at 2026-01-01T11:10:00Z)" = "0.1.0 staging=0.1.0" &&
	test "$(at 2026-01-01T11:20:00Z)" = "0.1.0 prod=0.1.0,staging=0.1.0" &&
	test "$(at 2026-01-01T12:00:00Z)" = "1.0.0 prod=0.1.0,staging=0.1.0" &&
	test "$(at 2026-01-01T12:10:00Z)" = "0.1.0 prod=0.1.0,staging=0.1.0" &&
	test "$(at 2026-01-01T13:00:00Z)" = "0.1.0 prod=0.1.0,staging=0.1.0" &&
	git mlv registry log --as-of 2026-01-01T08:35:00Z >../out &&
	sed -n "/^as of 2026-01-01T08:35:00Z:$/,\$p" ../out | grep -v "^ " >../got &&
	printf "%s\n" "as of 2026-01-01T08:35:00Z:" "legacy" "old-model [deprecated]" x >../want &&
	test_cmp ../want ../got
'

test_expect_success 'mlv continues a GTO history: the next counter, GTO format' '
	cd r &&
	git mlv assign awesome-model 0.1.0 --stage dev >../out &&
	grep -q "^Created tag .awesome-model#dev#9. on $(cut -c1-12 ../c2)$" ../out &&
	test "$(git cat-file -t "awesome-model#dev#9")" = tag &&
	git mlv unassign churn --stage prod >/dev/null &&
	git tag -l "churn#*" | sort >../got &&
	printf "%s\n" "churn#dev" "churn#prod" "churn#prod!#1" >../want &&
	test_cmp ../want ../got &&
	git mlv models --format json | json_ok "
d[\"models\"][0][\"stages\"][\"dev\"][\"tag\"] == \"awesome-model#dev#9\"
and \"prod\" not in d[\"models\"][1][\"stages\"] and \"dev\" in d[\"models\"][1][\"stages\"]
"
'

# GTO keeps a stage per version (gto/base.py, Artifact.get_vstages: of the
# active versions whose own last event for the stage is an assign, the one
# assigned last): unassigning the newest holder, or deregistering it, hands
# the stage back to the version assigned before. mlv reads it the same
# way (lineage/registry.c, settle_stages).
test_expect_success 'setup: a stage handed back by an unassign and a deregister' '
	git init -q fb && cd fb &&
	git commit -q --allow-empty -m 1 && git commit -q --allow-empty -m 2 &&
	git commit -q --allow-empty -m 3 &&
	gto_tag "m@v1.0.0" HEAD~2 2026-01-01T10:00:00Z "Registering artifact m version v1.0.0" &&
	gto_tag "m@v2.0.0" HEAD~1 2026-01-01T10:01:00Z "Registering artifact m version v2.0.0" &&
	gto_tag "m@v3.0.0" HEAD 2026-01-01T10:02:00Z "Registering artifact m version v3.0.0" &&
	gto_tag "m#prod#1" HEAD~2 2026-01-01T10:03:00Z "Assigning stage prod to artifact m version v1.0.0" &&
	gto_tag "m#prod#2" HEAD~1 2026-01-01T10:04:00Z "Assigning stage prod to artifact m version v2.0.0" &&
	gto_tag "m#prod!#3" HEAD~1 2026-01-01T10:05:00Z "Unassigning stage prod from artifact m version v2.0.0" &&
	gto_tag "m#staging#4" HEAD~2 2026-01-01T10:06:00Z "Assigning stage staging to artifact m version v1.0.0" &&
	gto_tag "m#staging#5" HEAD 2026-01-01T10:07:00Z "Assigning stage staging to artifact m version v3.0.0" &&
	gto_tag "m@v3.0.0!#6" HEAD 2026-01-01T10:08:00Z "Deregistering artifact m version v3.0.0"
'

gto_fallback() {
	cd "$TRASH/fb" &&
	git mlv models --format json | json_ok "
d['models'][0]['latest']['version'] == '2.0.0'
and {s: v['version'] for s, v in d['models'][0]['stages'].items()} == {'prod': '1.0.0', 'staging': '1.0.0'}
"
}
test_expect_success 'the stage goes back to the version assigned before, as in GTO' 'gto_fallback'

test_done
