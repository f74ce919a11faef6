# The remote suite: push, clone, lazy fetch, concurrency and faults against
# one store. Sourced by t0040-remote-file.sh (file://), t0041-remote-radosgw.sh
# and t0042-remote-moto.sh (s3:// on a real server on loopback), after lib.sh
# and after they define:
#
#   STORE_URL             where the store is (file:///... or s3://bucket/prefix)
#   STORE_KIND            file | radosgw | moto
#   store_get KEY FILE    copy an object of the store to FILE (fails if absent)
#   store_put FILE KEY    overwrite an object of the store with FILE
#   store_has KEY         exit 0 when KEY exists

# The store key of an mlv object.
obj_key() {
	echo "objects/$(echo "$1" | cut -c1-2)/$(echo "$1" | cut -c3-4)/$1"
}

# What the manifest says ref $1 points at.
manifest_ref() {
	store_get git/refs "$TRASH/manifest.tmp" &&
	awk -v r="$1" '$1 != "head" && $1 != "pack" && $2 == r { print $1 }' "$TRASH/manifest.tmp"
}

test_expect_success 'setup: a repo with models and data, an mlv:: remote' '
	test_repo src && cd src &&
	test_random_file a.bin 300000 a &&
	test_random_file b.bin 200000 b &&
	mkdir data && test_random_file data/train.bin 100000 t &&
	echo "code" >train.py &&
	git add . && git commit -qm "first models" &&
	git remote add origin "mlv::$STORE_URL"
'

test_expect_success 'git push puts objects, a pack and the manifest in the store' '
	cd src &&
	git push -q origin main 2>../err &&
	for f in a.bin b.bin data/train.bin; do
		store_has "$(obj_key "$(test_pointer_oid $f HEAD)")" || return 1
	done &&
	test "$(manifest_ref refs/heads/main)" = "$(git rev-parse HEAD)" &&
	grep -q "^head refs/heads/main$" ../manifest.tmp &&
	grep -q "^pack [0-9a-f]\{64\}$" ../manifest.tmp
'

test_expect_success 'an independent reader gets a pushed object back by its oid' '
	cd src &&
	oid=$(test_pointer_oid a.bin HEAD) &&
	store_get "$(obj_key $oid)" ../a.back &&
	cmp ../a.back a.bin
'

test_expect_success 'git clone brings history and the files, byte for byte' '
	git clone -q "mlv::$STORE_URL" c1 2>err &&
	cd c1 &&
	test "$(git rev-parse HEAD)" = "$(git -C ../src rev-parse HEAD)" &&
	test "$(git symbolic-ref HEAD)" = refs/heads/main &&
	cmp a.bin ../src/a.bin && cmp b.bin ../src/b.bin &&
	cmp data/train.bin ../src/data/train.bin &&
	test -z "$(git status --porcelain)"
'

test_expect_success 'the single-file smudge filter fetches lazily too' '
	printf "[filter \"mlv\"]\n\tclean = git-mlv clean -- %%f\n\tsmudge = git-mlv smudge -- %%f\n\trequired = true\n" >single.cfg &&
	GIT_CONFIG_GLOBAL="$TRASH/single.cfg" git clone -q "mlv::$STORE_URL" cs1 2>err &&
	cmp cs1/a.bin src/a.bin && cmp cs1/data/train.bin src/data/train.bin &&
	GIT_CONFIG_GLOBAL="$TRASH/single.cfg" git -c mlv.fetchexclude=b.bin \
		clone -q "mlv::$STORE_URL" cs2 2>err &&
	head -1 cs2/b.bin | grep -q "^version https://git-lfs" && cmp cs2/a.bin src/a.bin
'

test_expect_success 'a lazy clone fetches only what mlv.fetchinclude names' '
	git -c mlv.fetchinclude="a.bin" clone -q "mlv::$STORE_URL" c2 2>err &&
	cd c2 &&
	cmp a.bin ../src/a.bin &&
	git mlv pointer --file b.bin >/dev/null 2>&1 || true &&
	head -1 b.bin | grep -q "^version https://git-lfs.github.com/spec/v1" &&
	head -1 data/train.bin | grep -q "^version https://git-lfs.github.com/spec/v1" &&
	test "$(find .git/mlv/objects -type f | wc -l)" = 1 &&
	test "$(find .git/mlv/objects -type f -printf "%s\n")" = 300000 &&
	git mlv fsck >../fsck.out &&
	grep -q "^2 objects not fetched" ../fsck.out
