"""Statistics of weekly results: windows, window statistics, 95% t-intervals, formatting.

One module so that the CLI table, the API summary, comparisons, sweeps, calibration and the
report agree on what "the peak of quarantine demand from week 40" is and how it is shown.

* A *window* is a named range of ISO weeks (``Window``; ``parse_window`` reads
  ``name=2020-W40..2020-W53``). A window that lies partly outside the simulated weeks is
  computed over the weeks it covers and marked partial (``clip``: ``partial`` is True and
  ``label`` says which weeks) — the one rule for every output; a window wholly outside
  is left out.
* A *statistic* reduces a replication's weekly values in a window to one number:
  ``mean`` (weekly mean), ``sum``, ``end`` (the last week), ``max``, ``min`` or a
  quantile ``pNN`` (``p90``, ``p2.5``). The names of the targets file (``weekly_mean``,
  ``snapshot``) are accepted for ``mean`` and ``end``.
* Intervals are 95% Student t-intervals over replications (``mean_ci``; scipy's quantile).
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from pydantic import ConfigDict

from ..clock import parse_end, parse_when
from ..weeks import WeekSpan
from .stats_t import T975

STATISTICS = ("mean", "sum", "end", "max", "min")
ALIASES = {"weekly_mean": "mean", "snapshot": "end", "last": "end", "peak": "max"}
_QUANTILE = re.compile(r"^p(\d{1,2}(?:\.\d+)?|100)$")
_RANGE = re.compile(r"^(?:(?P<name>[^=]+)=)?(?P<a>[^.]+?)(?:\.\.(?P<b>.+))?$")


def monday(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.isoweekday() - 1)


def week_label(d: dt.date) -> str:
    """2020-09-28 -> 'W40' (with the ISO year when it is not the only year shown: 'W40')."""
    return f"W{d.isocalendar().week:02d}"


class Window(WeekSpan):
    """A named range of ISO weeks: the weeks whose Monday lies in [Monday of ``from``,
    Monday of ``to``]. ``partial`` marks a window clipped to the simulated weeks."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    name: str = ""
    partial: bool = False
    full_start: dt.date | None = None
    full_end: dt.date | None = None

    @classmethod
    def of(cls, start: object, end: object, name: str = "") -> "Window":
        """A window from two dates or ISO weeks (the constructor by field name)."""
        return cls.model_validate({"name": name, "from": start, "to": end})

    def contains(self, week_start: pd.Series) -> pd.Series:
        lo, hi = monday(self.start), monday(self.end)
        ws = pd.to_datetime(week_start)
        return (ws >= pd.Timestamp(lo)) & (ws <= pd.Timestamp(hi))

    @property
    def weeks(self) -> int:
        return (monday(self.end) - monday(self.start)).days // 7 + 1

    @property
    def label(self) -> str:
        """The name, and for a partial window which weeks it covers."""
        name = self.name or f"{week_label(self.start)}-{week_label(self.end)}"
        if not self.partial:
            return name
        return f"{name} (partial: {week_label(self.start)}-{week_label(self.end)})"


def parse_window(text: str) -> Window:
    """'2020-W40..2020-W53', 'autumn=2020-W40..2020-W53', '2020-11-01..2020-12-31', '2020-W45'
    (one week) -> Window; ValueError with what is allowed otherwise."""
    m = _RANGE.match(text.strip())
    if not m:
        raise ValueError(f"expected [name=]FROM..TO (ISO weeks or dates), got {text!r}")
    a, b = m["a"].strip(), (m["b"] or m["a"]).strip()
    try:
        start, end = parse_when(a), parse_end(b)
    except ValueError:
        raise ValueError(f"expected [name=]FROM..TO with ISO weeks (2020-W40) or dates "
                         f"(2020-11-01), got {text!r}") from None
    if end < start:
        raise ValueError(f"window {text!r} ends before it starts")
    name = (m["name"] or "").strip() or (f"{a}..{b}" if m["b"] else a)
    return Window.of(start, end, name)


