"""Key figures per replication: a statistic of some metrics over a window of ISO weeks.

Compare, sweep summaries and the replication advisor all reduce one replication's weekly
table to a few numbers here, so they agree on what "the backlog in the recovery window" is.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..report.labels import key_figures as declared_key_figures
from ..report.targets import Target, Window, per_replication
from ..report.windows import choose_windows
from ..scenario.schema import Scenario
from ..stats import clip, monday, parse_statistic


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


def key_figures(scenario: Scenario, metrics: list[str] | None = None, windows: Any = None,
                stat: str = "mean") -> list[Figure]:
    """The key figures over the windows (``windows`` as given, else those the scenario
    declares: the letter's) clipped to the horizon — a partial window is marked in its label,
    the rule of every output — or, when none overlaps, over the whole horizon. ``metrics``
    restricts to figures of those metrics (a metric that is not a key figure becomes a
    figure of its own)."""
    h = scenario.horizon
    first, last = monday(h.start), monday(h.end)
    wins = [w for w in (clip(w, first, last) for w in choose_windows(windows, scenario)) if w is not None]
    spans = [(w.label, w.start, w.end) for w in wins] or [("horizon", h.start, h.end)]
    figs = declared_key_figures()
    if metrics:
        figs = {k: v for k, v in figs.items() if set(v) & set(metrics)}
        for m in metrics:
            if not any(m in v for v in figs.values()):
                figs[m] = [m]
    stat = parse_statistic(stat)
    return [Figure(label, tuple(ms), a, b, stat, wname)
            for label, ms in figs.items() for wname, a, b in spans]


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
