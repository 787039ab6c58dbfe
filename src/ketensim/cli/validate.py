"""`ketensim validate`: the validation report (targets, facts, plots, backtest)."""
from __future__ import annotations

import argparse
from pathlib import Path

from . import options as opt
from .progress import Progress


def add_parser(sub: opt.Subparsers) -> None:
    v = sub.add_parser("validate", help="write the validation report (targets, facts, plots, backtest)")
    opt.add_scenario(v)
    opt.add_reps(v, 20)
    opt.add_seed(v, help=None)
    v.add_argument("--workers", type=opt.positive_int)
    v.add_argument("--targets", default=opt.DEFAULT_TARGETS)
    opt.add_out(v, default="results/validation")
    v.add_argument("--backtest", default="results/validation/backtest",
                   help="folder of a calibration fitted on an early window (fit.csv, summary.json)")
    opt.add_quiet(v)
    v.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    from ..calibration.validation import write_validation
    from ..experiment.store import check_output_dir
    from ..scenario.loader import load_scenario
    from ..workflow.run import run_replications
    from ..workflow.targets import required_targets

    sc = load_scenario(args.scenario, args.overrides)
    targets = required_targets(args.targets)
    check_output_dir(args.out)
    res = run_replications(sc, args.reps, args.seed, workers=args.workers,
                           progress=Progress(f"validate {sc.name}", args.quiet),
                           consequence=f", so {args.out} was not written", remedy="")
    command = f"ketensim validate {args.scenario} --reps {args.reps}"
    out = Path(args.out)
    summary = write_validation(res.weekly, res.manifest, targets, out, command,
                               backtest=Path(args.backtest) if args.backtest else None)
    print(f"targets within tolerance: {summary['targets_ok']} of {summary['targets']}; "
          f"qualitative facts reproduced: {summary['facts_ok']} of {summary['facts']}")
    print(f"written: {out}/README.md, targets.csv, facts.csv and the plots")
    return 0