def generated_windows(start: dt.date, end: dt.date, yearly: bool = False,
                      half_yearly: bool = False) -> list[Window]:
    """One window per ISO year ('2021') and/or half year ('2021-H1': W01-W26, '2021-H2': W27
    to the year's last week) of a horizon; clipped and marked partial by ``clip``."""
    out = []
    for year in range(start.isocalendar().year, end.isocalendar().year + 1):
        first = dt.date.fromisocalendar(year, 1, 1)
        last = dt.date.fromisocalendar(year + 1, 1, 1) - dt.timedelta(days=1)
        if yearly:
            out.append(Window.of(first, last, str(year)))
        if half_yearly:
            mid = dt.date.fromisocalendar(year, 27, 1)
            out.append(Window.of(first, mid - dt.timedelta(days=1), f"{year}-H1"))
            out.append(Window.of(mid, last, f"{year}-H2"))
    return out


def clip(window: Window, first_week: dt.date, last_week: dt.date) -> Window | None:
    """The window restricted to the simulated weeks [first_week, last_week] (Mondays): the
    same window when inside, a partial one when it sticks out, None when wholly outside."""
    lo, hi = monday(window.start), monday(window.end)
    if hi < first_week or lo > last_week:
        return None
    if lo >= first_week and hi <= last_week:
        return window
    return window.model_copy(update={
        "start": max(lo, first_week), "end": min(hi, last_week) + dt.timedelta(days=6), "partial": True,
        "full_start": window.start, "full_end": window.end})


def weeks_of(weekly: pd.DataFrame) -> tuple[dt.date, dt.date] | None:
    """First and last simulated week (Mondays) of a weekly table."""
    if weekly.empty:
        return None
    ws = pd.to_datetime(weekly.week_start)
    return ws.min().date(), ws.max().date()


def resolve(weekly: pd.DataFrame, windows: Iterable[Window]) -> list[Window]:
    """The windows clipped to the table's weeks (partial ones marked, outside ones dropped)."""
    span = weeks_of(weekly)
    if span is None:
        return []
    out = [clip(w, *span) for w in windows]
    return [w for w in out if w is not None]


def as_windows(spec: Mapping[str, tuple[object, object]] | Iterable[Window | str] | None,
               default: Iterable[Window] = ()) -> list[Window]:
    """Windows from a mapping name -> (from, to), a list of Window or ``--window`` texts."""
    if spec is None:
        return list(default)
    if isinstance(spec, Mapping):
        return [Window.of(a, b, k) for k, (a, b) in spec.items()]
    return [w if isinstance(w, Window) else parse_window(w) for w in spec]


# --------------------------------------------------------------------------- statistics


def parse_statistic(name: str) -> str:
    """The canonical name of a statistic ('weekly_mean' -> 'mean', 'p90', 'p2.5'); ValueError
    naming what is allowed otherwise."""
    key = ALIASES.get(name.strip(), name.strip())
    if key in STATISTICS or _QUANTILE.match(key):
        return key
    raise ValueError(f"unknown statistic {name!r}; allowed: {', '.join(STATISTICS)}, or a quantile "
                     "pNN (p90, p2.5)")


def statistic_label(stat: str) -> str:
    """'mean' -> 'weekly mean', 'max' -> 'peak week', 'p90' -> '90th percentile week'."""
    stat = parse_statistic(stat)
    return {"mean": "weekly mean", "sum": "sum", "end": "last week", "max": "peak week",
            "min": "lowest week"}.get(stat, f"{stat[1:]}th percentile week")


def reduce_weeks(per_week: pd.Series, stat: str, level: Sequence[str]) -> pd.Series:
    """The statistic over the weeks of each group (a week without values stays out)."""
    stat = parse_statistic(stat)
    g = per_week.groupby(level=list(level))
    if stat == "mean":
        return g.mean()
    if stat == "sum":
        return g.sum()
    if stat == "end":
        return g.last()
    if stat == "max":
        return g.max()
    if stat == "min":
        return g.min()
    return g.quantile(float(stat[1:]) / 100)