'

test_expect_success 'git mlv fetch --include and git mlv pull bring the rest' '
	cd c2 &&
	git mlv fetch --include="data/" &&
	test "$(find .git/mlv/objects -type f | wc -l)" = 2 &&
	head -1 data/train.bin | grep -q "^version https://git-lfs.github.com/spec/v1" &&
	git mlv pull --include="*" --quiet &&
	cmp b.bin ../src/b.bin && cmp data/train.bin ../src/data/train.bin &&
	test -z "$(git status --porcelain)"
'

test_expect_success 'a second push uploads only the new object' '
	cd src &&
	test_random_file c.bin 50000 c &&
	git add c.bin && git commit -qm "c" &&
	MLV_TRACE="$TRASH/push2.trace" git push -q origin main 2>../err &&
	test "$(grep -c "transfer: upload .*: done" ../push2.trace)" = 1 &&
	grep -q "transfer: upload $(test_pointer_oid c.bin HEAD): done" ../push2.trace &&
	test "$(manifest_ref refs/heads/main)" = "$(git rev-parse HEAD)"
'

test_expect_success 'git pull in a clone fetches the new commit and its file' '
	cd c1 &&
	git pull -q 2>../err &&
	cmp c.bin ../src/c.bin
'

test_expect_success 'a non-fast-forward push is refused; a force push with + is not' '
	cd c1 &&
	git reset -q --hard HEAD~1 &&
	echo other >other.txt && git add other.txt && git commit -qm other &&
	test_must_fail git push -q origin main 2>../err &&
	grep -q "rejected" ../err &&
	test "$(manifest_ref refs/heads/main)" = "$(git -C ../src rev-parse HEAD)" &&
	git push -q origin +main 2>../err &&
	test "$(manifest_ref refs/heads/main)" = "$(git rev-parse HEAD)" &&
	git push -q origin +$(git -C ../src rev-parse HEAD):refs/heads/main 2>../err
'

test_expect_success 'branches and tags are pushed, listed and deleted' '
	cd src &&
	git branch side && git tag -a v1 -m "release 1" &&
	git push -q origin side v1 2>../err &&
	git ls-remote origin >../refs &&
	grep -q "refs/heads/side$" ../refs && grep -q "refs/tags/v1$" ../refs &&
	test "$(manifest_ref refs/tags/v1)" = "$(git rev-parse v1)" &&
	git push -q origin :side 2>../err &&
	! git ls-remote origin | grep -q "refs/heads/side$" &&
	git ls-remote origin | grep -q "refs/heads/main$"
'

test_expect_success 'the clone default branch is the store head, not the first ref' '
	cd src &&
	git push -q origin main:refs/heads/aaa 2>../err &&
	git clone -q "mlv::$STORE_URL" ../c3 2>../err &&
	test "$(git -C ../c3 symbolic-ref HEAD)" = refs/heads/main
'

test_expect_success 'a push whose commit breaks the lineage policy is refused, naming it' '
	cd src &&
	git mlv track --model "*.onnx" >/dev/null && git add .gitattributes &&
	git commit -qm "models are models" &&
	test_random_file m.onnx 1000 m &&
	git add m.onnx && git commit -q --no-verify -m "model without sidecar" &&
	bad=$(git rev-parse --short=12 HEAD) &&
	test_must_fail git push -q origin main 2>../err &&
	grep -q "$bad" ../err && grep -q "policy" ../err &&
	test "$(manifest_ref refs/heads/main)" = "$(git rev-parse HEAD~2)" &&
	git reset -q --hard HEAD~1 && git push -q origin main 2>../err
'

