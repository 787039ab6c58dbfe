"""Compact tables of the key weekly figures over the letter's windows."""
from __future__ import annotations

import math

import pandas as pd

from .targets import Target, Targets, Window, mean_ci, per_replication

WINDOWS = {
    "W01-11 pre": ("2020-W01", "2020-W11"),
    "W12-17 lockdown": ("2020-W12", "2020-W17"),
    "W18-26 restart": ("2020-W18", "2020-W26"),
    "W27-37 recovery": ("2020-W27", "2020-W37"),
    "W38-53 2nd wave": ("2020-W38", "2020-W53"),
}

KEY_FIGURES = {
    "hearings, physical /wk": ["ind.hearings_physical"],
    "hearings, video /wk": ["ind.hearings_video"],
    "hearings cancelled /wk": ["ind.hearings_cancelled"],
    "IND decisions /wk": ["ind.decisions"],
    "IND backlog": ["ind.backlog"],
    "IND decision staff bind (% of week)": ["ind.binding_pct_decision_staff"],
    "IND hearing rooms bind (% of week)": ["ind.binding_pct_rooms"],
    "IND hearing staff bind (% of week)": ["ind.binding_pct_hearing_staff"],
    "departures (indep.+forced) /wk": ["dtv.departures_independent", "dtv.departures_forced"],
    "forced to origin /wk": ["dtv.departures_forced_origin"],
    "departures unsupervised /wk": ["dtv.departures_unsupervised"],
    "Dublin transfers /wk": ["dublin.transfers"],
    "Dublin transfers forced /wk": ["dublin.transfers_forced"],
    "Dublin lapsed /wk": ["dublin.lapsed"],
    "detention population": ["detention.population"],
    "COA occupancy": ["coa.occupancy"],
    "COA permit holders": ["coa.permit_holders"],
    "permit holders waiting >14 wk": ["coa.permit_holders_waiting_14w"],
    "COA places": ["coa.capacity"],
    "registration centre (COL)": ["coa.col_occupancy"],
    "COL above its limit": ["coa.col_overflow"],
    "in crisis reception": ["coa.crisis_occupancy"],
    "nareis applications /wk": ["nareis.applications"],
    "nareis open": ["nareis.open"],
    "nareis arrivals /wk": ["nareis.arrivals"],
    "resettlement waiting": ["resettlement.waiting"],
    "resettlement arrivals /wk": ["resettlement.arrivals"],
    "MVV backlog (uncollected)": ["mvv.backlog"],
    "MVV lapsed /wk": ["mvv.lapsed"],
    "COVID-19 detected in COA /wk": ["health.new_detected"],
    "isolated + quarantined": ["health.isolated", "health.quarantined"],
    "quarantine shortfall /wk": ["health.quarantine_shortfall"],
}


def _fmt(m: float, lo: float, hi: float) -> str:
    if math.isnan(m):
        return "-"
    if math.isnan(lo):
        return f"{m:,.0f}"
    return f"{m:,.0f} ±{(hi - lo) / 2:,.0f}"


def window_table(weekly: pd.DataFrame, targets: Targets | None = None) -> pd.DataFrame:
    """Rows: key figures; columns: the letter's windows; cells: mean ±95% half-width over
    replications of the window's weekly mean, with the letter's value in brackets."""
    letter = {}
    for t in targets.targets if targets else []:
        if t.statistic == "weekly_mean":
            letter[(tuple(t.metrics), t.window.start, t.window.end)] = t.value
    years = sorted(set(pd.to_datetime(weekly.week_start).dt.isocalendar().year))
    out: dict[str, dict[str, str]] = {}
    for label, metrics in KEY_FIGURES.items():
        row = {}
        for wname, (a, b) in WINDOWS.items():
            win = Window.model_validate({"from": a, "to": b})
            if int(a[:4]) not in years:
                continue
            t = Target(id="", label=label, metrics=metrics, window=win, statistic="weekly_mean",
                       value=1, tolerance=1)
            stats = per_replication(weekly, t)
            cell = _fmt(*mean_ci(stats.values)) if len(stats) else "-"
            ref = letter.get((tuple(metrics), win.start, win.end))
            row[wname] = cell + (f" [{ref:,.0f}]" if ref is not None else "")
        out[label] = row
    return pd.DataFrame(out).T


def format_targets(check: pd.DataFrame) -> str:
    lines = [f"{'id':<4} {'target':<48} {'letter':>8} {'simulated (95% CI)':>26} {'error':>7}  ok"]
    for r in check.itertuples():
        ci = f"{r.mean:,.1f} [{r.ci_low:,.1f}, {r.ci_high:,.1f}]" if not math.isnan(r.ci_low) else f"{r.mean:,.1f}"
        lines.append(f"{r.id:<4} {r.label[:48]:<48} {r.letter:>8,.0f} {ci:>26} {r.rel_error:>+7.1%}  "
                     f"{'yes' if r.ok else 'NO'} (±{r.tolerance:.0%})")
    return "\n".join(lines)
