#!/usr/bin/env python3
"""Validate JSON on stdin against one of docs/schema/*.schema.json.

usage: check-schema.py NAME < output.json   (NAME: lineage, uses, find, diff)
Exits 0 when valid, 1 with the first error otherwise, 77 when no Python
here has the jsonschema module (the caller reports a loud skip).
"""
import json
import os
import sys

try:
    import jsonschema
except ImportError:
    sys.exit(77)

here = os.path.dirname(os.path.abspath(__file__))
path = os.path.join(here, "..", "..", "docs", "schema", sys.argv[1] + ".schema.json")
with open(path) as f:
    schema = json.load(f)
doc = json.load(sys.stdin)
try:
    jsonschema.validate(doc, schema, cls=jsonschema.Draft202012Validator)
except jsonschema.ValidationError as e:
    print("schema %s: %s at %s" % (sys.argv[1], e.message, list(e.absolute_path)))
    sys.exit(1)
