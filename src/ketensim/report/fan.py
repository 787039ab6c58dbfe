"""Fan charts of required capacity, and the two sources of spread under inflow bands.

Plots take tables built by pure functions (``metrics.need``, ``band_split``) and never run a
simulation; every function returns its Axes and draws into ``ax=`` when given one.
"""
from __future__ import annotations

from typing import Any, Mapping

import pandas as pd
from matplotlib.axes import Axes

from .plots import _date_axis, _mid, _new_axes, shade_phases

BAND_METRIC = "inflow.band_scale"
"""Weekly level: the inflow scale sampled by the replication (1 when no bands are given)."""


def plot_need(table: pd.DataFrame, group: str, *, ax: Axes | None = None,
              phases: list[Any] | None = None, title: str | None = None) -> Axes:
    """P10-P90 band of the demand over replications, the median, the need at the table's
    certainty (with its buffer) and the capacity in place, per week."""
    ax = _new_axes(ax)
    g = table[table.group == group].sort_values("week_start")
    x = _mid(pd.DatetimeIndex(g.week_start))
    ax.fill_between(x, g.p10, g.p90, color="C0", alpha=0.25, lw=0, label="P10-P90 over replications")
    ax.plot(x, g["median"], color="C0", lw=1.4, label="median")
    prob, buf = float(g.prob.iloc[0]), float(g.buffer.iloc[0])
    extra = f" + {buf:.0%} buffer" if buf else ""
    ax.step(x, g.need, where="mid", color="C3", lw=1.1, ls="--", label=f"need at P{prob * 100:g}{extra}")
    if g.capacity.notna().any():
        ax.step(x, g.capacity, where="mid", color="black", lw=1.2, label="capacity in place")
    shade_phases(ax, phases, labels=False)
    _date_axis(ax)
    ax.set_ylim(bottom=0)
    ax.set_title(title or f"required {g.label.iloc[0]}", loc="left", fontsize=10)
    ax.legend(fontsize=7, loc="upper left", ncols=2)
    return ax


def band_split(weekly: pd.DataFrame, metric: str) -> pd.DataFrame | None:
    """Per week: the total variance of ``metric`` over replications split into the part due to
    the inflow band (variance of the band means, weighted by replications) and replication
    noise (mean variance within a band); None when the replications share one band."""
    if BAND_METRIC not in set(weekly.metric.unique()):
        return None
    band = weekly[weekly.metric == BAND_METRIC].groupby("replication")["value"].first().round(9)
    if band.nunique() < 2:
        return None
    df = weekly[weekly.metric == metric][["replication", "week_start", "value"]].copy()
    df["band"] = df.replication.map(band)
    rows = []
    for week, g in df.groupby("week_start"):
        total = g.value.var(ddof=0)
        means = g.groupby("band").value.transform("mean")
        between = ((means - g.value.mean()) ** 2).mean()
        rows.append({"week_start": week, "total_var": total, "band_var": between,
                     "noise_var": total - between, "mean": g.value.mean()})
    return pd.DataFrame(rows)


def plot_bands(weekly: pd.DataFrame, metric: str, *, ax: Axes | None = None,
               labels: Mapping[float, str] | None = None, phases: list[Any] | None = None,
               title: str | None = None) -> Axes:
    """One line (mean) and one 10-90% replication band per inflow band: the distance between
    the lines is the band's spread, the width of each band the replication noise."""
    ax = _new_axes(ax)
    band = weekly[weekly.metric == BAND_METRIC].groupby("replication")["value"].first().round(9)
    df = weekly[weekly.metric == metric]
    for i, (scale, reps) in enumerate(sorted(band.groupby(band).groups.items())):
        t = df[df.replication.isin(list(reps))].pivot_table(index="week_start", columns="replication",
                                                            values="value")
        x = _mid(pd.DatetimeIndex(t.index))
        name = (labels or {}).get(scale, f"scale {scale:g}")
        ax.fill_between(x, t.quantile(0.1, axis=1), t.quantile(0.9, axis=1), color=f"C{i}", alpha=0.18, lw=0)
        ax.plot(x, t.mean(axis=1), color=f"C{i}", lw=1.4, label=f"{name} ({len(reps)} reps)")
    shade_phases(ax, phases, labels=False)
    _date_axis(ax)
    ax.set_title(title or metric, loc="left", fontsize=10)
    ax.legend(fontsize=7, loc="upper left")
    return ax


def band_shares(split: pd.DataFrame, weeks: int = 13) -> tuple[float, float]:
    """Share of the variance due to the band and to replication noise over the last ``weeks``."""
    tail = split.tail(weeks)
    total = float(tail.total_var.sum())
    if total <= 0:
        return float("nan"), float("nan")
    b = float(tail.band_var.sum()) / total
    return b, 1 - b
