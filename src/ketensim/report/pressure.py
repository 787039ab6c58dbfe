"""Reception pressure: occupancy against places by stage, the registration centre's overflow
and crisis places, as a table and a figure (for the HTML report)."""
from __future__ import annotations

import datetime as dt
import html
import math
from typing import Iterable

import pandas as pd
from matplotlib.figure import Figure

from ..analysis.targets import mean_ci
from ..analysis.weekly_bands import WeeklyBands, band_stats, series
from .plots import PALETTE, _date_axis, _mid, new_figure, shade_phases

# stage label: (occupancy metric, places metric)
STAGES = {
    "registration centre (COL)": ("coa.col_occupancy", "coa.capacity_col"),
    "process reception (POL)": ("coa.pol_occupancy", "coa.capacity_pol"),
    "AZC": ("coa.azc_occupancy", "coa.capacity_azc"),
    "crisis reception": ("coa.crisis_occupancy", "coa.capacity_crisis"),
}
PRESSURE: dict[str, str | tuple[str, ...]] = {
    "persons above the COL limit (week end)": "coa.col_overflow",
    "person-nights above the COL limit / week": "coa.col_overflow_nights",
    "waiting for a POL or AZC place": ("coa.waiting_pol", "coa.waiting_azc"),
    "permit holders in reception": "coa.permit_holders",
    "permit holders waiting > 14 weeks": "coa.permit_holders_waiting_14w",
    "IND officers added by its capacity rule": ("ind.added_hearing_officers", "ind.added_decision_officers"),
}


def has_pressure(weekly: pd.DataFrame) -> bool:
    return "coa.col_occupancy" in set(weekly.metric.unique())


def _cell(weekly: pd.DataFrame, metric: str | tuple[str, ...], how: str, bands: WeeklyBands | None = None) -> str:
    ms = list(metric) if isinstance(metric, tuple) else metric
    if bands is not None:  # the report's shared weekly arrays, not a new filter of the table
        values = pd.DataFrame(bands.table(ms)[1])
    else:
        values = series(weekly, ms)
    per_rep = values.mean(axis=0) if how == "mean" else values.max(axis=0)
    m, lo, hi = mean_ci(per_rep.to_numpy(dtype=float))
    if math.isnan(m):
        return "-"
    return f"{m:,.0f}" if math.isnan(lo) else f"{m:,.0f} [{lo:,.0f}, {hi:,.0f}]"


def pressure_rows(weekly: pd.DataFrame, bands: WeeklyBands | None = None) -> list[list[str]]:
    """Rows: stage or pressure figure; mean and peak over the run (mean [95% interval] over
    replications); ``bands`` the run's shared weekly arrays when the caller has them."""
    present = set(weekly.metric.unique())
    rows = []
    for label, (occ, cap) in STAGES.items():
        if occ in present and cap in present:
            rows.append([html.escape(label), _cell(weekly, occ, "mean", bands), _cell(weekly, occ, "max", bands),
                         _cell(weekly, cap, "mean", bands), _cell(weekly, cap, "max", bands)])
    for label, metric in PRESSURE.items():
        names = metric if isinstance(metric, tuple) else (metric,)
        if set(names) <= present:
            key = metric if isinstance(metric, str) else tuple(metric)
            rows.append([html.escape(label), _cell(weekly, key, "mean", bands), _cell(weekly, key, "max", bands), "", ""])
    return rows


def plot_pressure(weekly: pd.DataFrame, phases: Iterable[tuple[str, dt.date]] | None = None) -> Figure:
    """One panel per stage: occupancy (mean, 90% band) against places; the COL panel also
    shows the persons above the limit."""
    present = set(weekly.metric.unique())
    stages = [(k, v) for k, v in STAGES.items() if set(v) <= present]
    fig = new_figure((8, 2.4 * len(stages)))
    for i, (label, (occ, cap)) in enumerate(stages):
        ax = fig.add_subplot(len(stages), 1, i + 1)
        o = band_stats(series(weekly, occ))
        x = _mid(o.index)
        ax.fill_between(x, o["low"], o["high"], color=PALETTE[0], alpha=0.22, lw=0)
        ax.plot(x, o["mean"], color=PALETTE[0], lw=1.5, label="occupancy")
        c = series(weekly, cap).mean(axis=1)
        ax.step(c.index, c.to_numpy(), where="post", color="#222222", lw=1.2, ls="--",
                label="limit" if occ == "coa.col_occupancy" else "places")
        if occ == "coa.col_occupancy" and "coa.col_overflow" in present:
            ov = series(weekly, "coa.col_overflow").mean(axis=1)
            ax.plot(_mid(ov.index), ov.to_numpy(), color="#c0392b", lw=1.2, label="above the limit")
        ax.set_title(label, fontsize=9, loc="left")
        ax.set_ylim(bottom=0)
        _date_axis(ax)
        shade_phases(ax, phases, labels=i == 0)
        ax.legend(fontsize=7, loc="upper left", frameon=False)
    return fig
