"""`ketensim schema`: the scenario file's JSON Schema, for editors (the shipped scenarios name
``scenarios/scenario.schema.json`` in their first line, the YAML language server's modeline)."""
from __future__ import annotations

import argparse
import sys

from . import options as opt


def add_parser(sub: opt.Subparsers) -> None:
    s = sub.add_parser("schema", help="print the JSON Schema of a scenario file (editors validate and complete "
                       "scenarios against it; the shipped ones name scenarios/scenario.schema.json)")
    s.set_defaults(func=handle, plots=False)


def handle(args: argparse.Namespace) -> int:
    """Print the schema (``ketensim schema > scenario.schema.json``)."""
    from ..scenario.json_schema import schema_text

    sys.stdout.write(schema_text())
    return 0
