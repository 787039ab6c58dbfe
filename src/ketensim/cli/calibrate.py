"""`ketensim calibrate`: fit the calibration parameters to the letter's targets."""
from __future__ import annotations

import argparse
from pathlib import Path

from . import options as opt
from .progress import Progress


def add_parser(sub: opt.Subparsers) -> None:
    c = sub.add_parser("calibrate", help="fit the calibration parameters to the letter's targets")
    c.add_argument("scenario", help="scenario YAML file (its .calibration.yaml sits next to it)")
    c.add_argument("--spec", help="calibration file (default: SCENARIO with .calibration.yaml)")
    c.add_argument("--targets", help="ignored when the calibration file names its targets")
    c.add_argument("--budget", type=opt.positive_int, help="finished trials to reach (resumes an existing study)")
    c.add_argument("--fit-targets", help="comma-separated target ids to fit (backtest: the rest is out of sample)")
    c.add_argument("--fresh", action="store_true", help="do not warm-start from the scenario's values")
    c.add_argument("--workers", type=opt.positive_int, help="local processes per trial")
    opt.add_out(c, help="output folder (default: results/calibration/<scenario>)")
    opt.add_quiet(c)
    c.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    from ..calibration.fit import calibrate
    from ..calibration.spec import load_spec

    spec_path = Path(args.spec or Path(args.scenario).with_suffix(".calibration.yaml"))
    spec, base = load_spec(spec_path)
    from ..experiment.store import check_output_dir

    out = check_output_dir(Path(args.out or f"results/calibration/{Path(args.scenario).stem}"))
    fit_ids = args.fit_targets.split(",") if args.fit_targets else None
    if fit_ids:
        from ..calibration.spec import check_names

        check_names(spec, base, "--fit-targets", fit_ids)
    res = calibrate(spec, base, out, budget=args.budget, workers=args.workers, fit_ids=fit_ids,
                    progress=Progress("calibrate", args.quiet), fresh=args.fresh)
    print(f"\nbest after {len(res.trials)} trials (loss {res.score.loss:.3f}, "
          f"mean |relative error| {res.score.mean_abs_rel:.1%}):")
    for k, v in res.best.items():
        print(f"  {k} = {v:.6g}")
    from ..report.table import format_targets

    print()
    print(format_targets(res.score.table))
    if fit_ids:
        oos = res.score.table[~res.score.table.id.isin(fit_ids)]
        if len(oos):
            print(f"\nout of sample ({', '.join(oos.id)}): mean |relative error| {oos.rel_error.abs().mean():.1%}")
    kept = "evaluations.jsonl" if spec.method == "least_squares" else "study.journal"
    print(f"\nwritten: {out}/calibrated.yaml, fit.csv, trials.csv, summary.json; rerunning continues "
          f"from {out}/{kept}")
    return 0
