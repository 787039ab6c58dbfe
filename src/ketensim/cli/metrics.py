"""`ketensim metrics`: list every metric of the registry (name, part, kind, unit, meaning)."""
from __future__ import annotations

import argparse
import sys

from . import options as opt


def add_parser(sub: opt.Subparsers) -> None:
    m = sub.add_parser("metrics", help="list every metric: name, part, kind, unit, meaning")
    m.add_argument("--format", choices=("text", "markdown"), default="text")
    m.add_argument("--parts", default="ketensim.model.chain:ALL_PARTS", metavar="MODULE[:NAME]",
                   help="the parts to list (default: the model's chain)")
    m.set_defaults(func=handle, plots=False)


def handle(args: argparse.Namespace) -> int:
    """Print the metric registry of a chain's parts (default: the model's)."""
    import importlib

    from ..metrics.registry import format_table
    from ..model.parts import registry_for

    module, _, attr = args.parts.partition(":")
    try:
        parts = getattr(importlib.import_module(module), attr or "PARTS")
    except (ImportError, AttributeError) as exc:
        print(f"ketensim: error: --parts {args.parts}: {exc}; expected MODULE[:NAME] naming a tuple of parts",
              file=sys.stderr)
        return 2
    print(format_table(registry_for(parts), args.format))
    return 0
