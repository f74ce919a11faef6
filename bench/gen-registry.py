#!/usr/bin/env python3
"""The model registry benchmark's repository, and the checks of its answers.

  gen-registry.py gen REPO EXPECTED [--models 500] [--versions 10] [--stage-tags 10]
                  [--other 10000] [--seed 1]
  gen-registry.py check QUERY EXPECTED OUTPUT [ARG]

gen pipes one `git fast-import` stream into the (new, empty) repository REPO:

* MODELS models models/mNNN.onnx, each with VERSIONS versions: one commit per
  version changing the model file and its sidecar models/mNNN.onnx.mlv
  ([model] version, [metrics] auc), so that `git mlv models` finds each
  model's path and metrics as in a repository in use.
* Per model VERSIONS register tags models/mNNN@vX.Y.Z and STAGE-TAGS tags
  with a counter, in GTO's format: assign models/mNNN#STAGE#N (dev, staging,
  prod), unassign models/mNNN#STAGE!#N, now and then a deregister
  models/mNNN@vX.Y.Z!#N and, for 1 model in 50, a final deprecate
  models/mNNN@deprecated#N. All annotated, with
  distinct tagger times a minute apart (every model's first event, then
  every model's second, ...), so that the order of events is unambiguous.
* OTHER unrelated tags (vA.B.C and release-N; half annotated, half
  lightweight) on random commits.

EXPECTED (JSON) records every registry event in order and the state (latest
version, stage holders, deprecation) of every model now and at AS_OF, a
moment in the middle of the registry's history; check compares an output of
git mlv with it and prints what is wrong (exit 1), or nothing.
"""
import argparse
import json
import random
import re
import subprocess
import sys
import time

VERSIONS = ["0.1.0", "0.2.0", "1.0.0", "1.0.1", "1.1.0", "1.2.0", "2.0.0", "2.0.1",
            "2.1.0", "10.0.0", "10.1.0", "11.0.0"]
STAGES = ["dev", "staging", "prod"]
T0 = 1735689600          # 2025-01-01T00:00:00Z: the first registry event
STEP = 60                # seconds between two events
WHO = [("Dev %d" % i, "dev%d@example.com" % i) for i in range(8)]


def semkey(v):
    return tuple(int(x) for x in v.split("."))


class Stream:
    def __init__(self, f):
        self.f = f

    def w(self, b):
        self.f.write(b if isinstance(b, bytes) else b.encode())

    def data(self, b):
        b = b if isinstance(b, bytes) else b.encode()
        self.w(b"data %d\n" % len(b))
        self.w(b)
        self.w(b"\n")


def model_script(m, nver, nstage, rng):
    """The events of model m: (kind, version, stage), in order."""
    vers = VERSIONS[:nver]
    ev = []
    registered, dereg = [], set()
    held = {}          # stage -> version
    left_reg = list(vers)
    left_other = nstage
    deprecate = (m % 50 == 7) and nstage > 0
    if deprecate:
        left_other -= 1
    n_dereg = 0
    while left_reg or left_other:
        # registers come first often enough that stages have something to hold
        p_reg = len(left_reg) / (len(left_reg) + left_other)
        if left_reg and (not registered or rng.random() < p_reg):
            v = left_reg.pop(0)
            registered.append(v)
            ev.append(("register", v, None))
            continue
        live = [v for v in registered if v not in dereg]
        choices = []
        for s in STAGES:
            cand = [v for v in live if held.get(s) != v]
            if cand:
                choices += [("assign", s, cand)] * 3
            if s in held:
                choices.append(("unassign", s, None))
        free = [v for v in live if v not in held.values()]
        if free and n_dereg == 0 and len(live) > 1:
            choices.append(("deregister", None, free))
        kind, s, cand = rng.choice(choices)
        if kind == "assign":
            v = rng.choice(cand[-4:])   # mostly recent versions, now and then a rollback
            held[s] = v
            ev.append(("assign", v, s))
        elif kind == "unassign":
            ev.append(("unassign", held.pop(s), s))
        else:
            v = rng.choice(cand)
            dereg.add(v)
            n_dereg += 1
            ev.append(("deregister", v, None))
        left_other -= 1
    if deprecate:
        ev.append(("deprecate", None, None))
    return ev


