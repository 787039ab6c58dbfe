"""Weekly time-series charts as small inline SVG, drawn straight from the summary numbers.

The report shows a few hundred plots (every metric, against the baseline); drawing each with
matplotlib and embedding it as a PNG cost about a minute and most of the file. A chart here
is the same picture written as a few SVG paths: a date axis with month ticks in the report's
language, a value axis with round ticks and grid lines, per series a band (central share of
replications) and its mean, step lines (places, capacity), the letter's values, the phases
shaded and numbered, a title and a legend. Data paths use integer coordinates in tenths of a
pixel, relative from point to point, so a 53-week series costs a few hundred bytes; the
styles are CSS classes of the page (``CHART_CSS``), not repeated per element.
"""
from __future__ import annotations

import datetime as dt
import html
import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np

from .chain import NODE_WIDTH, XLIM, YLIM, ChainLayout
from .i18n import translator
from .plots import phase_groups
from .style import PALETTE

SCALE = 10  # data paths are drawn in tenths of a pixel (integers), inside a scale(0.1) group
DAY = np.timedelta64(1, "D")

CHART_CSS = (
    "svg.ch{display:block;width:100%;height:auto;font-family:Helvetica,Arial,sans-serif;font-size:10px}"
    ".ch text{fill:#333}.ch .tt{font-size:11px;fill:#111}.ch .sm{font-size:8.5px;fill:#444}"
    ".ch path,.ch line{vector-effect:non-scaling-stroke}.ch .gr{stroke:#e2e2e2;stroke-width:.6}"
    ".ch .ax{stroke:#999;stroke-width:.8}.ch .ps{fill:#000;fill-opacity:.045}"
    ".ch .pl{stroke:#777;stroke-width:.7;stroke-dasharray:1.5 2}"
    ".ch .ln{fill:none;stroke-width:1.6;stroke-linejoin:round}.ch .bd{stroke:none;fill-opacity:.2}"
    ".ch .da{stroke-dasharray:5 3}.ch .dt{stroke-dasharray:1.5 2}"
    ".ch .lt{stroke:#111;stroke-width:2.2}.ch .ld{fill:#111}.ch .nv{fill:#777}"
    ".ch .fl{fill-opacity:.35}.ch .lb{fill:#fff;fill-opacity:.8}"
    + "".join(f".ch .c{i}{{stroke:{c}}}.ch .f{i}{{fill:{c}}}" for i, c in enumerate(PALETTE))
    + ".ch .ck{stroke:#222}.ch .fk{fill:#222}.ch .cr{stroke:#c0392b}.ch .fr{fill:#c0392b}"
    ".sm-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:2px 14px}"
)


@dataclass
class Series:
    """One thing drawn on a chart: ``kind`` 'band' (mean line and low..high band), 'line'
    (at mid-week) or 'step' (constant over each week, e.g. places). ``color`` is a palette
    index or 'k' (near black) / 'r' (red); ``dash`` '' / 'da' (dashed) / 'dt' (dotted)."""

    weeks: np.ndarray
    values: np.ndarray
    label: str
    kind: str = "line"
    color: int | str = 0
    dash: str = ""
    low: np.ndarray | None = None
    high: np.ndarray | None = None


@dataclass
class Chart:
    """A chart's content; ``render`` writes it."""

    title: Sequence[str]
    series: list[Series] = field(default_factory=list)
    letter: list[dict[str, Any]] = field(default_factory=list)
    phases: Iterable[tuple[str, dt.date]] | None = None
    lang: str = "en"
    size: tuple[int, int] = (800, 330)
    legend: bool = True
    zero: bool | None = None  # value axis from 0: True, False, or None = when no value is negative
    alt: str = ""


# ---------------------------------------------------------------- scales and ticks

def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick values (1, 2, 2.5, 5 x 10^k) covering lo..hi with about ``n`` intervals."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        lo, hi = 0.0, 1.0
    if hi - lo <= 0:
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.floor(lo / step + 1e-9) * step
    last = math.ceil(hi / step - 1e-9) * step
    count = int(round((last - first) / step))
    return [round(first + i * step, 10) for i in range(count + 1)]


def tick_text(v: float, step: float, lang: str) -> str:
    """A tick's value with the decimals its step needs (0.25 steps: two), in the language."""
    decimals = 0
    while decimals < 4 and abs(step * 10 ** decimals - round(step * 10 ** decimals)) > 1e-6:
        decimals += 1
    text = f"{v:,.{decimals}f}"
    return translator(lang).num("0" if text.lstrip("-").strip("0.,") == "" else text)


