"""Resettlement (hervestiging): selection under an annual quota, waiting, flights, arrival.

Selection is a Poisson process of households at the quotas' yearly rate. Most of the
quota is selected on missions (UNHCR submissions interviewed by IND and COA in the host
country); missions follow the phases (suspended from March 2020). The rest are individual
dossier cases, selected also without missions. A selected household gets ready to travel
after a preparation time, then waits for a flight seat: seats per week follow the phases
(0 while travel is suspended) and are handed out first come, first served as a fluid
quota (as group flights in practice). ``resettlement.waiting`` is every selected person
who has not travelled yet (the letter's ~570 in autumn 2020, T12). Arrivals go to the
chain's hand-off, which places them in COA.
"""
from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Generator

import simpy

from ..metrics.recorder import Level, Recorder
from ..metrics.registry import Derived, Metric
from ..scenario.root import Section
from .hazard import PiecewiseRate, wait_for
from .inflow import phased_sizes
from .parts import Build, Node, Part
from .resettlement_params import Resettlement as ResettlementParams
from .resettlement_params import StartResettlement

if TYPE_CHECKING:
    from ..policy.timeline import PolicyProcess
    from ..scenario.root import Scenario
    from .streams import Streams


def _mean(probabilities: dict[int, float]) -> float:
    return sum(s * p for s, p in probabilities.items())


METRICS: tuple[Metric | Derived, ...] = (
    Metric("resettlement.selected", "resettlement", "count", "persons/week", "resettlement selections",
           "refugees selected for resettlement", contract=True, label_nl="hervestiging: geselecteerd"),
    Metric("resettlement.arrivals", "resettlement", "count", "persons/week", "resettlement arrivals",
           "resettled refugees arriving", contract=True, label_nl="hervestigden aangekomen",
           key="resettlement arrivals /wk"),
    Metric("resettlement.waiting", "resettlement", "level", "persons", "resettlement: accepted, waiting",
           "selected refugees not yet arrived, at week end", label_nl="hervestiging: geaccepteerd, wachtend",
           key="resettlement waiting"),
    Metric("resettlement.ready", "resettlement", "level", "persons", "resettlement: ready to fly",
           "prepared refugees waiting for a flight seat, at week end", label_nl="hervestiging: klaar voor vertrek"),
)


class Resettlement(Part):
    name = "resettlement"
    params = "resettlement"
    section = Section("resettlement", ResettlementParams, start=StartResettlement, order=60)
    nodes = (Node("resettlement", 0, "resettlement.waiting"),)
    stock = ("resettlement.waiting",)
    metrics = METRICS
    offers = ("arrival",)  # (n): resettled refugees arrive with a permit

    @classmethod
    def build(cls, ctx: Build) -> "Resettlement":
        return cls(ctx.env, ctx.rec, ctx.policy, ctx.streams, ctx.scenario)

    def __init__(self, env: simpy.Environment, rec: Recorder, policy: "PolicyProcess",
                 streams: "Streams", scenario: "Scenario") -> None:
        self.env, self.rec, self.policy = env, rec, policy
        self.s_select = streams("resettlement.selection")
        self.s_prep = streams("resettlement.preparation")
        self.size = phased_sizes(policy, lambda s: s.resettlement.household_size_probabilities,
                                 streams("resettlement.households"))

        def households_per_day(s: "Scenario") -> float:
            r = s.resettlement
            persons = sum(r.quotas.values()) * (r.missions_open * r.mission_share + 1 - r.mission_share)
            return persons / 365.25 / _mean(r.household_size_probabilities)

        self.selection = PiecewiseRate(policy.schedule(households_per_day))
        self.waiting = Level(0.0, env.now)
        self.ready: deque[tuple[simpy.Event, int]] = deque()
        self._wake = env.event()
        rec.add_source(self.levels)
        placed, stock = 0, scenario.start.resettlement.waiting
        while placed < stock:  # selected before the start; preparation is memoryless
            n = min(self.size(), stock - placed)
            placed += n
            self._select(n)
            env.process(self._refugees(n))
        env.process(self._selections())
        env.process(self._flights())

    def _selections(self) -> Generator[simpy.Event, object, None]:
        env = self.env
        while (yield from wait_for(env, self.selection, self.s_select)):
            n = self.size()
            self._select(n)
            env.process(self._refugees(n))

    def _select(self, n: int) -> None:
        self.waiting.add(self.env.now, n)
        self.rec.count("resettlement.selected", self.env.now, n)

    def _refugees(self, n: int) -> Generator[simpy.Event, object, None]:
        env = self.env
        yield env.timeout(self.s_prep.exponential(self.policy.params.resettlement.preparation_days))
        seat = env.event()
        self.ready.append((seat, n))
        if not self._wake.triggered:
            self._wake.succeed()
        yield seat
        self.waiting.add(env.now, -n)
        self.rec.count("resettlement.arrivals", env.now, n)
        self.out.arrival(n)

    def _flights(self) -> Generator[simpy.Event, object, None]:
        """Seats as a fluid quota: a household flies once the seats since the last one cover it."""
        env, credit = self.env, 0.0
        while True:
            if not self.ready:
                credit = 0.0  # seats not used are not banked
                self._wake = env.event()
                yield self._wake
                continue
            rate = self.policy.params.resettlement.seats_per_week / 7.0
            changed = self.policy.changed
            seat, n = self.ready[0]
            if rate <= 0:
                credit = 0.0
                yield changed
                continue
            t0 = env.now
            yield env.timeout(max(n - credit, 0.0) / rate) | changed
            credit += (env.now - t0) * rate
            if credit >= n - 1e-9:
                self.ready.popleft()
                credit -= n
                seat.succeed()

    def levels(self, t: float) -> dict[str, float]:
        return {
            "resettlement.waiting": self.waiting.value,
            "resettlement.ready": sum(n for _, n in self.ready),
        }
