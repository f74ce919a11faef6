#!/usr/bin/env python3
"""Checks for bench/lineage.sh, against the EXPECTED file gen-lineage.py wrote.

  lineage-check.py repo REPO EXPECTED       the history is what DESIGN.md says:
                                            sidecars, manifests and oids,
                                            recomputed from git for a sample
  lineage-check.py floor QUERY EXPECTED OUT the floor command printed what it must
  lineage-check.py out QUERY EXPECTED OUT   a git mlv answer is plausible

QUERY is lineage, lineage_json, uses_dir, uses_file, find or diff. The
output formats of the queries are not fixed here, so `out` checks what any
honest answer must show, and nothing that it must not: every expected model
version is named (by its commit id or model oid, 7 hex digits or more, or by
its version where that is unambiguous) and no other model version is. A
merge that brought a side branch's version in may be named too. Prints the
reason and exits 1 when the check fails.
"""
import configparser
import hashlib
import json
import re
import subprocess
import sys

HEX = re.compile(r"(?<![0-9a-f])[0-9a-f]{7,64}(?![0-9a-f])")


def fail(msg):
    print(msg)
    sys.exit(1)


def load(path):
    with open(path) as f:
        return json.load(f)


class Index:
    """Which model version a hex token names."""

    def __init__(self, exp):
        self.exp = exp
        self.by_commit = {}
        self.by_oid = {}
        self.prefix = {}     # first 7 hex digits -> [(full id, version)]
        for i, v in enumerate(exp["versions"]):
            self.by_commit[v["commit"]] = i
            self.by_oid[v["oid"]] = i
            for full in (v["commit"], v["oid"]):
                self.prefix.setdefault(full[:7], []).append((full, i))

    def named(self, text):
        """Indices of the versions the text names by a hex token (a commit
        id or a model oid, whole or a prefix of 7 digits or more)."""
        found = set()
        for t in set(HEX.findall(text)):
            found.update(i for full, i in self.prefix.get(t[:7], ()) if full.startswith(t))
        return found

    def desc(self, i):
        v = self.exp["versions"][i]
        return "%s %s (%s)" % (v["model"], v["version"], v["commit"][:12])


def check_versions(exp, text, want, by_version=False):
    """want: commits of the versions the answer must name, and only them."""
    ix = Index(exp)
    want = {ix.by_commit[c] for c in want}
    named = ix.named(text)
    missing = want - named
    if missing and by_version:
        # a text answer may name versions only by semver (one model's)
        words = set(re.findall(r"\d+\.\d+\.\d+", text))
        missing = {i for i in missing if exp["versions"][i]["version"] not in words}
    extra = named - want
    if extra:
        fail("names %d model version(s) it should not, e.g. %s"
             % (len(extra), ", ".join(ix.desc(i) for i in sorted(extra)[:3])))
    return missing, ix


