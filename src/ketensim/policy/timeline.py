"""The policy timeline: phases as data, resolved into one validated parameter set each.

Phases are cumulative: each phase's overrides apply on top of the parameters of the phase
before it. One SimPy process (``PolicyProcess``) switches the model to the next phase at
its start and tells the parts, which adjust capacities and rates.
"""
from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable

from pydantic import ValidationError

from ..scenario.errors import ScenarioError, from_validation
from ..scenario.schema import FIXED_IN_RUN, PHASE_SECTIONS, Scenario

if TYPE_CHECKING:
    import simpy


@dataclass(frozen=True)
class ResolvedPhase:
    """One step of the timeline: from ``start_day`` on, ``params`` hold. ``phase`` is the
    scenario phase in force and ``changes`` the dated changes in force (their ``--set``
    text); ``name`` is the phase's name, with the dated changes when there are any."""

    name: str
    start_day: float
    params: Scenario
    phase: str = ""
    changes: tuple[str, ...] = ()


def _check_key(source: str, where: str, key: str) -> None:
    """Phases and dated changes may change only the chain sections, and no structure."""
    section = key.split(".", 1)[0]
    if section not in PHASE_SECTIONS:
        raise ScenarioError(
            source, f"{where}.{key}",
            f"phases may only change {', '.join(PHASE_SECTIONS)}, got section {section!r}",
        )
    if any(key == f or key.startswith(f + ".") for f in FIXED_IN_RUN):
        raise ScenarioError(source, f"{where}.{key}", "structure cannot change during a run")


def build_timeline(scenario: Scenario, source: str = "scenario") -> list[ResolvedPhase]:
    """Resolve the phases, and the dated changes on top of them, into one validated Scenario
    per step; errors name the phase (or change) and path.

    Phases are cumulative. A dated change holds from its start to its end (inclusive) and
    wins over the phases for its path while it holds; a step begins at every phase start
    and at every start and end of a dated change."""
    from ..scenario.overrides import dated_value, get_path, set_path

    h = scenario.horizon
    running = scenario.model_dump(mode="python")
    changes = scenario.changes
    for i, ch in enumerate(changes):
        _check_key(source, f"changes[{i}] ({ch.source or ch.path})", ch.path)
    bounds = {p.start for p in scenario.phases} | {c.start for c in changes}
    bounds |= {c.end + dt.timedelta(days=1) for c in changes if c.end is not None and c.end < h.end}
    phases = scenario.phases
    applied = -1
    out: list[ResolvedPhase] = []
    for day in sorted(bounds):
        while applied + 1 < len(phases) and phases[applied + 1].start <= day:
            applied += 1
            phase = phases[applied]
            where = f"phases[{applied}] ({phase.name}).set"
            for key, value in phase.set.items():
                _check_key(source, where, key)
                try:
                    set_path(running, key, value)
                except ScenarioError as exc:
                    raise ScenarioError(source, f"{where}.{key}", exc.problem) from None
        if applied < 0:
            continue  # a change before the first phase: it is picked up at the first step
        phase = phases[applied]
        active = [(i, c) for i, c in enumerate(changes)
                  if c.start <= day and (c.end is None or day <= c.end)]
        data, where = running, f"phases[{applied}] ({phase.name}).set"
        if active:
            data = copy.deepcopy(running)
            for i, c in active:
                where = f"changes[{i}] ({c.source or c.path})"
                try:
                    current = get_path(data, c.path)
                except (KeyError, IndexError, TypeError):
                    current = None
                try:
                    set_path(data, c.path, dated_value(c.value, current, source, where))
                except ScenarioError as exc:
                    raise ScenarioError(source, f"{where}.{c.path}", exc.problem) from None
        try:
            params = Scenario.model_validate(data)
        except ValidationError as exc:
            raise from_validation(exc, source, Scenario, prefix=where) from None
        start_day = max(float((day - h.start).days), -h.warmup_days)
        if out and out[-1].start_day >= start_day:
            out.pop()  # superseded before the run starts: its overrides live on in `running`
        texts = tuple(c.source or f"{c.path}@{c.start}={c.value}" for _, c in active)
        name = phase.name + "".join(f" + {t}" for t in texts)
        out.append(ResolvedPhase(name, start_day, params, phase.name, texts))
    return out


class PolicyProcess:
    """Applies the phases at their boundaries and notifies the parts.

    ``changed`` is an event that fires at each boundary and is then replaced, so processes
    waiting on a rate can redraw (exact for exponential clocks, which are memoryless).
    """

    def __init__(self, env: "simpy.Environment", phases: list[ResolvedPhase]) -> None:
        self.env = env
        self.phases = phases
        self.current = phases[0]
        self.listeners: list[Callable[[Scenario], None]] = []
        self.changed = env.event()

    @property
    def params(self) -> Scenario:
        return self.current.params

    def subscribe(self, fn: Callable[[Scenario], None]) -> None:
        self.listeners.append(fn)

    def start(self) -> None:
        for fn in self.listeners:
            fn(self.current.params)
        self.env.process(self._run())

    def _run(self) -> Iterable[Any]:
        for phase in self.phases[1:]:
            delay = phase.start_day - self.env.now
            if delay > 0:
                yield self.env.timeout(delay)
            self.current = phase
            for fn in self.listeners:
                fn(phase.params)
            fired, self.changed = self.changed, self.env.event()
            fired.succeed(phase.name)

    def next_slot(self, rate_of: Callable[[Scenario], float], stream: Any) -> Iterable[Any]:
        """Wait for the next event of a Poisson stream whose rate (per day) follows the phase:
        capacity slots such as removals, transfers, placements or interviews. The pending
        draw is dropped at a phase boundary and redrawn at the new rate, which is exact
        because exponential clocks are memoryless. Use as ``yield from policy.next_slot(...)``."""
        env = self.env
        while True:
            rate = rate_of(self.current.params)
            changed = self.changed
            if rate <= 0:
                yield changed
                continue
            fired = yield env.timeout(stream.exponential(1.0 / rate)) | changed
            if changed not in fired:
                return

    def schedule(self, value: Callable[[Scenario], float]) -> list[tuple[float, float]]:
        """(start_day, value) steps of a parameter over the whole timeline; for hazards that
        are integrated ahead of time (see ``hazard.PiecewiseRate``)."""
        return [(p.start_day, value(p.params)) for p in self.phases]
