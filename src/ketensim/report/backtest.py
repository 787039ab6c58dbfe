"""The backtest for people: the README (the table, the ARD, the officials' forecasts) and
one plot per stock (the forecast band against the observations). Given a ``Backtest`` and
the run's weekly table; opens no file (``workflow.backtest_write`` writes them)."""
from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..observed.backtest import BAND, Backtest
from ..observed.measure import WeeklyTable
from ..observed.periods import week_label
from ..observed.schema import STATISTICS
from .labels import figure_label
from .plots import PALETTE, new_figure

STOCKS = ("stock", "stock_mean", "stock_max")
OBS_COLOR = "#111111"
OFFICIAL_COLOR = "#c0392b"


def _num(x: Any, digits: int | None = None) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    d = digits if digits is not None else (2 if abs(x) < 10 and not float(x).is_integer() else 0)
    return f"{x:,.{d}f}"


def _pct(x: Any) -> str:
    return "-" if x is None or not math.isfinite(x) else f"{x:+.1%}"


def stock_groups(bt: Backtest) -> list[str]:
    """The metric sums (``a + b``) of the stock figures in the table, one plot each."""
    t = bt.table
    return list(dict.fromkeys(t[t["statistic"].isin(STOCKS)]["metrics"]))


def plot_name(metrics: str) -> str:
    return "stock-" + metrics.replace(" + ", "+").replace(".", "_") + ".png"


def plot_stock(weekly: pd.DataFrame, bt: Backtest, metrics: str) -> Figure:
    """The forecast's weekly mean and 90% band of a stock over the window, the observed
    figures (a point at a date, a bar over a period; a range as an error bar, a lower bound
    as a triangle) and the officials' forecasts of the same stock (dashed)."""
    names = tuple(m.strip() for m in metrics.split("+"))
    series = WeeklyTable(weekly).series(names, flow=False)
    weeks = [w for w in series.index if bt.first_week <= w <= bt.last_week]
    s = series.loc[weeks]
    x = pd.to_datetime(pd.Index(weeks)) + pd.Timedelta(days=6)  # a stock is the week-end value
    lo, hi = (np.nanpercentile(s.to_numpy(float), q, axis=1) for q in (50 * (1 - BAND), 50 * (1 + BAND)))
    fig = new_figure((8.5, 3.8))
    ax = fig.add_subplot()
    ax.fill_between(x, lo, hi, color=PALETTE[0], alpha=0.2, lw=0, label=f"forecast, {BAND:.0%} band")
    ax.plot(x, s.mean(axis=1), color=PALETTE[0], lw=1.5, label="forecast, mean")
    rows = bt.table[(bt.table["metrics"] == metrics) & bt.table["statistic"].isin(STOCKS)]
    first = True
    for r in rows.to_dict("records"):
        lab = "observed" if first else "_nolegend_"
        first = False
        if ".." in r["when"]:
            a, b = (pd.Timestamp(d) for d in r["when"].split(".."))
            ax.hlines(r["observed"], a, b, color=OBS_COLOR, lw=2.2, label=lab)
            mid = a + (b - a) / 2
        else:
            mid = pd.Timestamp(r["when"])
        if r["qualifier"] == "more_than":
            ax.plot([mid], [r["observed"]], marker="^", color=OBS_COLOR, ls="none", ms=7, label=lab)
        elif r["qualifier"] == "range":
            ax.errorbar([mid], [r["observed"]], yerr=[[r["observed"] - r["low"]], [r["high"] - r["observed"]]],
                        color=OBS_COLOR, fmt="o", ms=4, capsize=3, label=lab)
        else:
            ax.plot([mid], [r["observed"]], marker="o", color=OBS_COLOR, ls="none", ms=5, label=lab)
    off = bt.officials[bt.officials["metrics"] == metrics] if len(bt.officials) else bt.officials
    for r in off.to_dict("records"):
        ax.axhline(r["official"], color=OFFICIAL_COLOR, ls="--", lw=1.0, label=f"official forecast (made {r['made']})")
    ax.axvline(pd.Timestamp(bt.origin), color="#777777", lw=0.8, ls=":")
    ax.set_xlim(pd.Timestamp(bt.first_week), pd.Timestamp(bt.last_week) + pd.Timedelta(days=7))
    ax.grid(axis="y", color="#dddddd", lw=0.5)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(f"{figure_label(list(names))}: forecast from {bt.origin} against the observed", loc="left", fontsize=9)
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.tick_params(labelsize=7)
    return fig


