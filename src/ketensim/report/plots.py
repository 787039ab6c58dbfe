"""Plots of weekly results (matplotlib). They take results and never run a simulation.

Every function draws on an Axes it is given, or on a new ``matplotlib.figure.Figure`` with
an Agg canvas (no pyplot, no global state, no display needed), and returns the Axes (or the Figure for multi-panel plots).
``weekly`` is the tidy table of the output contract; a list of metrics is summed per week
(departures = independent + forced). Metrics a run does not have are left out, so parts
added to the model later just appear.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Any, Iterable, Mapping, Sequence

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..analysis.targets import Targets
from ..analysis.weekly_bands import band_stats, metric_list, series  # noqa: F401 - plots.series is API
from ..metrics.registry import GROUPS
from .chain import (  # noqa: F401 - the chain's flows, re-exported for the API and notebooks
    CHAIN_EDGES,
    CHAIN_NODES,
    FLOW_KEYS,
    NODE_WIDTH,
    XLIM,
    YLIM,
    chain_flows,
    chain_layout,
    window_last,
    window_mean,
)
from .i18n import TEXT, translator
from .labels import figure_label, metric_group
from .style import LETTER_COLOR, PALETTE

PART_KEYS = GROUPS  # the report groups, in chain order (metrics/registry.py)


def label_of(metric: str | Sequence[str], lang: str = "en") -> str:
    """A metric's (or a weekly sum's) label with its unit, from the metric registry."""
    return figure_label(metric, lang)


def _new_axes(ax: Axes | None, size: tuple[float, float] = (8, 3.6)) -> Axes:
    if ax is not None:
        return ax
    return new_figure(size).add_subplot()


def new_figure(size: tuple[float, float]) -> Figure:
    """A figure drawn by the Agg canvas, outside pyplot (no global figure registry)."""
    fig = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _mid(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    return index + pd.Timedelta(days=3.5)  # a week's value sits in the middle of its week


def phases_from_manifest(manifest: Mapping[str, Any] | None) -> list[tuple[str, dt.date]]:
    """(name, start) of every phase of the resolved scenario in a results manifest."""
    if not manifest:
        return []
    sc = manifest.get("scenario") or {}
    out = [(p["name"], dt.date.fromisoformat(str(p["start"])[:10])) for p in sc.get("phases") or []]
    for c in sc.get("changes") or []:
        out.append((c.get("source") or f"{c['path']}@{c['start']}", dt.date.fromisoformat(str(c["start"])[:10])))
        if c.get("end"):
            end = dt.date.fromisoformat(str(c["end"])[:10]) + dt.timedelta(days=1)
            out.append((f"end of {c.get('source') or c['path']}", end))
    return sorted(out, key=lambda p: p[1])


def phase_groups(phases: Iterable[tuple[str, dt.date]] | None) -> list[list[tuple[str, dt.date]]]:
    """Phases that start within a week of each other share one numbered mark."""
    groups: list[list[tuple[str, dt.date]]] = []
    for p in sorted(phases or [], key=lambda p: p[1]):
        if groups and (p[1] - groups[-1][-1][1]).days < 7:
            groups[-1].append(p)
        else:
            groups.append([p])
    return groups


def phase_key(phases: Iterable[tuple[str, dt.date]] | None, lang: str = "en") -> list[tuple[int, str, str]]:
    """(number, date, names) of each numbered phase mark, for a key next to the plots."""
    tr = translator(lang)
    return [(i + 1, tr.date(g[0][1]), " / ".join(n for n, _ in g)) for i, g in enumerate(phase_groups(phases))]


def shade_phases(ax: Axes, phases: Iterable[tuple[str, dt.date]] | None, labels: bool = True) -> None:
    """Alternate light shading between phase boundaries, a dotted line at each start and a
    number on top (the key is ``phase_key``: numbers never collide, names could). Phases
    that start within a week of each other share one number."""
    phases = sorted(phases or [], key=lambda p: p[1])
    if not phases:
        return
    lo, hi = (mdates.num2date(x).replace(tzinfo=None) for x in ax.get_xlim())
    bounds = [pd.Timestamp(p[1]) for p in phases] + [pd.Timestamp(hi)]
    for i, (name, start) in enumerate(phases):
        a, b = max(bounds[i], pd.Timestamp(lo)), min(bounds[i + 1], pd.Timestamp(hi))
        if a < b and i % 2 == 1:
            ax.axvspan(a, b, color="#000000", alpha=0.045, lw=0, zorder=0)
    for k, g in enumerate(phase_groups(phases)):
        x = pd.Timestamp(g[0][1])
        if not (pd.Timestamp(lo) < x < pd.Timestamp(hi)):
            continue
        ax.axvline(x, color="#777777", lw=0.6, ls=":", zorder=1)
        if labels:
            ax.text(x, 1.0, str(k + 1), transform=ax.get_xaxis_transform(), va="bottom", ha="center",
                    fontsize=6.5, color="#444444", clip_on=False)


def _date_axis(ax: Axes, lang: str = "en") -> None:
    """Month ticks over a year, year ticks (with quarters between) over several years: the
    locator picks the step when the figure is drawn, so it follows the horizon. Month names
    in the report's language (not the system locale); January carries its year."""
    from matplotlib.ticker import FuncFormatter

    tr = translator(lang)
    loc = mdates.AutoDateLocator(minticks=5, maxticks=14, interval_multiples=True)
    ax.xaxis.set_major_locator(loc)

    def fmt(x: float, _pos: int | None = None) -> str:
        d = mdates.num2date(x)
        return f"{tr.month(1)}\n{d.year}" if d.month == 1 else tr.month(d.month)

    ax.xaxis.set_major_formatter(FuncFormatter(fmt))
    ax.grid(axis="y", color="#dddddd", lw=0.5)
    ax.spines[["top", "right"]].set_visible(False)


