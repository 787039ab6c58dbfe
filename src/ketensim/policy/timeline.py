"""The policy timeline in a run: one SimPy process (``PolicyProcess``) switches the model
to the next phase at its start and tells the parts, which adjust capacities and rates.

The phases themselves are resolved (cumulative overrides, one validated parameter set
each) in ``scenario.phases``; ``build_timeline`` is re-exported here for callers.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Generator

from ..scenario.phases import ResolvedPhase, build_timeline
from ..scenario.schema import Scenario

if TYPE_CHECKING:
    import simpy

__all__ = ["PolicyProcess", "ResolvedPhase", "build_timeline"]


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

    def _run(self) -> Generator["simpy.Event", Any, None]:
        for phase in self.phases[1:]:
            delay = phase.start_day - self.env.now
            if delay > 0:
                yield self.env.timeout(delay)
            self.current = phase
            for fn in self.listeners:
                fn(phase.params)
            fired, self.changed = self.changed, self.env.event()
            fired.succeed(phase.name)

    def next_slot(self, rate_of: Callable[[Scenario], float], stream: Any) -> Generator["simpy.Event", Any, None]:
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
