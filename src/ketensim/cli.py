"""ketensim command line. Heavy libraries are imported inside the commands, so that
`ketensim --help` starts fast."""
from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

DEFAULT_TARGETS = "scenarios/targets/letter-2020-10-05.yaml"
log = logging.getLogger("ketensim")


class Progress:
    """A one-line progress bar with ETA on stderr (silent when quiet or not a terminal)."""

    def __init__(self, label: str, quiet: bool = False) -> None:
        self.label, self.quiet, self.t0 = label, quiet, time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        if self.quiet:
            return
        elapsed = time.monotonic() - self.t0
        eta = elapsed / done * (total - done) if done else 0.0
        width = 24
        bar = "#" * int(width * done / total) + "-" * (width - int(width * done / total))
        end = "\n" if done == total else ""
        sys.stderr.write(f"\r{self.label} [{bar}] {done}/{total}  {elapsed:5.1f}s  eta {eta:5.1f}s{end}")
        sys.stderr.flush()


def _add_scenario_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                   help="override a parameter (dotted.path=value, or dotted.path@phase=value)")


def cmd_check(args: argparse.Namespace) -> int:
    from .policy.timeline import build_timeline
    from .scenario.loader import load_scenario

    sc = load_scenario(args.scenario, args.overrides)
    h = sc.horizon
    print(f"{args.scenario}: valid scenario {sc.name!r}")
    print(f"  horizon   {h.start} .. {h.end} ({h.weeks} weeks, warm-up {h.warmup_days} days)")
    print(f"  seed      {sc.seed}, {sc.replications} replications by default")
    s = sc.start
    print(f"  start     COA {s.reception.in_procedure + s.reception.permit_holders + s.reception.rejected:,}"
          f" (in procedure {s.reception.in_procedure:,}, permit holders {s.reception.permit_holders:,},"
          f" rejected {s.reception.rejected:,}); caseload outside COA {s.dtv.outside_reception:,}")
    print(f"  reception {sc.reception.regular_places:,} regular places in "
          f"{sum(g.count for g in sc.reception.locations)} locations; "
          f"emergency {', '.join(e.name for e in sc.reception.emergency) or 'none'}")
    print("  phases")
    for ph in build_timeline(sc, args.scenario):
        src = next(p for p in sc.phases if p.name == ph.name)
        changes = ", ".join(f"{k}={v}" for k, v in src.set.items()) or "-"
        print(f"    {src.start}  {ph.name:<20} {changes}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from .experiment.runner import run_scenario
    from .report.table import format_targets, window_table
    from .report.targets import compare, load_targets
    from .scenario.loader import load_scenario

    sc = load_scenario(args.scenario, args.overrides)
    reps = args.reps or sc.replications
    res = run_scenario(sc, reps=reps, seed=args.seed, workers=args.workers,
                       progress=Progress(f"{sc.name}", args.quiet))
    failed = [r for r in res.manifest["replications"] if r["error"]]
    out = Path(args.out or f"results/{sc.name}")
    res.write(out)
    import pandas as pd

    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(f"\n{sc.name}: {reps} replications, seed {res.manifest['seed']}; "
              f"weekly mean ±95% half-width [letter]")
        targets = load_targets(args.targets) if args.targets and Path(args.targets).exists() else None
        if not res.weekly.empty:
            print(window_table(res.weekly, targets).to_string())
            if targets is not None:
                print()
                print(format_targets(compare(res.weekly, targets)))
    per_run = [r["runtime_s"] for r in res.manifest["replications"]]
    print(f"\nresults: {out}/weekly.parquet, weekly.csv, manifest.json "
          f"(wall {res.manifest['wall_time_s']:.1f}s, {sum(per_run) / len(per_run):.2f}s per replication)")
    if failed:
        print(f"{len(failed)} replication(s) failed; errors are in {out}/manifest.json", file=sys.stderr)
        return 1
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .report.html import write_report
    from .report.targets import load_targets

    for d in [args.results] + ([args.baseline] if args.baseline else []):
        if not (Path(d) / "weekly.parquet").exists() or not (Path(d) / "manifest.json").exists():
            print(f"ketensim: error: {d}: no results here (expected weekly.parquet and manifest.json, "
                  "as written by `ketensim run`)", file=sys.stderr)
            return 2
    targets = load_targets(args.targets) if args.targets and Path(args.targets).exists() else None
    path = write_report(args.results, baseline=args.baseline, out=args.out, targets=targets)
    print(f"report: {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ketensim", description="Simulate the Dutch migration chain under COVID-19.")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("check", help="validate a scenario and print a summary")
    _add_scenario_args(c)
    c.set_defaults(func=cmd_check)

    r = sub.add_parser("run", help="run replications of a scenario and print the key figures")
    _add_scenario_args(r)
    r.add_argument("--reps", type=int, help="replications (default: the scenario's)")
    r.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    r.add_argument("--workers", type=int, help="local processes (default: all cores; 1 = in process)")
    r.add_argument("--out", help="output folder (default: results/<scenario name>)")
    r.add_argument("--targets", default=DEFAULT_TARGETS, help="targets file to compare with")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.set_defaults(func=cmd_run)

    rep = sub.add_parser("report", help="write a self-contained HTML report of stored results")
    rep.add_argument("results", metavar="RESULTS_DIR", help="results folder written by `ketensim run`")
    rep.add_argument("--baseline", metavar="DIR", help="results folder of the baseline to compare with")
    rep.add_argument("--out", metavar="FILE", help="HTML file (default: RESULTS_DIR/report.html)")
    rep.add_argument("--targets", default=DEFAULT_TARGETS, help="targets file with the letter's figures")
    rep.set_defaults(func=cmd_report)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    from .scenario.errors import ScenarioError

    try:
        return int(args.func(args) or 0)
    except ScenarioError as exc:
        print(f"ketensim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("ketensim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