def letter_segments(targets: Targets | None, metric: str | Sequence[str]) -> list[dict[str, Any]]:
    """The letter's values for a figure as weekly levels over their windows: weekly means as
    they are, sums divided by the window's weeks, snapshots as a point at the window's end."""
    if targets is None:
        return []
    ms = set(metric_list(metric))
    out = []
    for t in targets.targets:
        if set(t.metrics) != ms:
            continue
        lo = t.window.start - dt.timedelta(days=t.window.start.isoweekday() - 1)
        hi = t.window.end - dt.timedelta(days=t.window.end.isoweekday() - 1) + dt.timedelta(days=7)
        weeks = (hi - lo).days / 7
        if t.statistic == "weekly_mean":
            out.append({"id": t.id, "from": lo, "to": hi, "value": t.value, "kind": "level",
                        "text": f"{t.id} {t.value:,.0f}"})
        elif t.statistic == "sum":
            out.append({"id": t.id, "from": lo, "to": hi, "value": t.value / weeks, "kind": "level",
                        "text": f"{t.id} {t.value:,.0f} in {weeks:.0f} wk"})
        else:
            out.append({"id": t.id, "from": hi - dt.timedelta(days=1), "to": hi - dt.timedelta(days=1),
                        "value": t.value, "kind": "point", "text": f"{t.id} {t.value:,.0f}"})
    return out


def _draw_letter(ax: Axes, targets: Targets | None, metric: str | Sequence[str], lang: str = "en") -> None:
    first = True
    for seg in letter_segments(targets, metric):
        label = translator(lang)("plot.letter") if first else "_nolegend_"
        if seg["kind"] == "level":
            ax.hlines(seg["value"], pd.Timestamp(seg["from"]), pd.Timestamp(seg["to"]), colors=LETTER_COLOR,
                      lw=2.2, label=label, zorder=4)
            x = pd.Timestamp(seg["from"])
        else:
            ax.plot([pd.Timestamp(seg["from"])], [seg["value"]], marker="D", color=LETTER_COLOR, ms=6,
                    label=label, zorder=4, ls="none")
            x = pd.Timestamp(seg["from"])
        ax.annotate(seg["text"], (x, seg["value"]), xytext=(2, 3), textcoords="offset points",
                    fontsize=7, color=LETTER_COLOR)
        first = False


