"""The expected size of a run, estimated from the scenario before anything runs (persons
created, weekly result rows), and the check that refuses a run too large to be meant.

Every way of making the chain large goes through this one estimate: the base values, the
values a phase or a dated change sets (the estimate walks the resolved timeline, step by
step), inflow bands, and household and family sizes (a family reunification application
brings a family of that size per granted household).
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from .base import Series
from .bounds import check_expected_size

if TYPE_CHECKING:
    from .phases import ResolvedPhase
    from .root import Scenario

__all__ = ["check_size", "expected_size"]

_MONTH_DAYS = 30.44
_INFLOW = ("first_applications", "repeat_applications")


def _series(node: Any, path: str = "") -> Iterator[tuple[str, Series]]:
    """(dotted path, series) of every input series below ``node``."""
    from pydantic import BaseModel

    if isinstance(node, Series):
        yield path, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _series(getattr(node, name), f"{path}.{name}" if path else name)
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from _series(v, f"{path}.{k}")
    elif isinstance(node, (list, tuple)):
        for i, v in enumerate(node):
            yield from _series(v, f"{path}.{i}")


def _stock(node: Any) -> float:
    """Persons in the starting stocks: every whole number below ``start``."""
    from pydantic import BaseModel

    if isinstance(node, BaseModel):
        return sum(_stock(getattr(node, name)) for name in type(node).model_fields)
    if isinstance(node, dict):
        return sum(_stock(v) for v in node.values())
    if isinstance(node, (list, tuple)):
        return sum(_stock(v) for v in node)
    return float(node) if isinstance(node, int) and not isinstance(node, bool) else 0.0


def _mean(probabilities: dict[int, float]) -> float:
    return sum(s * p for s, p in probabilities.items()) or 1.0


def _band_factor(params: Scenario, name: str, series: Series) -> float:
    """How much inflow bands can raise a series (1 when none apply to it): the largest band
    scale, and a band's own values against the series' largest value."""
    bands = getattr(params.inflow, "bands", None)
    if bands is None or name not in bands.applies_to:
        return 1.0
    top = max(series.values.values(), default=0.0) or 1.0
    factor = 1.0
    for band in bands.levels.values():
        own = max(band.values.values(), default=0.0) / top
        factor = max(factor, band.scale * max(1.0, own))
    if bands.distribution is not None:
        factor = max(factor, bands.distribution.high)
    return factor


def _rates(params: Scenario) -> tuple[float, float]:
    """(persons per day entering from outside at these parameters, of which asylum inflow):
    every series at its largest value (bands included), and the resettlement quotas."""
    total = inflow = 0.0
    for path, s in _series(params):
        name = path.rsplit(".", 1)[-1]
        top = max(s.values.values(), default=0.0) * s.scale
        if path.startswith("inflow."):
            top *= _band_factor(params, name, s)
        rate = top / (_MONTH_DAYS if s.per == "month" else 7.0)
        total += rate
        if path.startswith("inflow.") and name in _INFLOW:
            inflow += rate
    total += sum(params.resettlement.quotas.values()) / 365.25
    return total, inflow


def expected_size(scenario: Scenario, reps: int = 1,
                  timeline: Sequence[ResolvedPhase] | None = None) -> tuple[float, float]:
    """(persons one replication creates, weekly result rows of ``reps`` replications), both
    estimated from the scenario before anything runs: the starting stocks, plus over every
    step of the timeline (phases and dated changes resolved, warm-up included) the inflow of
    every series at its largest value, the resettlement quotas, and the family members that
    granted households bring (households x apply share x mean family size); and
    replications x weeks x metrics."""
    from .phases import build_timeline

    steps = list(timeline) if timeline is not None else build_timeline(scenario)
    h = scenario.horizon
    stock = _stock(scenario.start)
    households = stock / _mean(scenario.inflow.households.size_probabilities)
    persons = stock
    family = 0.0  # largest family members per granted household over the steps
    for i, step in enumerate(steps):
        begin = -float(h.warmup_days) if i == 0 else max(step.start_day, -float(h.warmup_days))  # warm-up: first step
        end = steps[i + 1].start_day if i + 1 < len(steps) else float(h.days)
        days = max(0.0, end - begin)
        p = step.params
        total, inflow = _rates(p)
        mean_household = _mean(p.inflow.households.size_probabilities)
        persons += total * days
        households += inflow * days / mean_household
        family = max(family, p.nareis.apply_share * _mean(p.nareis.family_size_probabilities))
    persons += households * family
    rows = float(reps) * scenario.horizon.weeks * 400  # generous: the chain records ~150 metrics
    return persons, rows


def check_size(scenario: Scenario, reps: int, what: str | None = None,
               timeline: Sequence[ResolvedPhase] | None = None) -> None:
    """Refuse a run whose expected size exceeds the plausibility bounds (``--no-limits``)."""
    from .bounds import limits_enforced

    if not limits_enforced():
        return
    persons, rows = expected_size(scenario, reps, timeline)
    check_expected_size(what or f"scenario {scenario.name!r}", persons, rows)
