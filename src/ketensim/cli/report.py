"""`ketensim report`: a self-contained HTML report of stored results."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from . import options as opt


def add_parser(sub: opt.Subparsers) -> None:
    rep = sub.add_parser("report", help="write a self-contained HTML report of stored results")
    rep.add_argument("results", metavar="RESULTS_DIR",
                     help="results folder written by `ketensim run`, or a sweep store (overview report)")
    rep.add_argument("--baseline", metavar="DIR", help="results folder of the baseline to compare with")
    rep.add_argument("--point", type=int, metavar="N", help="a sweep store's design point N (its full report)")
    rep.add_argument("--baseline-point", type=int, metavar="M", help="compare --point N with point M of the store")
    rep.add_argument("--out", metavar="FILE", help="HTML file (default: RESULTS_DIR/report.html)")
    rep.add_argument("--targets", help=f"targets file with the letter's figures (default: {opt.DEFAULT_TARGETS} when present)")
    rep.add_argument("--lang", choices=["en", "nl"], default="en", help="language of the report (default en)")
    rep.add_argument("--chain-window", metavar="[NAME=]FROM..TO",
                     help="window of the chain overview (default: where the scenarios differ most)")
    opt.add_windows(rep)
    opt.add_xlsx(rep, lang=False)
    rep.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    from ..experiment.store import check_output_dir, read_results
    from ..experiment.sweep_results import is_sweep_store
    from ..scenario.errors import ScenarioError
    from ..workflow.report import write_report

    windows = opt.windows(args)
    sweep = is_sweep_store(args.results)
    for d in [args.results] + ([args.baseline] if args.baseline else []):
        if is_sweep_store(d):
            continue
        if not (Path(d) / "weekly.parquet").exists() or not (Path(d) / "manifest.json").exists():
            raise ScenarioError(d, "", "no results here (expected weekly.parquet and manifest.json, as written by "
                                "`ketensim run`, or a sweep store written by `ketensim sweep`)")
        read_results(d)  # a damaged folder is a one-line error before any work
    if not sweep and (args.point is not None or args.baseline_point is not None):
        raise ScenarioError(args.results, "", "--point and --baseline-point need a sweep store")
    if args.baseline_point is not None and args.point is None:
        raise ScenarioError(args.results, "", "--baseline-point needs --point N")
    targets = opt.targets_arg(args.targets)
    if args.out:
        check_output_dir(Path(args.out).parent, "--out")
    if args.xlsx and sweep and args.point is None:
        raise ScenarioError(args.results, "", "--xlsx needs a results folder or one point of a sweep store (--point N)")
    path = write_report(args.results, baseline=args.baseline, out=args.out, targets=targets, lang=args.lang,
                        windows=windows, stat=args.stat, chain=args.chain_window, point=args.point,
                        baseline_point=args.baseline_point)
    print(f"report: {path}")
    if args.xlsx:
        print(f"workbook: {_workbook(args, path, windows)}")
    return 0


def _workbook(args: argparse.Namespace, report: Path, windows: Any) -> Path:
    """The workbook of the reported results next to the report (same name, ``.xlsx``),
    written atomically."""
    from ..api import read
    from ..experiment.store import atomic_write
    from ..report.xlsx import stored_need, workbook_for
    from ..workflow.xlsx import write_workbook

    def results(folder: str, point: int | None) -> Any:
        return read(folder, point)  # a results folder, or one point of a sweep store

    res = results(args.results, args.point)
    base = None
    if args.baseline_point is not None:
        base = results(args.baseline or args.results, args.baseline_point)
    elif args.baseline:
        base = results(args.baseline, None)
    book = workbook_for(res.weekly, res.manifest, baseline=None if base is None else base.weekly,
                        base_manifest=None if base is None else base.manifest, windows=windows, stat=args.stat,
                        need=stored_need(res.weekly, res.manifest), lang=args.lang,
                        sources=(str(args.results), args.baseline))
    path = Path(report).with_suffix(".xlsx")
    atomic_write(path, lambda p: write_workbook(p, book))
    return path