test_expect_success 'two concurrent pushes of divergent commits: one wins, none is lost' '
	git clone -q "mlv::$STORE_URL" p1 2>err && git clone -q "mlv::$STORE_URL" p2 2>err &&
	for round in 1 2 3 4 5 6; do
		(cd p1 && git pull -q --rebase 2>/dev/null; echo "p1 $round" >p1.txt &&
		 git add p1.txt && git commit -qm "p1 $round") &&
		(cd p2 && git pull -q --rebase 2>/dev/null; echo "p2 $round" >p2.txt &&
		 git add p2.txt && git commit -qm "p2 $round") &&
		{ (cd p1 && git push -q origin main 2>"$TRASH/e1"; echo $? >"$TRASH/r1") &
		  (cd p2 && git push -q origin main 2>"$TRASH/e2"; echo $? >"$TRASH/r2") &
		  wait; } &&
		r1=$(cat r1) && r2=$(cat r2) &&
		now=$(manifest_ref refs/heads/main) &&
		if [ "$r1" = 0 ] && [ "$r2" = 0 ]; then
			# both accepted only if one built on the other
			git -C p1 fetch -q origin && git -C p1 merge-base --is-ancestor \
				"$(git -C p1 rev-parse main)" "$now" &&
			git -C p2 fetch -q origin && git -C p2 merge-base --is-ancestor \
				"$(git -C p2 rev-parse main)" "$now" || return 1
		elif [ "$r1" = 0 ]; then
			test "$now" = "$(git -C p1 rev-parse main)" || return 1
			grep -q "fetch first\|non-fast-forward\|rejected" e2 || return 1
		elif [ "$r2" = 0 ]; then
			test "$now" = "$(git -C p2 rev-parse main)" || return 1
			grep -q "fetch first\|non-fast-forward\|rejected" e1 || return 1
		else
			echo "round $round: neither push accepted"; cat e1 e2; return 1
		fi
	done
'

test_expect_success 'kill -9 of a push at random points: the store stays whole, a rerun completes' '
	cd src && git pull -q --ff-only origin main 2>../err &&
	for i in 1 2 3 4 5; do
		test_random_file k$i.bin 3000000 k$i &&
		git add k$i.bin && git commit -qm "k$i" &&
		{ git push -q origin main 2>/dev/null & } &&
		pid=$! &&
		sleep 0.$((RANDOM % 4)) &&
		# kill only the push of this script: others run beside it
		pkill -9 -f "git-remote-mlv origin $STORE_URL" ; kill -9 $pid 2>/dev/null;
		wait $pid;
		sleep 0.2 &&
		ref=$(manifest_ref refs/heads/main) &&
		git cat-file -e "$ref" &&
		git push -q origin main 2>../err || { cat ../err; return 1; }
		test "$(manifest_ref refs/heads/main)" = "$(git rev-parse HEAD)" || return 1
	done &&
	rm -rf ../ck && git clone -q "mlv::$STORE_URL" ../ck 2>../err &&
	for i in 1 2 3 4 5; do cmp ../ck/k$i.bin k$i.bin || return 1; done
'

test_expect_success 'a corrupt object in the store never reaches the work tree' '
	cd src &&
	test_random_file bad.bin 70000 bad && git add bad.bin && git commit -qm bad &&
	git push -q origin main 2>../err &&
	oid=$(test_pointer_oid bad.bin HEAD) &&
	test_random_file ../wrong 70000 wrong && store_put ../wrong "$(obj_key $oid)" &&
	cd .. && test_must_fail git clone -q "mlv::$STORE_URL" cbad 2>err &&
	grep "bad.bin" err | grep -q "$oid" &&
	! cmp -s cbad/bad.bin wrong &&
	test ! -e cbad/.git/mlv/objects/$(echo $oid | cut -c1-2)/$(echo $oid | cut -c3-4)/$oid &&
	store_put src/bad.bin "$(obj_key $oid)"
'

# Objects of MLV_LAZY_STREAM_MIN (32 MiB) and more: a fresh clone downloads
# them beside git into the work tree and the local store at once.
BIG_BYTES=$((33 * 1024 * 1024))

test_expect_success 'a fresh clone gets a large file whole, with its mode, and a clean index' '
	cd src &&
	test_random_file big.bin $BIG_BYTES big && chmod +x big.bin &&
	git add big.bin && git commit -qm big && git push -q origin main 2>../err &&
	oid=$(test_pointer_oid big.bin HEAD) &&
	cd .. && MLV_TRACE="$TRASH/big.trace" git clone -q "mlv::$STORE_URL" cbig 2>err &&
	grep -q "big.bin. deferred" big.trace &&
	cmp cbig/big.bin src/big.bin && test -x cbig/big.bin &&
	cd cbig &&
	test "$(git ls-files --debug big.bin | sed -n "s/^ *size: \([0-9]*\).*/\1/p")" = $BIG_BYTES &&
	git diff-files --quiet && git diff-index --quiet HEAD &&
	test -z "$(git status --porcelain)" &&
	cmp "$(test_store_path $oid)" ../src/big.bin &&
	test -z "$(ls .git/mlv/tmp)" &&
	git mlv fsck >../fsck-big.out
'

