"""The policy timeline in a run: one SimPy process (``PolicyProcess``) switches the model
to the next phase at its start and tells the parts, which adjust capacities and rates.

The phases themselves are resolved (cumulative overrides, one validated parameter set
each) in ``scenario.phases``; ``build_timeline`` is re-exported here for callers.
"""
from __future__ import annotations

from bisect import bisect_right
from functools import partial
from typing import TYPE_CHECKING, Any, Callable, Generator

from ..scenario.phases import ResolvedPhase, build_timeline
from ..scenario.root import Scenario

if TYPE_CHECKING:
    import simpy

__all__ = ["PolicyProcess", "ResolvedPhase", "Slots", "build_timeline"]


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
        self._starts = [p.start_day for p in phases]

    @property
    def params(self) -> Scenario:
        return self.current.params

    def params_at(self, t: float) -> Scenario:
        """The parameters in force at time t (now or later: the timeline is known ahead), for
        counted flows that draw a path's later steps when it starts."""
        return self.phases[max(bisect_right(self._starts, t) - 1, 0)].params

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

    def slots(self, rate_of: Callable[[Scenario], float], stream: Any,
              on_slot: Callable[[], bool], active: bool = True) -> "Slots":
        """A Poisson stream of capacity slots as callbacks (see ``Slots``)."""
        return Slots(self, rate_of, stream, on_slot, active)

    def schedule(self, value: Callable[[Scenario], float]) -> list[tuple[float, float]]:
        """(start_day, value) steps of a parameter over the whole timeline; for hazards that
        are integrated ahead of time (see ``hazard.PiecewiseRate``)."""
        return [(p.start_day, value(p.params)) for p in self.phases]


class Slots:
    """Capacity slots (removals, transfers, placements, interviews): a Poisson stream whose
    rate (per day) follows the phase, as one scheduled callback at a time instead of a
    process waiting on ``timeout | changed``. The pending draw is dropped at a phase
    boundary and redrawn at the new rate (exact: exponential clocks are memoryless), with
    the same draws as the process it replaced.

    ``on_slot()`` is called at each slot and returns whether to go on; when it returns
    False the stream idles until ``wake()`` (work arrived). Slots start with the policy
    (``PolicyProcess.start``)."""

    __slots__ = ("policy", "rate_of", "stream", "on_slot", "token", "active", "started")

    def __init__(self, policy: PolicyProcess, rate_of: Callable[[Scenario], float], stream: Any,
                 on_slot: Callable[[], bool], active: bool = True) -> None:
        self.policy, self.rate_of, self.stream, self.on_slot = policy, rate_of, stream, on_slot
        self.token = 0
        self.active = active
        self.started = False  # the first draw is at the policy's start
        policy.subscribe(self._on_phase)

    def _on_phase(self, params: Scenario) -> None:
        self.started = True
        if self.active:
            self._arm()

    def _arm(self) -> None:
        self.token += 1  # a pending draw, if any, is dropped
        rate = self.rate_of(self.policy.params)
        if rate > 0:
            self.policy.env.timeout(self.stream.exponential(1.0 / rate)).callbacks.append(
                partial(self._fired, self.token))

    def _fired(self, token: int, _event: object) -> None:
        if token != self.token:
            return
        if self.on_slot():
            self._arm()
        else:
            self.active = False
            self.token += 1

    def wake(self) -> None:
        """Work arrived for an idle stream: the next slot is drawn from now."""
        if not self.active:
            self.active = True
            if self.started:
                self._arm()
