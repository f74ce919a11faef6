#!/usr/bin/env bash
# Check the direction of every `#include "mlv/..."` in the tree against the
# layout in docs/architecture.md.
#
#   tests/check-layout.sh [ROOT]     (default: the tree this script is in)
#
# A module's folder is the "### `folder/`" section of docs/architecture.md
# whose table lists its header. A file in folder F may include the modules
# of the folders `uses` below names for F. Prints one line per problem,
# naming the file (and line) and the header, and exits 1 if there was any.
set -u
root=${1:-"$(dirname "$0")/.."}
cd "$root" || exit 2
doc=docs/architecture.md
[ -f "$doc" ] || { echo "check-layout: no $doc in $PWD" >&2; exit 2; }

# What each folder may include, as in the issue that set the layout: the
# folders whose modules it may use, or folder:module for one module only.
# commands/, tests/ and bench/ may include everything.
uses='
lib            lib
filter         lib filter remote-helper:lazy
hooks          lib hooks
remote-helper  lib hooks lineage remote-helper
lineage        lib hooks lineage
commands       *
tests          *
bench          *
'

files=$(find lib filter hooks remote-helper lineage commands include/mlv tests bench \
	-type f \( -name '*.c' -o -name '*.h' \) 2>/dev/null | LC_ALL=C sort)
headers=$(cd include/mlv && ls ./*.h 2>/dev/null | sed 's|^\./||')

# shellcheck disable=SC2086
printf '%s\n' "$files" | LC_ALL=C awk -v uses="$uses" -v headers="$headers" -v doc="$doc" '
function folder_of_file(f,   parts) {
	if (index(f, "include/mlv/") == 1)
		return (substr(f, 13) in home) ? home[substr(f, 13)] : ""
	split(f, parts, "/")
	return parts[1]
}
function may_use(from, h,   list, n, i) {
	if (!(from in rule))
		return 0
	n = split(rule[from], list, " ")
	for (i = 1; i <= n; i++) {
		if (list[i] == "*" || list[i] == home[h])
			return 1
		if (list[i] == home[h] ":" substr(h, 1, length(h) - 2))
			return 1
	}
	return 0
}
function readable(list,   w, n, i, out) {
	n = split(list, w, " ")
	out = ""
	for (i = 1; i <= n; i++) {
		if (w[i] ~ /:/)
			w[i] = substr(w[i], 1, index(w[i], ":") - 1) "/\047s " substr(w[i], index(w[i], ":") + 1) ".h"
		else
			w[i] = w[i] "/"
		out = out (i > 1 ? ", " : "") w[i]
	}
	return out
}
function problem(msg) {
	print msg
	bad++
}
BEGIN {
	n = split(uses, lines, "\n")
	for (i = 1; i <= n; i++) {
		if (split(lines[i], w, " ") < 2)
			continue
		r = lines[i]
		sub(/^[ \t]*[^ \t]+[ \t]+/, "", r)
		rule[w[1]] = r
	}
	# The module tables: "### `folder/`..." opens a folder, "## " ends them.
	folder = ""
	while ((getline line < doc) > 0) {
		if (line ~ /^### `[a-z-]+\/`/) {
			folder = substr(line, 6)
			folder = substr(folder, 1, index(folder, "/") - 1)
			listed[folder] = 1
		} else if (line ~ /^## /) {
			folder = ""
		} else if (folder != "" && line ~ /^\| *[a-z0-9_]+ *\| *`[a-z0-9_]+\.h` *\|/) {
			h = line
			sub(/^\| *[a-z0-9_]+ *\| *`/, "", h)
			sub(/`.*/, "", h)
			if (h in home)
				problem(doc ": mlv/" h " is listed under both " home[h] "/ and " folder "/")
			home[h] = folder
		}
	}
	close(doc)
	for (f in rule)
		if (rule[f] != "*" && !(f in listed))
			problem(doc ": no \"### `" f "/`\" section for the folder " f "/")
	n = split(headers, hs, "\n")
	for (i = 1; i <= n; i++) {
		present[hs[i]] = 1
		if (!(hs[i] in home))
			problem("include/mlv/" hs[i] ": no module table of " doc " lists it; add it under its folder")
	}
	for (h in home)
		if (!(h in present))
			problem(doc ": lists mlv/" h ", which is not in include/mlv/")
}
{
	file = $0
	from = folder_of_file(file)
	# A source file of a library folder implements the module its name
	# says (backend_s3.c implements backend.h): that module must be listed
	# in the same folder.
	if (file ~ /^(lib|filter|hooks|remote-helper|lineage)\/[^\/]*\.c$/) {
		base = substr(file, index(file, "/") + 1)
		sub(/\.c$/, "", base)
		own = base ".h"
		if (!(own in home) && index(base, "_") > 0)
			own = substr(base, 1, index(base, "_") - 1) ".h"
		if ((own in home) && home[own] != from)
			problem(file ": implements mlv/" own ", which " doc " places in " home[own] "/; move one of them")
	}
	ln = 0
	while ((getline line < file) > 0) {
		ln++
		if (line !~ /^[ \t]*#[ \t]*include[ \t]*["<]mlv\//)
			continue
		h = line
		sub(/^[ \t]*#[ \t]*include[ \t]*["<]mlv\//, "", h)
		sub(/[">].*/, "", h)
		if (!(h in home)) {
			if (!(h in present))
				problem(file ":" ln ": includes mlv/" h ", which does not exist")
			continue  # unlisted: reported once above
		}
		if (from == "")
			continue  # an unlisted header: reported above
		if (!may_use(from, h))
			problem(file ":" ln ": includes mlv/" h " (" home[h] "/), but " from "/ may use only " readable(rule[from]))
	}
	close(file)
}
END { exit bad > 0 }
'
