"""Pure functions from a recorder to the weekly tidy table of the output contract."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .recorder import Recorder
from .registry import Derived, Metric, Registry

COLUMNS = ["scenario", "replication", "iso_year", "iso_week", "week_start", "metric", "value"]


def contract_counts(registry: Registry) -> tuple[str, ...]:
    """Flows of the contract: they appear in every run's table, even when they never happen."""
    return tuple(m.name for m in registry if isinstance(m, Metric) and m.kind == "count" and m.contract)


def sample_summaries(registry: Registry) -> dict[str, tuple[str, str]]:
    """Per-event samples summarised per week: sample name -> (metric, statistic)."""
    return {m.source: (m.name, m.summary) for m in registry
            if isinstance(m, Metric) and m.kind == "sample" and m.summary}


def derived_values(registry: Registry, out: dict[str, np.ndarray]) -> None:
    """Totals across parts, summed from their terms after the run."""
    for m in registry:
        if isinstance(m, Derived) and all(t in out for t, _ in m.terms):
            out[m.name] = sum((w * out[t] for t, w in m.terms), np.zeros_like(out[m.terms[0][0]]))


def weekly_values(rec: Recorder, n_weeks: int) -> dict[str, np.ndarray]:
    """metric -> one value per week (flows summed, levels at week end, samples summarised)."""
    out: dict[str, np.ndarray] = {}
    days = n_weeks * 7
    for metric in contract_counts(rec.registry):
        out[metric] = np.zeros(n_weeks)
    for metric, daily in rec.counts.items():
        out[metric] = np.asarray(daily[:days], dtype=float).reshape(n_weeks, 7).sum(axis=1)
    for metric, values in rec.levels.items():
        arr = np.full(n_weeks, np.nan)
        arr[: len(values)] = values[:n_weeks]
        out[metric] = arr
    for name, (metric, stat) in sample_summaries(rec.registry).items():
        arr = np.full(n_weeks, np.nan)
        samples = rec.samples.get(name)
        if samples:
            t = np.fromiter((s[0] for s in samples), float, len(samples))
            v = np.fromiter((s[1] for s in samples), float, len(samples))
            week = (t // 7).astype(int)
            order = np.argsort(week, kind="stable")
            week, v = week[order], v[order]
            bounds = np.searchsorted(week, np.arange(n_weeks + 1))
            for w in range(n_weeks):
                chunk = v[bounds[w]: bounds[w + 1]]
                if chunk.size:
                    arr[w] = np.median(chunk) if stat == "median" else chunk.mean()
        out[metric] = arr
    derived_values(rec.registry, out)
    return out


def tidy(values: dict[str, np.ndarray], start: dt.date, scenario: str, replication: int) -> pd.DataFrame:
    """Long form: one row per (scenario, replication, iso week, metric)."""
    n_weeks = len(next(iter(values.values())))
    week_starts = [start + dt.timedelta(days=7 * w) for w in range(n_weeks)]
    iso = [d.isocalendar() for d in week_starts]
    metrics = sorted(values)
    n = len(metrics)
    frame = pd.DataFrame({
        "scenario": scenario,
        "replication": np.int32(replication),
        "iso_year": np.tile(np.array([c[0] for c in iso], dtype=np.int16), n),
        "iso_week": np.tile(np.array([c[1] for c in iso], dtype=np.int8), n),
        "week_start": np.tile(np.array(week_starts, dtype="datetime64[D]"), n),
        "metric": np.repeat(np.array(metrics, dtype=object), n_weeks),
        "value": np.concatenate([values[m] for m in metrics]),
    })
    return frame[COLUMNS]
