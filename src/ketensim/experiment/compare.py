"""Scenario comparison with common random numbers.

Replication r of the base and of every alternative runs on the named streams of (seed, r),
so the paired difference alt_r - base_r removes the noise the scenarios share (arrivals,
household sizes, hearing durations...). The interval of the mean paired difference is a
t-interval over replications; the variance reduction against independent seeds is
(var base + var alt) / var(alt - base), shown per figure.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..analysis.stats import mean_ci
from ..scenario.schema import Scenario
from .executors import Executor, SerialExecutor
from .figures import Figure, figure_values, key_figures
from .results import Results
from .runner import RunRecord, check_count, make_manifest, simulate


def run_replications(scenarios: list[Scenario], reps: int, seeds: list[int],
                     executor: Executor | None = None,
                     progress: Callable[..., None] | None = None) -> list[list[RunRecord]]:
    """Replications 0..reps-1 of every scenario (scenario i with root seed ``seeds[i]``),
    sorted by replication whatever order they finish in."""
    check_count(reps, "reps")
    executor = executor or SerialExecutor()
    jobs = (((i, r), simulate, (sc, r, seeds[i])) for i, sc in enumerate(scenarios) for r in range(reps))
    out: list[dict[int, RunRecord]] = [{} for _ in scenarios]
    total, done, failed = len(scenarios) * reps, 0, 0
    for (i, r), rec in executor.run(jobs):
        out[i][r] = rec
        done += 1
        failed += rec.error is not None
        if progress:
            progress(done, total, failed=failed)
    return [[d[r] for r in sorted(d)] for d in out]


def _weekly(records: list[RunRecord]) -> pd.DataFrame:
    frames = [r.weekly for r in records if r.weekly is not None]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


@dataclass
class Comparison:
    """Paired differences of key figures between a base and alternatives."""

    base: str
    alternatives: list[str]
    seed: int
    replications: int
    table: pd.DataFrame
    values: dict[str, pd.DataFrame] = field(default_factory=dict)  # scenario -> replications x figures
    errors: dict[str, list[str]] = field(default_factory=dict)
    results: dict[str, Results] = field(default_factory=dict)  # scenario -> its Results (as `run` gives)

    def format(self) -> str:
        lines = [f"paired differences vs {self.base}: mean [95% CI] over {self.replications} "
                 f"replications, common random numbers (seed {self.seed}); "
                 f"'CRN x' = variance reduction against independent seeds"]
        with pd.option_context("display.width", 220, "display.max_columns", 20, "display.max_rows", 500):
            for alt in self.alternatives:
                t = self.table[self.table.alternative == alt]
                shown = pd.DataFrame({
                    "figure": t.figure, "window": t.window,
                    "base": t.base_mean.map(_num), "alt": t.alt_mean.map(_num),
                    "difference [95% CI]": [f"{_num(m, True)} [{_num(lo, True)}, {_num(hi, True)}]"
                                            for m, lo, hi in zip(t["diff"], t.ci_low, t.ci_high)],
                    "sig": np.where(t.significant, "*", ""),
                    "CRN x": t.crn_factor.map(lambda x: "-" if not np.isfinite(x) else f"{x:,.1f}"),
                })
                lines.append(f"\n{alt} - {self.base}")
                lines.append(shown.to_string(index=False))
        return "\n".join(lines)

    def plot(self, path: str | Path) -> Path:
        """Forest plot of paired differences (relative to the base mean) with 95% intervals."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        t = self.table.copy()
        denom = t.base_mean.abs().replace(0, np.nan)
        t["rel"], t["rlo"], t["rhi"] = t["diff"] / denom * 100, t.ci_low / denom * 100, t.ci_high / denom * 100
        labels = list(dict.fromkeys(f"{f} · {w}" for f, w in zip(t.figure, t.window)))
        fig, ax = plt.subplots(figsize=(9, 0.28 * len(labels) * len(self.alternatives) + 1.5))
        offsets = np.linspace(-0.25, 0.25, len(self.alternatives)) if len(self.alternatives) > 1 else [0.0]
        for k, alt in enumerate(self.alternatives):
            a = t[t.alternative == alt]
            y = np.array([labels.index(f"{f} · {w}") for f, w in zip(a.figure, a.window)]) + offsets[k]
            ax.errorbar(a.rel, y, xerr=[a.rel - a.rlo, a.rhi - a.rel], fmt="o", ms=3, capsize=2, label=alt)
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_yticks(range(len(labels)), labels, fontsize=7)
        ax.invert_yaxis()
        ax.set_xlabel(f"difference from {self.base} (% of base mean), 95% CI, CRN")
        ax.legend(fontsize=7, loc="best")
        fig.tight_layout()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=120)
        plt.close(fig)
        return path


def _num(x: float, signed: bool = False) -> str:
    if x is None or not np.isfinite(x):
        return "-"
    fmt = "{:+,.1f}" if signed else "{:,.1f}"
    return fmt.format(x) if abs(x) < 100 else fmt.replace(".1f", ".0f").format(x)


