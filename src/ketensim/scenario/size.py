"""The expected size of a run, estimated from the scenario before anything runs (persons
created, weekly result rows), and the check that refuses a run too large to be meant."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import Series
from .bounds import check_expected_size

if TYPE_CHECKING:
    from .schema import Scenario

__all__ = ["check_size", "expected_size"]


def expected_size(scenario: Scenario, reps: int = 1) -> tuple[float, float]:
    """(persons one replication creates, weekly result rows of ``reps`` replications), both
    estimated from the scenario before anything runs: starting stocks plus the expected
    inflow of every series over the horizon (warm-up included, at the largest phase scale),
    and replications x weeks x metrics."""
    from pydantic import BaseModel

    days = scenario.horizon.days + scenario.horizon.warmup_days
    persons = 0.0

    def walk(node: Any, under_start: bool) -> None:
        nonlocal persons
        if isinstance(node, Series):
            vals = [v * node.scale for v in node.values.values()] or [0.0]
            per_days = 30.44 if node.per == "month" else 7.0
            persons += max(vals) * days / per_days
        elif isinstance(node, BaseModel):
            for name in type(node).model_fields:
                walk(getattr(node, name), under_start)
        elif isinstance(node, dict):
            for v in node.values():
                walk(v, under_start)
        elif isinstance(node, (list, tuple)):
            for v in node:
                walk(v, under_start)
        elif under_start and isinstance(node, int) and not isinstance(node, bool):
            persons += node

    walk(scenario.start, True)
    for name in type(scenario).model_fields:
        if name not in ("start", "phases"):
            walk(getattr(scenario, name), False)
    scales = [v for ph in scenario.phases for k, v in (ph.set or {}).items()
              if str(k).endswith(".scale") and isinstance(v, (int, float))]
    persons *= max([1.0, *scales])
    rows = float(reps) * scenario.horizon.weeks * 400  # generous: the chain records ~150 metrics
    return persons, rows


def check_size(scenario: Scenario, reps: int, what: str | None = None) -> None:
    """Refuse a run whose expected size exceeds the plausibility bounds (``--no-limits``)."""
    persons, rows = expected_size(scenario, reps)
    check_expected_size(what or f"scenario {scenario.name!r}", persons, rows)
