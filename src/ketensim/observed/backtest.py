"""A backtest: the forecast of a run from an origin against every observed figure that
followed, with the officials' forecasts of that origin beside it.

Pure: it takes the weekly tidy table of a run that starts at the origin, the observed
table (``load_observed``) and the window, and returns tables; writing them is the
caller's (``workflow.backtest_write``). The rules:

* the window is ``months`` months from the origin; its weeks follow the period rule of
  ``periods`` (12 months from 2021-01-04: 2021-W01..2021-W52);
* a figure is *in the window* when every week its statistic reads lies in the window (a
  2021 total is in a window from 2021-01-04, the stock "at the end of 2020" is not: it is
  the origin's state); figures with use ``none`` are left out;
* per figure: the replications' mean, the 90% band (5th-95th percentile over
  replications), the relative error mean / observed - 1, and whether the band meets the
  observed value (for a range: overlaps it; for "more than": reaches above the bound);
* ARD, the average relative difference, is the mean of |relative error| over the figures
  compared; a one-sided figure counts only when the forecast is on the wrong side of it
  (below a "more than", above an "almost"); a figure observed as zero has no relative
  error and stays out of the ARD;
* an official forecast belongs to an origin when it was made at most ``made_before`` days
  before it or ``made_after`` days after it (a forecast dated by its month counts from the
  month's first to its last day); its error is taken against the observed figure it is
  judged by, beside the model's error on the same figure, and the model's forecast of the
  official's own quantity is given over the part of its period inside the window.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .load import weeks_read
from .measure import WeeklyTable, measure
from .periods import add_months, week_label, window_weeks

BAND = 0.90
COMPARED_USES = ("target", "bound", "check")
TABLE_COLUMNS = ["figure", "when", "weeks", "statistic", "metrics", "use", "qualifier", "observed", "low", "high",
                 "unit", "mean", "p05", "p95", "reps", "rel_error", "ard_error", "inside_band", "tolerance",
                 "within_tolerance", "source"]
OFFICIAL_COLUMNS = ["figure", "made", "official", "unit", "quantity", "metrics", "model_mean", "model_p05", "model_p95",
                    "partial", "judged_by", "observed", "official_rel_error", "model_rel_error", "source", "note"]


@dataclass(frozen=True)
class Backtest:
    """The result of ``backtest``: the tables and the ARD (see the module for the rules)."""

    origin: dt.date
    months: int
    first_week: dt.date
    last_week: dt.date
    replications: int
    table: pd.DataFrame
    officials: pd.DataFrame
    skipped: pd.DataFrame
    ard: float
    ard_n: int
    ard_targets: float
    ard_targets_n: int

    @property
    def window_end(self) -> dt.date:
        """The last day of the window (origin + months - 1 day)."""
        return add_months(self.origin, self.months) - dt.timedelta(days=1)


def when(row: Mapping[str, Any]) -> str:
    """The figure's date or period as the source gives it."""
    if row.get("date") is not None and not _missing(row.get("date")):
        return str(row["date"])
    return f"{row['from']}..{row['to']}"


def weeks_text(weeks: list[dt.date]) -> str:
    return week_label(weeks[0]) if len(weeks) == 1 else f"{week_label(weeks[0])}..{week_label(weeks[-1])}"


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def band_of(values: np.ndarray, band: float = BAND) -> tuple[float, float, float]:
    """Mean and the central ``band`` of the replications (5th-95th percentile for 90%)."""
    v = values[~np.isnan(values)]
    if v.size == 0:
        return math.nan, math.nan, math.nan
    lo, hi = np.percentile(v, [50 * (1 - band), 50 * (1 + band)])
    return float(v.mean()), float(lo), float(hi)


def _observed_interval(row: Mapping[str, Any]) -> tuple[float, float]:
    q = row["qualifier"]
    if q == "range":
        return float(row["low"]), float(row["high"])
    if q == "more_than":
        return float(row["low"]), math.inf
    return float(row["value"]), float(row["value"])


def _ard_error(rel: float, qualifier: str) -> float:
    if math.isnan(rel):
        return math.nan
    if qualifier == "more_than":
        return max(0.0, -rel)
    if qualifier == "almost":
        return max(0.0, rel)
    return abs(rel)


def compare_figure(values: np.ndarray, row: Mapping[str, Any], band: float = BAND) -> dict[str, Any]:
    """One figure's comparison: mean, band, relative error, band meets observed, tolerance."""
    mean, p05, p95 = band_of(values, band)
    obs = float(row["value"])
    rel = mean / obs - 1 if obs != 0 and not math.isnan(mean) else math.nan
    lo, hi = _observed_interval(row)
    inside = bool(p05 <= hi and p95 >= lo) if not math.isnan(p05) else False
    err = _ard_error(rel, row["qualifier"])
    return {"mean": mean, "p05": p05, "p95": p95, "reps": int((~np.isnan(values)).sum()), "rel_error": rel,
            "ard_error": err, "inside_band": inside,
            "within_tolerance": bool(err <= row["tolerance"]) if not math.isnan(err) else inside}


