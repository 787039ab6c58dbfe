"""Calibration targets from the letter, and the statistics that compare a run with them."""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..clock import parse_when
from ..scenario.errors import from_validation
from ..scenario.loader import read_yaml


class Window(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")

    @field_validator("start", "end", mode="before")
    @classmethod
    def _when(cls, v: object) -> dt.date:
        d = parse_when(v)
        return d

    def contains(self, week_start: pd.Series) -> pd.Series:
        """Weeks whose Monday lies in [Monday of `from`, Monday of `to`]."""
        lo = self.start - dt.timedelta(days=self.start.isoweekday() - 1)
        hi = self.end - dt.timedelta(days=self.end.isoweekday() - 1)
        ws = pd.to_datetime(week_start)
        return (ws >= pd.Timestamp(lo)) & (ws <= pd.Timestamp(hi))


class Target(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    label: str
    metrics: list[str] = Field(min_length=1)
    window: Window
    statistic: Literal["weekly_mean", "sum", "snapshot"]
    value: float
    tolerance: float = Field(gt=0)
    quote: str = ""


class Targets(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    source: str = ""
    targets: list[Target]


def load_targets(path: str | Path) -> Targets:
    path = Path(path)
    try:
        return Targets.model_validate(read_yaml(path))
    except ValidationError as exc:
        raise from_validation(exc, str(path), Targets) from None


def per_replication(weekly: pd.DataFrame, target: Target) -> pd.Series:
    """The target's statistic for every (scenario, replication) in a weekly table."""
    df = weekly[weekly.metric.isin(target.metrics) & target.window.contains(weekly.week_start)]
    keys = ["scenario", "replication"]
    per_week = df.groupby(keys + ["week_start"])["value"].sum(min_count=1)  # a week without values stays NaN
    grouped = per_week.groupby(level=keys)
    if target.statistic == "weekly_mean":
        return grouped.mean()
    if target.statistic == "sum":
        return grouped.sum()
    return grouped.last()


_T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
         2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
         2.060, 2.056, 2.052, 2.048, 2.045, 2.042]


def t_quantile_975(df: int) -> float:
    """Two-sided 95% Student t quantile (table up to 30 degrees of freedom, then normal)."""
    if df < 1:
        return math.nan
    return _T975[df - 1] if df <= 30 else 1.96 + 2.4 / df


def mean_ci(values: np.ndarray | pd.Series) -> tuple[float, float, float]:
    """Mean and 95% t-interval half-width over replications."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if v.size == 0:
        return math.nan, math.nan, math.nan
    m = float(v.mean())
    if v.size < 2:
        return m, math.nan, math.nan
    h = t_quantile_975(v.size - 1) * float(v.std(ddof=1)) / math.sqrt(v.size)
    return m, m - h, m + h


def compare(weekly: pd.DataFrame, targets: Targets) -> pd.DataFrame:
    """One row per target: letter value, simulated mean with 95% interval, within tolerance."""
    rows = []
    for t in targets.targets:
        stats = per_replication(weekly, t)
        m, lo, hi = mean_ci(stats.values)
        rel = (m - t.value) / t.value if t.value else math.nan
        rows.append({
            "id": t.id, "label": t.label, "letter": t.value, "mean": m, "ci_low": lo,
            "ci_high": hi, "rel_error": rel, "tolerance": t.tolerance,
            "ok": bool(abs(rel) <= t.tolerance) if not math.isnan(rel) else False,
        })
    return pd.DataFrame(rows)
