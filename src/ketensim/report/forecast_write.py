"""Renders a forecast folder: tidy tables, plots with year ticks over the whole horizon, and
a README.md with the planning tables. Takes results; never runs a simulation and opens no
file (``ketensim.workflow.forecast`` writes the folder)."""
from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import matplotlib.dates as mdates
import pandas as pd

from ..analysis.forecast import BAND, FIGURES, PLAUSIBILITY, absent, at_dates, overflow_weeks, trajectories, window_stats, year_windows
from .plots import PALETTE, new_figure, phases_from_manifest

BY_KEY = {f.key: f for f in FIGURES}

# The forecast's plots: which figures each one draws.
PLOTS: dict[str, tuple[str, ...]] = {
    "occupancy": ("occupancy", "occupancy_entitled", "occupancy_col", "occupancy_pol", "occupancy_azc", "occupancy_crisis",
                  "occupancy_emergency"),
    "permit_holders": ("permit_holders",),
    "ind_open": ("ind_open", "ind_taskforce", "ind_appeals", "ind_past_term"),
    "col_overflow": ("col_overflow",),
    "departures": ("departures_independent", "departures_forced", "departures_unsupervised",
                   "dublin_absconded", "dublin_transfers"),
    "nareis": ("nareis_arrivals", "nareis_applications"),
    "detention": ("detention",),
}


def _cell(r: Mapping[str, Any]) -> str:
    if r is not None and r.get("outside") is True:
        return "outside the horizon"
    if r is None or r.get("reps", 0) == 0 or math.isnan(r["mean"]):
        return "absent"
    return f"{r['mean']:,.0f} [{r['p05']:,.0f}, {r['p95']:,.0f}]"


def _year_axis(ax: Any, start: dt.date, end: dt.date) -> None:
    ax.set_xlim(pd.Timestamp(start), pd.Timestamp(end) + pd.Timedelta(days=1))
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
    ax.grid(axis="x", which="major", color="#999999", lw=0.8)
    ax.grid(axis="x", which="minor", color="#e5e5e5", lw=0.5)
    ax.grid(axis="y", color="#dddddd", lw=0.5)
    ax.spines[["top", "right"]].set_visible(False)


def plot_group(traj: pd.DataFrame, keys: tuple[str, ...], title: str, start: dt.date, end: dt.date,
               phases: list[tuple[str, dt.date]] | None = None):  # -> Figure | None
    """Mean and 90% band of each present figure of a group; None when all are absent."""
    present = [k for k in keys if k in set(traj.get("figure", []))]
    if not present:
        return None
    fig = new_figure((9, 3.8))
    ax = fig.add_subplot()
    for i, key in enumerate(present):
        d = traj[traj.figure == key]
        x = pd.to_datetime(d.week_start) + pd.Timedelta(days=3.5)
        c = PALETTE[i % len(PALETTE)]
        ax.fill_between(x, d.p05, d.p95, color=c, alpha=0.2, lw=0)
        ax.plot(x, d["mean"], color=c, lw=1.4, label=BY_KEY[key].label)
    for name, day in phases or []:
        if start < day <= end:
            ax.axvline(pd.Timestamp(day), color="#777777", lw=0.5, ls=":", zorder=1)
    ax.axvspan(pd.Timestamp(start), pd.Timestamp(dt.date(2021, 1, 1)), color="#000000", alpha=0.04, lw=0)
    _year_axis(ax, start, end)
    ax.set_ylabel("persons per week" if BY_KEY[present[0]].kind == "count" else "persons at week end",
                  fontsize=8)
    ax.set_title(f"{title}: mean and {BAND:.0%} band; 2020 calibrated (shaded), then the forecast",
                 fontsize=9)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    return fig


def quarter_starts(first_year: int, last_year: int) -> list[dt.date]:
    days = [dt.date(y, m, 1) for y in range(first_year, last_year + 1) for m in (1, 4, 7, 10)]
    return days + [dt.date(last_year + 1, 1, 1)]


