"""Validates summary.json files against docs/summary.schema.json (JSON Schema 2020-12).

usage: python3 validate_summary.py SCHEMA FILE...
Prints one line per problem as FILE: PATH: MESSAGE and exits 1 when any file has one.
JSON's non-standard NaN/Infinity literals are refused as well: JSON has no such numbers.
"""
import json
import sys

from jsonschema import Draft202012Validator


def refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


def main(argv):
    schema = json.load(open(argv[1], encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    bad = 0
    for path in argv[2:]:
        try:
            document = json.load(open(path, encoding="utf-8"), parse_constant=refuse_constant)
        except ValueError as error:
            print(f"{path}: $: {error}")
            bad += 1
            continue
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
            where = "$" + "".join(f"[{p!r}]" for p in error.absolute_path)
            print(f"{path}: {where}: {error.message}")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
