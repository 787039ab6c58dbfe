"""Pure functions from a recorder to the weekly tidy table of the output contract."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .recorder import Recorder

COLUMNS = ["scenario", "replication", "iso_year", "iso_week", "week_start", "metric", "value"]

# Flows of the contract that must appear even in a run where they never happen.
CONTRACT_COUNTS = (
    "ind.hearings_physical", "ind.hearings_video", "ind.hearings_cancelled",
    "ind.decisions", "ind.grants", "ind.applications", "ind.dublin_decisions", "ind.dublin_takeovers",
    "coa.housed", "coa.housed_single", "coa.housed_family", "coa.admissions", "coa.exits",
    "dtv.intake", "dtv.exits", "dtv.departures_independent", "dtv.departures_forced",
    "dtv.departures_forced_origin", "dtv.departures_unsupervised",
    "chain.entries", "chain.exits",
    "nareis.applications", "nareis.decisions", "nareis.approvals", "nareis.refusals",
    "nareis.investigations", "nareis.mvv_issued", "nareis.arrivals",
    "nareis.joined_coa", "nareis.joined_municipality",
    "resettlement.selected", "resettlement.arrivals",
    "mvv.applications", "mvv.issued", "mvv.refused", "mvv.collected", "mvv.lapsed",
    "dublin.claims", "dublin.transfers", "dublin.transfers_forced", "dublin.lapsed",
    "dublin.absconded", "dublin.reappeared", "dublin.incoming",
    "detention.placements", "detention.releases", "detention.removals", "detention.transfers",
    "health.new_infections", "health.new_detected", "health.quarantine_shortfall",
    "health.quarantine_started", "health.isolation_started", "health.place_demand",
)

# Per-event samples summarised per week: sample name -> (metric, statistic)
SAMPLE_SUMMARIES = {
    "ind.lead_time_days": ("ind.lead_time_median_days", "median"),
    "ind.hearing_wait_days": ("ind.hearing_wait_mean_days", "mean"),
}


def weekly_values(rec: Recorder, n_weeks: int) -> dict[str, np.ndarray]:
    """metric -> one value per week (flows summed, levels at week end, samples summarised)."""
    out: dict[str, np.ndarray] = {}
    days = n_weeks * 7
    for metric in CONTRACT_COUNTS:
        out[metric] = np.zeros(n_weeks)
    for metric, daily in rec.counts.items():
        out[metric] = np.asarray(daily[:days], dtype=float).reshape(n_weeks, 7).sum(axis=1)
    for metric, values in rec.levels.items():
        arr = np.full(n_weeks, np.nan)
        arr[: len(values)] = values[:n_weeks]
        out[metric] = arr
    for name, (metric, stat) in SAMPLE_SUMMARIES.items():
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