def forecast_windows(weekly: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """The yearly and half-yearly windows of a forecast's weeks (those of ``windows.csv``)."""
    ws = pd.to_datetime(weekly.week_start)
    return year_windows(ws.min().date(), ws.max().date())


@dataclass
class ForecastFiles:
    """The contents of a forecast folder, rendered: tables (Parquet or CSV by their name's
    suffix), figures (PNG under ``plots/``) and texts, in the order they are written."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)


def render_forecast(weekly: pd.DataFrame, manifest: Mapping[str, Any], first_year: int = 2021) -> ForecastFiles:
    """Tidy tables, plots with year ticks over the whole horizon and a README.md with the
    planning tables for the years ``first_year``.. the horizon's last ISO year (written by
    ``ketensim.workflow.forecast.write_forecast``; this function opens no file)."""
    files = ForecastFiles()
    used = sorted({m for f in FIGURES for m in f.metrics})
    files.tables["weekly.parquet"] = weekly[weekly.metric.isin(used)].reset_index(drop=True)
    ws = pd.to_datetime(weekly.week_start)
    start, last_week = ws.min().date(), ws.max().date()
    end = last_week + dt.timedelta(days=6)
    last_year = last_week.isocalendar()[0]
    traj = trajectories(weekly)
    files.tables["trajectories.csv"] = traj
    windows = year_windows(start, last_week)
    win = window_stats(weekly, windows)
    files.tables["windows.csv"] = win
    missing = absent(weekly)
    phases = phases_from_manifest(manifest)
    plots = []
    for name, keys in PLOTS.items():
        fig = plot_group(traj, keys, BY_KEY[keys[0]].label.split(" (")[0], start, end, phases)
        if fig is not None:
            files.figures[name] = fig
            plots.append(name)
    days = quarter_starts(first_year, last_year)
    stock_rows = {}
    for key in ("occupancy", "occupancy_col", "occupancy_pol", "occupancy_azc", "occupancy_crisis",
                "permit_holders", "ind_open", "ind_taskforce", "detention"):
        t = at_dates(weekly, BY_KEY[key], days)
        stock_rows[BY_KEY[key].label] = [_cell(r) for r in t.to_dict("records")]
    ends = [dt.date(y, 12, 31) for y in range(first_year, last_year + 1)]
    ind_rows = {BY_KEY[k].label: [_cell(r) for r in at_dates(weekly, BY_KEY[k], ends).to_dict("records")]
                for k in ("ind_open", "ind_taskforce", "permit_holders", "occupancy")}
    over = overflow_weeks(weekly, windows)
    over_any = overflow_weeks(weekly, windows, BY_KEY["col_overflow_nights"])
    year_names = [n for n in windows if int(n[:4]) >= first_year]
    reps = int(weekly.replication.nunique()) if not weekly.empty else 0
    summary = {"scenario": manifest.get("scenario_name"), "replications": reps,
               "horizon": [str(start), str(end)], "absent": [f.key for f in missing],
               "plots": plots, "band": BAND}
    files.texts["forecast.json"] = json.dumps(summary, indent=2)
    files.texts["manifest.json"] = json.dumps(dict(manifest), indent=1, default=str)
    lines = _readme(manifest, reps, (first_year, last_year), start, end, days, stock_rows, ends,
                    ind_rows, (over, over_any), win, year_names, missing, plots)
    files.texts["README.md"] = "\n".join(lines) + "\n"
    return files


def _md_table(header: list[str], rows: Mapping[str, list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join([k, *v]) + " |" for k, v in rows.items()]
    return out


def _readme(manifest, reps, years, start, end, days, stock_rows, ends, ind_rows, over, win,
            year_names, missing, plots) -> list[str]:
    runtimes = [r.get("runtime_s", 0) for r in manifest.get("replications", [])]
    per_rep = sum(runtimes) / len(runtimes) if runtimes else float("nan")
    lines = [
        f"# Forecast: {manifest.get('scenario_name')} ({start} .. {end})", "",
        f"Calibrated on the observed outcomes up to 2021 (results/validation/); {years[0]}-{years[1]} is what "
        "the scenario's inputs and stated assumptions produce from its start (no outcome of 2022 was used). "
        f"{reps} replications, seed {manifest.get('seed')}, scenario hash "
        f"`{manifest.get('scenario_hash')}`, {per_rep:.1f} s per replication "
        f"(wall {manifest.get('wall_time_s', float('nan')):.0f} s, {manifest.get('workers')} worker(s)).",
        "",
        f"Cells: replication mean [5th, 95th percentile] (the central {BAND:.0%} of replications). "
        "\"absent\": the run has no such metric (the mechanism is not in this model version); "
        "nothing is filled in.", "",
        "## Stocks at the start of each quarter", "",
        "Week-end value of the week whose Sunday is nearest to the day.", "",
    ]
    lines += _md_table(["figure"] + [str(d) for d in days], stock_rows)
    lines += ["", "## At the end of each year", ""]
    lines += _md_table(["figure"] + [str(d) for d in ends], ind_rows)
    lines += ["", "## Registration centre overflow", ""]
    rows = {}
    for label, table in zip(("weeks with overflow at week end", "weeks with any overflow"), over):
        if not table.empty:
            rows[label] = [_cell(table[table.window == n].iloc[0]) for n in year_names]
    if rows:
        lines += _md_table(["figure"] + year_names, rows)
    else:
        lines.append("absent: this run has no registration-centre (COL) overflow metric.")
    lines += ["", "## Yearly and half-yearly windows", "",
              "Flows: total over the window; stocks: mean of the week-end values.", ""]
    names = [n for n in win.window.unique()] if not win.empty else []
    rows = {}
    for key in [f.key for f in FIGURES]:
        sub = win[win.figure == key]
        if sub.empty:
            continue
        rows[BY_KEY[key].label] = [_cell(sub[sub.window == n].iloc[0]) for n in names]
    lines += _md_table(["figure"] + names, rows)
    checks = [(k, y, v) for (k, y), v in PLAUSIBILITY.items()
              if not win.empty and ((win.figure == k) & (win.window == y)).any()]
    if checks:
        lines += ["", "## Plausibility (published figures, not fitted)", ""]
        for k, y, v in checks:
            r = win[(win.figure == k) & (win.window == y)].iloc[0]
            lines.append(f"- {BY_KEY[k].label.split(' /')[0]} {y}: simulated {_cell(r)}, published ~{v:,}")
    lines += ["", "## Absent figures", ""]
    lines += [f"- {f.label} (`{' + '.join(f.metrics)}`)" for f in missing] or ["none"]
    lines += ["", "## Files", "",
              "- `weekly.parquet`: the tidy weekly table (contract columns) of the metrics above, every replication",
              "- `trajectories.csv`: per figure and week, mean, p05, p95, replications",
              "- `windows.csv`: per figure and yearly/half-yearly window, mean, p05, p95",
              "- `forecast.json`: what was written, which figures are absent",
              "- `manifest.json`: provenance (resolved scenario, hash, seed, run times)",
              ] + [f"- `plots/{p}.png`" for p in plots]
    return lines
