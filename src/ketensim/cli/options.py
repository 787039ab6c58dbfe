"""Options several commands share: the scenario and its overrides, replications, seed,
output folder, windows and statistic, where to run, and argparse types."""
from __future__ import annotations

import argparse
from typing import Any, TypeAlias

from ..workflow.targets import DEFAULT_TARGETS  # noqa: F401 (re-exported: the commands name it in help texts)

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""The type of ``build_parser``'s subparsers, which each command module adds to."""

SET_HELP = ("override a parameter: dotted.path=value, dotted.path@phase=value, or a dated change "
            "dotted.path@DATE=value / dotted.path@DATE..DATE=value (DATE: 2020-11-01 or 2020-W40; "
            "value '*0.5' = half the phases' value); repeatable")


def positive_int(text: str) -> int:
    """argparse type: a whole number of at least 1 (argparse turns the error into exit 2)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def certainty(text: str) -> float:
    """argparse type: a probability in (0, 1]."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1], got {text!r}") from None
    if not 0 < v <= 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {v:g}")
    return v


def add_scenario(p: argparse.ArgumentParser) -> None:
    """The scenario file and its repeatable --set overrides."""
    p.add_argument("scenario", help="scenario YAML file")
    add_set(p)


def add_set(p: argparse.ArgumentParser, extra: str = "") -> None:
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                   help=SET_HELP + extra)


def add_reps(p: argparse.ArgumentParser, default: int | None = None, help: str | None = None) -> None:
    p.add_argument("--reps", type=positive_int, default=default, help=help)


def add_seed(p: argparse.ArgumentParser, help: str | None = "root seed (default: the scenario's)") -> None:
    p.add_argument("--seed", type=int, help=help)


def add_out(p: argparse.ArgumentParser, help: str | None = None, default: str | None = None) -> None:
    p.add_argument("--out", default=default, help=help)


def add_quiet(p: argparse.ArgumentParser, help: str | None = None) -> None:
    p.add_argument("--quiet", action="store_true", help=help)


def add_xlsx(p: argparse.ArgumentParser, lang: bool = True) -> None:
    """--xlsx (and --lang): also write an Excel workbook for policy staff (``report.xlsx``)."""
    p.add_argument("--xlsx", action="store_true",
                   help="also write an Excel workbook for policy staff: key figures per window with 95%% intervals, "
                        "paired differences, required capacity, the scenario's changes, assumptions, provenance")
    if lang:
        p.add_argument("--lang", choices=["en", "nl"], default="en", help="language of the workbook (default en)")


def add_windows(p: argparse.ArgumentParser) -> None:
    """--window (repeatable) and --stat: the windows and statistic of the printed figures."""
    p.add_argument("--window", dest="windows", action="append", default=None, metavar="[NAME=]FROM..TO",
                   help="a window of ISO weeks or dates, e.g. 2020-W40..2020-W53 or autumn=2020-W40..2020-W53 "
                        "(repeatable; replaces the default windows: the letter's and the scenario's report.windows)")
    p.add_argument("--stat", default="mean", metavar="STAT",
                   help="statistic over a window's weeks: mean (weekly mean, default), sum, end, max, min, or a "
                        "quantile pNN (p90)")


def windows(args: argparse.Namespace) -> list[Any] | None:
    """The --window texts parsed (a bad one is a one-line error naming it)."""
    from ..analysis.stats import parse_statistic, parse_window
    from ..scenario.errors import ScenarioError

    try:
        parse_statistic(args.stat)
    except ValueError as exc:
        raise ScenarioError("--stat", "", str(exc)) from None
    if not args.windows:
        return None
    out = []
    for text in args.windows:
        try:
            out.append(parse_window(text))
        except ValueError as exc:
            raise ScenarioError(f"--window {text}", "", str(exc)) from None
    return out


def add_executor(p: argparse.ArgumentParser) -> None:
    """Where to run (local processes, a Dask cluster) and --quiet."""
    g = p.add_argument_group("where to run")
    g.add_argument("--workers", type=positive_int, help="local processes (default: all cores; 1 = in this process)")
    g.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run on an existing Dask cluster")
    g.add_argument("--dask-workers", type=positive_int, metavar="N",
                   help="start a local Dask cluster of N workers (bound to 127.0.0.1)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def executor(args: argparse.Namespace, jobs: int | None = None) -> Any:
    """The executor the options ask for; local workers default to min(jobs, cores)."""
    from ..experiment.executors import make_executor

    workers = args.workers
    if workers is None and jobs is not None and not (args.scheduler or args.dask_workers):
        import os

        workers = max(1, min(jobs, os.cpu_count() or 1))
    return make_executor(workers=workers, scheduler=args.scheduler, dask_workers=args.dask_workers)


def targets_arg(value: str | None) -> Any:
    """The targets to compare with: the file given (which must exist) or, by default, the
    letter's targets file when it is there (``workflow.targets``: one rule with the API)."""
    from ..workflow.targets import resolve_targets

    return resolve_targets(value)
