"""The forecast a multi-year scenario makes: trajectories with a 90% band, and the planning
tables (stocks at the start of each quarter, at year ends, overflow weeks, yearly and
half-yearly windows).

Pure functions of the tidy weekly table; ``report.forecast_write`` renders them and
``workflow.forecast.write_forecast`` writes the folder. Figures whose
metrics a run does not have are listed as absent, never filled in. The band is the central
90% of replications (the spread of outcomes), not an interval of the mean.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .stats import Window, WindowFigure
from .weekly_bands import series

BAND = 0.90


@dataclass(frozen=True)
class Figure:
    """A forecast figure: the metrics summed per week; ``level`` = stock at week end,
    ``count`` = flow in the week."""

    key: str
    label: str
    metrics: tuple[str, ...]
    kind: str = "level"


FIGURES: tuple[Figure, ...] = (
    Figure("occupancy", "reception occupancy, residents of COA locations (persons)", ("coa.occupancy",)),
    Figure("occupancy_entitled", "reception occupancy, COA's 2022 counting (persons entitled to reception)",
           ("coa.occupancy_entitled",)),
    Figure("occupancy_emergency", "of whom in emergency locations", ("coa.emergency_occupancy",)),
    Figure("occupancy_col", "registration centre COL (persons)", ("coa.col_occupancy",)),
    Figure("occupancy_pol", "process reception POL (persons)", ("coa.pol_occupancy",)),
    Figure("occupancy_azc", "AZC locations (persons)", ("coa.azc_occupancy",)),
    Figure("occupancy_crisis", "crisis emergency reception (persons)", ("coa.crisis_occupancy",)),
    Figure("permit_holders", "permit holders in COA (persons)", ("coa.permit_holders",)),
    Figure("ind_open", "IND open cases (persons awaiting a decision)", ("ind.backlog",)),
    Figure("ind_taskforce", "IND Taskforce stock (persons)", ("ind.backlog_taskforce",)),
    Figure("ind_appeals", "appeals open (suspensive, persons in COA)", ("ind.appeals_open",)),
    Figure("ind_past_term", "IND open cases past the statutory term", ("ind.open_past_term",)),
    Figure("col_overflow", "COL overflow above the limit (persons)", ("coa.col_overflow",)),
    Figure("col_overflow_nights", "COL overflow (person-nights)", ("coa.col_overflow_nights",), "count"),
    Figure("departures_independent", "independent departures", ("dtv.departures_independent",), "count"),
    Figure("departures_forced", "forced departures", ("dtv.departures_forced",), "count"),
    Figure("departures_forced_origin", "of which forced to origin", ("dtv.departures_forced_origin",), "count"),
    Figure("departures_unsupervised", "departures without supervision (MOB, DT&V caseload)",
           ("dtv.departures_unsupervised",), "count"),
    Figure("dublin_absconded", "absconded Dublin claimants", ("dublin.absconded",), "count"),
    Figure("dublin_transfers", "Dublin transfers (also in the departures)", ("dublin.transfers",), "count"),
    Figure("nareis_arrivals", "nareis arrivals", ("nareis.arrivals",), "count"),
    Figure("nareis_applications", "nareis applications (persons)", ("nareis.applications",), "count"),
    Figure("detention", "persons in detention", ("detention.population",)),
    Figure("housed", "permit holders housed", ("coa.housed",), "count"),
    Figure("housing_realised", "housing realised (the target's count: family joining a housed sponsor included)",
           ("housing.realised",), "count"),
)

PLAUSIBILITY = {  # published application counts (inputs file): a check, never fitted
    ("nareis_applications", "2020"): 9300,
    ("nareis_applications", "2021"): 13980,
}


def year_windows(first: dt.date, last: dt.date) -> dict[str, tuple[str, str]]:
    """ISO years and half-years (W01-W26, W27-end) wholly inside the weeks starting
    ``first``..``last``: name -> (from week, to week)."""
    out: dict[str, tuple[str, str]] = {}
    for year in range(first.isocalendar()[0], last.isocalendar()[0] + 1):
        n = dt.date(year, 12, 28).isocalendar()[1]  # 52 or 53 ISO weeks
        spans = {f"{year}": (1, n), f"{year}-H1": (1, 26), f"{year}-H2": (27, n)}
        for name, (a, b) in spans.items():
            lo, hi = dt.date.fromisocalendar(year, a, 1), dt.date.fromisocalendar(year, b, 1)
            if lo >= first and hi <= last:
                out[name] = (f"{year}-W{a:02d}", f"{year}-W{b:02d}")
    return out


def _has(weekly: pd.DataFrame, fig: Figure) -> bool:
    return set(fig.metrics) <= set(weekly.metric.unique())


def _table(weekly: pd.DataFrame, fig: Figure) -> pd.DataFrame | None:
    """Weeks x replications of a figure, or None when a metric is absent."""
    return series(weekly, fig.metrics) if _has(weekly, fig) else None


def _spread(values: np.ndarray) -> dict[str, float]:
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if v.size == 0:
        return {"mean": np.nan, "p05": np.nan, "p95": np.nan, "reps": 0}
    q = (1 - BAND) / 2
    return {"mean": float(v.mean()), "p05": float(np.quantile(v, q)),
            "p95": float(np.quantile(v, 1 - q)), "reps": int(v.size)}


def absent(weekly: pd.DataFrame, figures: Sequence[Figure] = FIGURES) -> list[Figure]:
    return [f for f in figures if not _has(weekly, f)]


def trajectories(weekly: pd.DataFrame, figures: Sequence[Figure] = FIGURES) -> pd.DataFrame:
    """Tidy: one row per (figure, week) with the replication mean and the 90% band."""
    rows = []
    for fig in figures:
        t = _table(weekly, fig)
        if t is None:
            continue
        for week_start, row in t.iterrows():
            iso = week_start.date().isocalendar()
            rows.append({"figure": fig.key, "label": fig.label, "kind": fig.kind,
                         "week_start": week_start.date(), "iso_year": iso[0], "iso_week": iso[1],
                         **_spread(row.to_numpy())})
    return pd.DataFrame(rows)


def window_figure(fig: Figure, window: Window) -> WindowFigure:
    """The forecast figure over a window as the one figure type: a level's mean week-end
    value, a count's total."""
    return WindowFigure(fig.label, fig.metrics, window, "sum" if fig.kind == "count" else "mean")