def window_values(weekly: pd.DataFrame, metrics: Sequence[str], window: Window,
                  stat: str = "mean") -> pd.Series:
    """Per (scenario, replication): the statistic of the weekly sum of ``metrics`` over the
    window's weeks."""
    df = weekly[weekly.metric.isin(list(metrics)) & window.contains(weekly.week_start)]
    keys = ["scenario", "replication"]
    per_week = df.groupby(keys + ["week_start"])["value"].sum(min_count=1)
    return reduce_weeks(per_week, stat, keys)


@dataclass(frozen=True)
class WindowFigure:
    """A statistic of the weekly sum of some metrics over a window of ISO weeks, per
    replication: the one figure type behind the letter's targets (``Target.figure``), a
    sweep's outcomes (``Outcome.figure``), the key figures of compare, sweep and advise
    (``experiment.figures.key_figures``), the forecast's yearly windows
    (``forecast.window_figure``) and sizing's condition, so they agree on what "the backlog
    in the recovery window" is. ``window.name`` keys it in tables next to ``label``."""

    label: str
    metrics: tuple[str, ...]
    window: Window
    statistic: str = "mean"

    def values(self, weekly: pd.DataFrame) -> pd.Series:
        """Per (scenario, replication) of a weekly table."""
        return window_values(weekly, self.metrics, self.window, self.statistic)


def t_quantile(df: int, level: float = 0.95) -> float:
    """Two-sided Student t quantile (NaN below one degree of freedom)."""
    if df < 1:
        return math.nan
    if level == 0.95 and df <= len(T975) and float(df).is_integer():  # scipy's values, no import
        return T975[int(df) - 1]
    from scipy.stats import t

    return float(t.ppf(0.5 + level / 2, df))


def mean_ci(values: Any, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and t-interval over replications (NaN values left out; no interval with one)."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if v.size == 0:
        return math.nan, math.nan, math.nan
    m = float(v.mean())
    if v.size < 2:
        return m, math.nan, math.nan
    h = t_quantile(v.size - 1, level) * float(v.std(ddof=1)) / math.sqrt(v.size)
    return m, m - h, m + h


# --------------------------------------------------------------------------- formatting


def _digits(x: float) -> int:
    return 1 if abs(x) < 10 else 0


def fmt_num(x: float | None, signed: bool = False, digits: int | None = None) -> str:
    if x is None or not np.isfinite(x):
        return "-"
    d = _digits(x) if digits is None else digits
    return f"{x:{'+' if signed else ''},.{d}f}"


def fmt_ci(m: float | None, lo: float | None, hi: float | None, digits: int | None = 0) -> str:
    """'1,234 ±56' (mean ± 95% half-width); '-' when there is no value."""
    if m is None or not np.isfinite(m):
        return "-"
    if lo is None or hi is None or not np.isfinite(lo):
        return fmt_num(m, digits=digits)
    return f"{fmt_num(m, digits=digits)} ±{fmt_num((hi - lo) / 2, digits=digits)}"


def fmt_diff(m: float | None, lo: float | None, hi: float | None, digits: int | None = None) -> str:
    """'+12 [+3, +21]' (a difference with its 95% interval)."""
    if m is None or not np.isfinite(m):
        return "-"
    if lo is None or hi is None or not np.isfinite(lo):
        return fmt_num(m, True, digits)
    d = digits if digits is not None else _digits(max(abs(m), abs(hi - lo)))
    return f"{fmt_num(m, True, d)} [{fmt_num(lo, True, d)}, {fmt_num(hi, True, d)}]"


def significance(m: float, lo: float, hi: float) -> float:
    """How clearly a difference stands out: |mean| / half-width of its interval (0 when the
    difference is 0; large when tiny noise surrounds a real change)."""
    if not np.isfinite(m) or m == 0:
        return 0.0
    if not np.isfinite(lo) or hi - lo <= 0:
        return math.inf
    return abs(m) / ((hi - lo) / 2)
