"""The overview report of a sweep store: each outcome by lever with 95% intervals, a heat
map when the sweep has two levers, and the table of every design point. One point's full
report is ``ketensim report STORE --point N [--baseline-point M]``."""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from .htmlkit import _e, _figure, _table, page
from .i18n import Translator, translator
from .plots import new_figure


def _outcomes(summary: pd.DataFrame) -> list[str]:
    skip = {"point", "runs_ok", "runs_failed"}
    return [c for c in summary.columns if c not in skip and not c.startswith(("lever:", "uncertainty:"))
            and not c.endswith(" ±")]


def plot_by_lever(summary: pd.DataFrame, outcome: str, lever: str, others: list[str]) -> Any:
    """The outcome's mean (95% interval) against one lever, one line per value of the others."""
    ax = new_figure((6.4, 3.2)).add_subplot()
    col = f"lever:{lever}"
    groups = summary.groupby([f"lever:{o}" for o in others]) if others else [((), summary)]
    for key, grp in groups:
        grp = grp.sort_values(col)
        x = [str(v) for v in grp[col]]
        half = grp.get(f"{outcome} ±", pd.Series(np.nan, index=grp.index)).fillna(0)
        label = ", ".join(f"{o}={k}" for o, k in zip(others, key if isinstance(key, tuple) else (key,))) or None
        ax.errorbar(x, grp[outcome], yerr=half, marker="o", ms=4, capsize=3, label=label)
    ax.set_xlabel(lever, fontsize=8)
    ax.set_title(outcome, fontsize=9, loc="left")
    ax.grid(axis="y", color="#dddddd", lw=0.5)
    if others:
        ax.legend(fontsize=6.5, frameon=False)
    return ax.figure


def plot_heatmap(summary: pd.DataFrame, outcome: str, a: str, b: str, tr: Translator) -> Any:
    """Mean outcome over a grid of two levers (values written in the cells)."""
    table = summary.pivot_table(index=f"lever:{a}", columns=f"lever:{b}", values=outcome, aggfunc="mean")
    ax = new_figure((5.6, 3.8)).add_subplot()
    im = ax.imshow(table.to_numpy(dtype=float), cmap="Blues", aspect="auto", origin="lower")
    ax.set_xticks(range(table.shape[1]), [str(v) for v in table.columns], fontsize=7)
    ax.set_yticks(range(table.shape[0]), [str(v) for v in table.index], fontsize=7)
    ax.set_xlabel(b, fontsize=8)
    ax.set_ylabel(a, fontsize=8)
    vals = table.to_numpy(dtype=float)
    mid = np.nanmean(vals) if np.isfinite(vals).any() else 0
    for i in range(table.shape[0]):
        for j in range(table.shape[1]):
            v = vals[i, j]
            if math.isfinite(v):
                ax.text(j, i, f"{v:,.0f}", ha="center", va="center", fontsize=7,
                        color="white" if v > mid else "#222222")
    ax.figure.colorbar(im, ax=ax, shrink=0.8)
    ax.set_title(tr("sweep.heatmap").format(outcome=outcome, a=a, b=b), fontsize=9, loc="left")
    return ax.figure


def build_sweep_report(sweep: Any, lang: str = "en") -> str:
    tr = translator(lang)
    summary = sweep.summary()
    levers = [c.removeprefix("lever:") for c in summary.columns if c.startswith("lever:")]
    varying = [lv for lv in levers if summary[f"lever:{lv}"].nunique() > 1]
    outcomes = _outcomes(summary)
    figs = []
    for outcome in outcomes:
        if len(varying) == 2:
            figs.append(_figure(plot_heatmap(summary, outcome, varying[0], varying[1], tr), outcome))
        for lever in varying[:2]:
            figs.append(_figure(plot_by_lever(summary, outcome, lever, [o for o in varying if o != lever]),
                                f"{outcome} by {lever}"))
    rows = []
    for r in summary.to_dict("records"):
        cells = [_e(r["point"])] + [_e(r[f"lever:{lv}"]) for lv in levers]
        for o in outcomes:
            half = r.get(f"{o} ±")
            m = r[o]
            cells.append(_e("-" if not np.isfinite(m) else (f"{m:,.1f} ±{half:,.1f}" if half is not None
                                                              and np.isfinite(half) else f"{m:,.1f}")))
        cells.append(_e(f"{r.get('runs_ok', '-')}"))
        rows.append(cells)
    table = _table([tr("col.point")] + [_e(lv) for lv in levers] + [_e(o) for o in outcomes] + [tr("col.runs")],
                   rows, num_from=1)
    m = sweep.manifest
    sub = tr("sweep.sub").format(name=_e(sweep.name), points=len(sweep.points), reps=m.get("replications"),
                                 seed=m.get("seed"), store=_e(sweep.store.root))
    sections = [("by-lever", tr("sweep.by_lever"), "".join(figs) or "-"),
                ("outcomes", tr("sweep.outcomes"),
                 f"<p class='note'>{tr('sweep.point_hint').format(store=_e(sweep.store.root))}</p>" + table)]
    return page(f"{tr('sweep.title')}: {sweep.name}", sub, sections, lang)
