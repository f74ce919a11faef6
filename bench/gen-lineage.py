#!/usr/bin/env python3
"""Build the synthetic lineage history bench/lineage.sh queries.

  gen-lineage.py REPO EXPECTED [--commits N] [--models M] [--versions V]
                 [--files F] [--big B] [--change PCT] [--seed S]

Pipes a `git fast-import` stream into the (new, empty) repository REPO and
writes EXPECTED, a JSON file of what the lineage queries must answer (every
model version with its commit id, and the answer of each query the
benchmark times). Everything is deterministic for a given set of
parameters: the same seed gives the same commit ids.

The history, defaults in brackets:

* N [10,000] commits on main's first-parent line, committed 10 minutes
  apart. N/500 of them are merges of short side branches (forked 5 commits
  earlier, two commits each: a code change, and every other time a model
  version).
* M [200] models models/mNNN.onnx, each V [10] versions (M * V model
  versions in all, in V rounds of a shuffled order). A model version is one
  commit that changes the model's pointer, its sidecar models/mNNN.onnx.mlv
  (a valid version-1 sidecar, DESIGN.md "Sidecar files"), its config
  configs/mNNN.yaml and its data directory data/dNNN/ of F [2,000] pointer
  files, PCT [1] % of them per version (all of them in version 1.0.0, which
  adds the model). Model m000 has a second data set, data/big/ (B [20,000]
  files in sub-directories of 1,000), which changes PCT % per version too.
* Models 10, 20, ... are fine-tuned from the newest version of the model
  before them and models 11, 21, ... from model 10, 20, ... (chains
  m009 <- m010 <- m011): [model] base is that version's oid.
* The other commits change code (src/*.py), shared configs, now and then
  requirements.lock (the sidecars' [environment] lockfile) or the README.

Data oids and sizes are random, as their content would be; nothing but
pointers is stored. Progress goes to stderr.
"""
import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import time

POINTER = b"version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %d\n"
ATTRS = (b"*.onnx filter=mlv diff=mlv merge=mlv -text mlv-model\n"
         b"data/** filter=mlv diff=mlv merge=mlv -text\n")
N_SRC = 40          # code files src/modNN.py
SIDE_LEN = 5        # a side branch forks this many commits before its merge
PROBE_MODEL = 7     # the model whose queries are timed (lineage, uses)
PROBE_FILE = 123    # data/d007/f00123.bin, changed in versions 3 and 7
BIG_MODEL = 0       # the model with data/big/
BIG_PER_DIR = 1000
DIFF_VERSIONS = (4, 5)   # git mlv diff between these versions of BIG_MODEL
USES_VERSION = 5         # the rev of the uses queries: this version's commit
FIND_EXPR = "metrics.auc > 0.9"


def sha(b):
    return hashlib.sha256(b).hexdigest()


class DataDir:
    """A data directory's files as manifest lines (DESIGN.md "Data
    directories"): names are fixed-width, so index order is byte order."""

    def __init__(self, prefix, names, rng):
        self.prefix = prefix              # "data/d007/"
        self.names = names                # relative paths, in byte order
        self.rng = rng
        self.lines = [None] * len(names)
        self.sizes = [0] * len(names)
        self.total = 0

    def set(self, i):
        """Give file i new content; return its path and pointer blob."""
        oid = b"%064x" % self.rng.getrandbits(256)
        size = self.rng.randint(1000, 50000000)
        self.total += size - self.sizes[i]
        self.sizes[i] = size
        self.lines[i] = b"%s %d %s\n" % (oid, size, self.names[i])
        return (self.prefix + self.names[i]).decode(), POINTER % (oid, size)

    def manifest_oid(self):
        return sha(b"".join(self.lines))

    def oid_of(self, i):
        return self.lines[i][:64].decode()


