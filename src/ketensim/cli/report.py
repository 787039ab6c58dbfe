"""`ketensim report`: a self-contained HTML report of stored results."""
from __future__ import annotations

import argparse
from pathlib import Path

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
    path = write_report(args.results, baseline=args.baseline, out=args.out, targets=targets, lang=args.lang,
                        windows=windows, stat=args.stat, chain=args.chain_window, point=args.point,
                        baseline_point=args.baseline_point)
    print(f"report: {path}")
    return 0