def plot_series(weekly: pd.DataFrame, metric: str | Sequence[str], *, ax: Axes | None = None,
                targets: Targets | None = None, phases: Iterable[tuple[str, dt.date]] | None = None,
                band: float = 0.9, label: str | None = None, color: str | None = None,
                title: str | None = None, phase_labels: bool = True, lang: str = "en") -> Axes:
    """Weekly series on a date axis (each week's value at mid-week): replication mean, a band
    holding the central ``band`` share of replications, the letter's values (from
    ``targets``) and the phases shaded and numbered (``phase_key`` gives the key)."""
    tr = translator(lang)
    ax = _new_axes(ax)
    stats = band_stats(series(weekly, metric), band)
    x = _mid(stats.index)
    color = color or PALETTE[0]
    ax.fill_between(x, stats["low"], stats["high"], color=color, alpha=0.22, lw=0,
                    label=tr("plot.band").format(band=f"{band:.0%}"))
    ax.plot(x, stats["mean"], color=color, lw=1.6, label=label or tr("plot.mean"))
    _draw_letter(ax, targets, metric, lang)
    _date_axis(ax, lang)
    ax.set_xlim(stats.index.min(), stats.index.max() + pd.Timedelta(days=7))
    ax.set_ylim(bottom=0 if np.nanmin(stats["low"].to_numpy(dtype=float), initial=0) >= 0 else None)
    shade_phases(ax, phases, phase_labels)
    ax.set_title(title or label_of(metric, lang), fontsize=10, loc="left", pad=12)
    ax.legend(fontsize=7, loc="best", frameon=False)
    return ax


def plot_compare(results: Mapping[str, pd.DataFrame], metric: str | Sequence[str], *,
                 ax: Axes | None = None, targets: Targets | None = None,
                 phases: Iterable[tuple[str, dt.date]] | None = None, band: float = 0.9,
                 title: str | None = None, phase_labels: bool = True, lang: str = "en") -> Axes:
    """Scenarios on one axis: ``results`` maps a scenario label to its weekly table (the
    baseline first); each is drawn as its mean with a ``band`` band, in its own colour."""
    tr = translator(lang)
    ax = _new_axes(ax)
    starts, ends = [], []
    for i, (name, weekly) in enumerate(results.items()):
        stats = band_stats(series(weekly, metric), band)
        x = _mid(stats.index)
        c = PALETTE[i % len(PALETTE)]
        ax.fill_between(x, stats["low"], stats["high"], color=c, alpha=0.18, lw=0)
        ax.plot(x, stats["mean"], color=c, lw=1.6, ls="--" if i == 0 and len(results) > 1 else "-",
                label=tr("plot.scenario_band").format(name=name, band=f"{band:.0%}"))
        starts.append(stats.index.min())
        ends.append(stats.index.max())
    _draw_letter(ax, targets, metric, lang)
    _date_axis(ax, lang)
    ax.set_xlim(min(starts), max(ends) + pd.Timedelta(days=7))
    ax.set_ylim(bottom=0)
    shade_phases(ax, phases, phase_labels)
    ax.set_title(title or label_of(metric, lang), fontsize=10, loc="left", pad=12)
    ax.legend(fontsize=7, loc="best", frameon=False)
    return ax


def plot_occupancy(weekly: pd.DataFrame, *, ax: Axes | None = None,
                   phases: Iterable[tuple[str, dt.date]] | None = None, band: float = 0.9,
                   baseline: pd.DataFrame | None = None, names: tuple[str, str] = ("baseline", "scenario"),
                   lang: str = "en") -> Axes:
    """COA occupancy (mean and band) against the places available, with the persons in
    emergency locations when the run has them, and the baseline's occupancy (dashed) when
    one is given."""
    tr = translator(lang)
    ax = _new_axes(ax)
    occ = band_stats(series(weekly, "coa.occupancy"), band)
    x = _mid(occ.index)
    ax.fill_between(x, occ["low"], occ["high"], color=PALETTE[1 if baseline is not None else 0], alpha=0.22, lw=0)
    ax.plot(x, occ["mean"], color=PALETTE[1 if baseline is not None else 0], lw=1.6,
            label=tr("plot.occupancy_of").format(name=names[1]) if baseline is not None else tr("plot.occupancy"))
    if baseline is not None and "coa.occupancy" in set(baseline.metric.unique()):
        bo = band_stats(series(baseline, "coa.occupancy"), band)
        ax.plot(_mid(bo.index), bo["mean"], color=PALETTE[0], lw=1.4, ls="--",
                label=tr("plot.occupancy_of").format(name=names[0]))
    present = set(weekly.metric.unique())
    if "coa.capacity" in present:
        cap = series(weekly, "coa.capacity").mean(axis=1)
        ax.step(cap.index, cap.to_numpy(), where="post", color="#222222", lw=1.3, ls=":", label=tr("plot.places"))
    if "coa.emergency_occupancy" in present:
        em = series(weekly, "coa.emergency_occupancy").mean(axis=1)
        if em.max() > 0:
            ax.plot(_mid(em.index), em.to_numpy(), color=PALETTE[2], lw=1.2, label=tr("plot.emergency"))
    _date_axis(ax, lang)
    ax.set_xlim(occ.index.min(), occ.index.max() + pd.Timedelta(days=7))
    ax.set_ylim(bottom=0)
    shade_phases(ax, phases)
    ax.set_title(tr("plot.occupancy_title"), fontsize=10, loc="left", pad=12)
    ax.legend(fontsize=7, loc="lower left", frameon=False)
    return ax