test_expect_success 'a large file in a later checkout still comes through git' '
	cd cbig &&
	oid=$(test_pointer_oid big.bin HEAD) &&
	rm -f "$(test_store_path $oid)" big.bin &&
	MLV_TRACE="$TRASH/big2.trace" git checkout -- big.bin 2>../err &&
	! grep -q "deferred" ../big2.trace &&
	cmp big.bin ../src/big.bin && test -z "$(git status --porcelain)"
'

test_expect_success 'git worktree add downloads a large file beside git, into its own index' '
	cd cbig &&
	oid=$(test_pointer_oid big.bin HEAD) &&
	rm -f "$(test_store_path $oid)" &&
	MLV_TRACE="$TRASH/wt.trace" git worktree add -q ../wtbig HEAD 2>../err &&
	grep -q "big.bin. deferred" ../wt.trace &&
	cd ../wtbig && cmp big.bin ../src/big.bin &&
	git diff-files --quiet && test -z "$(git status --porcelain)" &&
	cd ../cbig && git diff-files --quiet
'

test_expect_success 'recording a file in the index leaves the racily clean entries of others alone' '
	cd cbig &&
	touch -d "+1 hour" a.bin && git update-index -q --refresh &&
	git diff-files --quiet &&
	rm big.bin && MLV_SKIP_SMUDGE=1 git checkout -- big.bin &&
	head -1 big.bin | grep -q "^version https://git-lfs" &&
	git mlv checkout big.bin &&
	cmp big.bin ../src/big.bin &&
	git diff-files --quiet && git diff-index --quiet HEAD
'

test_expect_success 'a corrupt large object fails the fresh clone and never reaches the work tree' '
	oid=$(cd src && test_pointer_oid big.bin HEAD) &&
	test_random_file wrongbig $BIG_BYTES wrongbig && store_put wrongbig "$(obj_key $oid)" &&
	test_must_fail git clone -q "mlv::$STORE_URL" cbigbad 2>err &&
	grep "big.bin" err | grep -q "$oid" &&
	test "$(grep -o "is corrupt" err | wc -l)" = 1 &&
	test ! -e cbigbad/big.bin &&
	test ! -e cbigbad/.git/mlv/objects/$(echo $oid | cut -c1-2)/$(echo $oid | cut -c3-4)/$oid &&
	test -z "$(ls cbigbad/.git/mlv/tmp)" &&
	git -c mlv.skipdownloaderrors=true clone -q "mlv::$STORE_URL" cbigskip 2>err2 &&
	grep -q "big.bin" err2 &&
	head -1 cbigskip/big.bin | grep -q "^version https://git-lfs" &&
	(cd cbigskip && test -z "$(git status --porcelain)") &&
	store_put src/big.bin "$(obj_key $oid)"
'

test_expect_success 'an interrupted download resumes from what incomplete/ holds' '
	git init -q cr && cd cr && git remote add origin "mlv::$STORE_URL" &&
	git fetch -q origin 2>../err &&
	oid=$(git cat-file -p origin/main:a.bin | sed -n "s/^oid sha256://p") &&
	mkdir -p .git/mlv/incomplete && head -c 123456 ../src/a.bin >.git/mlv/incomplete/$oid &&
	MLV_TRACE="$TRASH/resume.trace" git checkout -q -b main origin/main 2>../err &&
	cmp a.bin ../src/a.bin &&
	grep -q "download $oid from byte 123456" ../resume.trace &&
	test ! -e .git/mlv/incomplete/$oid
'

test_expect_success 'stale bytes in incomplete/ are thrown away, not trusted' '
	git init -q cs && cd cs && git remote add origin "mlv::$STORE_URL" &&
	git fetch -q origin 2>../err &&
	oid=$(git cat-file -p origin/main:a.bin | sed -n "s/^oid sha256://p") &&
	mkdir -p .git/mlv/incomplete && head -c 5000 ../wrong >.git/mlv/incomplete/$oid &&
	git checkout -q -b main origin/main 2>../err &&
	cmp a.bin ../src/a.bin
'

test_expect_success 'fsck removes old partial downloads, keeps recent ones for a resume' '
	cd cs &&
	d=.git/mlv/incomplete &&
	: >$d/empty && touch -d "2 hours ago" $d/empty &&
	echo part >$d/old && touch -d "8 days ago" $d/old &&
	echo part >$d/recent && touch -d "2 hours ago" $d/recent &&
	git mlv fsck >../fsck2.out &&
	test ! -e $d/empty && test ! -e $d/old && test -e $d/recent &&
	grep -q "removed 2 temporary files" ../fsck2.out