def state_of(events):
    """The state after `events` (of one model): latest, stages, deprecated.

    Stages as GTO reads them: of the versions assigned to a stage and not
    unassigned since, the one assigned last holds it, unless it was
    deregistered; so an unassign hands the stage back to the one before."""
    vers, dereg, dep = [], set(), False
    assigned = {}      # (stage, version) -> (order of its last assign, active)
    for i, e in enumerate(events):
        k, v, s = e["event"], e["version"], e["stage"]
        if k == "register":
            vers.append(v)
            dereg.discard(v)
        elif k == "deregister":
            dereg.add(v)
        elif k == "assign":
            assigned[(s, v)] = (i, True)
        elif k == "unassign":
            if (s, v) in assigned:
                assigned[(s, v)] = (assigned[(s, v)][0], False)
        elif k == "deprecate":
            dep = True
    held, when = {}, {}
    for (s, v), (order, active) in assigned.items():
        if active and v not in dereg and order >= when.get(s, -1):
            held[s], when[s] = v, order
    live = sorted((v for v in vers if v not in dereg), key=semkey)
    return {"latest": live[-1] if live else None, "stages": held, "deprecated": dep,
            "versions": sorted(vers, key=semkey, reverse=True),
            "deregistered": sorted(dereg, key=semkey)}


