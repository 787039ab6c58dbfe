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

from ..metrics.registry import GROUPS
from .i18n import TEXT, translator
from .labels import figure_label, metric_group
from .targets import Targets, mean_ci

PALETTE = ["#1f5fa8", "#e08a00", "#2a9d5c", "#8e5ac8", "#b8860b", "#555555"]
LETTER_COLOR = "#111111"

PART_KEYS = GROUPS  # the report groups, in chain order (metrics/registry.py)


def label_of(metric: str | Sequence[str], lang: str = "en") -> str:
    """A metric's (or a weekly sum's) label with its unit, from the metric registry."""
    return figure_label(metric, lang)


def _metrics(metric: str | Sequence[str]) -> list[str]:
    return [metric] if isinstance(metric, str) else list(metric)


def series(weekly: pd.DataFrame, metric: str | Sequence[str]) -> pd.DataFrame:
    """Weeks x replications table of a metric (a list of metrics is summed per week)."""
    ms = _metrics(metric)
    df = weekly[weekly.metric.isin(ms)]
    if df.empty:
        raise KeyError(f"metric(s) {ms} not in the results; present: {sorted(weekly.metric.unique())}")
    # min_count=1 keeps a week NaN when every metric is NaN that week (e.g. no lead time)
    table = df.groupby(["week_start", "replication"])["value"].sum(min_count=1).unstack("replication")
    table.index = pd.to_datetime(table.index)
    return table.sort_index()


def band_stats(table: pd.DataFrame, band: float = 0.9) -> pd.DataFrame:
    """Replication mean and the central ``band`` share of replications per week."""
    q = (1 - band) / 2
    return pd.DataFrame({"mean": table.mean(axis=1), "low": table.quantile(q, axis=1),
                         "high": table.quantile(1 - q, axis=1)})


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
    ms = set(_metrics(metric))
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

# node id -> (column, label, stock metric shown in the node or None)
CHAIN_NODES: dict[str, tuple[int, str, str | None]] = {
    "applications": (0, "Asylum applications", None),
    "nareis": (0, "Family reunification", "nareis.open"),
    "resettlement": (0, "Resettlement", "resettlement.waiting"),
    "ind": (1, "IND procedure", "ind.backlog"),
    "dublin": (1, "Dublin claims", None),
    "permit": (2, "Permit holders in COA", "coa.permit_holders"),
    "dtv": (2, "DT&V caseload", "dtv.caseload"),
    "housed": (3, "Housed in municipalities", None),
    "transferred": (3, "Dublin transfer", None),
    "lapsed": (3, "Dublin deadline lapsed", None),
    "independent": (3, "Independent departure", None),
    "forced": (3, "Forced departure", None),
    "mob": (3, "Left without supervision (MOB)", None),
    "detention": (3, "Detention", "detention.population"),
}

# (source, target, label, metrics added, metrics subtracted)
CHAIN_EDGES: list[tuple[str, str, str, tuple[str, ...], tuple[str, ...]]] = [
    ("applications", "ind", "applications", ("ind.applications",), ()),
    ("nareis", "permit", "family members", ("nareis.arrivals",), ()),
    ("resettlement", "permit", "resettled", ("resettlement.arrivals",), ()),
    ("ind", "dublin", "Dublin claims", ("dublin.claims",), ()),
    ("ind", "permit", "grants", ("ind.grants",), ()),
    ("ind", "dtv", "rejections", ("ind.decisions",), ("ind.grants",)),
    ("dublin", "transferred", "transfers", ("dublin.transfers",), ()),
    ("dublin", "lapsed", "lapsed", ("dublin.lapsed",), ()),
    ("permit", "housed", "housed", ("coa.housed",), ()),
    ("dtv", "independent", "independent", ("dtv.departures_independent",), ()),
    ("dtv", "forced", "forced", ("dtv.departures_forced",), ()),
    ("dtv", "mob", "MOB", ("dtv.departures_unsupervised",), ()),
    ("dtv", "detention", "placed in detention", ("detention.placements",), ()),
]


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


