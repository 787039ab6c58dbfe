"""Compact tables of the key weekly figures over windows (the CLI's table)."""
from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ..analysis.stats import fmt_ci, parse_statistic, statistic_label
from ..analysis.summary import WindowSpec, key_figures, summarize
from ..analysis.targets import Targets
from ..analysis.windows import LETTER_WINDOWS

WINDOWS = LETTER_WINDOWS
__all__ = ["WINDOWS", "format_targets", "key_figures", "window_table"]


def window_table(weekly: pd.DataFrame, targets: Targets | None = None, windows: WindowSpec | None = None,
                 stat: str = "mean", scenario: Any = None) -> pd.DataFrame:
    """Rows: key figures; columns: the windows (a partial one says which weeks it covers);
    cells: mean ±95% half-width over replications of the window's statistic, with the
    letter's value in brackets where the letter gives this figure for this whole window."""
    stat = parse_statistic(stat)
    letter = {}
    for t in targets.targets if targets else []:
        if parse_statistic(t.statistic) == stat:
            letter[(tuple(t.metrics), t.window.start, t.window.end)] = t.value
    s = summarize(weekly, windows, stat=stat, scenario=scenario)
    figures = key_figures()
    out: dict[str, dict[str, str]] = {}
    for r in s.itertuples(index=False):
        cell = fmt_ci(r.mean, r.ci_low, r.ci_high) if r.reps else "-"
        ref = None if r.partial else letter.get((tuple(figures[r.figure]), r[2], r[3]))
        out.setdefault(r.figure, {})[r.window] = cell + (f" [{ref:,.0f}]" if ref is not None else "")
    table = pd.DataFrame(out).T
    table.attrs["statistic"] = statistic_label(stat)
    return table


def format_targets(check: pd.DataFrame) -> str:
    lines = [f"{'id':<4} {'target':<48} {'letter':>8} {'simulated (95% CI)':>26} {'error':>7}  ok"]
    for r in check.itertuples():
        ci = f"{r.mean:,.1f} [{r.ci_low:,.1f}, {r.ci_high:,.1f}]" if not math.isnan(r.ci_low) else f"{r.mean:,.1f}"
        lines.append(f"{r.id:<4} {r.label[:48]:<48} {r.letter:>8,.0f} {ci:>26} {r.rel_error:>+7.1%}  "
                     f"{'yes' if r.ok else 'NO'} (±{r.tolerance:.0%})")
    return "\n".join(lines)
