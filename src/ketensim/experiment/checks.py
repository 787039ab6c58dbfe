"""Checks of a sweep before its first run: design size, outcome windows and metric names.

A misspelt metric or a window outside the horizon used to surface only after every run had
finished; here it is a one-line error before anything runs.
"""
from __future__ import annotations

import datetime as dt
import difflib
import math
from typing import TYPE_CHECKING, Any, Protocol, Sequence

from ..scenario.bounds import MAX_RESULT_ROWS, check_expected_size
from ..scenario.errors import ScenarioError

if TYPE_CHECKING:
    from ..scenario.schema import Scenario
    from .design import SweepSpec


class SweepPlan(Protocol):
    """What ``check_sweep`` reads of a ``sweep.SweepPlan`` (not imported: sweep imports this)."""

    @property
    def spec(self) -> SweepSpec: ...
    @property
    def scenarios(self) -> Sequence[Scenario]: ...
    @property
    def total(self) -> int: ...

MAX_POINTS = 100_000
"""Design points a sweep may have without ``--no-limits``."""


def design_size(spec: SweepSpec) -> int:
    """Design points the spec will produce, counted without building them."""
    if spec.design.kind != "full_factorial":
        return int(spec.design.samples or 1)
    n = 1
    for p in [*spec.levers.values(), *spec.uncertainties.values()]:
        n *= len(p.values) if p.values is not None else int(p.levels or 1)
    return n


def check_design_size(spec: SweepSpec, source: str) -> None:
    """Refuse a design too large to hold in memory, before it is generated."""
    from ..scenario.bounds import limits_enforced

    n = design_size(spec)
    if n > MAX_POINTS and limits_enforced():
        raise ScenarioError(source, "design", f"{n:,} design points; at most {MAX_POINTS:,} without "
                            "--no-limits (fewer levels, or a latin_hypercube design)")
    if n * spec.replications > MAX_RESULT_ROWS:
        check_expected_size(source, 0, math.inf)


def known_metrics(scenario: Scenario) -> set[str]:
    """The metric names a run of this scenario records: the chain's metric registry, or
    (for a chain without one) the metrics of a one-week probe run."""
    from ..model import chain

    registry = getattr(chain, "registry", None)  # the parts' declared metrics (PARTS-PROTOCOL)
    if callable(registry):
        return {m.name for m in registry()}
    from .runner import simulate

    week = scenario.horizon.model_copy(update={"end": scenario.horizon.start + dt.timedelta(days=6),
                                               "warmup_days": 0})
    probe = scenario.model_copy(update={"horizon": week})
    rec = simulate(probe, 0)
    return set(rec.weekly.metric.unique()) if rec.weekly is not None else set()


def check_outcomes(outcomes: list[Any], scenario: Scenario, source: str) -> None:
    """Every outcome's window inside the horizon and every metric one the model records."""
    h = scenario.horizon
    for i, o in enumerate(outcomes):
        where = f"outcomes[{i}] ({o.name})"
        start, end = o.start or h.start, o.end or h.end
        if start < h.start or end > h.end:
            raise ScenarioError(source, where, f"window {start}..{end} lies outside the horizon "
                                f"{h.start}..{h.end}")
        if end < start:
            raise ScenarioError(source, where, f"window ends ({end}) before it starts ({start})")
    names = {m for o in outcomes for m in o.metrics}
    if not names:
        return
    known = known_metrics(scenario)
    for i, o in enumerate(outcomes):
        for m in o.metrics:
            if m not in known:
                close = difflib.get_close_matches(m, sorted(known), n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise ScenarioError(source, f"outcomes[{i}] ({o.name}).metrics",
                                    f"unknown metric {m!r}{hint}")


def check_sweep(plan: SweepPlan, source: str) -> None:
    """Everything that can be known about a sweep before it runs."""
    from .runner import check_size

    check_outcomes(list(plan.spec.outcomes), plan.scenarios[0], source)
    # every point's persons were estimated when it was loaded (load_scenario, its timeline
    # included); what is left is the rows of all points' replications together
    if plan.scenarios:
        check_size(plan.scenarios[0], plan.total, what=f"{source}: design point 0")
