"""`ketensim advise`: replications needed for a relative precision, from a pilot."""
from __future__ import annotations

import argparse
import sys

from . import options as opt
from .progress import Progress


def add_parser(sub: opt.Subparsers) -> None:
    a = sub.add_parser("advise", help="replications needed for a relative precision (CI half-width)")
    opt.add_scenario(a)
    a.add_argument("--pilot", type=opt.positive_int, default=10, help="pilot replications (default 10)")
    a.add_argument("--precision", type=float, default=0.05, help="relative half-width > 0 (default 0.05)")
    a.add_argument("--metric", dest="metrics", action="append", default=[],
                   help="only figures of this metric (repeatable)")
    opt.add_seed(a)
    opt.add_executor(a)
    a.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..experiment.advise import advise
    from ..experiment.compare import run_replications
    from ..experiment.figures import figure_values, key_figures
    from ..scenario.loader import load_scenario

    sc = load_scenario(args.scenario, args.overrides)
    seed = sc.seed if args.seed is None else args.seed
    with opt.executor(args, args.pilot) as ex:
        (recs,) = run_replications([sc], args.pilot, [seed], ex, Progress(f"pilot {sc.name}", args.quiet))
    frames = [r.weekly for r in recs if r.weekly is not None]
    if len(frames) < 2:
        print("ketensim: error: fewer than 2 pilot replications succeeded", file=sys.stderr)
        return 1
    values = figure_values(pd.concat(frames, ignore_index=True), key_figures(sc, args.metrics or None))
    table = advise(values, args.precision)
    with pd.option_context("display.width", 200, "display.max_rows", 500):
        print(f"{sc.name}: replications for a 95% CI half-width within {args.precision:.0%} of the mean "
              f"(pilot of {args.pilot}, CI half-width method)")
        shown = table.assign(mean=table["mean"].map("{:,.1f}".format),
                             rel_half_width=table.rel_half_width.map("{:.1%}".format))
        print(shown.to_string(index=False))
    need = int(table.needed.max()) if len(table) else 0
    print(f"\nmost demanding: {need} replications")
    return 0
