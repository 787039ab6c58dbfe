"""Replication advisor: the confidence-interval half-width method.

From a pilot of n0 replications with mean m and standard deviation s of a figure, the
replications needed for a relative precision g are the smallest n with

    t(0.975, n - 1) * s / sqrt(n) <= g' * |m|,   g' = g / (1 + g)

(Law & Kelton: g' makes the *realised* relative error at most g). The estimate is only as
good as the pilot's s; rerun the advisor with the suggested n to confirm.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..analysis.stats import t_quantile as t_quantile_975


def replications_needed(values: np.ndarray | pd.Series, precision: float, cap: int = 100_000) -> int:
    """Smallest n meeting the relative precision, given pilot values (nan-free); 0 when
    the pilot cannot tell (fewer than 2 values or a zero mean with spread)."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if v.size < 2:
        return 0
    m, s = abs(float(v.mean())), float(v.std(ddof=1))
    if s == 0:
        return 2
    if m == 0:
        return 0
    target = precision / (1 + precision) * m
    n = 2
    while n < cap:
        if t_quantile_975(n - 1) * s / math.sqrt(n) <= target:
            return n
        # jump close to the normal-approximation answer, then step
        n = max(n + 1, min(cap, int((1.96 * s / target) ** 2) if n > 30 else n + 1))
    return cap


def advise(values: pd.DataFrame, precision: float) -> pd.DataFrame:
    """Rows: figures (columns of ``values``, replications x figures); the pilot's mean,
    relative half-width and the replications needed for ``precision``."""
    rows = []
    for col in values.columns:
        v = values[col].to_numpy(float)
        v = v[~np.isnan(v)]
        m = float(v.mean()) if v.size else math.nan
        h = t_quantile_975(v.size - 1) * float(v.std(ddof=1)) / math.sqrt(v.size) if v.size > 1 else math.nan
        label = col if isinstance(col, str) else " · ".join(str(c) for c in col if c)
        rows.append({"figure": label, "pilot_n": int(v.size), "mean": m,
                     "rel_half_width": h / abs(m) if m else math.nan,
                     "needed": replications_needed(v, precision)})
    return pd.DataFrame(rows)
