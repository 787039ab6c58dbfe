"""Observed figures of a period as calibration targets, in the form of the targets files
(``scenarios/targets/*.yaml``, ``analysis.targets.Targets``): metrics summed per week, a
window of ISO weeks, a statistic, the value and a relative tolerance.

A stock at a date becomes the week-end value (``end``) of its week, a mean or a maximum of
stocks and a weekly mean of flows a ``mean``/``max`` over the period's weeks, a flow a
``sum`` over them; the weeks are those of ``periods``, written as ISO weeks so the targets
file reads exactly the weeks the backtest reads. A change of a stock and a ratio of flows
are not one statistic of one window: they are left out (listed in ``skipped``) and stay
for the backtest. One-sided figures ('more than') enter only when ``uses`` asks for
``bound``, with the bound as the value.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable

import pandas as pd
import yaml

from ..metrics.registry import Registry
from .backtest import when
from .periods import period_weeks, week_label

TARGET_STATISTIC = {"stock": "end", "stock_mean": "mean", "stock_max": "max", "flow": "sum", "flow_mean": "mean"}


@dataclass(frozen=True)
class TargetSet:
    """``doc`` validates as ``analysis.targets.Targets``; ``weights`` per target id for a
    calibration spec; ``skipped`` (figure, why) the figures of the period left out."""

    doc: dict[str, Any]
    weights: dict[str, float] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        return [t["id"] for t in self.doc["targets"]]

    def to_yaml(self) -> str:
        head = "# Calibration targets made from data/observed by ketensim.observed.calibration_targets.\n"
        return head + yaml.safe_dump(self.doc, sort_keys=False, allow_unicode=True, width=120)


def _day(x: dt.date | str) -> dt.date:
    return dt.date.fromisoformat(x) if isinstance(x, str) else x


def calibration_targets(observed: pd.DataFrame, start: dt.date | str, end: dt.date | str,
                        uses: Iterable[str] = ("target",), labels: Registry | None = None,
                        source: str = "data/observed (OBSERVED-2020-2021, the letter, INPUTS)") -> TargetSet:
    """The outcomes with a use in ``uses`` whose weeks all lie in the weeks of
    [start, end] (the period rule) as a targets document (see the module)."""
    weeks = period_weeks(_day(start), _day(end))
    uses = tuple(uses)
    targets, weights, skipped = [], {}, []
    sel = observed[(observed["kind"] == "outcome") & observed["use"].isin(uses)]
    for r in sel.to_dict("records"):
        if not (r["first_week"] >= weeks[0] and r["last_week"] <= weeks[-1]):
            continue
        stat = TARGET_STATISTIC.get(r["statistic"])
        if stat is None:
            skipped.append((r["figure"], f"a {r['statistic']} is not one statistic of one window (kept for the backtest)"))
            continue
        metrics = list(r["metrics"])
        title = labels.title(metrics) if labels is not None else " + ".join(metrics)
        bound = " (a lower bound)" if r["qualifier"] == "more_than" else ""
        quote = "; ".join(x for x in (r["source"], r["note"], r["mapping"]) if x)
        targets.append({
            "id": r["figure"], "label": f"{title}, {when(r)}{bound}", "metrics": metrics,
            "window": {"from": week_label(r["first_week"]), "to": week_label(r["last_week"])},
            "statistic": stat, "value": float(r["value"]), "tolerance": float(r["tolerance"]), "quote": quote})
        weights[r["figure"]] = float(r["weight"])
    doc = {"source": source, "targets": targets}
    return TargetSet(doc, weights, skipped)
