#!/usr/bin/env python3
"""Write a git fast-import stream of a repository with model lineage.

  policy-history.py commits N_COMMITS N_MODELS   history for `git mlv verify`
  policy-history.py staged N_MODELS              two commits: base, and one
                                                 adding N_MODELS models

Models are *.onnx (mlv-model), stored as Git LFS pointers; each has a
sidecar whose oids match what the commit holds, so every check passes and
the whole check is measured, not an early exit. Only pointers go into git;
verify never reads the local store.
"""
import hashlib
import sys

ATTRS = b"*.onnx filter=mlv diff=mlv merge=mlv -text mlv-model\n" \
        b"data/** filter=mlv diff=mlv merge=mlv -text\n"
CONFIG = b"learning_rate: 0.001\nepochs: 10\n"
LOCK = b"numpy==1.26.4\nscikit-learn==1.4.2\n"
out = sys.stdout.buffer
mark = 0


def sha(b):
    return hashlib.sha256(b).hexdigest()


def pointer(content_seed):
    oid = sha(content_seed)
    return (b"version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %d\n"
            % (oid.encode(), 1000000 + len(content_seed))), oid


def blob(data):
    global mark
    mark += 1
    out.write(b"blob\nmark :%d\ndata %d\n" % (mark, len(data)))
    out.write(data)
    out.write(b"\n")
    return mark


def sidecar(model_oid, data_path, data_oid, commit_hex):
    return ("[mlv]\nversion = 1\n\n[model]\noid = sha256:%s\nversion = 1.0.0\n\n"
            "[data \"train\"]\npath = %s\noid = sha256:%s\n\n"
            "[config]\npath = configs/train.yaml\noid = sha256:%s\n\n"
            "[params]\nlearning_rate = 0.001\n\n"
            "[environment]\npython = 3.11.7\nlockfile = requirements.lock\n"
            "lockfile-oid = sha256:%s\n\n"
            "[code]\ncommit = %s\ndirty = false\n" %
            (model_oid, data_path, data_oid, sha(CONFIG), sha(LOCK),
             commit_hex)).encode()


def commit(ref, n, files, parent_mark):
    """files: list of (path, blob mark); returns the commit's mark."""
    global mark
    mark += 1
    msg = b"commit %d" % n
    out.write(b"commit %s\nmark :%d\n" % (ref, mark))
    out.write(b"committer Bench <bench@example.com> %d +0000\n" % (1700000000 + n))
    out.write(b"data %d\n%s\n" % (len(msg), msg))
    if parent_mark:
        out.write(b"from :%d\n" % parent_mark)
    for path, m in files:
        out.write(b"M 100644 :%d %s\n" % (m, path.encode()))
    out.write(b"\n")
    return mark


def model_files(i, version):
    """A model, its data set and its sidecar, as (path, mark) pairs."""
    model_ptr, model_oid = pointer(b"model %d v%d" % (i, version))
    data_ptr, data_oid = pointer(b"data %d v%d" % (i, version))
    data_path = "data/train-%03d.csv" % i
    sc = sidecar(model_oid, data_path, data_oid, "0" * 40)
    return [("models/m%03d.onnx" % i, blob(model_ptr)),
            (data_path, blob(data_ptr)),
            ("models/m%03d.onnx.mlv" % i, blob(sc))]


def base_files():
    return [(".gitattributes", blob(ATTRS)),
            ("configs/train.yaml", blob(CONFIG)),
            ("requirements.lock", blob(LOCK))]


def main():
    if sys.argv[1] == "commits":
        n_commits, n_models = int(sys.argv[2]), int(sys.argv[3])
        parent = commit(b"refs/heads/main", 0, base_files(), None)
        for n in range(1, n_commits):
            parent = commit(b"refs/heads/main", n,
                            model_files(n % n_models, n), parent)
    else:
        n_models = int(sys.argv[2])
        base = commit(b"refs/heads/main", 0, base_files(), None)
        files = []
        for i in range(n_models):
            files += model_files(i, 1)
        commit(b"refs/heads/models", 1, files, base)


main()