'

test_expect_success 'an ordinary git remote with remote.<name>.mlvstore: pre-push uploads' '
	git init -q --bare plain.git &&
	test_repo pl && cd pl &&
	git remote add origin ../plain.git &&
	git config remote.origin.mlvstore "$STORE_URL/plain" &&
	test_random_file p.bin 40000 p && git add p.bin && git commit -qm p &&
	git checkout -q -b unpushed && test_random_file u.bin 40000 u &&
	git add u.bin && git commit -qm u && git checkout -q main &&
	git push -q origin main 2>../err &&
	store_has "plain/$(obj_key "$(test_pointer_oid p.bin main)")" &&
	! store_has "plain/$(obj_key "$(test_pointer_oid u.bin unpushed)")" &&
	cd .. && git clone -q -c remote.origin.mlvstore="$STORE_URL/plain" plain.git pc 2>err &&
	cmp pc/p.bin pl/p.bin
'

test_expect_success 'without a store for that remote, a push with mlv objects is refused' '
	git init -q --bare nostore.git &&
	cd pl && git remote add nostore ../nostore.git &&
	test_must_fail git push -q nostore main 2>../err &&
	grep -q "mlvstore" ../err &&
	test -z "$(git -C ../nostore.git for-each-ref)"
'

test_expect_success '[store] url in a committed .mlvconfig names the store for clones' '
	cd pl &&
	printf "[store]\n\turl = %s\n" "$STORE_URL/plain" >.mlvconfig &&
	git add .mlvconfig && git commit -qm "store" &&
	git config --unset remote.origin.mlvstore &&
	git push -q origin main 2>../err &&
	cd .. && git clone -q plain.git pc2 2>err &&
	cmp pc2/p.bin pl/p.bin
'

test_expect_success 'git mlv push --all and --object upload to the store' '
	cd pl &&
	git config remote.origin.mlvstore "$STORE_URL/plain2" &&
	git mlv push --all --quiet &&
	store_has "plain2/$(obj_key "$(test_pointer_oid u.bin unpushed)")" &&
	test_random_file o.bin 1000 o && oid=$(git mlv pointer --file o.bin | sed -n "s/^oid sha256://p") &&
	git add o.bin &&
	git mlv push --object "$oid" --quiet >/dev/null &&
	store_has "plain2/$(obj_key $oid)" &&
	git reset -q o.bin
'

test_expect_success 'a missing object fails the checkout of that file; skipdownloaderrors leaves a pointer' '
	cd pl &&
	test_random_file gone.bin 1000 gone && git add gone.bin && git commit -qm gone &&
	git push -q --no-verify origin main 2>../err &&
	cd .. && test_must_fail git clone -q plain.git pg 2>err &&
	grep "gone.bin" err | grep -q "not in" &&
	git -c mlv.skipdownloaderrors=true clone -q plain.git pg2 2>err2 &&
	head -1 pg2/gone.bin | grep -q "^version https://git-lfs" &&
	cmp pg2/p.bin pl/p.bin &&
	grep -q "gone.bin" err2
'

# The ref manifest is sealed by its end line: damage is an error, never a
# smaller set of refs.
test_expect_success 'a push seals the manifest with the SHA-256 of what comes before' '
	cd src && git push -q "mlv::$STORE_URL/sealed" main 2>../err &&
	cd .. && store_get sealed/git/refs sealed.refs &&
	tail -1 sealed.refs | grep -q "^end [0-9a-f]\{64\}$" &&
	test "$(head -n -1 sealed.refs | sha256sum | cut -d" " -f1)" = \
		"$(tail -1 sealed.refs | cut -d" " -f2)"
'

test_expect_success 'a truncated manifest fails clone and push, naming the store and git/refs' '
	head -c -3 sealed.refs >cut.refs && store_put cut.refs sealed/git/refs &&
	test_must_fail git clone -q "mlv::$STORE_URL/sealed" cut1 2>err &&
	grep -F "$STORE_URL/sealed/git/refs" err &&
	grep -q "truncated" err &&
	! test -d cut1 &&
	(cd src && test_must_fail git push -q "mlv::$STORE_URL/sealed" main:refs/heads/other 2>../err) &&
	grep -F "sealed/git/refs" err &&
	store_get sealed/git/refs now.refs && cmp now.refs cut.refs
'

