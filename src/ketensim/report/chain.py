"""The chain overview's content: the flows between the parts of the chain over a window and
where each node, band and label goes (axis units: x -0.22..1.25, y -0.05..1.1). Drawn by
``plots.plot_chain`` (matplotlib) and ``svgchart.chain_svg`` (the report's inline SVG) from
the same layout, so the two never disagree.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..analysis.targets import mean_ci
from ..model.overview import chain_overview
from .i18n import translator
from .style import PALETTE

# Drawn from the parts' declarations (model.overview: the nodes the parts declare, the chain's
# FLOWS between them); labels from the texts, node.<name> and flow.<name>.
_OVERVIEW = chain_overview()
_EN = translator("en")

# node id -> (column, label, stock metric shown in the node or None)
CHAIN_NODES: dict[str, tuple[int, str, str | None]] = {
    n.name: (n.column, _EN(f"node.{n.name}"), n.stock) for n in _OVERVIEW.nodes}

# (source, target, label, metrics added, metrics subtracted)
CHAIN_EDGES: list[tuple[str, str, str, tuple[str, ...], tuple[str, ...]]] = [
    (f.source, f.target, _EN(f"flow.{f.name}"), f.plus, f.minus) for f in _OVERVIEW.flows]


def window_mean(weekly: pd.DataFrame, plus: Sequence[str], minus: Sequence[str] = (),
                window: Any = None) -> tuple[float, float, float]:
    """Mean over replications of the weekly mean of (sum of ``plus`` - sum of ``minus``) in a
    window (all weeks when None), with its 95% interval."""
    df = weekly[weekly.metric.isin(list(plus) + list(minus))]
    if window is not None:
        df = df[_as_window(window).contains(df.week_start)]
    if df.empty:
        return math.nan, math.nan, math.nan
    sign = np.where(df.metric.isin(list(minus)), -1.0, 1.0)
    per_week = (df.value * sign).groupby([df.replication, df.week_start]).sum()
    return mean_ci(per_week.groupby(level=0).mean().to_numpy())


def window_last(weekly: pd.DataFrame, metric: str, window: Any = None) -> float:
    """Mean over replications of a stock at the end of the window."""
    df = weekly[weekly.metric == metric]
    if window is not None:
        df = df[_as_window(window).contains(df.week_start)]
    if df.empty:
        return math.nan
    last = df[df.week_start == df.week_start.max()]
    return float(last.value.mean())


def chain_flows(weekly: pd.DataFrame, window: Any = None) -> pd.DataFrame:
    """The flows of the chain overview present in the results: one row per edge with the
    mean persons per week in the window and its 95% interval."""
    present = set(weekly.metric.unique())
    rows = []
    for src, dst, label, plus, minus in CHAIN_EDGES:
        if not set(plus) | set(minus) <= present:
            continue
        m, lo, hi = window_mean(weekly, plus, minus, window)
        rows.append({"source": src, "target": dst, "flow": label, "mean": m, "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows, columns=["source", "target", "flow", "mean", "ci_low", "ci_high"])


def _spread(labels: list[list[Any]], gap: float) -> list[list[Any]]:
    """Move labels of one column apart vertically (at least ``gap``), keeping their order."""
    by_x: dict[float, list[list[Any]]] = {}
    for lab in labels:
        by_x.setdefault(round(lab[0], 3), []).append(lab)
    for col in by_x.values():
        col.sort(key=lambda lab: -lab[1])
        for prev, cur in zip(col, col[1:]):
            cur[1] = min(cur[1], prev[1] - gap)
        low = min(lab[1] for lab in col)
        if low < -0.03:  # pushed below the frame: shift the column up
            for lab in col:
                lab[1] += -0.03 - low
    return labels


FLOW_KEYS = {_EN(f"flow.{f.name}"): f"flow.{f.name}" for f in _OVERVIEW.flows}  # label -> text key


def _as_window(window: Any) -> Any:
    from ..analysis.stats import Window

    return window if isinstance(window, Window) else Window.of(window[0], window[1])


XLIM = (-0.22, 1.25)
YLIM = (-0.05, 1.1)
NODE_WIDTH = 0.035


@dataclass
class ChainLayout:
    """Nodes (x, bottom, top, colour), bands (x0, (bottom, top) at x0, x1, (bottom, top) at
    x1, colour) and labels (x, y, text, size in points, ha, va, boxed) of the overview."""

    title: str
    nodes: list[tuple[float, float, float, str]] = field(default_factory=list)
    bands: list[tuple[float, tuple[float, float], float, tuple[float, float], str]] = field(default_factory=list)
    labels: list[tuple[float, float, str, float, str, str, bool]] = field(default_factory=list)


def chain_layout(weekly: pd.DataFrame, window: Any = None, *, title: str | None = None,
                 lang: str = "en") -> ChainLayout:
    """Where everything of the chain overview goes: band widths proportional to the flows
    (mean persons per week over ``window``), nodes with their stock at the window's end,
    flow labels at the end of their band spread apart so they never overlap."""
    tr = translator(lang)
    flows = chain_flows(weekly, window)
    flows = flows[flows["mean"] > 0]
    if flows.empty:
        raise KeyError("none of the chain's flow metrics are in the results")
    used = list(dict.fromkeys(list(flows.source) + list(flows.target)))
    nodes = [n for n in CHAIN_NODES if n in used]
    size = {n: max(flows.loc[flows.target == n, "mean"].sum(), flows.loc[flows.source == n, "mean"].sum())
            for n in nodes}
    columns: dict[int, list[str]] = {}
    for n in nodes:
        columns.setdefault(CHAIN_NODES[n][0], []).append(n)
    gap = 0.1
    heaviest = max(sum(size[n] for n in members) for members in columns.values())
    longest = max(len(members) for members in columns.values())
    scale = (1 - gap * (longest - 1)) / heaviest
    width = NODE_WIDTH
    pos: dict[str, tuple[float, float, float]] = {}  # node -> (x, y bottom, y top)
    ncol = max(columns) + 1
    for c, members in columns.items():
        x = c / (ncol - 1) if ncol > 1 else 0.0
        total = sum(size[n] for n in members) * scale + gap * (len(members) - 1)
        y = 1 - (1 - total) / 2
        for n in members:
            h = max(size[n] * scale, 0.004)
            pos[n] = (x, y - h, y)
            y -= h + gap
    out_cursor = {n: pos[n][2] for n in nodes}
    in_cursor = {n: pos[n][2] for n in nodes}
    colors = {n: PALETTE[i % len(PALETTE)] for i, n in enumerate(nodes)}
    layout = ChainLayout(title or _title(window, tr))
    flow_labels: list[list[Any]] = []  # [x, y, text]: placed next to the band's end, spread apart
    for r in flows.itertuples():
        h = r.mean * scale
        xs, _, _ = pos[r.source]
        xt, _, _ = pos[r.target]
        y0 = (out_cursor[r.source] - h, out_cursor[r.source])
        y1 = (in_cursor[r.target] - h, in_cursor[r.target])
        out_cursor[r.source] -= h
        in_cursor[r.target] -= h
        layout.bands.append((xs + width, y0, xt, y1, colors[r.source]))
        half = "" if math.isnan(r.ci_low) else f" ±{(r.ci_high - r.ci_low) / 2:,.0f}"
        flow_labels.append([xt - 0.01, (y1[0] + y1[1]) / 2, f"{tr(FLOW_KEYS.get(r.flow, r.flow))} {r.mean:,.0f}{half}"])
    for x, y, text in _spread(flow_labels, 0.042):
        layout.labels.append((x, y, text, 6.8, "right", "center", True))
    node_labels: list[list[Any]] = []
    stock_word = tr("plot.stock")
    present = set(weekly.metric.unique())
    for n in nodes:
        x, lo, hi = pos[n]
        col, _label, stock = CHAIN_NODES[n]
        layout.nodes.append((x, lo, hi, colors[n]))
        text = tr(f"node.{n}")
        if stock and stock in present:
            text += f" ({stock_word} {window_last(weekly, stock, window):,.0f})"
        if col == ncol - 1:
            node_labels.append([x + width + 0.008, (lo + hi) / 2, text])
        elif col == 0:
            layout.labels.append((x - 0.008, (lo + hi) / 2, text, 7.5, "right", "center", False))
        else:
            layout.labels.append((x + width / 2, hi + 0.012, text, 7.5, "center", "bottom", False))
    for x, y, text in _spread(node_labels, 0.05):
        layout.labels.append((x, y, text, 7.5, "left", "center", False))
    return layout


def _title(window: Any, tr: Any) -> str:
    if window is not None:
        w = _as_window(window)
        a, b = w.start.isocalendar(), w.end.isocalendar()
        span = tr("plot.chain_span").format(a=f"{a[0]}-W{a[1]:02d}", b=f"{b[0]}-W{b[1]:02d}")
    else:
        span = tr("plot.chain_all")
    return str(tr("plot.chain_title").format(span=span))
