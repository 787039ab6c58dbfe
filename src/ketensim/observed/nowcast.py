"""The observed stocks near a date: what a forecaster rescales the model's state to at an
origin (``ketensim state --match-observed``). Pure: a selection of the observed table."""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Mapping

import pandas as pd

STOCK_STATISTICS = ("stock", "stock_mean")


def distance_days(row: Mapping[str, Any], at: dt.date) -> int:
    """Days between ``at`` and a stock's date, or the period it describes (0 inside it)."""
    if row["statistic"] == "stock":
        return abs((row["date"] - at).days)
    if row["from"] <= at <= row["to"]:
        return 0
    return min(abs((row["from"] - at).days), abs((row["to"] - at).days))


def stocks_near(observed: pd.DataFrame, at: dt.date | str, max_days: int = 31,
                uses: Iterable[str] = ("target", "bound", "check"), max_period_days: int = 62) -> pd.DataFrame:
    """Per metric sum, the observed stock nearest to ``at`` within ``max_days`` (a stock at
    a date, or a mean over a period of at most ``max_period_days`` — "December", "autumn"
    — that holds the date or ends near it; a year's mean is no state), with ``days`` its
    distance; an exact stock wins a tie over a period mean."""
    if isinstance(at, str):
        try:
            at = dt.date.fromisoformat(at)
        except ValueError:
            raise ValueError(f"near: expected a date YYYY-MM-DD, got {at!r}") from None
    sel = observed[(observed["kind"] == "outcome") & observed["statistic"].isin(STOCK_STATISTICS)
                   & observed["use"].isin(tuple(uses))].copy()
    if sel.empty:
        return sel.assign(days=pd.Series(dtype=int))
    recs = sel.to_dict("records")
    sel["days"] = [distance_days(r, at) for r in recs]
    short = [r["statistic"] == "stock" or (r["to"] - r["from"]).days < max_period_days for r in recs]
    sel = sel[(sel["days"] <= max_days) & pd.Series(short, index=sel.index)]
    sel["_rank"] = sel["statistic"].map({"stock": 0, "stock_mean": 1})
    sel = sel.sort_values(["days", "_rank"], kind="stable")
    return sel.drop_duplicates("metrics").drop(columns="_rank").reset_index(drop=True)
