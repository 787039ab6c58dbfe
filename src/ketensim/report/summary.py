"""Window summaries of weekly results: the replication mean of a figure over a window with
its 95% interval, for one scenario or two side by side.

A *figure* is a label and the metrics summed per week to make it (departures are
independent + forced). A *window* is a name and an ISO-week range. Only windows that lie
wholly inside the simulated weeks are summarised, so a short run never reports a mean over
a window it covered only in part.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Iterable, Mapping, Sequence

import pandas as pd

from .table import KEY_FIGURES, WINDOWS
from .targets import Target, Window, mean_ci, per_replication

Figures = Mapping[str, Sequence[str]]
WindowSpec = Mapping[str, tuple[object, object]]

SUMMARY_COLUMNS = ["figure", "window", "from", "to", "mean", "ci_low", "ci_high", "reps"]


def as_window(a: object, b: object) -> Window:
    return Window.model_validate({"from": a, "to": b})


def resolve_windows(weekly: pd.DataFrame, windows: WindowSpec | Iterable[str] | None = None
                    ) -> dict[str, Window]:
    """The windows to summarise, keeping those wholly inside the simulated weeks.

    ``windows`` is a mapping name -> (from, to) (ISO weeks or dates), a list of names of the
    letter's windows (``report.table.WINDOWS``), or None for all of the letter's windows.
    """
    if windows is None:
        spec: Mapping[str, tuple[object, object]] = WINDOWS
    elif isinstance(windows, Mapping):
        spec = windows
    else:
        names = list(windows)
        unknown = [n for n in names if n not in WINDOWS]
        if unknown:
            raise KeyError(f"unknown window(s) {unknown}; known: {list(WINDOWS)} "
                           "(or pass a mapping name -> (from, to))")
        spec = {n: WINDOWS[n] for n in names}
    if weekly.empty:
        return {}
    ws = pd.to_datetime(weekly.week_start)
    first, last = ws.min().date(), ws.max().date()
    out = {}
    for name, (a, b) in spec.items():
        win = as_window(a, b)
        lo = win.start - dt.timedelta(days=win.start.isoweekday() - 1)
        hi = win.end - dt.timedelta(days=win.end.isoweekday() - 1)
        if lo >= first and hi <= last:
            out[name] = win
    return out


def resolve_figures(weekly: pd.DataFrame, figures: Figures | Iterable[str] | None = None) -> dict[str, list[str]]:
    """Figures whose metrics are all present: the key figures by default, or a list of
    metric names (each its own figure), or a mapping label -> metrics."""
    present = set(weekly.metric.unique()) if not weekly.empty else set()
    if figures is None:
        spec: Mapping[str, Sequence[str]] = KEY_FIGURES
    elif isinstance(figures, Mapping):
        spec = figures
    else:
        spec = {m: [m] for m in figures}
    return {label: list(ms) for label, ms in spec.items() if set(ms) <= present}


def _stats(weekly: pd.DataFrame, metrics: list[str], win: Window) -> pd.Series:
    t = Target(id="", label="", metrics=metrics, window=win, statistic="weekly_mean", value=1, tolerance=1)
    return per_replication(weekly, t)


def summarize(weekly: pd.DataFrame, windows: WindowSpec | Iterable[str] | None = None,
              figures: Figures | Iterable[str] | None = None) -> pd.DataFrame:
    """One row per (figure, window): mean over replications of the figure's weekly mean in
    the window, with a 95% t-interval (NaN with one replication)."""
    rows = []
    wins = resolve_windows(weekly, windows)
    for label, metrics in resolve_figures(weekly, figures).items():
        for wname, win in wins.items():
            stats = _stats(weekly, metrics, win)
            m, lo, hi = mean_ci(stats.values)
            rows.append({"figure": label, "window": wname, "from": win.start, "to": win.end,
                         "mean": m, "ci_low": lo, "ci_high": hi, "reps": len(stats)})
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def side_by_side(weekly: pd.DataFrame, baseline: pd.DataFrame,
                 windows: WindowSpec | Iterable[str] | None = None,
                 figures: Figures | Iterable[str] | None = None,
                 names: tuple[str, str] = ("baseline", "scenario")) -> pd.DataFrame:
    """Both scenarios' window means with their own 95% intervals (columns ``baseline_mean``,
    ``baseline_ci_low``, ... ``scenario_ci_high``; their names in ``.attrs["names"]``), and
    the ``difference`` of the means (scenario - baseline) with the 95% interval of the paired
    per-replication differences (``difference_ci_low``/``_high``): meaningful when both runs
    used the same seed, so replication r of each shares its random numbers (CRN)."""
    wins = resolve_windows(weekly, windows)
    wins = {k: v for k, v in wins.items() if k in resolve_windows(baseline, {k: (v.start, v.end)})}
    figs = resolve_figures(weekly, figures)
    figs = {k: v for k, v in figs.items() if k in resolve_figures(baseline, {k: v})}
    a = summarize(baseline, {k: (w.start, w.end) for k, w in wins.items()}, figs)
    b = summarize(weekly, {k: (w.start, w.end) for k, w in wins.items()}, figs)
    keys = ["figure", "window"]
    cols = ["mean", "ci_low", "ci_high"]
    merged = a[keys + cols].rename(columns={c: f"baseline_{c}" for c in cols}).merge(
        b[keys + cols].rename(columns={c: f"scenario_{c}" for c in cols}), on=keys)
    merged["difference"] = merged["scenario_mean"] - merged["baseline_mean"]
    # paired interval: replication r of both runs shares its random numbers (same seed), so
    # the per-replication differences are far less noisy than the two means apart
    lo, hi = [], []
    for r in merged.itertuples(index=False):
        per_rep = [x.droplevel("scenario") for x in (_stats(weekly, figs[r.figure], wins[r.window]),
                                                      _stats(baseline, figs[r.figure], wins[r.window]))]
        d = (per_rep[0] - per_rep[1]).dropna()  # aligned on the replication
        _, l, h = mean_ci(d.to_numpy(dtype=float))
        lo.append(l)
        hi.append(h)
    merged["difference_ci_low"], merged["difference_ci_high"] = lo, hi
    merged.attrs["names"] = {"baseline": names[0], "scenario": names[1]}
    return merged


def fmt_ci(m: float, lo: float, hi: float, digits: int = 0) -> str:
    """'1,234 ±56' (mean ± 95% half-width); '-' when there is no value."""
    if m is None or math.isnan(m):
        return "-"
    if lo is None or math.isnan(lo):
        return f"{m:,.{digits}f}"
    return f"{m:,.{digits}f} ±{(hi - lo) / 2:,.{digits}f}"


def pivot(summary: pd.DataFrame) -> pd.DataFrame:
    """A summary as a figures x windows table of 'mean ±half-width' strings."""
    if summary.empty:
        return pd.DataFrame()
    cells = summary.assign(cell=[fmt_ci(r.mean, r.ci_low, r.ci_high) for r in summary.itertuples()])
    table = cells.pivot(index="figure", columns="window", values="cell")
    return table.reindex(index=list(dict.fromkeys(summary.figure)), columns=list(dict.fromkeys(summary.window)))