def figure_rows(bt: Backtest) -> list[str]:
    lines = ["| figure | when | observed | forecast mean | 90% band | rel. error | in band | use |",
             "|---|---|---:|---:|---:|---:|:---:|---|"]
    for r in bt.table.to_dict("records"):
        obs = {"more_than": ">", "almost": "almost ", "about": "~"}.get(r["qualifier"], "") + _num(r["observed"])
        if r["qualifier"] == "range":
            obs = f"{_num(r['low'])}-{_num(r['high'])}"
        lines.append(f"| `{r['figure']}` | {r['when']} | {obs} | {_num(r['mean'])} | {_num(r['p05'])} - "
                     f"{_num(r['p95'])} | {_pct(r['rel_error'])} | {'yes' if r['inside_band'] else 'no'} | {r['use']} |")
    return lines


def official_rows(bt: Backtest) -> list[str]:
    lines = ["| forecast | made | official | judged by | observed | official error | model error | "
             "model's forecast of the official quantity |", "|---|---|---:|---|---:|---:|---:|---|"]
    for r in bt.officials.to_dict("records"):
        model = f"{_num(r['model_mean'])} [{_num(r['model_p05'])}, {_num(r['model_p95'])}]"
        if r["partial"]:
            model += " (the window's part of its period)"
        lines.append(f"| `{r['figure']}` | {r['made']} | {_num(r['official'])} | {r['judged_by'] or '-'} | "
                     f"{_num(r['observed'])} | {_pct(r['official_rel_error'])} | {_pct(r['model_rel_error'])} | "
                     f"{r['quantity']}: {model} |")
    return lines


def backtest_markdown(bt: Backtest, scenario: str = "", plots: list[str] | None = None) -> str:
    """The README of a backtest folder: what was compared, the table, the ARD, the
    officials' forecasts, what could not be measured, the plots and the rules."""
    end = bt.window_end
    title = f"# Backtest{': ' + scenario if scenario else ''} from {bt.origin}, {bt.months} months"
    out = [title, "",
           f"Forecast window {week_label(bt.first_week)}..{week_label(bt.last_week)} ({bt.origin} to {end}), "
           f"{bt.replications} replications; the band is the {BAND:.0%} band over replications (5th-95th percentile).",
           "",
           f"**ARD** (average relative difference, mean |forecast mean / observed - 1|) over {bt.ard_n} figures: "
           f"**{_num(bt.ard, 3)}**; over the {bt.ard_targets_n} calibration targets among them: {_num(bt.ard_targets, 3)}.",
           "", "## Every observed figure in the window", "", *figure_rows(bt), ""]
    if len(bt.officials):
        out += ["## The officials' forecasts made at the origin", "", *official_rows(bt), ""]
    if len(bt.skipped):
        out += ["## In the window but not measured", ""]
        out += [f"- `{r['figure']}`: {r['reason']}" for r in bt.skipped.to_dict("records")] + [""]
    if plots:
        out += ["## Stocks: the forecast band against the observations", ""]
        out += [f"![{p}]({p})" for p in plots] + [""]
    out += ["## How a figure is read", ""]
    out += [f"- `{k}`: {v[1]}" for k, v in STATISTICS.items()]
    out += ["- a stock at a date is the week-end value of the ISO week holding the date; a period covers the weeks "
            "whose Thursday lies in it (so a year is its ISO weeks); a figure is in the window when every week it "
            "reads is;",
            "- a 'more than' figure counts in the ARD only when the forecast is below it, an 'almost' only when above "
            "it; a figure observed as zero has no relative error (judged by the band);",
            "- an official forecast belongs to the origin when made at most 92 days before it or 31 days after it; "
            "its error is taken on the observed figure it is judged by, beside the model's error on that figure.",
            "", f"Made {dt.date.today()} by `ketensim.observed.backtest` from `data/observed/`.", ""]
    return "\n".join(out)