def plot_part(weekly: pd.DataFrame, part: str, *, targets: Targets | None = None,
              phases: Iterable[tuple[str, dt.date]] | None = None, band: float = 0.9,
              ncols: int = 3, baseline: pd.DataFrame | None = None,
              names: tuple[str, str] = ("baseline", "scenario"), lang: str = "en") -> Figure:
    """Small multiples of every metric of one report group (``ind``, ``dublin``, ...; the
    group each metric declares in the registry), against the baseline when one is given."""
    metrics = sorted(m for m in weekly.metric.unique() if metric_group(m) == part)
    if not metrics:
        raise KeyError(f"no metrics of part {part!r} in the results")
    nrows = math.ceil(len(metrics) / ncols)
    fig = new_figure((3.6 * ncols, 2.4 * nrows))
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, m in zip(axes, metrics):
        if baseline is not None and m in set(baseline.metric.unique()):
            plot_compare({names[0]: baseline, names[1]: weekly}, m, ax=ax, targets=targets,
                         phases=phases, band=band, title=_small_title(m, lang), phase_labels=True, lang=lang)
        else:
            plot_series(weekly, m, ax=ax, targets=targets, phases=phases, band=band,
                        title=_small_title(m, lang), phase_labels=True, lang=lang)
        ax.tick_params(labelsize=7)
        leg = ax.get_legend()
        if leg is not None and ax is not axes[0]:
            leg.remove()
    for ax in axes[len(metrics):]:
        ax.set_axis_off()
    tr = translator(lang)
    fig.suptitle(tr(f"part.{part}") if f"part.{part}" in TEXT else part, x=0.01, ha="left", fontsize=11)
    return fig


def _small_title(metric: str, lang: str) -> str:
    """A small multiple's title: the label with its unit, and the id when they differ."""
    label = label_of(metric, lang)
    return label if label.startswith(metric) else f"{label}\n{metric}"


def parts(weekly: pd.DataFrame) -> list[str]:
    """The report groups present in the results, in chain order, then any others."""
    return groups_of(weekly.metric.unique())


def groups_of(metrics: Iterable[str]) -> list[str]:
    """The report groups of these metrics, in chain order, then any others."""
    present = {metric_group(str(m)) for m in metrics}
    order = list(PART_KEYS)
    return [p for p in order if p in present] + sorted(present - set(order))


# ---------------------------------------------------------------- chain overview (Sankey-like)

def _band(ax: Axes, x0: float, y0: tuple[float, float], x1: float, y1: tuple[float, float],
          color: str) -> None:
    t = np.linspace(0, 1, 40)
    s = t * t * (3 - 2 * t)  # smoothstep
    xs = x0 + (x1 - x0) * t
    top = y0[1] + (y1[1] - y0[1]) * s
    bot = y0[0] + (y1[0] - y0[0]) * s
    ax.fill_between(xs, bot, top, color=color, alpha=0.35, lw=0)


def plot_chain(weekly: pd.DataFrame, window: Any = None, *,
               ax: Axes | None = None, title: str | None = None, lang: str = "en") -> Axes:
    """A Sankey-like overview of the flows between the parts of the chain: mean persons per
    week over ``window`` (ISO weeks or dates; the whole run when None). Band widths are
    proportional to the flows; nodes show their stock at the window's end. Flow labels sit
    at the end of their band and are spread apart so they never overlap (``chain_layout``)."""
    layout = chain_layout(weekly, window, title=title, lang=lang)
    ax = _new_axes(ax, (10, 5.6))
    for x0, y0, x1, y1, color in layout.bands:
        _band(ax, x0, y0, x1, y1, color)
    for x, y, text, size, ha, va, boxed in layout.labels:
        ax.text(x, y, text, fontsize=size, ha=ha, va=va,
                bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.8} if boxed else None)
    for x, lo, hi, color in layout.nodes:
        ax.add_patch(Rectangle((x, lo), NODE_WIDTH, hi - lo, color=color, lw=0))
    ax.set_xlim(*XLIM)
    ax.set_ylim(*YLIM)
    ax.set_axis_off()
    ax.set_title(layout.title, fontsize=10, loc="left")
    return ax
