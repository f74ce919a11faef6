#!/usr/bin/env python3
"""The prune benchmark's history and objects.

  gen-prune.py REPO STORE... [--commits 5000] [--files 20] [--changes 2] [--seed 1]

Pipes one `git fast-import` stream into the (new, empty) repository REPO:
COMMITS commits on refs/heads/main, each changing CHANGES of FILES tracked
files (half under models/, half under data/) to a new small object and
one plain file (notes.txt), committed a second apart ending 100 days ago.
Every tracked file is a pointer, so the history refers to COMMITS * CHANGES
distinct objects (plus the FILES first versions). Each object is written
once into the first STORE directory (`<oid[0:2]>/<oid[2:4]>/<oid>` under
it) and hard-linked into the others. Prints the number of objects.
"""
import argparse
import hashlib
import os
import random
import subprocess
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("repo")
    ap.add_argument("stores", nargs="+")
    ap.add_argument("--commits", type=int, default=5000)
    ap.add_argument("--files", type=int, default=20)
    ap.add_argument("--changes", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    paths = ["models/m%02d.bin" % i for i in range(a.files // 2)] + \
            ["data/d%02d.bin" % i for i in range(a.files - a.files // 2)]
    start = int(time.time()) - 100 * 86400 - a.commits
    nobjects = 0

    def new_object():
        nonlocal nobjects
        body = b"object %d %s\n" % (nobjects, rng.randbytes(32).hex().encode())
        oid = hashlib.sha256(body).hexdigest()
        first = None
        for store in a.stores:
            d = os.path.join(store, oid[:2], oid[2:4])
            os.makedirs(d, exist_ok=True)
            p = os.path.join(d, oid)
            if first is None:
                with open(p, "wb") as f:
                    f.write(body)
                first = p
            else:
                os.link(first, p)
        nobjects += 1
        return ("version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %d\n"
                % (oid, len(body))).encode()

    fi = subprocess.Popen(["git", "-C", a.repo, "fast-import", "--quiet"],
                          stdin=subprocess.PIPE)
    out = fi.stdin

    def blob(data):
        out.write(b"data %d\n" % len(data))
        out.write(data)
        out.write(b"\n")

    for c in range(a.commits):
        when = start + c
        out.write(b"commit refs/heads/main\n")
        out.write(b"committer bench <bench@example.com> %d +0000\n" % when)
        blob(b"commit %d\n" % c)
        if c == 0:
            out.write(b"M 100644 inline .gitattributes\n")
            blob(b"*.bin filter=mlv diff=mlv merge=mlv -text\n")
            changed = paths
        else:
            changed = rng.sample(paths, a.changes)
        for p in changed:
            out.write(b"M 100644 inline %s\n" % p.encode())
            blob(new_object())
        out.write(b"M 100644 inline notes.txt\n")
        blob(b"notes of commit %d\n" % c)
    out.close()
    if fi.wait() != 0:
        raise SystemExit("git fast-import failed")
    print(nobjects)


if __name__ == "__main__":
    main()
