"""Required capacity: the places needed per week at a chosen certainty.

The need of a week is the P-quantile over replications of the persons who need a place
(occupancy, or occupancy plus the unplaced where the model counts them), times (1 + buffer),
rounded up. The quantile is the empirical one (the smallest value with at least a share P of
replications at or below it), so "need at 0.9" means: in at least 90% of the replications that
many places would have sufficed that week. A pure function of the weekly table.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..scenario.schema import Scenario


@dataclass(frozen=True)
class NeedSpec:
    """What a group of places is needed for: the sum of ``demand`` metrics at week end."""

    group: str
    label: str
    demand: tuple[str, ...]
    capacity_metric: str = ""
    capacity_of: Callable[["Scenario"], float] | None = None  # places in force in a phase


def _quarantine_places(p: "Scenario") -> float:
    reserved = sum(g.count * g.isolation_places for g in p.reception.locations)
    reserved += sum(e.isolation_places for e in p.reception.emergency)
    return float(reserved + p.health.quarantine.external_places)


NEEDS: tuple[NeedSpec, ...] = (
    NeedSpec("reception", "reception places (COA, all stages)", ("coa.occupancy",), capacity_metric="coa.capacity"),
    NeedSpec("reception.col", "registration centre (COL) places", ("coa.col_occupancy",),
             capacity_metric="coa.capacity_col"),
    NeedSpec("reception.pol", "process reception (POL) places", ("coa.pol_occupancy",),
             capacity_metric="coa.capacity_pol"),
    NeedSpec("reception.azc", "AZC places", ("coa.azc_occupancy",), capacity_metric="coa.capacity_azc"),
    NeedSpec("quarantine", "isolation/quarantine places",
             ("health.places_used", "health.external_used", "health.unplaced"),
             capacity_of=_quarantine_places),
    NeedSpec("detention", "detention places", ("detention.population",),
             capacity_of=lambda p: float(p.detention.places)),
)
"""Reception counts every resident of COA (and, where the model has the network, each stage
against its open places); quarantine counts the persons in a reserved or
external place plus those who needed one and got none; detention is the population (held
below the places by construction, so its need shows how close the places bind)."""


def quantile_need(values: np.ndarray, prob: float, buffer: float = 0.0) -> float:
    """Smallest x with a share >= prob of ``values`` at or below it, times (1 + buffer),
    rounded up to whole places."""
    if not 0 < prob <= 1:
        raise ValueError(f"need: certainty must be in (0, 1], got {prob}")
    if buffer < 0:
        raise ValueError(f"need: buffer must be >= 0, got {buffer}")
    v = np.sort(np.asarray(values, dtype=float))
    q = v[max(math.ceil(prob * len(v) - 1e-9), 1) - 1]
    return float(math.ceil(q * (1 + buffer) - 1e-9))


def capacity_by_week(scenario: "Scenario", spec: NeedSpec, week_ends: list[pd.Timestamp]) -> list[float]:
    """Places in force at each week end from the scenario's phases."""
    from ..policy.timeline import build_timeline

    assert spec.capacity_of is not None
    phases = build_timeline(scenario)
    start = pd.Timestamp(scenario.horizon.start)
    out = []
    for we in week_ends:
        day = (we - start).days + 1  # levels are taken at the end of the week's last day
        ph = [p for p in phases if p.start_day <= day][-1] if phases[0].start_day <= day else phases[0]
        out.append(spec.capacity_of(ph.params))
    return out


def need_table(weekly: pd.DataFrame, prob: float = 0.9, buffer: float = 0.0,
               scenario: "Scenario | None" = None, specs: tuple[NeedSpec, ...] = NEEDS) -> pd.DataFrame:
    """Per group and week: the P10, median and P90 of the demand over replications, the need
    at ``prob`` (with ``buffer``) and the capacity in place. Groups whose metrics are not in
    the table are left out."""
    rows = []
    metrics = set(weekly.metric.unique()) if len(weekly) else set()
    for spec in specs:
        present = [m for m in spec.demand if m in metrics]
        if not present:
            continue
        df = weekly[weekly.metric.isin(present)]
        demand = df.groupby(["week_start", "replication"])["value"].sum().unstack("replication")
        if spec.capacity_metric in metrics:
            cap = weekly[weekly.metric == spec.capacity_metric].groupby("week_start")["value"].median()
            capacity = cap.reindex(demand.index).to_numpy()
        elif spec.capacity_of is not None and scenario is not None:
            ends = [pd.Timestamp(w) + pd.Timedelta(days=6) for w in demand.index]
            capacity = np.array(capacity_by_week(scenario, spec, ends))
        else:
            capacity = np.full(len(demand), np.nan)
        for (week, vals), cap_ in zip(demand.iterrows(), capacity):
            v = vals.dropna().to_numpy()
            rows.append({"group": spec.group, "label": spec.label, "week_start": pd.Timestamp(week),
                         "p10": float(np.quantile(v, 0.1)), "median": float(np.median(v)),
                         "p90": float(np.quantile(v, 0.9)), "need": quantile_need(v, prob, buffer),
                         "capacity": float(cap_), "reps": len(v)})
    out = pd.DataFrame(rows)
    if len(out):
        out["prob"], out["buffer"] = prob, buffer
        out["short"] = (out.need - out.capacity).clip(lower=0)
    return out


def peak_needs(table: pd.DataFrame) -> pd.DataFrame:
    """Per group: the highest weekly need, its week, the capacity then, and the weeks in which
    the need exceeds the capacity."""
    rows = []
    for group, g in table.groupby("group", sort=False):
        top = g.loc[g.need.idxmax()]
        iso = top.week_start.isocalendar()
        rows.append({"group": group, "peak need": int(top.need), "week": f"{iso[0]}-W{iso[1]:02d}",
                     "capacity then": top.capacity, "weeks need > capacity": int((g.need > g.capacity).sum())})
    return pd.DataFrame(rows)
