"""Entry visas (MVV) for regular migration: lodged and collected at consulates abroad.

Each person who wants an MVV (a demand series) lodges the application at a consulate
(a hazard scaled by ``consulates_open``: closed consulates hold demand back), the IND
decides, and an issued visa must be collected at the consulate within the collection
deadline (the collection hazard is scaled by ``consulates_open`` too). A visa not collected
in time lapses. The deadline is read from the phase in force, so an extension also covers
visas already issued (as in 2020). A shortened deadline lapses visas still waiting past it;
a visa whose collection was already due before the deadline in force is collected then.

Regular migrants are not persons of the asylum chain: nothing here enters chain.population.
Levels: ``mvv.waiting_to_lodge`` (demand held back), ``mvv.pending`` (lodged, awaiting a
decision), ``mvv.backlog`` (issued, not yet collected).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Generator

import simpy

from ..metrics.recorder import Level, Recorder
from ..metrics.registry import Derived, Metric
from .hazard import PiecewiseRate, wait_for
from .inflow import phased_series_rate
from .parts import Build, Part

if TYPE_CHECKING:
    from ..policy.timeline import PolicyProcess
    from ..scenario.schema import Scenario
    from .streams import Streams


METRICS: tuple[Metric | Derived, ...] = (
    Metric("mvv.applications", "mvv", "count", "persons/week", "MVV applications",
           "regular entry visa applications lodged at a consulate", contract=True),
    Metric("mvv.issued", "mvv", "count", "persons/week", "MVV issued", "visas issued", contract=True),
    Metric("mvv.refused", "mvv", "count", "persons/week", "MVV refused", "visas refused", contract=True),
    Metric("mvv.collected", "mvv", "count", "persons/week", "MVV collected", "issued visas collected", contract=True),
    Metric("mvv.lapsed", "mvv", "count", "persons/week", "MVV lapsed",
           "issued visas not collected before the deadline", contract=True),
    Metric("mvv.waiting_to_lodge", "mvv", "level", "persons", "waiting to lodge an MVV application",
           "persons waiting for a consulate appointment, at week end"),
    Metric("mvv.pending", "mvv", "level", "persons", "MVV pending", "lodged applications awaiting a decision, at week end"),
    Metric("mvv.backlog", "mvv", "level", "persons", "MVV issued, not collected",
           "issued visas awaiting collection, at week end"),
)


class Mvv(Part):
    name = "mvv"
    params = "mvv"
    stock = ("mvv",)
    metrics = METRICS

    @classmethod
    def build(cls, ctx: Build) -> "Mvv":
        return cls(ctx.env, ctx.rec, ctx.policy, ctx.streams, ctx.scenario, ctx.day_of)

    def __init__(self, env: simpy.Environment, rec: Recorder, policy: "PolicyProcess",
                 streams: "Streams", scenario: "Scenario", day_of: Callable[[object], float]) -> None:
        self.env, self.rec, self.policy = env, rec, policy
        self.s_demand = streams("mvv.demand")
        self.s_lodge = streams("mvv.lodge")
        self.s_decision = streams("mvv.decision")
        self.s_collect = streams("mvv.collect")
        self.demand = phased_series_rate(policy, lambda s: s.mvv.demand, day_of)
        self.lodge = PiecewiseRate(policy.schedule(lambda s: s.mvv.consulates_open / s.mvv.lodge_days))
        self.collect = PiecewiseRate(policy.schedule(lambda s: s.mvv.consulates_open / s.mvv.collect_days))
        self.waiting = Level(0.0, env.now)
        self.pending = Level(0.0, env.now)
        self.backlog = Level(0.0, env.now)
        rec.add_source(self.levels)
        st, now = scenario.start.mvv, env.now
        for _ in range(st.waiting_to_lodge):
            env.process(self._visa())
        for _ in range(st.pending):
            env.process(self._decide())
        collect_days = scenario.mvv.collect_days
        for _ in range(st.issued):  # issued recently: age uniform over one mean collection time
            env.process(self._await_collection(now - self.s_collect.random() * collect_days))
        env.process(self._arrivals())

    def _arrivals(self) -> Generator[simpy.Event, object, None]:
        env = self.env
        while (yield from wait_for(env, self.demand, self.s_demand)):
            env.process(self._visa())

    def _visa(self) -> Generator[simpy.Event, object, None]:
        env = self.env
        self.waiting.add(env.now, 1)
        if not (yield from wait_for(env, self.lodge, self.s_lodge)):
            return
        self.waiting.add(env.now, -1)
        self.rec.count("mvv.applications", env.now, 1)
        yield from self._decide()

    def _decide(self) -> Generator[simpy.Event, object, None]:
        env = self.env
        self.pending.add(env.now, 1)
        yield env.timeout(self.s_decision.exponential(self.policy.params.mvv.decision_days))
        self.pending.add(env.now, -1)
        if self.s_decision.bernoulli(self.policy.params.mvv.grant_share):
            self.rec.count("mvv.issued", env.now, 1)
            yield from self._await_collection(env.now)
        else:
            self.rec.count("mvv.refused", env.now, 1)

    def _await_collection(self, issued_at: float) -> Generator[simpy.Event, object, None]:
        env = self.env
        self.backlog.add(env.now, 1)
        t_collect = self.collect.next_time(env.now, self.s_collect.exponential(1.0))
        while True:
            deadline = issued_at + self.policy.params.mvv.collection_deadline_days
            if t_collect <= deadline:
                yield env.timeout(t_collect - env.now)
                self.backlog.add(env.now, -1)
                self.rec.count("mvv.collected", env.now, 1)
                return
            if env.now >= deadline:
                break
            yield env.timeout(deadline - env.now) | self.policy.changed  # the deadline may change
        self.backlog.add(env.now, -1)
        self.rec.count("mvv.lapsed", env.now, 1)

    def levels(self, t: float) -> dict[str, float]:
        return {
            "mvv.waiting_to_lodge": self.waiting.value,
            "mvv.pending": self.pending.value,
            "mvv.backlog": self.backlog.value,
        }