def window_stats(weekly: pd.DataFrame, windows: Mapping[str, tuple[str, str]],
                 figures: Sequence[Figure] = FIGURES) -> pd.DataFrame:
    """Per figure and window: a level's mean week-end value, a count's total over the window
    (per replication, ``WindowFigure``), then the mean and 90% band over replications."""
    rows = []
    for fig in figures:
        if not _has(weekly, fig):
            continue
        for name, (a, b) in windows.items():
            per_rep = window_figure(fig, Window.of(a, b, name)).values(weekly)
            rows.append({"figure": fig.key, "label": fig.label, "window": name,
                         "statistic": "total" if fig.kind == "count" else "mean of week ends",
                         **_spread(per_rep.to_numpy())})
    return pd.DataFrame(rows)


def at_dates(weekly: pd.DataFrame, fig: Figure, dates: Iterable[dt.date]) -> pd.DataFrame:
    """A level at given days: the week-end value of the week whose end (Sunday) is nearest
    to the day (the earlier one on a tie); none for a day more than 3 days from every
    simulated week end (outside the horizon)."""
    t = _table(weekly, fig)
    rows = []
    for day in dates:
        if t is None:
            rows.append({"date": day, "week_end": None, "mean": np.nan, "p05": np.nan, "p95": np.nan, "reps": 0})
            continue
        ends = t.index + pd.Timedelta(days=6)
        gap = np.abs((ends - pd.Timestamp(day)).days.to_numpy())
        i = int(np.argmin(gap))
        if gap[i] > 3:
            rows.append({"date": day, "week_end": None, "mean": np.nan, "p05": np.nan, "p95": np.nan,
                         "reps": 0, "outside": True})
            continue
        rows.append({"date": day, "week_end": ends[i].date(), **_spread(t.iloc[i].to_numpy())})
    return pd.DataFrame(rows)


def overflow_weeks(weekly: pd.DataFrame, windows: Mapping[str, tuple[str, str]],
                   fig: Figure = next(f for f in FIGURES if f.key == "col_overflow")) -> pd.DataFrame:  # type: ignore[name-defined]
    """Weeks in each window with overflow above the limit at week end (value > 0)."""
    t = _table(weekly, fig)
    if t is None:
        return pd.DataFrame()
    flagged = (t > 0).astype(float).where(t.notna())
    table = flagged.stack().rename("value").reset_index()
    table["metric"] = "col.overflow_week"
    table["scenario"] = ""
    return window_stats(table, windows, [Figure("overflow_weeks", "weeks with COL overflow",
                                                ("col.overflow_week",), "count")])
