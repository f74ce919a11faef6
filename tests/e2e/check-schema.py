#!/usr/bin/env python3
"""Validate JSON on stdin against one of docs/schema/*.schema.json.

usage: check-schema.py NAME < output.json   (NAME: lineage, uses, find, diff)
Exits 0 when valid, 1 with the first error otherwise, 77 when this Python
has no jsonschema module (the caller then tries another, or skips loudly).
The schemas refer to each other by their $id; all of them are loaded.
"""
import glob
import json
import os
import sys
import warnings

try:
    import jsonschema
except ImportError:
    sys.exit(77)

here = os.path.dirname(os.path.abspath(__file__))
folder = os.path.join(here, "..", "..", "docs", "schema")
schemas = {}
for path in glob.glob(os.path.join(folder, "*.schema.json")):
    with open(path) as f:
        s = json.load(f)
    schemas[os.path.basename(path)[: -len(".schema.json")]] = s

schema = schemas[sys.argv[1]]
doc = json.load(sys.stdin)
cls = jsonschema.Draft202012Validator
try:
    from referencing import Registry, Resource

    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in schemas.values())
    validator = cls(schema, registry=registry)
except ImportError:  # jsonschema before 4.18 (Debian 12 has 4.10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        resolver = jsonschema.RefResolver.from_schema(
            schema, store={s["$id"]: s for s in schemas.values()})
    validator = cls(schema, resolver=resolver)
errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
if errors:
    e = errors[0]
    print("schema %s: %s at %s" % (sys.argv[1], e.message, list(e.absolute_path)))
    sys.exit(1)
