"""Benchmarks of issue 5: variance reduction from common random numbers, executor overhead.

    python bench/experiments.py crn --reps 10          # baseline vs telehoren-permanent
    python bench/experiments.py executors --runs 24    # serial, processes, Dask local

Writes CSV tables to results/bench/. Timings depend on the machine and its load; the
variance reduction is deterministic given the seeds.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "results" / "bench"


def crn(args: argparse.Namespace) -> None:
    from ketensim.experiment.compare import crn_variance_reduction, summary_factor
    from ketensim.experiment.executors import make_executor
    from ketensim.scenario.loader import load_scenario

    base = load_scenario(args.base)
    alt = load_scenario(args.alt)
    t0 = time.monotonic()
    with make_executor(workers=args.workers) as ex:
        table = crn_variance_reduction(base, alt, args.reps, executor=ex)
    OUT.mkdir(parents=True, exist_ok=True)
    table.to_csv(OUT / "crn.csv", index=False)
    with pd.option_context("display.width", 200, "display.max_rows", 200):
        print(table.to_string(index=False, float_format="{:,.2f}".format))
    print(f"\n{base.name} vs {alt.name}, {args.reps} replications: variance reduction "
          f"{summary_factor(table)} ({time.monotonic() - t0:.0f}s)")


def _tiny(folder: Path) -> Path:
    import yaml

    p = folder / "tiny.yaml"
    p.write_text(yaml.safe_dump({
        "extends": str(ROOT / "scenarios" / "baseline-2020.yaml"), "name": "tiny",
        "horizon": {"start": "2020-W49", "end": "2021-01-03"},
        "start": {"reception": {"in_procedure": 1350, "permit_holders": 560, "rejected": 820},
                  "ind": {"appeals_open": 820}, "dtv": {"outside_reception": 300}}}))
    return p


def executors(args: argparse.Namespace) -> None:
    import tempfile

    from ketensim.experiment.executors import make_executor
    from ketensim.experiment.runner import simulate
    from ketensim.scenario.loader import load_scenario

    with tempfile.TemporaryDirectory() as tmp:
        sc = load_scenario(args.scenario or _tiny(Path(tmp)))
    rows = []
    for label, kw in [("serial", {"workers": 1}), ("processes", {"workers": args.workers}),
                      ("dask-local", {"dask_workers": args.workers})]:
        t0 = time.monotonic()
        with make_executor(**kw) as ex:
            t1 = time.monotonic()
            jobs = ((r, simulate, (sc, r, sc.seed)) for r in range(args.runs))
            recs = [rec for _, rec in ex.run(jobs)]
            t2 = time.monotonic()
        t3 = time.monotonic()
        busy = sum(r.runtime_s for r in recs)
        rows.append({"executor": label, "workers": ex.workers, "runs": args.runs,
                     "start_s": t1 - t0, "run_wall_s": t2 - t1, "stop_s": t3 - t2,
                     "sum_runtime_s": busy,
                     "overhead_per_run_ms": 1000 * (t2 - t1 - busy / ex.workers) / args.runs})
        print(rows[-1], file=sys.stderr)
    table = pd.DataFrame(rows)
    OUT.mkdir(parents=True, exist_ok=True)
    table.to_csv(OUT / "executors.csv", index=False)
    print(table.to_string(index=False, float_format="{:,.2f}".format))


def main() -> None:
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("crn")
    c.add_argument("--base", default=str(ROOT / "scenarios" / "baseline-2020.yaml"))
    c.add_argument("--alt", default=str(ROOT / "scenarios" / "telehoren-permanent.yaml"))
    c.add_argument("--reps", type=int, default=10)
    c.add_argument("--workers", type=int)
    c.set_defaults(func=crn)
    e = sub.add_parser("executors")
    e.add_argument("--scenario", help="scenario YAML (default: a tiny 5-week variant of the baseline)")
    e.add_argument("--runs", type=int, default=24)
    e.add_argument("--workers", type=int, default=2)
    e.set_defaults(func=executors)
    args = p.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