def month_ticks(start: np.datetime64, end: np.datetime64, max_ticks: int) -> list[dt.date]:
    """First days of months inside start..end, every 1, 2, 3, 4, 6 or 12 months (the
    smallest step giving at most ``max_ticks``), aligned to January."""
    a, b = _date(start), _date(end)
    months = (b.year - a.year) * 12 + b.month - a.month + 1
    step = next((s for s in (1, 2, 3, 4, 6, 12) if months / s <= max_ticks), 12 * math.ceil(months / 12 / max_ticks))
    out = []
    y, m = a.year, a.month
    while (y, m) <= (b.year, b.month):
        d = dt.date(y, m, 1)
        if a <= d <= b and ((y * 12 + m - 1) % step == 0):
            out.append(d)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _date(x: np.datetime64) -> dt.date:
    return dt.date.fromisoformat(str(np.asarray(x, dtype="datetime64[D]")))


def _days(x: Any) -> np.ndarray:
    return np.asarray(x, dtype="datetime64[D]").astype(np.int64).astype(float)


# ---------------------------------------------------------------- paths

def _runs(ok: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each run of True in ``ok``."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], ok.astype(np.int8), [0]])))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def _rel(xs: np.ndarray, ys: np.ndarray, move: bool = True) -> str:
    """A path through integer points: 'M x y' (or 'L x y') then relative 'l dx dy ...'."""
    xi, yi = np.rint(xs).astype(np.int64), np.rint(ys).astype(np.int64)
    head = f"{'M' if move else 'L'}{xi[0]} {yi[0]}"
    if len(xi) == 1:
        return head
    dx, dy = np.diff(xi), np.diff(yi)
    return head + "l" + " ".join(f"{a} {b}" for a, b in zip(dx.tolist(), dy.tolist())).replace(" -", "-")


def line_path(xs: np.ndarray, ys: np.ndarray) -> str:
    """Path data of a line through (xs, ys) in the data group's units, broken at NaN."""
    return "".join(_rel(xs[a:b], ys[a:b]) for a, b in _runs(np.isfinite(ys)))


def band_path(xs: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> str:
    """Path data of the area between lo and hi (closed), broken at NaN."""
    out = []
    for a, b in _runs(np.isfinite(lo) & np.isfinite(hi)):
        out.append(_rel(xs[a:b], hi[a:b]) + _rel(xs[a:b][::-1], lo[a:b][::-1], move=False) + "Z")
    return "".join(out)


def step_points(weeks: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(day, value) corners of a line constant over each week (from its start to the next)."""
    d = _days(weeks)
    xs = np.repeat(d, 2)[1:]
    xs = np.append(xs, d[-1] + 7)
    return xs, np.repeat(values, 2)


# ---------------------------------------------------------------- the chart

def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _w(text: str, size: float) -> float:
    """Estimated width of a text in px (sans-serif)."""
    return 0.56 * size * len(text)


def _f(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _class(s: Series) -> tuple[str, str]:
    c = s.color if isinstance(s.color, str) else str(int(s.color) % len(PALETTE))
    return f"c{c}", f"f{c}"


def _legend_entries(chart: Chart, tr: Any) -> list[tuple[str, str]]:
    """(swatch svg at 0,0 of a 22x10 box, text)."""
    out = []
    for s in chart.series:
        stroke, fill = _class(s)
        dash = f" {s.dash}" if s.dash else ""
        band = f'<rect class="bd {fill}" y="1" width="22" height="8"/>' if s.kind == "band" else ""
        out.append((band + f'<line class="ln {stroke}{dash}" x1="0" y1="5" x2="22" y2="5"/>', s.label))
    if chart.letter:
        out.append(('<line class="lt" x1="0" y1="5" x2="22" y2="5"/>', tr("plot.letter")))
    return out


def render(chart: Chart) -> str:
    """The chart as an inline ``<svg>`` element (classes styled by ``CHART_CSS``)."""
    tr = translator(chart.lang)
    width, height = chart.size
    series = [s for s in chart.series if len(s.weeks)]
    # ranges
    starts = [s.weeks[0] for s in series]
    ends = [s.weeks[-1] for s in series]
    x0 = _days(min(starts)) if series else 0.0
    x1 = _days(max(ends)) + 7 if series else 7.0
    vals = [v for s in series for v in (s.values, s.low, s.high) if v is not None]
    vals += [np.array([seg["value"]], dtype=float) for seg in chart.letter]
    finite = np.concatenate([v[np.isfinite(v)] for v in vals]) if vals else np.array([])
    lo = float(finite.min()) if finite.size else 0.0
    hi = float(finite.max()) if finite.size else 1.0
    zero = chart.zero if chart.zero is not None else lo >= 0
    if zero:
        lo = min(lo, 0.0)
    ticks = nice_ticks(lo, hi, 4 if height < 260 else 5)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    labels = [tick_text(t, step, chart.lang) for t in ticks]
    # layout
    small = width < 500
    title_lines = [t for line in chart.title for t in str(line).split("\n")]
    top = 8 + 14 * len(title_lines) + 12
    left = 8 + max(_w(t, 9.5) for t in labels)
    right = 10
    entries = _legend_entries(chart, tr) if chart.legend else []
    legend_rows: list[list[tuple[str, str, float]]] = [[]]
    for swatch, text in entries:
        w = 28 + _w(text, 9)
        row_w = sum(e[2] for e in legend_rows[-1])
        if legend_rows[-1] and left + row_w + w > width - right:
            legend_rows.append([])
        legend_rows[-1].append((swatch, text, w + 10))
    legend_h = 14 * len(legend_rows) + 4 if entries else 0
    height += legend_h  # the legend adds to the chart; the plot keeps its size
    bottom = 30 + legend_h
    pw, ph = width - left - right, height - top - bottom

    def xp(days: np.ndarray | float) -> Any:
        return (np.asarray(days) - x0) / (x1 - x0) * pw

    def yp(v: np.ndarray | float) -> Any:
        return ph - (np.asarray(v, dtype=float) - ticks[0]) / (ticks[-1] - ticks[0]) * ph

    out = [f'<svg class="ch" viewBox="0 0 {width} {height}" role="img" aria-label="{_e(chart.alt or title_lines[0])}">'
           f"<title>{_e(chart.alt or ' '.join(title_lines))}</title>"]
    for i, line in enumerate(title_lines):
        out.append(f'<text class="tt" x="4" y="{14 + 14 * i}">{_e(line)}</text>')
    out.append(f'<g transform="translate({_f(left)},{top})">')
    # phases: alternate shading, dotted line and number at each group's start
    phases = sorted(chart.phases or [], key=lambda p: p[1])
    bounds = [_days(np.datetime64(p[1])) for p in phases] + [x1]
    for i in range(1, len(phases), 2):
        a, b = max(float(bounds[i]), x0), min(float(bounds[i + 1]), x1)
        if a < b:
            out.append(f'<rect class="ps" x="{_f(xp(a))}" width="{_f(xp(b) - xp(a))}" height="{_f(ph)}"/>')
    for k, g in enumerate(phase_groups(phases)):
        d = float(_days(np.datetime64(g[0][1])))
        if x0 < d < x1:
            x = _f(xp(d))
            out.append(f'<line class="pl" x1="{x}" x2="{x}" y2="{_f(ph)}"/>'
                       f'<text class="sm" x="{x}" y="-3" text-anchor="middle">{k + 1}</text>')
    # value grid and ticks
    for t, text in zip(ticks, labels):
        ty = _f(yp(t))
        out.append(f'<line class="gr" x2="{_f(pw)}" y1="{ty}" y2="{ty}"/>'
                   f'<text x="-4" y="{ty}" dy="3.5" text-anchor="end">{_e(text)}</text>')
    # month ticks
    xt = month_ticks(np.datetime64(int(x0), "D"), np.datetime64(int(x1) - 1, "D"), 7 if small else 13)
    for n, month in enumerate(xt):
        x = _f(xp(float(_days(np.datetime64(month)))))
        name = tr.month(month.month)
        year = f'<tspan x="{x}" dy="11">{month.year}</tspan>' if month.month == 1 or n == 0 else ""
        out.append(f'<line class="ax" x1="{x}" x2="{x}" y1="{_f(ph)}" y2="{_f(ph + 3)}"/>'
                   f'<text x="{x}" y="{_f(ph + 13)}" text-anchor="middle">{_e(name)}{year}</text>')
    out.append(f'<line class="ax" x2="{_f(pw)}" y1="{_f(ph)}" y2="{_f(ph)}"/>')
    # data, in tenths of a pixel
    out.append(f'<g transform="scale({1 / SCALE:g})">')
    for s in series:
        stroke, fill = _class(s)
        if s.kind == "step":
            sx, sy = step_points(s.weeks, s.values)
            xs = xp(sx) * SCALE
            ys = yp(sy) * SCALE
        else:
            xs = xp(_days(s.weeks) + 3.5) * SCALE  # a week's value sits in the middle of its week
            ys = yp(s.values) * SCALE
            if s.kind == "band" and s.low is not None and s.high is not None:
                area = band_path(xs, yp(s.low) * SCALE, yp(s.high) * SCALE)
                if area:
                    out.append(f'<path class="bd {fill}" d="{area}"/>')
        dash = f" {s.dash}" if s.dash else ""
        line = line_path(xs, ys)
        if line:
            out.append(f'<path class="ln {stroke}{dash}" d="{line}"/>')
    out.append("</g>")
    if not finite.size:  # a metric without a value in any week (e.g. a rule not in use) says so
        out.append(f'<text class="nv" x="{_f(pw / 2)}" y="{_f(ph / 2)}" text-anchor="middle">'
                   f'{_e(tr("chart.no_values"))}</text>')
    # the letter's values
    for seg in chart.letter:
        a = xp(_days(np.datetime64(seg["from"])))
        y = yp(seg["value"])
        if seg["kind"] == "level":
            b = xp(_days(np.datetime64(seg["to"])))
            out.append(f'<line class="lt" x1="{_f(a)}" x2="{_f(b)}" y1="{_f(y)}" y2="{_f(y)}"/>')
        else:
            out.append(f'<path class="ld" d="M{_f(a)} {_f(y - 4)}l4 4-4 4-4-4z"/>')
        end = a > 0.8 * pw  # near the right edge: the text ends at the mark
        anchor = ' text-anchor="end"' if end else ""
        out.append(f'<text class="sm" x="{_f(a - 2 if end else a + 2)}" y="{_f(y - 3)}"{anchor}>'
                   f'{_e(tr.num(seg["text"]))}</text>')
    out.append("</g>")
    # legend below the axis
    row_y = height - legend_h + 2
    for row in legend_rows if entries else []:
        row_x = left
        for swatch, text, w in row:
            out.append(f'<g transform="translate({_f(row_x)},{_f(row_y)})">{swatch}'
                       f'<text x="27" y="8.5">{_e(text)}</text></g>')
            row_x += w
        row_y += 14
    out.append("</svg>")
    return "".join(out)


# ---------------------------------------------------------------- the chain overview

def chain_svg(layout: ChainLayout, alt: str = "chain overview", size: tuple[int, int] = (960, 540)) -> str:
    """The chain overview (``chain.chain_layout``) as inline SVG: nodes as bars, each flow a
    band between two cubic curves (width proportional to the flow), the labels (flow labels
    on a white box), the title."""
    width, height = size
    top = 24
    ph = height - top
    (xa, xb), (ya, yb) = (XLIM[0] - 0.08, XLIM[1] + 0.08), YLIM  # room for the outer labels

    def xp(x: float) -> str:
        return _f((x - xa) / (xb - xa) * width)

    def yp(y: float) -> str:
        return _f(top + (yb - y) / (yb - ya) * ph)

    out = [f'<svg class="ch" viewBox="0 0 {width} {height}" role="img" aria-label="{_e(alt)}">'
           f"<title>{_e(layout.title)}</title>"
           f'<text class="tt" x="4" y="15">{_e(layout.title)}</text>']
    fill = {c: f"f{i}" for i, c in enumerate(PALETTE)}
    for x0, (b0, t0), x1, (b1, t1), color in layout.bands:
        xm = (x0 + x1) / 2
        out.append(f'<path class="fl {fill.get(color, "fk")}" d="M{xp(x0)} {yp(t0)}C{xp(xm)} {yp(t0)} {xp(xm)} {yp(t1)} '
                   f'{xp(x1)} {yp(t1)}L{xp(x1)} {yp(b1)}C{xp(xm)} {yp(b1)} {xp(xm)} {yp(b0)} {xp(x0)} {yp(b0)}Z"/>')
    for x, lo, hi, color in layout.nodes:
        out.append(f'<rect class="{fill.get(color, "fk")}" x="{xp(x)}" y="{yp(hi)}" '
                   f'width="{_f((NODE_WIDTH) / (xb - xa) * width)}" height="{_f(max((hi - lo) / (yb - ya) * ph, 1))}"/>')
    anchor = {"right": "end", "left": "start", "center": "middle"}
    for x, y, text, points, ha, va, boxed in layout.labels:
        px = points * 96 / 72
        dy = _f(0.35 * px) if va == "center" else "0"
        if boxed:
            w = _w(text, px) + 4
            left = float(xp(x)) - (w if ha == "right" else w / 2 if ha == "center" else 0)
            out.append(f'<rect class="lb" x="{_f(left)}" y="{_f(float(yp(y)) - 0.65 * px)}" width="{_f(w)}" '
                       f'height="{_f(1.3 * px)}" rx="2"/>')
        out.append(f'<text x="{xp(x)}" y="{yp(y)}" dy="{dy}" text-anchor="{anchor[ha]}" '
                   f'style="font-size:{_f(px)}px">{_e(text)}</text>')
    out.append("</svg>")
    return "".join(out)
