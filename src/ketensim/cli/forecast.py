"""`ketensim forecast`: trajectories and planning tables of a multi-year scenario."""
from __future__ import annotations

import argparse
import logging
from pathlib import Path

from . import options as opt
from .progress import Progress

log = logging.getLogger("ketensim")


def add_parser(sub: opt.Subparsers) -> None:
    f = sub.add_parser("forecast", help="trajectories with a 90%% band and planning tables of a "
                       "multi-year scenario (results/forecast-<first>-<last year>/)")
    opt.add_scenario(f)
    opt.add_reps(f, 20, help="replications (default 20, at least 20)")
    opt.add_seed(f)
    f.add_argument("--from-year", type=int, default=2021, help="first forecast year (default 2021)")
    opt.add_out(f, help="output folder (default: results/forecast-<first>-<last year>)")
    opt.add_executor(f)
    f.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    from ..scenario.loader import load_scenario
    from ..workflow.forecast import write_forecast
    from ..workflow.replications import ReplicationsFailed, failure_message
    from ..workflow.run import run_replications

    sc = load_scenario(args.scenario, args.overrides)
    if args.reps < 20:
        log.warning("forecast with %d replications: the 90%% band needs at least 20", args.reps)
    with opt.executor(args, args.reps) as ex:
        res = run_replications(sc, args.reps, args.seed, executor=ex, progress=Progress(f"{sc.name}", args.quiet),
                               keep_partial=True)  # the band of the finished ones is written, then exit 1
    failed = res.failed_replications
    h = sc.horizon
    out = Path(args.out or f"results/forecast-{h.start.isocalendar()[0]}-{h.end.isocalendar()[0]}")
    write_forecast(res.weekly, res.manifest, out, first_year=args.from_year)
    print((out / "README.md").read_text())
    if failed:
        raise ReplicationsFailed(failure_message(failed, args.reps, f"; errors are in {out}/manifest.json",
                                                 remedy=""), failed)
    return 0
