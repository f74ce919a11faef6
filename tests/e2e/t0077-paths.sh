#!/usr/bin/env bash
# git mlv status PATH... and ls-files PATH... show only those files (paths
# literal and relative to where the command runs, --glob or :(glob) for
# patterns), and status lists the untracked files a tracked pattern
# covers, with the `git add` to paste, quoted so that it adds that file.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: tracked files in two directories, untracked ones' '
	test_repo r && cd r &&
	mkdir -p data/train data/test models &&
	test_random_file data/train/a.bin 300 a &&
	test_random_file data/test/b.bin 300 b &&
	test_random_file models/m.onnx 300 m &&
	test_random_file "models/-odd [1].bin" 300 o &&
	git add data models && git commit -qm files --no-verify &&
	test_random_file "data/new it'\''s.bin" 300 n &&
	test_random_file "data/nl
name.bin" 300 l &&
	test_random_file "data/*.bin" 300 s &&
	test_random_file data/notes.txt 30 t &&
	test_random_file data/ignored.bin 300 i &&
	echo ignored.bin >data/.gitignore
'

test_expect_success 'ls-files PATH: only the files under that directory' '
	cd r &&
	git mlv ls-files data/train >../out &&
	test_line_count = 1 ../out && grep -q " data/train/a.bin$" ../out &&
	git mlv ls-files data models/m.onnx >../out &&
	test_line_count = 3 ../out && ! grep -q "odd" ../out
'

test_expect_success 'ls-files: paths are relative to the current directory' '
	cd r/data &&
	git mlv ls-files train ../models >../../out &&
	test_line_count = 3 ../../out &&
	grep -q " data/train/a.bin$" ../../out && ! grep -q "data/test" ../../out
'

test_expect_success 'ls-files: a path is literal unless --glob or :(glob)' '
	cd r &&
	git mlv ls-files "models/*.onnx" >../out && test_must_be_empty ../out &&
	git mlv ls-files --glob "models/*.onnx" >../out &&
	test_line_count = 1 ../out && grep -q " models/m.onnx$" ../out &&
	git mlv ls-files ":(glob)**/*.bin" >../out && test_line_count = 3 ../out &&
	git mlv ls-files -- "models/-odd [1].bin" >../out &&
	test_line_count = 1 ../out
'

test_expect_success 'ls-files: a path outside the work tree is an error' '
	cd r &&
	test_must_fail git mlv ls-files ../elsewhere 2>../err &&
	grep -q "outside the work tree" ../err
'

test_expect_success 'ls-files --json PATH: the same filter, the schema holds' '
	cd r &&
	git mlv ls-files --json data >../l.json &&
	check_schema ls-files ../l.json &&
	python3 -c "
import json
l = json.load(open(\"../l.json\"))
assert sorted(f[\"path\"] for f in l) == [\"data/test/b.bin\", \"data/train/a.bin\"], l"
'

test_expect_success 'status lists the untracked files mlv will store, not the others' '
	cd r &&
	git mlv status >../s.txt &&
	grep -q "^untracked *data/new it'\''s.bin " ../s.txt &&
	grep -qF "untracked     data/nl\x0aname.bin " ../s.txt &&
	grep -qF "untracked     data/*.bin " ../s.txt &&
	! grep -q "notes.txt" ../s.txt &&
	! grep -q "ignored.bin" ../s.txt &&
	grep -q "^4 materialized, 0 pointer only, 0 modified, 0 missing, 3 untracked$" ../s.txt
'

test_expect_success 'status: the printed git add adds exactly that file' '
	cd r &&
	git mlv status >../s.txt &&
	hint=$(sed -n "s/^untracked *data\/\*\.bin  (stored by mlv when added: \(.*\))$/\1/p" ../s.txt) &&
	test -n "$hint" &&
	eval "$hint" &&
	git diff --cached --name-only >../staged &&
	test_line_count = 1 ../staged && grep -qxF "data/*.bin" ../staged &&
	git cat-file -p ":data/*.bin" | grep -q "^oid sha256:" &&
	git reset -q
'

test_expect_success 'status from a subdirectory: the hint still names that file' '
	cd r/models &&
	git mlv status >../../s.txt &&
	hint=$(sed -n "s/^untracked *data\/new it.s\.bin  (stored by mlv when added: \(.*\))$/\1/p" ../../s.txt) &&
	case "$hint" in *":(top,literal)"*) ;; *) false ;; esac &&
	eval "$hint" &&
	git diff --cached --name-only >../../staged &&
	test_line_count = 1 ../../staged && grep -qxF "data/new it'\''s.bin" ../../staged &&
	git reset -q
'

test_expect_success 'status PATH: only those files, untracked ones included' '
	cd r &&
	git mlv status data/train >../s.txt &&
	grep -q "data/train/a.bin" ../s.txt && ! grep -q "data/test" ../s.txt &&
	! grep -q "^untracked" ../s.txt &&
	grep -q "^1 materialized, 0 pointer only, 0 modified, 0 missing$" ../s.txt &&
	git mlv status --glob "data/*s.bin" >../s.txt &&
	grep -q "^untracked *data/new it" ../s.txt &&
	grep -q ", 1 untracked$" ../s.txt
'

test_expect_success 'status --json: untracked paths exact, the schema holds' '
	cd r &&
	git mlv status --json >../s.json &&
	check_schema status ../s.json &&
	python3 - ../s.json <<-\PY
	import json, sys
	s = json.load(open(sys.argv[1]))
	assert sorted(s["untracked"]) == ["data/*.bin", "data/new it'"'"'s.bin",
	                                  "data/nl\nname.bin"], s
	assert s["counts"]["untracked"] == 3 and s["counts"]["materialized"] == 4, s
	PY
'

test_done
