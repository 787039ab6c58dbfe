"""`ketensim sensitivity`: Morris screening of the calibration parameters."""
from __future__ import annotations

import argparse
from pathlib import Path

from . import options as opt
from .progress import Progress


def add_parser(sub: opt.Subparsers) -> None:
    s = sub.add_parser("sensitivity", help="Morris screening of the calibration parameters")
    s.add_argument("scenario")
    s.add_argument("--spec", help="calibration file (default: SCENARIO with .calibration.yaml)")
    s.add_argument("--trajectories", type=opt.positive_int, default=4)
    opt.add_reps(s, 2, help="replications per design point")
    s.add_argument("--outcomes", help="comma-separated target ids (default: all)")
    s.add_argument("--workers", type=opt.positive_int)
    opt.add_out(s)
    opt.add_quiet(s)
    s.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    from ..analysis.targets import load_targets
    from ..calibration.fit import runner_for
    from ..calibration.sensitivity import morris, plot, ranking
    from ..calibration.spec import load_spec
    from ..experiment.store import atomic_write

    spec_path = Path(args.spec or Path(args.scenario).with_suffix(".calibration.yaml"))
    spec, base = load_spec(spec_path)
    targets = load_targets(base / spec.targets)
    run = runner_for(base / spec.scenario, args.reps, spec.seed, args.workers, spec.fixed)
    outcomes = args.outcomes.split(",") if args.outcomes else ()
    table = morris(spec, targets, run, trajectories=args.trajectories, outcomes=outcomes,
                   seed=spec.seed, progress=Progress("morris", args.quiet))
    out = Path(args.out or f"results/sensitivity/{Path(args.scenario).stem}")
    out.mkdir(parents=True, exist_ok=True)
    atomic_write(out / "morris.csv", lambda p: table.to_csv(p, index=False))
    plot(table, str(out / "morris.png"))
    print(ranking(table).to_string(index=False))
    print(f"\nwritten: {out}/morris.csv, morris.png")
    return 0