def backtest_text(bt: Backtest) -> str:
    """The backtest as an aligned text table for the terminal, ending with the ARD."""
    head = ("figure", "when", "observed", "mean", "90% band", "rel.err", "band", "use")
    rows = []
    for r in bt.table.to_dict("records"):
        obs = {"more_than": ">", "almost": "<~", "about": "~"}.get(r["qualifier"], "") + _num(r["observed"])
        if r["qualifier"] == "range":
            obs = f"{_num(r['low'])}-{_num(r['high'])}"
        rows.append((r["figure"], r["when"], obs, _num(r["mean"]), f"{_num(r['p05'])}-{_num(r['p95'])}",
                     _pct(r["rel_error"]), "in" if r["inside_band"] else "out", r["use"]))
    widths = [max([len(head[i])] + [len(x[i]) for x in rows]) for i in range(len(head))]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [f"backtest from {bt.origin}, {bt.months} months ({week_label(bt.first_week)}..{week_label(bt.last_week)}), "
           f"{bt.replications} replications", line.format(*head).rstrip()]
    out += [line.format(*x).rstrip() for x in rows]
    for r in bt.officials.to_dict("records"):
        judged = (f"judged by {r['judged_by']} ({_num(r['observed'])}): official {_pct(r['official_rel_error'])}, "
                  f"model {_pct(r['model_rel_error'])}") if r["judged_by"] else "no observed figure to judge it"
        out.append(f"official forecast {r['figure']} (made {r['made']}): {_num(r['official'])} {r['unit']}; {judged}; "
                   f"the model's {r['quantity']}: {_num(r['model_mean'])}" + (" (the window's part)" if r["partial"] else ""))
    for r in bt.skipped.to_dict("records"):
        out.append(f"not measured: {r['figure']}: {r['reason']}")
    out.append(f"ARD {_num(bt.ard, 3)} over {bt.ard_n} figures (calibration targets: {_num(bt.ard_targets, 3)} over "
               f"{bt.ard_targets_n})")
    return "\n".join(out)


def backtest_section(bt: Backtest, weekly: pd.DataFrame) -> tuple[str, str, str]:
    """A section of the HTML report (``htmlkit.page``'s (key, title, html)): the ARD, the
    table of every observed figure in the window, the officials' forecasts, the stock plots."""
    from .htmlkit import _e, _figure, _table

    rows = []
    for r in bt.table.to_dict("records"):
        obs = {"more_than": "&gt;", "almost": "almost ", "about": "~"}.get(r["qualifier"], "") + _num(r["observed"])
        if r["qualifier"] == "range":
            obs = f"{_num(r['low'])}-{_num(r['high'])}"
        rows.append([f"<code>{_e(r['figure'])}</code>", _e(r["when"]), obs, _num(r["mean"]),
                     f"{_num(r['p05'])} - {_num(r['p95'])}", _pct(r["rel_error"]), "yes" if r["inside_band"] else "no"])
    html = [f"<p>Forecast from {bt.origin} over {bt.months} months ({week_label(bt.first_week)}..{week_label(bt.last_week)}), "
            f"{bt.replications} replications. <b>ARD {_num(bt.ard, 3)}</b> over {bt.ard_n} observed figures "
            f"(calibration targets: {_num(bt.ard_targets, 3)} over {bt.ard_targets_n}).</p>",
            _table(["figure", "when", "observed", "forecast mean", "90% band", "rel. error", "in band"], rows, num_from=2)]
    if len(bt.officials):
        orows = [[f"<code>{_e(r['figure'])}</code>", _e(r["made"]), _num(r["official"]), _e(r["judged_by"] or "-"),
                  _num(r["observed"]), _pct(r["official_rel_error"]), _pct(r["model_rel_error"])]
                 for r in bt.officials.to_dict("records")]
        html += ["<p>The officials' forecasts made at the origin, and the model's error on the same figure:</p>",
                 _table(["forecast", "made", "official", "judged by", "observed", "official error", "model error"], orows,
                        num_from=2)]
    for metrics in stock_groups(bt):
        html.append(_figure(plot_stock(weekly, bt, metrics), alt=f"backtest of {metrics}"))
    return f"backtest-{bt.origin}", f"Backtest from {bt.origin}", "".join(html)
