"""`ketensim backtest`: forecasts from rolling origins against what was observed after them."""
from __future__ import annotations

import argparse

from . import options as opt
from .state import _monday


def add_parser(sub: opt.Subparsers) -> None:
    p = sub.add_parser("backtest", help="forecast from the observed-matched state at each origin and compare "
                                        "with every observed figure that followed (results/backtest/)")
    opt.add_scenario(p)
    p.add_argument("--origin", dest="origins", action="append", required=True, type=_monday, metavar="DATE",
                   help="a Monday to forecast from (repeatable: rolling origins)")
    p.add_argument("--months", type=opt.positive_int, default=12, help="months forecast from each origin (default 12)")
    opt.add_reps(p, default=10, help="replications for the state and for the forecast (default 10)")
    p.add_argument("--workers", type=opt.positive_int, default=None, help="processes (default: all cores)")
    opt.add_out(p, help="output folder (default results/backtest/<scenario>-<origin>/; with several origins "
                        "one subfolder per origin)")
    p.set_defaults(func=handle, plots=False)


def handle(args: argparse.Namespace) -> int:
    import os

    from ..report.backtest import backtest_text
    from ..workflow.backtest import run_backtest

    workers = args.workers or os.cpu_count() or 1
    for r in run_backtest(args.scenario, args.origins, args.months, reps=args.reps, workers=workers,
                          overrides=args.overrides, out=args.out):
        print(f"\nbacktest of {args.scenario} from {r.origin}, {args.months} months "
              f"(state matched: {', '.join(r.matched) or 'nothing observed near the origin'})")
        print(backtest_text(r.backtest))
        print(f"written to {r.out}")
    return 0