def out_check(query, exp, path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    if not text.strip():
        fail("empty output")
    if query == "lineage_json":
        try:
            json.loads(text)
        except ValueError as e:
            fail("not JSON: %s" % e)
    if query in ("lineage", "lineage_json"):
        q = exp["lineage"]
        missing, ix = check_versions(exp, text, q["commits"], by_version=query == "lineage")
        if query == "lineage_json":
            # a program needs the full ids: each version by its commit or oid
            full = set()
            for i in (ix.by_commit[c] for c in q["commits"]):
                v = exp["versions"][i]
                if v["commit"] not in text and v["oid"] not in text:
                    full.add(i)
            missing |= full
        if missing:
            fail("lists %d of the %d versions of %s; missing e.g. %s"
                 % (len(q["commits"]) - len(missing), len(q["commits"]), q["model"],
                    ix.desc(min(missing))))
        if q["model"] not in text:
            fail("does not name %s" % q["model"])
    elif query in ("uses_dir", "uses_file"):
        q = exp[query]
        missing, ix = check_versions(exp, text, q["commits"])
        if missing:
            fail("names %d of the %d model versions that used %s; missing e.g. %s"
                 % (len(q["commits"]) - len(missing), len(q["commits"]), q["arg"],
                    ix.desc(min(missing))))
    elif query == "find":
        q = exp["find"]
        missing, ix = check_versions(exp, text, q["commits"])
        if missing:
            # no ids: then one line per version, each naming its model
            lines = [l for l in text.splitlines() if re.search(r"models/m\d+\.onnx", l)]
            if len(lines) != len(q["commits"]):
                fail("'%s' matches %d model versions; the answer names %d by id "
                     "and has %d lines naming a model"
                     % (q["expr"], len(q["commits"]), len(q["commits"]) - len(missing),
                        len(lines)))
    elif query == "diff":
        q = exp["diff"]
        missing, ix = check_versions(exp, text, [q["rev1"], q["rev2"]], by_version=True)
        if missing:
            fail("does not name version %s of %s"
                 % (" or ".join(exp["versions"][i]["version"] for i in sorted(missing)),
                    q["model"]))
        if q["big_dir"].rstrip("/") not in text:
            fail("does not name %s" % q["big_dir"])
        for key, pat, d in (("big_changed", r"s\d\d/b\d{5}\.bin", q["big_dir"]),
                            ("d_changed", r"(?<![0-9a-z])f\d{5}\.bin", q["d_dir"])):
            want = {n.split("/")[-1] for n in q[key]}
            listed = {n.split("/")[-1] for n in re.findall(pat, text)}
            if listed - want:
                fail("lists %s files that did not change, e.g. %s"
                     % (d, sorted(listed - want)[0]))
            if listed != want and not re.search(r"(?<![\d.])%d(?![\d.])" % len(want), text):
                fail("lists %d of the %d changed files of %s and does not say %d"
                     % (len(listed), len(want), d, len(want)))
    else:
        fail("unknown query %s" % query)


def floor_check(query, exp, path):
    with open(path) as f:
        lines = f.read().split()
    if query in ("lineage", "lineage_json"):
        want = exp["floor_lineage"]
    elif query in ("uses_dir", "uses_file", "find"):
        want = exp["floor_all"]
    elif query == "diff":
        q = exp["diff"]
        n = 3 + len(q["big_changed"]) + len(q["d_changed"])
        with open(path) as f:   # the lockfile may or may not have changed
            got = sum(1 for l in f if l.startswith(":")
                      and not l.rstrip("\n").endswith("\trequirements.lock"))
        if got != n:
            fail("git diff --raw printed %d changes, not %d" % (got, n))
        return
    else:
        fail("unknown query %s" % query)
    if sorted(lines) != sorted(want):
        fail("git log printed %d commits, not the %d expected" % (len(lines), len(want)))


class Git:
    def __init__(self, repo):
        self.repo = repo

    def run(self, *args, data=None):
        return subprocess.run(["git", "-C", self.repo] + list(args), check=True,
                              input=data, stdout=subprocess.PIPE).stdout

    def blobs(self, specs):
        """The contents of many objects, in one git cat-file --batch."""
        out = self.run("cat-file", "--batch", data="".join(s + "\n" for s in specs).encode())
        res, at = [], 0
        for spec in specs:
            nl = out.index(b"\n", at)
            head = out[at:nl].split()
            if head[1] == b"missing":
                fail("%s is not in the repository" % spec)
            size = int(head[2])
            res.append(out[nl + 1:nl + 1 + size])
            at = nl + 2 + size
        return res

    def blob(self, spec):
        return self.blobs([spec])[0]

    def mlv_oid(self, data):
        m = re.fullmatch(rb"version https://git-lfs\.github\.com/spec/v1\n"
                         rb"oid sha256:([0-9a-f]{64})\nsize (0|[1-9][0-9]*)\n", data)
        if m:
            return m.group(1).decode(), int(m.group(2))
        return hashlib.sha256(data).hexdigest(), len(data)


def repo_check(repo, exp):
    """Recompute, from git alone, what the sidecars of a sample of versions
    record: model oid, data manifests (DESIGN.md "Data directories"), config
    and lockfile oids, base, and increasing versions."""
    g = Git(repo)
    versions = exp["versions"]
    probe = exp["lineage"]["model"]
    big = exp["diff"]["model"]
    sample = [i for i, v in enumerate(versions)
              if v["model"] in (probe, big, "models/m010.onnx", "models/m011.onnx")
              or "merged_by" in v or i % 97 == 0]
    model_oids = {v["oid"] for v in versions}
    seen = {}
    for i in sample:
        v = versions[i]
        c, path = v["commit"], v["model"]
        cp = configparser.ConfigParser(interpolation=None)
        cp.read_string(g.blob("%s:%s.mlv" % (c, path)).decode())
        where = "%s:%s.mlv" % (c[:12], path)
        if cp["mlv"]["version"] != "1":
            fail("%s: [mlv] version is not 1" % where)
        model_oid, _ = g.mlv_oid(g.blob("%s:%s" % (c, path)))
        if cp["model"]["oid"] != "sha256:" + model_oid or model_oid != v["oid"]:
            fail("%s: [model] oid does not match the pointer" % where)
        if cp["model"]["version"] != v["version"]:
            fail("%s: [model] version is not %s" % (where, v["version"]))
        base = cp["model"].get("base")
        if (base or None) != (v["base"] and "sha256:" + v["base"]) or \
                (base and base[7:] not in model_oids):
            fail("%s: [model] base is not the oid of a model version" % where)
        for sec in cp.sections():
            if not sec.startswith("data "):
                continue
            d = cp[sec]
            names, oids = [], []
            for entry in g.run("ls-tree", "-r", "-z", c, "--", d["path"]).split(b"\0"):
                if not entry:
                    continue
                meta, name = entry.split(b"\t", 1)
                mode, typ, oid = meta.split()
                if mode != b"100644" or typ != b"blob":
                    fail("%s: %s is not a regular file" % (where, name.decode()))
                names.append(name[len(d["path"]):])
                oids.append(oid.decode())
            lines, total, n = [], 0, len(names)
            for name, data in zip(names, g.blobs(oids)):
                fo, fs = g.mlv_oid(data)
                lines.append((name, b"%s %d %s\n" % (fo.encode(), fs, name)))
                total += fs
            lines.sort()
            manifest = hashlib.sha256(b"".join(l for _, l in lines)).hexdigest()
            if d["oid"] != "sha256:" + manifest or d["files"] != str(n) or \
                    d["size"] != str(total):
                fail("%s: [%s] oid, files or size differ from the manifest of %s"
                     % (where, sec, d["path"]))
        for sec, key, okey in (("config", "path", "oid"),
                               ("environment", "lockfile", "lockfile-oid")):
            fo, _ = g.mlv_oid(g.blob("%s:%s" % (c, cp[sec][key])))
            if cp[sec][okey] != "sha256:" + fo:
                fail("%s: [%s] %s is not the oid of %s" % (where, sec, okey, cp[sec][key]))
        if not re.fullmatch(r"[0-9a-f]{40}", cp["code"]["commit"]) or \
                cp["code"]["dirty"] != "false":
            fail("%s: [code] is not a commit and dirty = false" % where)
        auc = float(cp["metrics"]["auc"])
        if auc != v["auc"] or not 0.7 <= auc <= 0.99:
            fail("%s: [metrics] auc is not %s" % (where, v["auc"]))
        patch = int(v["version"].split(".")[2])
        if seen.get(path, -1) >= patch:
            fail("%s: version %s does not increase" % (where, v["version"]))
        seen[path] = patch
    # every version commit changes its model and sidecar, and only one model
    n = len(g.run("rev-list", "--all").split())
    if n != exp["commits_total"]:
        fail("the repository has %d commits, not %d" % (n, exp["commits_total"]))
    print("checked %d of %d model versions against their trees" % (len(sample), len(versions)))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "repo":
        repo_check(sys.argv[2], load(sys.argv[3]))
    elif len(sys.argv) == 5 and sys.argv[1] in ("floor", "out"):
        exp = load(sys.argv[3])
        (floor_check if sys.argv[1] == "floor" else out_check)(sys.argv[2], exp, sys.argv[4])
    else:
        fail(__doc__)


main()