def _band(ax: Axes, x0: float, y0: tuple[float, float], x1: float, y1: tuple[float, float],
          color: str) -> None:
    t = np.linspace(0, 1, 40)
    s = t * t * (3 - 2 * t)  # smoothstep
    xs = x0 + (x1 - x0) * t
    top = y0[1] + (y1[1] - y0[1]) * s
    bot = y0[0] + (y1[0] - y0[0]) * s
    ax.fill_between(xs, bot, top, color=color, alpha=0.35, lw=0)


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


FLOW_KEYS = {"applications": "flow.applications", "family members": "flow.family", "resettled": "flow.resettled",
             "Dublin claims": "flow.claims", "grants": "flow.grants", "rejections": "flow.rejections",
             "transfers": "flow.transfers", "lapsed": "flow.lapsed", "housed": "flow.housed",
             "independent": "flow.independent", "forced": "flow.forced", "MOB": "flow.mob",
             "placed in detention": "flow.detention"}


def _as_window(window: Any) -> Any:
    from ..stats import Window

    return window if isinstance(window, Window) else Window.of(window[0], window[1])


def plot_chain(weekly: pd.DataFrame, window: Any = None, *,
               ax: Axes | None = None, title: str | None = None, lang: str = "en") -> Axes:
    """A Sankey-like overview of the flows between the parts of the chain: mean persons per
    week over ``window`` (ISO weeks or dates; the whole run when None). Band widths are
    proportional to the flows; nodes show their stock at the window's end. Flow labels sit
    at the end of their band and are spread apart so they never overlap."""
    tr = translator(lang)
    ax = _new_axes(ax, (10, 5.6))
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
    width = 0.035
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
    flow_labels: list[list[Any]] = []  # [x, y, text]: placed next to the band's end, spread apart
    for r in flows.itertuples():
        h = r.mean * scale
        xs, _, _ = pos[r.source]
        xt, _, _ = pos[r.target]
        y0 = (out_cursor[r.source] - h, out_cursor[r.source])
        y1 = (in_cursor[r.target] - h, in_cursor[r.target])
        out_cursor[r.source] -= h
        in_cursor[r.target] -= h
        _band(ax, xs + width, y0, xt, y1, colors[r.source])
        half = "" if math.isnan(r.ci_low) else f" ±{(r.ci_high - r.ci_low) / 2:,.0f}"
        flow_labels.append([xt - 0.01, (y1[0] + y1[1]) / 2, f"{tr(FLOW_KEYS.get(r.flow, r.flow))} {r.mean:,.0f}{half}"])
    for x, y, text in _spread(flow_labels, 0.042):
        ax.text(x, y, text, fontsize=6.8, ha="right", va="center",
                bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.8})
    node_labels: list[list[Any]] = []
    stock_word = tr("plot.stock")
    for n in nodes:
        x, lo, hi = pos[n]
        col, _label, stock = CHAIN_NODES[n]
        ax.add_patch(Rectangle((x, lo), width, hi - lo, color=colors[n], lw=0))
        text = tr(f"node.{n}")
        if stock and stock in set(weekly.metric.unique()):
            text += f" ({stock_word} {window_last(weekly, stock, window):,.0f})"
        last = col == ncol - 1
        if last:
            node_labels.append([x + width + 0.008, (lo + hi) / 2, text])
        else:
            ax.text(x - 0.008 if col == 0 else x + width / 2, (lo + hi) / 2 if col == 0 else hi + 0.012, text,
                    fontsize=7.5, ha="right" if col == 0 else "center", va="center" if col == 0 else "bottom")
    for x, y, text in _spread(node_labels, 0.05):
        ax.text(x, y, text, fontsize=7.5, ha="left", va="center")
    ax.set_xlim(-0.22, 1.25)
    ax.set_ylim(-0.05, 1.1)
    ax.set_axis_off()
    if title is None:
        if window is not None:
            w = _as_window(window)
            a, b = w.start.isocalendar(), w.end.isocalendar()
            span = tr("plot.chain_span").format(a=f"{a[0]}-W{a[1]:02d}", b=f"{b[0]}-W{b[1]:02d}")
        else:
            span = tr("plot.chain_all")
        title = tr("plot.chain_title").format(span=span)
    ax.set_title(title, fontsize=10, loc="left")
    return ax