def gen(a):
    rng = random.Random(a.seed)
    if a.versions > len(VERSIONS):
        sys.exit("gen-registry: at most %d versions" % len(VERSIONS))
    imp = subprocess.Popen(["git", "fast-import", "--quiet", "--done"], cwd=a.repo,
                           stdin=subprocess.PIPE)
    out = Stream(imp.stdin)
    out.w("feature done\n")
    scripts = [model_script(m, a.versions, a.stage_tags, rng) for m in range(a.models)]
    # commits: every model's first version, then every second, ...; a year
    # before the registry's first event
    mark = 0
    ctime = T0 - 366 * 86400
    commit_of = {}   # (m, version) -> mark
    parent = None
    marks = []
    for k in range(a.versions):
        for m in range(a.models):
            v = VERSIONS[k]
            path = "models/m%03d.onnx" % m
            auc = "%.4f" % rng.uniform(0.7, 0.99)
            model = ("model m%03d version %s %08x\n" % (m, v, rng.getrandbits(32))).encode()
            sc = "\n".join(["[mlv]", "version = 1", "", "[model]",
                            "oid = sha256:%064x" % rng.getrandbits(256),
                            "name = m%03d" % m, "version = " + v, "",
                            "[metrics]", "auc = " + auc, ""])
            mark += 1
            ctime += 7
            out.w("commit refs/heads/main\nmark :%d\n" % mark)
            out.w("author A U Thor <author@example.com> %d +0000\n" % ctime)
            out.w("committer C O Mitter <committer@example.com> %d +0000\n" % ctime)
            out.data("m%03d %s" % (m, v))
            if parent:
                out.w("from :%d\n" % parent)
            out.w("M 100644 inline %s\n" % path)
            out.data(model)
            out.w("M 100644 inline %s.mlv\n" % path)
            out.data(sc)
            out.w("\n")
            parent = mark
            commit_of[(m, v)] = mark
            marks.append(mark)
    # registry tags: event j of every model, then event j + 1, ...
    events = []
    counters = [0] * a.models
    slot = 0
    longest = max(len(s) for s in scripts)
    for j in range(longest):
        for m in range(a.models):
            if j >= len(scripts[m]):
                continue
            kind, v, s = scripts[m][j]
            name = "models/m%03d" % m
            if kind == "deprecate":   # on the highest version's commit, as mlv does
                v = max((e[1] for e in scripts[m] if e[0] == "register"), key=semkey)
            if kind != "register":
                counters[m] += 1
            n = counters[m]
            tag = {"register": "%s@v%s" % (name, v),
                   "deregister": "%s@v%s!#%d" % (name, v, n),
                   "assign": "%s#%s#%d" % (name, s, n),
                   "unassign": "%s#%s!#%d" % (name, s, n),
                   "deprecate": "%s@deprecated#%d" % (name, n)}[kind]
            msg = {"register": "Registering artifact %s version v%s" % (name, v),
                   "deregister": "Deregistering artifact %s version v%s" % (name, v),
                   "assign": "Assigning stage %s to artifact %s version v%s" % (s, name, v),
                   "unassign": "Unassigning stage %s from artifact %s version v%s" % (s, name, v),
                   "deprecate": "Deprecating artifact %s" % name}[kind]
            when = T0 + slot * STEP
            slot += 1
            who = WHO[(m + j) % len(WHO)]
            out.w("tag %s\nfrom :%d\n" % (tag, commit_of[(m, v)]))
            out.w("tagger %s <%s> %d +0000\n" % (who[0], who[1], when))
            out.data(msg + "\n")
            events.append({"time": when, "name": name, "event": kind,
                           "version": v if kind != "deprecate" else None,
                           "stage": s, "tag": tag})
    # unrelated tags
    other = []
    for i in range(a.other):
        tag = ("v%d.%d.%d" % (i // 100, i // 10 % 10, i % 10)) if i % 2 == 0 \
            else "release-%d" % i
        target = rng.choice(marks)
        if i % 4 < 2:
            out.w("tag %s\nfrom :%d\n" % (tag, target))
            out.w("tagger Release Bot <bot@example.com> %d +0000\n" % (T0 + rng.randrange(slot * STEP)))
            out.data("release %s\n" % tag)
        else:
            out.w("reset refs/tags/%s\nfrom :%d\n\n" % (tag, target))
        other.append(tag)
    out.w("done\n")
    imp.stdin.close()
    if imp.wait() != 0:
        sys.exit("gen-registry: git fast-import failed")
    as_of = T0 + (slot // 2) * STEP - STEP // 2   # between two events
    by_model = {}
    for e in events:
        by_model.setdefault(e["name"], []).append(e)
    now = {n: state_of(ev) for n, ev in by_model.items()}
    then = {n: state_of([e for e in ev if e["time"] <= as_of])
            for n, ev in by_model.items() if ev[0]["time"] <= as_of}
    # the model that the reads of one model and the assign ask about: one
    # with a version in prod now and two other versions to alternate
    probe = None
    for n in sorted(now):
        st = now[n]
        live = [v for v in st["versions"] if v not in st["deregistered"]]
        if not st["deprecated"] and "prod" in st["stages"] and len(live) >= 3 \
                and "prod" in then.get(n, {}).get("stages", {}) \
                and then[n]["stages"]["prod"] != st["stages"]["prod"] \
                and st["deregistered"]:
            probe = n
            break
    if probe is None:
        sys.exit("gen-registry: no model fits the probe")
    live = [v for v in now[probe]["versions"] if v not in now[probe]["deregistered"]]
    alt = [v for v in live if v != now[probe]["stages"]["prod"]][:2]
    exp = {"models": a.models, "registry_tags": len(events), "other_tags": len(other),
           "as_of": as_of,
           "as_of_iso": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(as_of)),
           "events_as_of": sum(1 for e in events if e["time"] <= as_of),
           "probe": probe, "assign_versions": alt,
           "events": events, "now": now, "then": then}
    with open(a.expected, "w") as f:
        json.dump(exp, f, indent=1)
    print("  gen-registry: %d commits, %d registry tags, %d other tags; probe %s"
          % (len(marks), len(events), len(other), probe), file=sys.stderr)


# --- checks of git mlv's text output ---

HEAD_RE = re.compile(r"^(\S+)(?: \((\S+)\))?( \[deprecated\])?$")
STAGE_RE = re.compile(r"^  (\S+)\s+v(\S+) ([0-9a-f]{12})")
VER_RE = re.compile(r"^  v(\S+)\s+([0-9a-f]{12}) (\S+)(.*)$")
EVENT_RE = re.compile(r"^\S+ (register|deregister|assign|unassign|deprecate)\s+(\S+)"
                      r"(?: v(\S+))?(?: (?:to|from) (\S+))? at [0-9a-f]{12} by ")


def parse_models(lines):
    """Text of `git mlv models` -> {name: {path, latest, stages, deprecated}}."""
    models, cur = {}, None
    for ln in lines:
        if not ln:
            continue
        if not ln.startswith(" "):
            h = HEAD_RE.match(ln)
            if not h:
                raise ValueError("unexpected line %r" % ln)
            cur = models[h.group(1)] = {"path": h.group(2), "latest": None, "stages": {},
                                        "deprecated": bool(h.group(3)), "versions": []}
            continue
        v = VER_RE.match(ln)
        if v and cur is not None and not ln.startswith("  latest"):
            rest = v.group(4)
            cur["versions"].append((v.group(1), "[deregistered]" in rest,
                                    sorted(re.findall(r"\[(\w[\w-]*)\]", rest.replace("[deregistered]", "")))))
            continue
        s = STAGE_RE.match(ln)
        if not s or cur is None:
            raise ValueError("unexpected line %r" % ln)
        if s.group(1) == "latest":
            cur["latest"] = s.group(2)
        else:
            cur["stages"][s.group(1)] = s.group(2)
    return models


def same_state(got, want, where):
    errs = []
    if set(got) != set(want):
        errs.append("%s: %d models, want %d (missing %s, extra %s)" % (
            where, len(got), len(want), sorted(set(want) - set(got))[:3],
            sorted(set(got) - set(want))[:3]))
    for n in sorted(set(got) & set(want)):
        g, w = got[n], want[n]
        if g["latest"] != w["latest"]:
            errs.append("%s: %s latest v%s, want v%s" % (where, n, g["latest"], w["latest"]))
        if g["stages"] != w["stages"]:
            errs.append("%s: %s stages %s, want %s" % (where, n, g["stages"], w["stages"]))
        if g["deprecated"] != w["deprecated"]:
            errs.append("%s: %s deprecated %s, want %s" % (where, n, g["deprecated"],
                                                          w["deprecated"]))
        if g["path"] != n + ".onnx":
            errs.append("%s: %s path %s" % (where, n, g["path"]))
    return errs


def events_of(lines):
    out = []
    for ln in lines:
        e = EVENT_RE.match(ln)
        if not e:
            raise ValueError("unexpected line %r" % ln)
        out.append((e.group(1), e.group(2), e.group(3), e.group(4)))
    return out


def want_events(evs):
    return [(e["event"], e["name"], e["version"], e["stage"]) for e in evs]


def check(a):
    exp = json.load(open(a.expected))
    lines = open(a.output).read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    errs = []
    try:
        if a.query == "models":
            errs = same_state(parse_models(lines), exp["now"], "models")
        elif a.query == "models_name":
            p = exp["probe"]
            got = parse_models(lines)
            if list(got) != [p]:
                errs.append("models %s: shows %s" % (p, list(got)[:3]))
            else:
                errs = same_state(got, {p: exp["now"][p]}, "models " + p)
                w = exp["now"][p]
                want = [(v, v in w["deregistered"],
                         sorted(s for s, x in w["stages"].items() if x == v))
                        for v in w["versions"]]
                if got[p]["versions"] != want:
                    errs.append("models %s: versions %s, want %s" % (p, got[p]["versions"], want))
        elif a.query == "log_asof":
            try:
                cut = lines.index("")
            except ValueError:
                raise ValueError("no 'as of' section")
            if lines[cut + 1] != "as of %s:" % exp["as_of_iso"]:
                errs.append("log --as-of: heading %r" % lines[cut + 1])
            got = events_of(lines[:cut])
            want = want_events([e for e in exp["events"] if e["time"] <= exp["as_of"]])
            if got != want:
                i = next((i for i, (x, y) in enumerate(zip(got, want)) if x != y),
                         min(len(got), len(want)))
                errs.append("log --as-of: %d events, want %d; first difference at %d: %s, want %s"
                            % (len(got), len(want), i, got[i:i + 1], want[i:i + 1]))
            errs += same_state(parse_models(lines[cut + 2:]), exp["then"], "as of")
        elif a.query == "log_name":
            p = exp["probe"]
            got = events_of(lines)
            want = want_events([e for e in exp["events"] if e["name"] == p])
            if got != want:
                errs.append("log %s: %s, want %s" % (p, got, want))
        elif a.query == "assign":
            # ARG: "TAG COMMIT" of the tag that appeared, and the version asked
            tag, commit, version = a.arg.split()
            p = exp["probe"]
            if not re.match(r"^%s#prod#\d+$" % re.escape(p), tag):
                errs.append("assign: new tag %r" % tag)
            text = open(a.output).read()
            if "Created tag '%s' on %s" % (tag, commit[:12]) not in text:
                errs.append("assign: output %r does not name %s at %s" % (text[:200], tag,
                                                                         commit[:12]))
        elif a.query == "floor":
            n = exp["registry_tags"] + exp["other_tags"]
            if len(lines) < n:
                errs.append("floor: %d tags, want at least %d" % (len(lines), n))
        else:
            errs.append("unknown query " + a.query)
    except ValueError as e:
        errs.append("%s: %s" % (a.query, e))
    if errs:
        print("; ".join(errs[:5]) + (" (and %d more)" % (len(errs) - 5) if len(errs) > 5 else ""))
        sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("repo")
    g.add_argument("expected")
    g.add_argument("--models", type=int, default=500)
    g.add_argument("--versions", type=int, default=10)
    g.add_argument("--stage-tags", type=int, default=10)
    g.add_argument("--other", type=int, default=10000)
    g.add_argument("--seed", type=int, default=1)
    c = sub.add_parser("check")
    c.add_argument("query")
    c.add_argument("expected")
    c.add_argument("output")
    c.add_argument("arg", nargs="?", default="")
    a = ap.parse_args()
    gen(a) if a.cmd == "gen" else check(a)


if __name__ == "__main__":
    main()
