"""Calibration targets from the letter, and the statistics that compare a run with them."""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..scenario.errors import from_validation
from ..scenario.loader import read_yaml
from .stats import Window, WindowFigure, mean_ci, parse_statistic, t_quantile

__all__ = ["Target", "Targets", "Window", "compare", "load_targets", "mean_ci", "per_replication",
           "t_quantile_975"]
t_quantile_975 = t_quantile  # the 95% quantile (tests and older notebooks import this name)


class Target(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    label: str
    metrics: list[str] = Field(min_length=1)
    window: Window
    statistic: str = Field(description="weekly_mean/mean, sum, snapshot/end, max, min or pNN")
    value: float
    tolerance: float = Field(gt=0)
    quote: str = ""

    @field_validator("statistic")
    @classmethod
    def _stat(cls, v: str) -> str:
        parse_statistic(v)
        return v

    def figure(self) -> WindowFigure:
        return WindowFigure(self.label, tuple(self.metrics), self.window, self.statistic)


class Targets(BaseModel):
    """The letter's figures; ``windows`` optionally declares named windows for the tables
    and the report (``{name, from, to}``, as ``--window`` does)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    source: str = ""
    targets: list[Target]
    windows: list[Window] = []


def load_targets(path: str | Path) -> Targets:
    path = Path(path)
    try:
        return Targets.model_validate(read_yaml(path))
    except ValidationError as exc:
        raise from_validation(exc, str(path), Targets) from None


def per_replication(weekly: pd.DataFrame, target: Target) -> pd.Series:
    """The target's statistic for every (scenario, replication) in a weekly table."""
    return target.figure().values(weekly)


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
