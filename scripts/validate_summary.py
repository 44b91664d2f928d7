#!/usr/bin/env python3
"""Checks summary.json files against docs/summary.schema.json (JSON Schema 2020-12).

usage: scripts/validate_summary.py FILE...        (the schema of this checkout)
       scripts/validate_summary.py --schema SCHEMA FILE...
Prints one line per problem, FILE: PATH: MESSAGE, and exits 1 when a file has one (2 on usage).
JSON has no NaN or Infinity: the literals some writers emit for them are refused too.
Needs the Python package jsonschema (Debian python3-jsonschema).
"""
import json
import os
import sys

from jsonschema import Draft202012Validator


def refuse_constant(name):
    raise ValueError(f"{name} is not a JSON number; write null for a missing number")


def main(argv):
    args = argv[1:]
    schema_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "summary.schema.json")
    if len(args) >= 2 and args[0] == "--schema":
        schema_path, args = args[1], args[2:]
    if not args:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    bad = 0
    for path in args:
        try:
            with open(path, encoding="utf-8") as f:
                document = json.load(f, parse_constant=refuse_constant)
        except (OSError, ValueError) as error:
            print(f"{path}: $: {error}")
            bad += 1
            continue
        for error in sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path]):
            where = "$" + "".join(f"[{p!r}]" for p in error.absolute_path)
            message = error.message if len(error.message) <= 240 else error.message[:240] + " …"
            print(f"{path}: {where}: {message}")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
