"""Do two versions of the model give the same results? Key weekly figures over N replications.

    python bench/compare_versions.py --before main --reps 20 --workers 1

Where a change alters how random numbers are used (counted flows instead of processes), the
results cannot be identical by checksum; they must agree in distribution. For each key
figure (levels at the end of each quarter, flows summed per quarter) this runs the baseline
with the ``--before`` git ref (exported to a temporary folder) and with this worktree, both
with the same seeds, and reports each version's mean with its 95% t-interval, whether the
two intervals overlap (the issue's criterion), and Welch's 95% interval of the difference
(stricter: at 5% a few of ~100 figures disagree by chance alone). It also checks the
letter's targets for both versions. Writes a markdown table (``--out``).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
LEVELS = ("coa.occupancy", "coa.permit_holders", "coa.in_procedure", "coa.rejected", "ind.backlog",
          "dtv.caseload", "chain.population", "nareis.open", "nareis.holding_mvv", "mvv.backlog",
          "mvv.pending", "mvv.waiting_to_lodge", "detention.population", "dublin.awaiting_transfer")
FLOWS = ("ind.hearings_physical", "ind.hearings_video", "ind.decisions", "coa.housed",
         "dtv.departures_independent", "dtv.departures_forced", "dtv.departures_unsupervised",
         "nareis.applications", "nareis.decisions", "nareis.arrivals", "mvv.applications",
         "mvv.issued", "mvv.collected", "mvv.lapsed", "dublin.transfers", "detention.placements",
         "health.new_infections")
QUARTERS = ((1, 13), (14, 26), (27, 39), (40, 52))

DRIVER = r"""
import sys
from ketensim.experiment.runner import run_scenario
from ketensim.scenario.loader import load_scenario
sc = load_scenario(sys.argv[1])
res = run_scenario(sc, reps=int(sys.argv[2]), workers=int(sys.argv[3]))
errors = [r for r in res.manifest["replications"] if r["error"]]
assert not errors, errors[0]["error"]
res.weekly.to_csv(sys.argv[4], index=False)
"""


def run_version(src: Path, scenario: Path, reps: int, workers: int, out: Path) -> pd.DataFrame:
    env = {**os.environ, "PYTHONPATH": str(src)}
    subprocess.run([sys.executable, "-c", DRIVER, str(scenario), str(reps), str(workers), str(out)],
                   check=True, env=env, cwd=ROOT)
    return pd.read_csv(out)


def figures(weekly: pd.DataFrame) -> pd.DataFrame:
    """Per replication: levels at the end of each quarter, flows summed per quarter."""
    weekly = weekly.assign(week=weekly.groupby(["replication", "metric"]).cumcount() + 1)
    rows = []
    for metric in LEVELS + FLOWS:
        w = weekly[weekly.metric == metric]
        if w.empty:
            continue
        for lo, hi in QUARTERS:
            if metric in LEVELS:
                v = w[w.week == hi].set_index("replication").value
                label = f"week {hi}"
            else:
                v = w[(w.week >= lo) & (w.week <= hi)].groupby("replication").value.sum()
                label = f"weeks {lo}-{hi}"
            rows += [{"metric": metric, "window": label, "replication": r, "value": x} for r, x in v.items()]
    return pd.DataFrame(rows)


def interval(x: np.ndarray) -> tuple[float, float, float]:
    m = float(np.mean(x))
    if len(x) < 2 or np.std(x) == 0:
        return m, m, m
    lo, hi = stats.t.interval(0.95, len(x) - 1, loc=m, scale=stats.sem(x))
    return m, float(lo), float(hi)


def agreement(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (metric, window), b in before.groupby(["metric", "window"], sort=False):
        a = after[(after.metric == metric) & (after.window == window)]
        xb, xa = b.value.to_numpy(float), a.value.to_numpy(float)
        mb, lb, hb = interval(xb)
        ma, la, ha = interval(xa)
        diff = ma - mb
        se = np.sqrt(np.var(xa, ddof=1) / len(xa) + np.var(xb, ddof=1) / len(xb))
        if se > 0:
            dof = se ** 4 / ((np.var(xa, ddof=1) / len(xa)) ** 2 / (len(xa) - 1)
                             + (np.var(xb, ddof=1) / len(xb)) ** 2 / (len(xb) - 1))
            half = float(stats.t.ppf(0.975, dof) * se)
        else:
            half = 0.0
        rows.append({"metric": metric, "window": window, "before": mb, "before_lo": lb, "before_hi": hb,
                     "after": ma, "after_lo": la, "after_hi": ha, "diff": diff, "diff_half": half,
                     "overlap": not (ha < lb or la > hb), "welch_agrees": abs(diff) <= half + 1e-9})
    return pd.DataFrame(rows)


def target_table(weekly: pd.DataFrame, targets: Path) -> pd.DataFrame:
    from ketensim.analysis.targets import compare, load_targets

    return compare(weekly, load_targets(targets))


def markdown(table: pd.DataFrame, tb: pd.DataFrame, ta: pd.DataFrame, args: argparse.Namespace) -> str:
    n, overlap, welch = len(table), int(table.overlap.sum()), int(table.welch_agrees.sum())
    lines = [
        "# Validity: this version against the previous one",
        "",
        f"Command: `python bench/compare_versions.py --before {args.before} --reps {args.reps} "
        f"--workers {args.workers}` (baseline-2020, seeds of the scenario, {args.reps} replications each).",
        "",
        f"- {overlap} of {n} key figures: the two 95% intervals overlap (the issue's criterion).",
        f"- {welch} of {n}: Welch's 95% interval of the difference contains 0 (at 5%, about "
        f"{0.05 * n:.0f} of {n} would disagree by chance alone).",
        "",
        "| metric | window | before (95% CI) | after (95% CI) | difference ± half-width | overlap | Welch |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in table.itertuples():
        lines.append(
            f"| {r.metric} | {r.window} | {r.before:,.1f} ({r.before_lo:,.1f}–{r.before_hi:,.1f}) | "
            f"{r.after:,.1f} ({r.after_lo:,.1f}–{r.after_hi:,.1f}) | {r.diff:+,.1f} ± {r.diff_half:,.1f} | "
            f"{'yes' if r.overlap else '**no**'} | {'yes' if r.welch_agrees else '**no**'} |")
    lines += ["", "## The letter's targets", "",
              "| target | before: rel. error | after: rel. error | tolerance | after within |", "|---|---|---|---|---|"]
    tb, ta = tb.set_index("id"), ta.set_index("id")
    for tid in ta.index:
        rb = tb.loc[tid].rel_error if tid in tb.index else float("nan")
        ra, tol = ta.loc[tid].rel_error, ta.loc[tid].tolerance
        lines.append(f"| {tid} | {rb:+.1%} | {ra:+.1%} | {tol:.0%} | {'yes' if abs(ra) <= tol else '**no**'} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--before", default="main", help="git ref of the previous version (default: main)")
    p.add_argument("--reps", type=int, default=20)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--scenario", default="scenarios/baseline-2020.yaml")
    p.add_argument("--targets", default="scenarios/targets/letter-2020-10-05.yaml")
    p.add_argument("--out", default=str(ROOT / "results" / "bench" / "validity.md"))
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ketensim-before-") as tmp:
        tree = Path(tmp)
        archive = subprocess.run(["git", "archive", args.before, "src", "scenarios"], cwd=ROOT,
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
        print(f"running {args.reps} replications of {args.before} ...", file=sys.stderr)
        wb = run_version(tree / "src", tree / args.scenario, args.reps, args.workers, tree / "before.csv")
    print(f"running {args.reps} replications of this worktree ...", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="ketensim-after-") as tmp:
        wa = run_version(ROOT / "src", ROOT / args.scenario, args.reps, args.workers, Path(tmp) / "after.csv")
    table = agreement(figures(wb), figures(wa))
    targets = ROOT / args.targets
    md = markdown(table, target_table(wb, targets), target_table(wa, targets), args)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(md)
    table.to_csv(out.with_suffix(".csv"), index=False)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
