"""The model's value of an observed figure, per replication, from a weekly tidy table.

A pure function of the table (columns scenario, replication, week_start, metric, value):
the figure's metrics are summed per week, then its statistic reads the weeks that
``periods`` assigns to it. A figure whose weeks are not all in the table is not measured
(``None`` and the reason), never measured on part of its weeks. A flow metric missing from
a replication never happened there (zero); a missing stock is not measured.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .load import weeks_read

_FLOWS = ("flow", "flow_mean", "ratio")


class WeeklyTable:
    """A weekly tidy table indexed once for many figures: weeks x replications per metric sum."""

    def __init__(self, weekly: pd.DataFrame) -> None:
        if weekly["scenario"].nunique() > 1:
            raise ValueError(f"a backtest reads one scenario's weekly table, got {weekly['scenario'].nunique()} scenarios")
        df = weekly[["replication", "week_start", "metric", "value"]].copy()
        df["week_start"] = pd.to_datetime(df["week_start"]).dt.date
        self._df = df
        self.weeks: list[dt.date] = sorted(df["week_start"].unique())
        self.replications: list[Any] = sorted(df["replication"].unique())
        self.metrics = frozenset(df["metric"].unique())
        self._cache: dict[tuple[tuple[str, ...], bool], pd.DataFrame] = {}

    def series(self, metrics: tuple[str, ...], flow: bool) -> pd.DataFrame:
        """Weeks (Mondays) x replications: the weekly sum of ``metrics``. For flows a week or
        replication without a value is zero; for stocks it stays NaN."""
        key = (metrics, flow)
        if key not in self._cache:
            d = self._df[self._df["metric"].isin(metrics)]
            wide = d.groupby(["week_start", "replication"])["value"].sum(min_count=1).unstack("replication")
            wide = wide.reindex(index=self.weeks, columns=self.replications)
            if flow:
                wide = wide.fillna(0.0)
            elif len(metrics) > 1:  # a stock summed over metrics: every metric must be there
                have = d.groupby(["week_start", "replication"])["metric"].nunique().unstack("replication")
                have = have.reindex(index=self.weeks, columns=self.replications)
                wide = wide.where(have == len(metrics))
            self._cache[key] = wide
        return self._cache[key]


def measure(table: WeeklyTable, row: Mapping[str, Any],
            weeks: list[dt.date] | None = None) -> tuple[np.ndarray | None, str]:
    """Per replication, the figure's statistic in the table; (None, reason) when its weeks
    or metrics are not all there. ``weeks`` replaces the figure's own weeks (an official
    forecast's period clipped to a backtest window)."""
    stat = row["statistic"]
    flow = stat in _FLOWS
    weeks = weeks_read(row) if weeks is None else weeks
    have = set(table.weeks)
    missing = [w for w in weeks if w not in have]
    if missing:
        return None, f"{len(missing)} of its {len(weeks)} week(s) outside the results"
    names = tuple(row["metrics"]) + tuple(row.get("per") or ())
    absent = [m for m in names if m not in table.metrics]
    if absent and not flow:
        return None, f"metric {absent[0]} not in the results"
    s = table.series(tuple(row["metrics"]), flow)
    if stat == "stock":
        v = s.loc[weeks[0]].to_numpy(float)
    elif stat == "change":
        v = s.loc[weeks[1]].to_numpy(float) - s.loc[weeks[0]].to_numpy(float)
    elif stat == "stock_mean" or stat == "flow_mean":
        v = s.loc[weeks].mean(axis=0, skipna=False).to_numpy(float)
    elif stat == "stock_max":
        v = s.loc[weeks].max(axis=0, skipna=False).to_numpy(float)
    elif stat == "flow":
        v = s.loc[weeks].sum(axis=0).to_numpy(float)
    elif stat == "ratio":
        num = s.loc[weeks].sum(axis=0).to_numpy(float)
        den = table.series(tuple(row["per"]), True).loc[weeks].sum(axis=0).to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            v = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    else:
        raise ValueError(f"unknown statistic {stat!r}")
    if np.isnan(v).all():
        return None, "no value in the results"
    return v, ""
