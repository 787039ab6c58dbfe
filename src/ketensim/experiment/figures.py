"""Key figures per replication: a statistic of some metrics over a window of ISO weeks.

Compare, sweep summaries and the replication advisor all reduce one replication's weekly
table to a few numbers here, so they agree on what "the backlog in the recovery window" is.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..report.table import KEY_FIGURES, WINDOWS
from ..report.targets import Target, Window, per_replication
from ..scenario.schema import Scenario


@dataclass(frozen=True)
class Figure:
    label: str
    metrics: tuple[str, ...]
    start: dt.date
    end: dt.date
    statistic: str = "weekly_mean"
    window: str = ""

    def target(self) -> Target:
        win = Window.model_validate({"from": self.start, "to": self.end})
        return Target(id="", label=self.label, metrics=list(self.metrics), window=win,
                      statistic=self.statistic, value=1, tolerance=1)


def key_figures(scenario: Scenario, metrics: list[str] | None = None) -> list[Figure]:
    """The report's key figures over the letter's windows that overlap the horizon (or, when
    none does, over the whole horizon). ``metrics`` restricts to figures of those metrics
    (a metric that is not a key figure becomes a figure of its own)."""
    h = scenario.horizon
    wins = []
    for wname, (a, b) in WINDOWS.items():
        w = Window.model_validate({"from": a, "to": b})
        if w.start <= h.end and w.end >= h.start:
            lo, hi = max(w.start, h.start), min(w.end, h.end)
            if (lo, hi) != (w.start, w.end):  # clipped to the horizon: say which weeks
                wname = f"W{lo.isocalendar().week:02d}-{hi.isocalendar().week:02d} ({wname.split(' ', 1)[1]})"
            wins.append((wname, lo, hi))
    if not wins:
        wins = [("horizon", h.start, h.end)]
    figs = dict(KEY_FIGURES)
    if metrics:
        figs = {k: v for k, v in figs.items() if set(v) & set(metrics)}
        for m in metrics:
            if not any(m in v for v in figs.values()):
                figs[m] = [m]
    return [Figure(label, tuple(ms), a, b, "weekly_mean", wname)
            for label, ms in figs.items() for wname, a, b in wins]


def figure_values(weekly: pd.DataFrame, figures: list[Figure]) -> pd.DataFrame:
    """Rows: replications; columns: (figure label, window)."""
    cols = {}
    for f in figures:
        s = per_replication(weekly, f.target())
        s.index = s.index.get_level_values("replication")
        cols[(f.label, f.window)] = s
    out = pd.DataFrame(cols)
    out.index.name = "replication"
    return out.sort_index()
