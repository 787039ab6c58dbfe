"""ketensim command line: one module per command (its arguments in ``add_parser`` and its
handler), shared options in ``options``, error handling in ``guard``. Heavy libraries are
imported inside the handlers, so that `ketensim --help` starts fast.

Adding a command: write ``cli/<name>.py`` with ``add_parser(sub)`` that adds the subparser
and sets ``func=handle``, and ``handle(args) -> int``; add the module to ``COMMANDS``."""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from .. import __version__
from . import (
    advise,
    backtest,
    calibrate,
    check,
    compare,
    forecast,
    metrics,
    observed,
    report,
    run,
    schema,
    sensitivity,
    size,
    state,
    sweep,
    sweep_merge,
    validate,
)
from .guard import run_guarded, subcommand_defaults
from .options import positive_int
from .progress import Progress, plural

__all__ = ["COMMANDS", "Progress", "build_parser", "main", "plural", "positive_int"]

COMMANDS = (check, run, forecast, state, backtest, calibrate, validate, sensitivity, compare, sweep, sweep_merge,
            advise, size, report, metrics, observed, schema)
"""The command modules, in the order `ketensim --help` lists them."""


def build_parser() -> argparse.ArgumentParser:
    """The parser: global options, then each command module adds its subparser."""
    p = argparse.ArgumentParser(prog="ketensim", description="Simulate the Dutch migration chain under COVID-19.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    p.add_argument("--no-limits", action="store_true",
                   help="lift the plausibility bounds on stocks, capacities, rates and sizes")
    sub = p.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:2] == ["sweep", "merge"] and not Path("merge").exists():  # `sweep merge OUT STORE...`
        argv = ["sweep-merge", *argv[2:]]
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    return run_guarded(args, subcommand_defaults(parser, getattr(args, "command", None)))