class Stream:
    def __init__(self, out):
        self.out = out
        self.mark = 0

    def w(self, b):
        self.out.write(b)

    def commit(self, ref, when, who, msg, parents, files):
        """files: (path, bytes) pairs, written inline; returns the mark."""
        self.mark += 1
        w = self.w
        msg = msg.encode()
        w(b"commit %s\nmark :%d\n" % (ref.encode(), self.mark))
        w(b"author %s %d +0000\ncommitter %s %d +0000\n" % (who, when, who, when))
        w(b"data %d\n%s\n" % (len(msg), msg))
        if parents:
            w(b"from :%d\n" % parents[0])
            for p in parents[1:]:
                w(b"merge :%d\n" % p)
        for path, data in files:
            w(b"M 100644 inline %s\ndata %d\n" % (path.encode(), len(data)))
            w(data)
            w(b"\n")
        w(b"\n")
        return self.mark


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("repo")
    ap.add_argument("expected")
    ap.add_argument("--commits", type=int, default=10000)
    ap.add_argument("--models", type=int, default=200)
    ap.add_argument("--versions", type=int, default=10)
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--big", type=int, default=20000)
    ap.add_argument("--change", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    a.repo = os.path.abspath(a.repo)
    n_versions = a.models * a.versions
    if a.models <= PROBE_MODEL or a.versions <= max(DIFF_VERSIONS + (USES_VERSION, 7)) \
            or a.files <= PROBE_FILE or n_versions + a.commits // 500 >= a.commits:
        sys.exit("gen-lineage: need models > %d, versions > 7, files > %d and "
                 "more commits than model versions" % (PROBE_MODEL, PROBE_FILE))
    rng = random.Random(a.seed)
    per_version = max(1, round(a.files * a.change / 100))
    per_version_big = max(1, round(a.big * a.change / 100))

    t0 = time.time()
    imp = subprocess.Popen(["git", "fast-import", "--quiet", "--done",
                            "--export-marks=" + os.path.join(a.repo, ".git", "bench-marks")],
                           cwd=a.repo, stdin=subprocess.PIPE)
    out = Stream(imp.stdin)
    out.w(b"feature done\n")

    # --- state: what main's tree holds (side branches only add to it) ---
    dirs = [DataDir(b"data/d%03d/" % m,
                    [b"f%05d.bin" % i for i in range(a.files)], rng)
            for m in range(a.models)]
    big = DataDir(b"data/big/",
                  [b"s%02d/b%05d.bin" % (i // BIG_PER_DIR, i) for i in range(a.big)], rng)
    src_rev = [0] * N_SRC
    lock_hist = []          # (position, content) of requirements.lock
    versions = []           # every model version, in commit order
    by_model = [[] for _ in range(a.models)]   # indices into versions
    probe_file_oids = {}    # version -> oid of data/d007/f00123.bin
    who_list = [b"Dev %d <dev%d@example.com>" % (i, i) for i in range(12)]

    def lockfile(rev):
        return (b"# requirements.lock, revision %d\nnumpy==1.26.%d\n"
                b"onnx==1.15.0\nonnxruntime==1.17.%d\ntorch==2.2.%d\n"
                % (rev, rev % 5, rev % 3, rev % 4))

    def src_file(i):
        src_rev[i] += 1
        body = b"".join(b"def f%d(x):\n    return x * %d + %d\n\n" % (k, src_rev[i], k)
                        for k in range(rng.randint(3, 12)))
        return ("src/mod%02d.py" % i,
                b"# module %d, revision %d\n\n%s" % (i, src_rev[i], body))

    def model_version(m, pos, fork):
        """The files of the next version of model m, committed at pos;
        fork: the newest position whose commits are its ancestors."""
        v = len(by_model[m])
        files = []
        d = dirs[m]
        if v == 0:
            idx = range(a.files)
        else:
            idx = set(rng.sample(range(a.files), per_version))
            if m == PROBE_MODEL and v in (3, 7) and PROBE_FILE not in idx:
                idx.pop()
                idx.add(PROBE_FILE)
            idx = sorted(idx)
        for i in idx:
            files.append(d.set(i))
        if m == PROBE_MODEL:
            probe_file_oids[v] = d.oid_of(PROBE_FILE)
        data = [("train", d)]
        big_changed = []
        if m == BIG_MODEL:
            bidx = range(a.big) if v == 0 else sorted(rng.sample(range(a.big), per_version_big))
            for i in bidx:
                files.append(big.set(i))
            big_changed = [big.names[i].decode() for i in bidx]
            data = [("train", big), ("eval", d)]
        lr = rng.choice(["0.1", "0.01", "0.003", "0.001", "0.0003"])
        epochs = rng.randint(5, 60)
        batch = rng.choice([32, 64, 128, 256])
        config = (b"# training config of m%03d\nmodel: m%03d\nlearning_rate: %s\n"
                  b"epochs: %d\nbatch_size: %d\nseed: %d\n"
                  % (m, m, lr.encode(), epochs, batch, rng.randint(0, 99999)))
        config_path = "configs/m%03d.yaml" % m
        model_oid = "%064x" % rng.getrandbits(256)
        model_size = rng.randint(10 ** 7, 5 * 10 ** 8)
        base = None
        if m >= 10 and m % 10 in (0, 1):
            parent = m - 1
            cands = [versions[k] for k in by_model[parent] if versions[k]["pos"] <= fork]
            if cands:
                base = cands[-1]["oid"]
        while True:
            auc = round(rng.uniform(0.7, 0.99), 4)
            if auc != 0.9:
                break
        loss = round(rng.uniform(0.05, 0.6), 4)
        lock = [c for p, c in lock_hist if p <= fork][-1]
        name = "bench-m%03d-cls-resnet-ds2026.%02d-2026%02d%02d-r%d" % (
            m, v % 12 + 1, pos % 12 + 1, pos % 28 + 1, pos)
        sc = ["[mlv]", "version = 1", "",
              "[model]", "oid = sha256:" + model_oid, "name = " + name,
              "version = 1.0.%d" % v]
        if base:
            sc.append("base = sha256:" + base)
        for dname, dd in data:
            sc += ["", '[data "%s"]' % dname, "path = " + dd.prefix.decode(),
                   "oid = sha256:" + dd.manifest_oid(),
                   "files = %d" % len(dd.names), "size = %d" % dd.total]
        sc += ["", "[config]", "path = " + config_path, "oid = sha256:" + sha(config),
               "", "[params]", "learning_rate = " + lr, "epochs = %d" % epochs,
               "batch_size = %d" % batch, "optimizer = adamw",
               "", "[environment]", "os = Debian GNU/Linux 12 (bookworm)",
               "arch = x86_64", "python = 3.11.%d" % (7 + pos * 3 // a.commits),
               "cuda = 12.%d" % (1 + pos * 2 // a.commits), "nvidia-driver = 535.154.05",
               "gpu = NVIDIA A100-SXM4-80GB", "lockfile = requirements.lock",
               "lockfile-oid = sha256:" + sha(lock),
               "", "[code]", "commit = %040x" % rng.getrandbits(160), "dirty = false",
               "", "[metrics]", "auc = %s" % auc, "loss = %s" % loss,
               "accuracy = %s" % round(rng.uniform(0.8, 0.99), 4), ""]
        mpath = "models/m%03d.onnx" % m
        files += [(config_path, config),
                  (mpath, POINTER % (model_oid.encode(), model_size)),
                  (mpath + ".mlv", "\n".join(sc).encode())]
        versions.append({"model": mpath, "version": "1.0.%d" % v, "oid": model_oid,
                         "base": base, "auc": auc, "pos": pos, "mark": None,
                         "big_changed": big_changed if v else [],
                         "d_changed": [d.names[i].decode() for i in idx] if v else []})
        by_model[m].append(len(versions) - 1)
        return files, "train m%03d 1.0.%d (auc %s)" % (m, v, auc)

    queue = [(m, r) for r in range(a.versions) for m in rng.sample(range(a.models), a.models)]
    qi = 0
    n_merges = a.commits // 500
    merges = {(k + 1) * a.commits // (n_merges + 1) + rng.randint(-20, 20): k
              for k in range(n_merges)}
    main_marks = []
    side_commits = 0
    last_pos = {}           # model -> position of its newest version
    main_version_pos = []   # positions of the model versions on main

    def when(pos, frac=0):
        return 1767225600 + pos * 600 + frac

    # position 0: the project
    lock_hist.append((0, lockfile(0)))
    files = [(".gitattributes", ATTRS),
             ("README.md", b"# fraud models\n\nTraining code and model lineage.\n"),
             ("requirements.lock", lock_hist[0][1]),
             ("configs/shared/base.yaml", b"# shared defaults\nlog_level: info\n")]
    files += [src_file(i) for i in range(N_SRC)]
    main_marks.append(out.commit("refs/heads/main", when(0), who_list[0], "initial layout",
                                 None, files))
    lock_rev = 0
    for pos in range(1, a.commits):
        who = who_list[rng.randrange(len(who_list))]
        left_versions = n_versions - qi
        left_slots = a.commits - pos - sum(1 for p in merges if p >= pos)
        if pos in merges:
            k = merges[pos]
            fork = pos - SIDE_LEN
            ref = "refs/heads/feature/%02d" % k
            side = [src_file(rng.randrange(N_SRC))]
            tip = out.commit(ref, when(fork, 100), who, "feature %d: refactor" % k,
                             [main_marks[fork]], side)
            side_commits += 1
            merged = list(side)
            side_version = None
            if k % 2 == 0 and qi < n_versions:
                m, _ = queue[qi]
                if last_pos.get(m, -1) < fork:
                    qi += 1
                    files, msg = model_version(m, pos, fork)
                    versions[-1]["side"] = True
                    tip = out.commit(ref, when(fork, 200), who, msg, [tip], files)
                    side_commits += 1
                    versions[-1]["mark"] = tip
                    last_pos[m] = pos
                    merged += files
                    side_version = versions[-1]
            main_marks.append(out.commit("refs/heads/main", when(pos), who,
                                         "Merge branch 'feature/%02d'" % k,
                                         [main_marks[-1], tip], merged))
            if side_version:
                # git log -- 'models/*.mlv' shows this merge when main changed
                # a sidecar too since the fork: it then differs from both
                side_version["merged_by"] = main_marks[-1]
                side_version["merge_shown"] = any(fork < p < pos for p in main_version_pos)
        elif qi < n_versions and (left_versions >= left_slots or
                                  rng.random() < left_versions / left_slots):
            m, _ = queue[qi]
            qi += 1
            files, msg = model_version(m, pos, pos - 1)
            main_marks.append(out.commit("refs/heads/main", when(pos), who, msg,
                                         [main_marks[-1]], files))
            versions[-1]["mark"] = main_marks[-1]
            last_pos[m] = pos
            main_version_pos.append(pos)
        else:
            r = rng.random()
            if r < 0.01:
                lock_rev += 1
                lock_hist.append((pos, lockfile(lock_rev)))
                files = [("requirements.lock", lock_hist[-1][1])]
                msg = "bump dependencies (%d)" % lock_rev
            elif r < 0.08:
                files = [("configs/shared/base.yaml",
                          b"# shared defaults\nlog_level: %s\nworkers: %d\n"
                          % (rng.choice([b"info", b"debug"]), rng.randint(1, 32)))]
                msg = "configs: tune defaults"
            elif r < 0.09:
                files = [("README.md", b"# fraud models\n\nTraining code and model "
                          b"lineage, revision %d.\n" % pos)]
                msg = "docs: update the README"
            else:
                files = [src_file(rng.randrange(N_SRC)) for _ in range(rng.randint(1, 3))]
                msg = "src: change %s" % ", ".join(p for p, _ in files)
            main_marks.append(out.commit("refs/heads/main", when(pos), who, msg,
                                         [main_marks[-1]], files))
        if pos % 1000 == 0:
            print("  gen-lineage: %d/%d commits, %d/%d model versions, %.1f s"
                  % (pos, a.commits, qi, n_versions, time.time() - t0), file=sys.stderr)
    assert qi == n_versions, (qi, n_versions)
    out.w(b"done\n")
    imp.stdin.close()
    if imp.wait() != 0:
        sys.exit("gen-lineage: git fast-import failed")
    print("  gen-lineage: fast-import done, %.1f s" % (time.time() - t0), file=sys.stderr)

    # --- what the queries must answer ---
    marks = {}
    with open(os.path.join(a.repo, ".git", "bench-marks")) as f:
        for line in f:
            mk, oid = line.split()
            marks[int(mk[1:])] = oid
    os.unlink(os.path.join(a.repo, ".git", "bench-marks"))
    for v in versions:
        v["commit"] = marks[v.pop("mark")]
        v.pop("pos")
        if "merged_by" in v:
            v["merged_by"] = marks[v["merged_by"]]
    # the merges git log shows for 'models/*.mlv' (see above)
    shown_merges = [v["merged_by"] for v in versions if v.get("merge_shown")]
    probe = "models/m%03d.onnx" % PROBE_MODEL
    pv = [versions[k] for k in by_model[PROBE_MODEL]]
    bv = [versions[k] for k in by_model[BIG_MODEL]]
    uses_rev = pv[USES_VERSION]["commit"]
    same = [v for k, v in enumerate(pv) if probe_file_oids[k] == probe_file_oids[USES_VERSION]]
    r1, r2 = (bv[i] for i in DIFF_VERSIONS)
    exp = {
        "params": {k: v for k, v in vars(a).items() if k not in ("repo", "expected")},
        "commits_first_parent": a.commits,
        "commits_total": a.commits + side_commits,
        "merges": n_merges,
        "model_versions": len(versions),
        "side_versions": sum(1 for v in versions if "merged_by" in v),
        "versions": [{k: v[k] for k in ("commit", "model", "version", "oid", "base", "auc",
                                         "merged_by") if k in v}
                     for v in versions],
        # what the floors print: git log --format=%H -- models/m007.onnx.mlv,
        # git log --all --format=%H -- 'models/*.mlv' (commits, in any order)
        "floor_lineage": [v["commit"] for v in pv],
        "floor_all": [v["commit"] for v in versions] + shown_merges,
        "lineage": {"model": probe, "commits": [v["commit"] for v in pv]},
        "uses_dir": {"arg": "data/d%03d/@%s" % (PROBE_MODEL, uses_rev),
                     "commits": [uses_rev]},
        "uses_file": {"arg": "data/d%03d/f%05d.bin@%s" % (PROBE_MODEL, PROBE_FILE, uses_rev),
                      "oid": probe_file_oids[USES_VERSION],
                      "commits": [v["commit"] for v in same]},
        "find": {"expr": FIND_EXPR,
                 "commits": [v["commit"] for v in versions if v["auc"] > 0.9]},
        "diff": {"model": "models/m%03d.onnx" % BIG_MODEL,
                 "rev1": r1["commit"], "rev2": r2["commit"],
                 "versions": [r1["version"], r2["version"]],
                 "big_changed": r2["big_changed"], "d_changed": r2["d_changed"],
                 "big_dir": "data/big/", "d_dir": "data/d%03d/" % BIG_MODEL},
    }
    with open(a.expected + ".tmp", "w") as f:
        json.dump(exp, f, indent=1)
    os.rename(a.expected + ".tmp", a.expected)
    print("  gen-lineage: %d commits (%d on main's first-parent line, %d merges), "
          "%d model versions, %.1f s" % (exp["commits_total"], a.commits, n_merges,
                                          len(versions), time.time() - t0), file=sys.stderr)


main()
