"""`ketensim sweep`: run a sweep file (levers x uncertainties x replications) into a store."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import options as opt
from .progress import Progress, plural


def add_parser(sub: opt.Subparsers) -> None:
    s = sub.add_parser("sweep", help="run a sweep file (levers x uncertainties x replications)")
    s.add_argument("sweep", help="sweep YAML file")
    opt.add_out(s, help="result store (default: results/sweeps/<sweep name>)")
    opt.add_reps(s, help="replications per design point (default: the file's)")
    s.add_argument("--shard", metavar="K/N", help="run only shard K of N into its own store (merge with "
                   "`ketensim sweep merge OUT STORE...`)")
    opt.add_executor(s)
    s.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..experiment.sweep import plan_sweep, run_sweep

    plan = plan_sweep(args.sweep, args.reps)
    from ..experiment.store import check_output_dir, safe_name

    shard = None
    if args.shard:
        from ..experiment.shard import parse_shard, run_shard

        shard = parse_shard(args.shard)
    suffix = f"-shard-{shard.k}-of-{shard.n}" if shard else ""
    out = check_output_dir(Path(args.out or f"results/sweeps/{safe_name(plan.spec.name)}{suffix}"))
    from ..experiment.store import RunStore, kept_note
    from ..report.binding import sweep_notes
    from ..scenario.errors import RunFault

    for line in sweep_notes(plan.points, plan.scenarios):
        print(f"note: {line}", file=sys.stderr)
    try:
        with opt.executor(args, plan.total) as ex:
            kw = dict(executor=ex, replications=args.reps,
                      progress=Progress(f"sweep {plan.spec.name}{suffix}", args.quiet))
            res = run_shard(args.sweep, out, shard, **kw) if shard else run_sweep(args.sweep, out, **kw)
    except KeyboardInterrupt:
        raise RunFault(f"interrupted: {kept_note(RunStore(out), plan.total)}; rerun the same command "
                       "to resume", 130) from None
    except OSError as exc:  # e.g. the disk filled up while storing a run
        raise RunFault(f"{exc.filename or out}: {exc.strerror or exc}; {kept_note(RunStore(out), plan.total)}; "
                       "rerun the same command to resume") from None
    if res.store.damaged:
        print(f"{len(res.store.damaged)} damaged or misplaced run file(s) were set aside (*.damaged) and "
              f"redone, e.g. {res.store.damaged[0][0]}: {res.store.damaged[0][1]}", file=sys.stderr)
    with pd.option_context("display.width", 220, "display.max_columns", 30, "display.max_rows", 200,
                           "display.float_format", "{:,.1f}".format):
        shown = res.summary.copy()
        for col in shown.columns:
            if col.startswith(("lever:", "uncertainty:")):
                shown[col] = shown[col].map(str)
        print(shown.to_string(index=False))
    print(f"\n{plan.spec.name}: {plural(len(plan.points), 'design point')} x "
          f"{plural(plan.spec.replications, 'replication')} = {plural(plan.total, 'run')}"
          f"{f' (shard {shard}: {res.ran + res.skipped})' if shard else ''}; "
          f"ran {res.ran}, skipped {res.skipped} finished, {res.failed} failed; "
          f"wall time {res.wall_s:.1f}s on {ex.name} ({plural(ex.workers, 'worker')})")
    print(f"store: {out}/runs/point=*/rep=*.parquet, {out}/manifest.json, {out}/summary.csv")
    print(f"open it: ketensim report {out}  (overview), ketensim report {out} --point N --baseline-point M, "
          f"or ketensim.read('{out}').point(N) in Python")
    if res.failed:
        print(f"{plural(res.failed, 'run')} failed; their errors are in the run files' metadata "
              f"(ketensim.experiment.store.RunStore.read_meta); rerun to retry them", file=sys.stderr)
        return 1
    return 0
