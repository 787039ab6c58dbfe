"""The weekly summaries behind the report's plots, computed once per run.

``WeeklyBands`` turns the tidy weekly table into one weeks x replications array per metric
(a single pass over the table, not one filter per plot) and keeps, per plotted figure, the
replication mean and the central band (cached): the small multiples, the headline plots,
the occupancy, pressure and the pressure table share them instead of recomputing them.
The numbers equal ``series`` / ``band_stats`` below (NaN weeks stay NaN; a weekly sum
of several metrics is NaN only when every metric is NaN that week).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd


def metric_list(metric: str | Sequence[str]) -> list[str]:
    """One metric or several, as a list (several are summed per week)."""
    return [metric] if isinstance(metric, str) else list(metric)


def series(weekly: pd.DataFrame, metric: str | Sequence[str]) -> pd.DataFrame:
    """Weeks x replications table of a metric (a list of metrics is summed per week)."""
    ms = metric_list(metric)
    df = weekly[weekly.metric.isin(ms)]
    if df.empty:
        raise KeyError(f"metric(s) {ms} not in the results; present: {sorted(weekly.metric.unique())}")
    # min_count=1 keeps a week NaN when every metric is NaN that week (e.g. no lead time)
    table = df.groupby(["week_start", "replication"])["value"].sum(min_count=1).unstack("replication")
    table.index = pd.to_datetime(table.index)
    return table.sort_index()


def band_stats(table: pd.DataFrame, band: float = 0.9) -> pd.DataFrame:
    """Replication mean and the central ``band`` share of replications per week."""
    q = (1 - band) / 2
    return pd.DataFrame({"mean": table.mean(axis=1), "low": table.quantile(q, axis=1),
                         "high": table.quantile(1 - q, axis=1)})


@dataclass(frozen=True)
class Band:
    """One figure's weekly summary: week starts, the replication mean and the central
    ``share`` of replications (``low``..``high``)."""

    weeks: np.ndarray  # datetime64[D], sorted
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray
    share: float


class WeeklyBands:
    """Weeks x replications arrays of every metric of a weekly table, and their bands."""

    def __init__(self, weekly: pd.DataFrame, share: float = 0.9) -> None:
        self.share = share
        metric_codes, self.metrics = pd.factorize(weekly.metric, sort=True)
        week_codes, weeks = pd.factorize(pd.to_datetime(weekly.week_start), sort=True)
        rep_codes, reps = pd.factorize(weekly.replication, sort=True)
        self.weeks = np.asarray(weeks.to_numpy(dtype="datetime64[D]"))
        shape = (len(self.metrics), len(weeks), len(reps))
        values = weekly.value.to_numpy(dtype=float)
        flat = np.ravel_multi_index((metric_codes, week_codes, rep_codes), shape)
        self._values = np.full(shape, np.nan)
        self._present = np.zeros(shape, dtype=bool)
        if np.unique(flat).size == flat.size:
            self._values.flat[flat] = values
        else:  # repeated (metric, week, replication) rows are summed, as ``series`` does
            sums = pd.Series(values).groupby(flat).sum(min_count=1)
            self._values.flat[sums.index.to_numpy()] = sums.to_numpy()
        self._present.flat[flat] = True
        self._index = {str(m): i for i, m in enumerate(self.metrics)}
        self._bands: dict[tuple[str, ...], Band] = {}

    def __contains__(self, metric: object) -> bool:
        return metric in self._index

    def has(self, metrics: str | Sequence[str]) -> bool:
        return all(m in self._index for m in _as_list(metrics))

    def table(self, metrics: str | Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(week starts, weeks x replications values) of a metric or a weekly sum of metrics,
        over the weeks the metrics have rows in."""
        ms = _as_list(metrics)
        missing = [m for m in ms if m not in self._index]
        if missing:
            raise KeyError(f"metric(s) {missing} not in the results; present: {sorted(self._index)}")
        idx = [self._index[m] for m in ms]
        vals = self._values[idx]
        rows = self._present[idx].any(axis=(0, 2))
        all_nan = np.isnan(vals).all(axis=0)
        total = np.where(all_nan, np.nan, np.nansum(vals, axis=0))
        return self.weeks[rows], total[rows]

    def band(self, metrics: str | Sequence[str]) -> Band:
        """Replication mean and central band per week (cached per figure)."""
        key = tuple(_as_list(metrics))
        if key not in self._bands:
            weeks, t = self.table(key)
            q = (1 - self.share) / 2
            with warnings.catch_warnings():  # a week with every replication NaN stays NaN
                warnings.simplefilter("ignore", RuntimeWarning)
                if np.isnan(t).any():
                    mean = np.nanmean(t, axis=1)
                    low, high = np.nanquantile(t, [q, 1 - q], axis=1)
                else:  # the common case, and far quicker than the NaN-aware path
                    mean = t.mean(axis=1)
                    low, high = np.quantile(t, [q, 1 - q], axis=1)
            self._bands[key] = Band(weeks, mean, low, high, self.share)
        return self._bands[key]

    def weekly_mean(self, metrics: str | Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(week starts, mean over replications) of a figure."""
        b = self.band(metrics)
        return b.weeks, b.mean


def _as_list(metrics: str | Sequence[str]) -> list[str]:
    return [metrics] if isinstance(metrics, str) else list(metrics)
