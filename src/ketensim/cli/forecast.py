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
    f.add_argument("--from-year", type=int, default=None,
                   help="first forecast year (default: 2021 for a run from 2020, else the start's year)")
    opt.add_out(f, help="output folder (default: results/forecast-<first>-<last year>)")
    opt.add_xlsx(f)
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
    first = args.from_year or (2021 if h.start.isocalendar()[0] <= 2020 else h.start.isocalendar()[0])
    extras = {}
    if args.xlsx:
        from ..experiment.store import safe_name
        from ..report.forecast_write import forecast_windows
        from ..report.xlsx import planning_sheet, workbook_for
        from ..workflow.xlsx import write_workbook

        book = workbook_for(res.weekly, res.manifest, windows=forecast_windows(res.weekly), lang=args.lang,
                            sources=(str(out), None),
                            extra_sheets=[planning_sheet(res.weekly, first, args.lang)])
        extras[f"{safe_name(sc.name)}.xlsx"] = lambda p: write_workbook(p, book)  # inside the forecast's set
    write_forecast(res.weekly, res.manifest, out, first_year=first, extras=extras)
    print((out / "README.md").read_text())
    for name in extras:
        print(f"workbook: {out / name}")
    if failed:
        raise ReplicationsFailed(failure_message(failed, args.reps, f"; errors are in {out}/manifest.json",
                                                 remedy=""), failed)
    return 0
