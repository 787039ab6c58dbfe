"""Helpers for the chain-part tests (nareis, resettlement, MVV): baseline variants with a
shorter horizon or a lever forced for the whole run, and weekly values per replication."""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np

from ketensim.analysis.targets import t_quantile_975
from ketensim.clock import parse_when
from ketensim.metrics.weekly import weekly_values
from ketensim.model.chain import Chain
from ketensim.policy.timeline import build_timeline
from ketensim.scenario.loader import load_raw, set_path
from ketensim.scenario.schema import Scenario

from conftest import BASELINE

QUIET_CHAIN = {
    "start.reception.in_procedure": 0, "start.reception.permit_holders": 0,
    "start.reception.rejected": 0, "start.ind.appeals_open": 0, "start.dtv.outside_reception": 0,
    "inflow.first_applications.scale": 0.0, "inflow.repeat_applications.scale": 0.0,
}
"""An empty asylum chain, for parts that do not depend on it (MVV, resettlement): same
streams for the part under test, a fraction of the run time."""

ONLY_RESETTLEMENT = {
    **QUIET_CHAIN,
    "nareis.background_applications.scale": 0.0, "start.nareis.open": 0,
    "start.nareis.approved": 0, "start.nareis.holding_mvv": 0,
    "mvv.demand.scale": 0.0, "start.mvv.waiting_to_lodge": 0, "start.mvv.pending": 0,
    "start.mvv.issued": 0,
}


def variant(until: str | None = None, force: dict[str, Any] | None = None,
            base: dict[str, Any] | None = None, path: Path = BASELINE) -> Scenario:
    """The baseline, ending with ISO week ``until`` (later phases dropped); ``force`` sets a
    lever for the whole run (base value, and removed from every phase); ``base`` only sets
    the value before any phase changes it. ``path``: another scenario instead."""
    raw = load_raw(path)
    if until is not None:
        end = parse_when(f"{until}-7")
        raw["horizon"]["end"] = end.isoformat()
        raw["phases"] = [p for p in raw["phases"] if parse_when(p["start"]) <= end]
    for key, value in (force or {}).items():
        set_path(raw, key, value)
        for ph in raw["phases"]:
            (ph.get("set") or {}).pop(key, None)
    for key, value in (base or {}).items():
        set_path(raw, key, value)
    sc = Scenario.model_validate(raw)
    build_timeline(sc)
    return sc


def run(sc: Scenario, reps: int) -> dict[str, np.ndarray]:
    """metric -> array (replications x weeks) of weekly values."""
    per_rep = [weekly_values(Chain(sc, r).run(), sc.horizon.weeks) for r in range(reps)]
    return {m: np.vstack([v[m] for v in per_rep]) for m in per_rep[0]}


def week_index(sc: Scenario, iso_week: int) -> int:
    """Column of ISO week ``iso_week`` of 2020 in a weekly array."""
    return (dt.date.fromisocalendar(2020, iso_week, 1) - sc.horizon.start).days // 7


def window_mean(values: np.ndarray, sc: Scenario, first: int, last: int) -> np.ndarray:
    """Per replication: mean of the weekly values over ISO weeks first..last (inclusive)."""
    return values[:, week_index(sc, first): week_index(sc, last) + 1].mean(axis=1)


def lower_bound(diff: np.ndarray) -> float:
    """Lower end of the 95% t-interval of the mean of paired per-replication differences."""
    n = len(diff)
    return float(diff.mean() - t_quantile_975(n - 1) * diff.std(ddof=1) / math.sqrt(n))