test_expect_success 'a manifest with a byte changed is refused at its end line' '
	sed "s|refs/heads/main$|refs/heads/mair|" sealed.refs >flip.refs &&
	! cmp -s flip.refs sealed.refs &&
	store_put flip.refs sealed/git/refs &&
	test_must_fail git ls-remote "mlv::$STORE_URL/sealed" 2>err &&
	grep -q "end line does not match" err
'

test_expect_success 'a manifest without an end line (older mlv) is read with a warning; the next push seals it' '
	head -n -1 sealed.refs >old.refs && store_put old.refs sealed/git/refs &&
	git clone -q "mlv::$STORE_URL/sealed" old1 2>err &&
	grep -q "^warning: .*sealed/git/refs has no end line" err &&
	cmp old1/a.bin src/a.bin &&
	(cd src && git push -q "mlv::$STORE_URL/sealed" main:refs/heads/resealed 2>/dev/null) &&
	store_get sealed/git/refs resealed.refs &&
	tail -1 resealed.refs | grep -q "^end [0-9a-f]\{64\}$" &&
	grep -q " refs/heads/resealed$" resealed.refs &&
	git ls-remote "mlv::$STORE_URL/sealed" >ls 2>err &&
	! grep -q warning err && grep -q "refs/heads/resealed$" ls
'

test_expect_success 'a ref or a pack listed twice, a bad ref name and a 5 KiB line are refused' '
	oid=$(git -C src rev-parse HEAD) &&
	long=$(printf "refs/heads/%05000d" 0) &&
	for bad in "$oid refs/heads/main" "$oid refs/heads/a..b" \
		"$(grep "^pack " old.refs | head -1)" "$oid $long"; do
		{ cat old.refs && printf "%s\n" "$bad"; } >bad.refs &&
		store_put bad.refs sealed/git/refs &&
		test_must_fail git ls-remote "mlv::$STORE_URL/sealed" 2>err &&
		grep -F "sealed/git/refs" err || return 1
	done &&
	grep -q "longer than 4 KiB" err &&
	store_put resealed.refs sealed/git/refs
'

test_expect_success 'git ls-remote of an mlv remote works outside a repository' '
	mkdir -p outside && cd outside &&
	GIT_CEILING_DIRECTORIES="$TRASH" git ls-remote "mlv::$STORE_URL/sealed" >../ls 2>../err &&
	grep -q "refs/heads/main$" ../ls &&
	grep -q "refs/heads/resealed$" ../ls
'

# A damaged store is found and repaired from a repository that has the
# good bytes: replacing an object is the one exception to write-once, and
# only git mlv push --repair does it.
test_expect_success 'git mlv fsck --remote finds a wrong size; --full also a corrupt object' '
	cd src && git remote add rep "mlv::$STORE_URL/rep" &&
	git push -q rep main 2>../err &&
	a=$(test_pointer_oid a.bin HEAD) && b=$(test_pointer_oid b.bin HEAD) &&
	head -c 1000 a.bin >../a.short && store_put ../a.short "rep/$(obj_key $a)" &&
	test_random_file ../b.wrong 200000 wrongb && store_put ../b.wrong "rep/$(obj_key $b)" &&
	test_must_fail git mlv fsck --remote rep >../out &&
	grep -q "wrong size in the store: $a (a.bin) has 1000 bytes, its pointer says 300000" ../out &&
	! grep -q "$b" ../out &&
	grep -q "1 bad; .git mlv push --repair rep." ../out &&
	test_must_fail git mlv fsck --remote rep --full >../out &&
	grep -q "wrong size in the store: $a" ../out &&
	grep -q "corrupt in the store: $b (b.bin) hashes to $(sha256sum <../b.wrong | cut -d" " -f1)" ../out
'

test_expect_success 'an ordinary push leaves a damaged object alone; push --repair uploads it again' '
	cd src &&
	git mlv push rep --all --quiet &&
	store_get "rep/$(obj_key $(test_pointer_oid b.bin HEAD))" ../b.now && cmp ../b.now ../b.wrong &&
	git mlv push rep --repair >../out &&
	grep -q "2 objects uploaded again" ../out &&
	git mlv fsck --remote rep --full >../out &&
	grep -q "all present with their size and hash" ../out &&
	cd .. && git clone -q "mlv::$STORE_URL/rep" rep1 &&
	cmp rep1/a.bin src/a.bin && cmp rep1/b.bin src/b.bin &&
	(cd src && test_must_fail git mlv push rep --repair 2>../err) &&
	grep -q "nothing to repair" err
'