def _ard(table: pd.DataFrame) -> tuple[float, int]:
    e = table["ard_error"].dropna() if len(table) else pd.Series(dtype=float)
    return (float(e.mean()) if len(e) else math.nan), int(len(e))


def backtest(weekly: pd.DataFrame, observed: pd.DataFrame, origin: dt.date | str, months: int,
             band: float = BAND, made_before: int = 92, made_after: int = 31) -> Backtest:
    """Every observed figure in the window of ``months`` months from ``origin`` against the
    run's forecast (``weekly``: one scenario's tidy weekly table, a run that starts at the
    origin), the ARD, and the officials' forecasts made at the origin (see the module)."""
    origin = dt.date.fromisoformat(origin) if isinstance(origin, str) else origin
    weeks = window_weeks(origin, months)
    lo_week, hi_week = weeks[0], weeks[-1]
    table = WeeklyTable(weekly)
    rows, skipped = [], []
    measured: dict[str, dict[str, Any]] = {}
    outcomes = observed[(observed["kind"] == "outcome") & observed["use"].isin(COMPARED_USES)]
    for r in outcomes.to_dict("records"):
        if not (r["first_week"] >= lo_week and r["last_week"] <= hi_week):
            continue
        values, why = measure(table, r)
        if values is None:
            skipped.append({"figure": r["figure"], "reason": why})
            continue
        out = {"figure": r["figure"], "when": when(r), "weeks": weeks_text(weeks_read(r)), "statistic": r["statistic"],
               "metrics": " + ".join(r["metrics"]) + (f" / {' + '.join(r['per'])}" if r["per"] else ""),
               "use": r["use"], "qualifier": r["qualifier"], "observed": r["value"], "low": r["low"],
               "high": r["high"], "unit": r["unit"], "tolerance": r["tolerance"], "source": r["source"],
               **compare_figure(values, r, band)}
        rows.append(out)
        measured[r["figure"]] = out
    df = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    officials = _officials(table, observed, origin, weeks, measured, band, made_before, made_after)
    ard, n = _ard(df)
    ard_t, n_t = _ard(df[df["use"] == "target"])
    return Backtest(origin, months, lo_week, hi_week, len(table.replications), df, officials,
                    pd.DataFrame(skipped, columns=["figure", "reason"]), ard, n, ard_t, n_t)


def _officials(table: WeeklyTable, observed: pd.DataFrame, origin: dt.date, weeks: list[dt.date],
               measured: Mapping[str, Mapping[str, Any]], band: float, made_before: int,
               made_after: int) -> pd.DataFrame:
    lo, hi = origin - dt.timedelta(days=made_before), origin + dt.timedelta(days=made_after)
    fc = observed[(observed["kind"] == "forecast")]
    rows = []
    by_id = observed.set_index("figure")
    in_window = set(weeks) & set(table.weeks)
    for r in fc.to_dict("records"):
        if r["made_to"] < lo or r["made_from"] > hi:
            continue
        own = weeks_read(r)
        use_weeks = [w for w in own if w in in_window]
        values, _ = measure(table, r, use_weeks) if use_weeks and (r["statistic"] != "change" or len(use_weeks) == 2) \
            else (None, "")
        mean, p05, p95 = band_of(values, band) if values is not None else (math.nan,) * 3
        judged = r["judged_by"] or ""
        obs = math.nan
        model_rel = math.nan
        note = ""
        if judged:
            obs = float(by_id.loc[judged, "value"])
            hit = measured.get(judged)
            if hit is None:
                note = "the figure it is judged by is outside the window or not measured"
            else:
                model_rel = float(hit["rel_error"])
        made = str(r["made_from"]) if r["made_from"] == r["made_to"] else f"{r['made_from']:%Y-%m}"
        rows.append({"figure": r["figure"], "made": made, "official": r["value"], "unit": r["unit"],
                     "quantity": f"{r['statistic']} of {' + '.join(r['metrics'])} over {when(r)}",
                     "metrics": " + ".join(r["metrics"]),
                     "model_mean": mean, "model_p05": p05, "model_p95": p95,
                     "partial": bool(use_weeks) and len(use_weeks) < len(own), "judged_by": judged, "observed": obs,
                     "official_rel_error": r["value"] / obs - 1 if obs and not math.isnan(obs) else math.nan, "model_rel_error": model_rel,
                     "source": r["source"], "note": note})
    return pd.DataFrame(rows, columns=OFFICIAL_COLUMNS)
