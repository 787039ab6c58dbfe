"""The calibration objective: weighted relative error of replication means over targets."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import pandas as pd

from ..analysis.targets import Targets, compare


@dataclass(frozen=True)
class Score:
    loss: float            # weighted mean of (relative error / tolerance)^2
    mean_abs_rel: float    # weighted mean absolute relative error (reported)
    table: pd.DataFrame    # per-target comparison


def score(weekly: pd.DataFrame, targets: Targets, ids: Sequence[str] = (),
          weights: dict[str, float] | None = None) -> Score:
    """Compare replication means with the chosen targets (all when ``ids`` is empty)."""
    table = compare(weekly, targets)
    if ids:
        table = table[table.id.isin(ids)]
    w = table.id.map(lambda i: (weights or {}).get(i, 1.0)).astype(float)
    norm = (table.rel_error / table.tolerance) ** 2
    loss = float((w * norm.fillna(1e6)).sum() / w.sum())
    mar = float((w * table.rel_error.abs().fillna(1.0)).sum() / w.sum())
    return Score(loss, mar, table.reset_index(drop=True))


RunFn = Callable[[Sequence[str]], pd.DataFrame]
"""Runs the scenario with override strings and returns the weekly tidy table."""
