"""Key figures per replication: a statistic of some metrics over a window of ISO weeks.

Compare, sweep summaries and the replication advisor all reduce one replication's weekly
table to a few numbers here, so they agree on what "the backlog in the recovery window" is.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from ..analysis.registry import key_figures as declared_key_figures
from ..analysis.stats import Window, WindowFigure, clip, monday, parse_statistic
from ..analysis.windows import choose_windows
from ..scenario.schema import Scenario

Figure = WindowFigure  # a key figure: the one figure type (stats.WindowFigure)


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
    return [WindowFigure(label, tuple(ms), Window.of(a, b, wname), stat)
            for label, ms in figs.items() for wname, a, b in spans]


def figure_values(weekly: pd.DataFrame, figures: list[Figure]) -> pd.DataFrame:
    """Rows: replications; columns: (figure label, window)."""
    cols = {}
    for f in figures:
        s = f.values(weekly)
        s.index = s.index.get_level_values("replication")
        cols[(f.label, f.window.name)] = s
    out = pd.DataFrame(cols)
    out.index.name = "replication"
    return out.sort_index()
