"""Window summaries of weekly results: the replication mean of a figure's statistic over a
window with its 95% interval, for one scenario or two side by side.

A *figure* is a label and the metrics summed per week to make it (departures are
independent + forced). Windows and statistics are those of ``ketensim.analysis.stats``: a window
that lies partly outside the simulated weeks is summarised over the weeks it covers and
marked partial (``partial`` column; its label says which weeks) — the rule of every output.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

from .registry import key_figures
from .stats import Window, fmt_ci, mean_ci, monday, parse_statistic, reduce_weeks, resolve, weeks_of
from .windows import choose_windows

Figures = Mapping[str, Sequence[str]]
WindowSpec = Mapping[str, tuple[object, object]] | Iterable[Window | str]



def __getattr__(name: str) -> Any:
    """``KEY_FIGURES``: the key figures of tables and comparisons (short label -> metrics
    summed per week), as the parts declare them (``key`` in the metric registry); built on
    first use, so importing this module builds no chain."""
    if name == "KEY_FIGURES":
        return key_figures()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


SUMMARY_COLUMNS = ["figure", "window", "from", "to", "statistic", "mean", "ci_low", "ci_high", "reps",
                   "partial"]
__all__ = ["SUMMARY_COLUMNS", "as_window", "fmt_ci", "inside", "key_figures", "pivot", "resolve_figures",
           "resolve_windows", "side_by_side", "summarize"]


def as_window(a: object, b: object) -> Window:
    return Window.of(a, b)


def inside(weekly: pd.DataFrame, window: Window) -> bool:
    """Whether the window lies wholly inside the simulated weeks (for the letter's targets,
    whose values hold for the whole window)."""
    span = weeks_of(weekly)
    return span is not None and monday(window.start) >= span[0] and monday(window.end) <= span[1]


def resolve_windows(weekly: pd.DataFrame, windows: WindowSpec | None = None,
                    scenario: Any = None) -> dict[str, Window]:
    """Label -> window (clipped to the simulated weeks, partial ones marked) of the windows to
    summarise: ``windows`` as given, else those the scenario declares (the letter's)."""
    return {w.label: w for w in resolve(weekly, choose_windows(windows, scenario))}


def resolve_figures(weekly: pd.DataFrame, figures: Figures | Iterable[str] | None = None) -> dict[str, list[str]]:
    """Figures whose metrics are all present: the key figures by default, or a list of
    metric names (each its own figure), or a mapping label -> metrics."""
    present = set(weekly.metric.unique()) if not weekly.empty else set()
    if figures is None:
        spec: Mapping[str, Sequence[str]] = key_figures()
    elif isinstance(figures, Mapping):
        spec = figures
    else:
        spec = {m: [m] for m in figures}
    return {label: list(ms) for label, ms in spec.items() if set(ms) <= present}


def summarize(weekly: pd.DataFrame, windows: WindowSpec | None = None,
              figures: Figures | Iterable[str] | None = None, stat: str = "mean",
              scenario: Any = None) -> pd.DataFrame:
    """One row per (figure, window): mean over replications of the figure's statistic in the
    window (``mean`` = weekly mean, ``sum``, ``end``, ``max``, ``min``, ``p90``...), with a
    95% t-interval (NaN with one replication)."""
    stat = parse_statistic(stat)
    rows = []
    wins = resolve_windows(weekly, windows, scenario)
    figs = resolve_figures(weekly, figures) if wins else {}
    weeks = _FigureWeeks(weekly, figs) if figs else None
    by_window = {w: weeks.in_window(win, stat) for w, win in wins.items()} if weeks is not None else {}
    for label in figs:
        for wname, win in wins.items():
            stats = by_window[wname].get(label, EMPTY)
            m, lo, hi = mean_ci(stats.values)
            rows.append({"figure": label, "window": wname, "from": win.start, "to": win.end,
                         "statistic": stat, "mean": m, "ci_low": lo, "ci_high": hi, "reps": len(stats),
                         "partial": win.partial})
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


class _FigureWeeks:
    """Every figure's weekly sums per (scenario, replication), made in one pass over the table
    and reduced with one grouping per window: the same numbers as ``stats.window_values``
    (a window keeps or drops whole (scenario, replication, week) groups; within a group the
    weeks keep their order), without filtering the whole table again per figure and window."""

    KEYS = ["figure", "scenario", "replication"]

    def __init__(self, weekly: pd.DataFrame, figures: Figures) -> None:
        link = pd.DataFrame([(label, m) for label, ms in figures.items() for m in dict.fromkeys(ms)],
                            columns=["figure", "metric"])
        rows = weekly[["scenario", "replication", "week_start", "metric", "value"]].merge(link, on="metric")
        self.per_week = rows.groupby(self.KEYS + ["week_start"])["value"].sum(min_count=1)
        self.week_of = pd.Series(self.per_week.index.get_level_values("week_start"))

    def in_window(self, win: Window, stat: str) -> dict[str, pd.Series]:
        """Figure -> its statistic over the window per (scenario, replication)."""
        stats = reduce_weeks(self.per_week[win.contains(self.week_of).to_numpy()], stat, self.KEYS)
        return {str(f): g.droplevel("figure") for f, g in stats.groupby(level="figure", sort=False)}


EMPTY = pd.Series([], dtype=float, index=pd.MultiIndex.from_arrays([[], []], names=["scenario", "replication"]))


def side_by_side(weekly: pd.DataFrame, baseline: pd.DataFrame, windows: WindowSpec | None = None,
                 figures: Figures | Iterable[str] | None = None,
                 names: tuple[str, str] = ("baseline", "scenario"), stat: str = "mean",
                 scenario: Any = None) -> pd.DataFrame:
    """Both scenarios' window statistics with their own 95% intervals (columns
    ``baseline_mean``, ``baseline_ci_low``, ... ``scenario_ci_high``; their names in
    ``.attrs["names"]``), and the ``difference`` of the means (scenario - baseline) with the
    95% interval of the paired per-replication differences (``difference_ci_low``/``_high``):
    meaningful when both runs used the same seed, so replication r of each shares its random
    numbers (CRN). Windows are clipped to the weeks both runs simulated."""
    stat = parse_statistic(stat)
    span_a, span_b = weeks_of(weekly), weeks_of(baseline)
    if span_a is None or span_b is None:
        return pd.DataFrame()
    common = pd.DataFrame({"week_start": [max(span_a[0], span_b[0]), min(span_a[1], span_b[1])]})
    wins = {w.label: w for w in resolve(common, choose_windows(windows, scenario))}
    figs = resolve_figures(weekly, figures)
    in_base = resolve_figures(baseline, figs)  # one look at the baseline's metrics, not one per figure
    figs = {k: v for k, v in figs.items() if k in in_base}
    rows = []
    base_weeks, own_weeks = _FigureWeeks(baseline, figs), _FigureWeeks(weekly, figs)
    by_window = {w: (base_weeks.in_window(win, stat), own_weeks.in_window(win, stat)) for w, win in wins.items()}
    for label in figs:
        for wname, win in wins.items():
            a = by_window[wname][0].get(label, EMPTY).droplevel("scenario")
            b = by_window[wname][1].get(label, EMPTY).droplevel("scenario")
            ma, la, ha = mean_ci(a.to_numpy(dtype=float))
            mb, lb, hb = mean_ci(b.to_numpy(dtype=float))
            # paired interval: replication r of both runs shares its random numbers (same seed),
            # so the per-replication differences are far less noisy than the two means apart
            d = (b - a).dropna()
            _, dl, dh = mean_ci(d.to_numpy(dtype=float))
            rows.append({"figure": label, "window": wname, "statistic": stat, "partial": win.partial,
                         "baseline_mean": ma, "baseline_ci_low": la, "baseline_ci_high": ha,
                         "scenario_mean": mb, "scenario_ci_low": lb, "scenario_ci_high": hb,
                         "difference": mb - ma, "difference_ci_low": dl, "difference_ci_high": dh})
    out = pd.DataFrame(rows)
    out.attrs["names"] = {"baseline": names[0], "scenario": names[1]}
    return out


def pivot(summary: pd.DataFrame) -> pd.DataFrame:
    """A summary as a figures x windows table of 'mean ±half-width' strings."""
    if summary.empty:
        return pd.DataFrame()
    cells = summary.assign(cell=[fmt_ci(r.mean, r.ci_low, r.ci_high) for r in summary.itertuples()])
    table = cells.pivot(index="figure", columns="window", values="cell")
    return table.reindex(index=list(dict.fromkeys(summary.figure)), columns=list(dict.fromkeys(summary.window)))