def paired_table(base: pd.DataFrame, alt: pd.DataFrame, alt_name: str) -> pd.DataFrame:
    """Per figure: base and alt means, mean paired difference with its 95% interval, and
    the variance reduction factor of pairing (only replications present in both)."""
    common = base.index.intersection(alt.index)
    b, a = base.loc[common], alt.loc[common]
    rows = []
    for col in base.columns:
        d = (a[col] - b[col]).to_numpy(float)
        m, lo, hi = mean_ci(d)
        vd = float(np.nanvar(d, ddof=1)) if len(d) > 1 else math.nan
        vsum = float(np.nanvar(b[col], ddof=1) + np.nanvar(a[col], ddof=1)) if len(d) > 1 else math.nan
        rows.append({"alternative": alt_name, "figure": col[0], "window": col[1],
                     "base_mean": float(b[col].mean()), "alt_mean": float(a[col].mean()),
                     "diff": m, "ci_low": lo, "ci_high": hi,
                     "significant": bool(lo > 0 or hi < 0) if not math.isnan(lo) else False,
                     "var_paired": vd, "var_sum": vsum,
                     "crn_factor": vsum / vd if vd > 0 else (math.inf if vsum > 0 else math.nan)})
    return pd.DataFrame(rows)


def compare_scenarios(base: Scenario, alternatives: list[Scenario], reps: int | None = None,
                      seed: int | None = None, executor: Executor | None = None,
                      figures: list[Figure] | None = None, metrics: list[str] | None = None,
                      progress: Callable[..., None] | None = None) -> Comparison:
    """Run base and alternatives with common random numbers and compare key figures.

    Every scenario runs with the base's root seed (or ``seed``), whatever its own file says.
    """
    reps = reps or base.replications
    seed = base.seed if seed is None else seed
    scenarios = [base, *alternatives]
    names = _unique_names(scenarios)
    t0 = time.time()
    executor = executor or SerialExecutor()
    records = run_replications(scenarios, reps, [seed] * len(scenarios), executor, progress)
    figures = figures or key_figures(base, metrics)
    values: dict[str, pd.DataFrame] = {}
    errors: dict[str, list[str]] = {}
    results: dict[str, Results] = {}
    for name, sc, recs in zip(names, scenarios, records):
        weekly = _weekly(recs)
        values[name] = figure_values(weekly, figures) if not weekly.empty else pd.DataFrame()
        errors[name] = [r.error for r in recs if r.error]
        named = sc if sc.name == name else sc.model_copy(update={"name": name})
        if not weekly.empty:
            weekly = weekly.assign(scenario=name)
        results[name] = Results(weekly, make_manifest(named, recs, seed, t0, executor.workers, executor.name), named)
    table = pd.concat([paired_table(values[names[0]], values[n], n) for n in names[1:]],
                      ignore_index=True) if len(names) > 1 else pd.DataFrame()
    return Comparison(names[0], names[1:], seed, reps, table, values, errors, results)


def _unique_names(scenarios: list[Scenario]) -> list[str]:
    out: list[str] = []
    for sc in scenarios:
        name, k = sc.name, 2
        while name in out:
            name, k = f"{sc.name}#{k}", k + 1
        out.append(name)
    return out


def crn_variance_reduction(base: Scenario, alt: Scenario, reps: int, seed: int | None = None,
                           executor: Executor | None = None, figures: list[Figure] | None = None,
                           metrics: list[str] | None = None) -> pd.DataFrame:
    """Measure what common random numbers buy: per figure, the variance of paired
    differences with CRN against the variance of differences with independent seeds
    (alt on a different root seed). Returns var_crn, var_indep and their ratio."""
    seed = base.seed if seed is None else seed
    recs = run_replications([base, alt, alt], reps, [seed, seed, seed + 1_000_003], executor)
    figures = figures or key_figures(base, metrics)
    b, a_crn, a_ind = (figure_values(_weekly(r), figures) for r in recs)
    rows = []
    for col in b.columns:
        d_crn = (a_crn[col] - b[col]).to_numpy(float)
        d_ind = (a_ind[col] - b[col]).to_numpy(float)
        v_crn, v_ind = float(np.var(d_crn, ddof=1)), float(np.var(d_ind, ddof=1))
        rows.append({"figure": col[0], "window": col[1], "var_crn": v_crn, "var_indep": v_ind,
                     "reduction": v_ind / v_crn if v_crn > 0 else math.inf})
    return pd.DataFrame(rows)


def summary_factor(df: pd.DataFrame) -> dict[str, Any]:
    """Median and range of the finite variance-reduction factors of a table."""
    f = df["reduction"].replace([np.inf, -np.inf], np.nan).dropna()
    return {"median": float(f.median()), "min": float(f.min()), "max": float(f.max()), "n": int(len(f))}
