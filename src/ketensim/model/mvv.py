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

Counted flow, not processes: applicants do not interact (no capacity, no queue) and every
rate and parameter they meet follows the policy timeline, which is known before the run.
So each applicant's whole path (lodged, decided, collected or lapsed) is drawn when the
part is built, for all applicants at once, with the same laws as a process per applicant
would follow; the counts go straight to the recorder and the levels are read from the
planned changes. The part schedules no SimPy event (it cost ~40% of a 2020 run's events).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import numpy as np

from ..metrics.recorder import FutureLevel, Recorder
from ..metrics.registry import Derived, Metric
from ..scenario.root import Section
from .hazard import PiecewiseRate
from .inflow import phased_series_rate
from .mvv_params import Mvv as MvvParams
from .mvv_params import StartMvv
from .parts import Build, Part

if TYPE_CHECKING:
    import simpy

    from ..policy.timeline import PolicyProcess
    from ..scenario.root import Scenario
    from .streams import Streams


METRICS: tuple[Metric | Derived, ...] = (
    Metric("mvv.applications", "mvv", "count", "persons/week", "MVV applications",
           "regular entry visa applications lodged at a consulate", contract=True, label_nl="mvv-aanvragen"),
    Metric("mvv.issued", "mvv", "count", "persons/week", "MVV issued", "visas issued", contract=True,
           label_nl="mvv's afgegeven"),
    Metric("mvv.refused", "mvv", "count", "persons/week", "MVV refused", "visas refused", contract=True,
           label_nl="mvv's geweigerd"),
    Metric("mvv.collected", "mvv", "count", "persons/week", "MVV collected", "issued visas collected", contract=True,
           label_nl="mvv's opgehaald"),
    Metric("mvv.lapsed", "mvv", "count", "persons/week", "MVV lapsed",
           "issued visas not collected before the deadline", contract=True, label_nl="verlopen mvv's",
           key="MVV lapsed /wk"),
    Metric("mvv.waiting_to_lodge", "mvv", "level", "persons", "waiting to lodge an MVV application",
           "persons waiting for a consulate appointment, at week end", label_nl="wachtend om een mvv aan te vragen"),
    Metric("mvv.pending", "mvv", "level", "persons", "MVV pending", "lodged applications awaiting a decision, at week end",
           label_nl="mvv-aanvragen in behandeling"),
    Metric("mvv.backlog", "mvv", "level", "persons", "MVV issued, not collected",
           "issued visas awaiting collection, at week end", label_nl="mvv-voorraad (niet opgehaald)",
           key="MVV backlog (uncollected)"),
)


class Mvv(Part):
    name = "mvv"
    params = "mvv"
    section = Section("mvv", MvvParams, start=StartMvv, order=70)
    stock = ("mvv",)
    metrics = METRICS

    @classmethod
    def build(cls, ctx: Build) -> "Mvv":
        return cls(ctx.env, ctx.rec, ctx.policy, ctx.streams, ctx.scenario, ctx.day_of)

    def __init__(self, env: "simpy.Environment", rec: Recorder, policy: "PolicyProcess",
                 streams: "Streams", scenario: "Scenario", day_of: Callable[[object], float]) -> None:
        self.rec = rec
        self.rng_demand = streams("mvv.demand").rng
        self.rng_lodge = streams("mvv.lodge").rng
        self.rng_decision = streams("mvv.decision").rng
        self.rng_grant = streams("mvv.grant").rng  # its own stream: no draw shifts with the horizon
        self.rng_collect = streams("mvv.collect").rng
        self.demand = phased_series_rate(policy, lambda s: s.mvv.demand, day_of)
        self.lodge = PiecewiseRate(policy.schedule(lambda s: s.mvv.consulates_open / s.mvv.lodge_days))
        self.collect = PiecewiseRate(policy.schedule(lambda s: s.mvv.consulates_open / s.mvv.collect_days))
        # the phase in force at a time, and the parameters it sets
        self.phase_starts = np.array([p.start_day for p in policy.phases])
        self.decision_days = np.array([p.params.mvv.decision_days for p in policy.phases])
        self.grant_share = np.array([p.params.mvv.grant_share for p in policy.phases])
        self.deadline_days = np.array([p.params.mvv.collection_deadline_days for p in policy.phases])
        self._plan(env.now, float(scenario.horizon.days), scenario)
        rec.add_source(self.levels)

    def _phase(self, t: np.ndarray) -> np.ndarray:
        return np.clip(np.searchsorted(self.phase_starts, t, side="right") - 1, 0, None)

    def _plan(self, t0: float, end: float, scenario: "Scenario") -> None:
        st = scenario.start.mvv
        arrived = self.demand.arrivals(t0, end, self.rng_demand)
        # waiting to lodge: the starting stock and every arrival
        wait_from = np.concatenate([np.full(st.waiting_to_lodge, t0), arrived])
        lodged = self.lodge.next_times(wait_from, self.rng_lodge.standard_exponential(len(wait_from)))
        self.rec.count_many("mvv.applications", lodged)
        # pending a decision: the starting stock and every lodged application
        pend_from = np.concatenate([np.full(st.pending, t0), lodged[np.isfinite(lodged)]])
        mean = self.decision_days[self._phase(pend_from)]
        decided = pend_from + mean * self.rng_decision.standard_exponential(len(pend_from))
        granted = self.rng_grant.random(len(pend_from)) < self.grant_share[self._phase(decided)]
        self.rec.count_many("mvv.issued", decided[granted])
        self.rec.count_many("mvv.refused", decided[~granted])
        # issued, awaiting collection: recently issued stock (age uniform over one mean
        # collection time) and every granted application
        stock_issued = t0 - self.rng_collect.random(st.issued) * scenario.mvv.collect_days
        issued_at = np.concatenate([stock_issued, decided[granted]])
        wait_start = np.concatenate([np.full(st.issued, t0), decided[granted]])
        t_collect = self.collect.next_times(wait_start, self.rng_collect.standard_exponential(len(wait_start)))
        ended, collected = self._collection(issued_at, wait_start, t_collect)
        self.rec.count_many("mvv.collected", ended[collected])
        self.rec.count_many("mvv.lapsed", ended[~collected])
        self.waiting = self._level(scenario, wait_from, lodged)
        self.pending = self._level(scenario, pend_from, decided)
        self.backlog = self._level(scenario, wait_start, ended)

    @staticmethod
    def _level(scenario: "Scenario", ins: np.ndarray, outs: np.ndarray) -> FutureLevel:
        level = FutureLevel(scenario.horizon.weeks)
        level.add_many(ins, 1.0)
        level.add_many(outs, -1.0)
        return level

    def _collection(self, issued_at: np.ndarray, since: np.ndarray,
                    t_collect: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """When each visa is collected or lapses, and whether it was collected. At each
        moment the deadline is issue + the phase's deadline; a collection due by then is
        collected; past it the visa lapses; else it waits for the deadline or the next phase
        boundary, where the deadline may change (the loop runs once per boundary at most)."""
        boundaries = self.phase_starts[1:]
        s = since.copy()
        ended = np.full(len(s), np.inf)
        collected = np.zeros(len(s), dtype=bool)
        active = np.ones(len(s), dtype=bool)
        while active.any():
            deadline = issued_at + self.deadline_days[self._phase(s)]
            got = active & (t_collect <= deadline)
            lapse = active & ~got & (s >= deadline)
            ended[got], collected[got] = t_collect[got], True
            ended[lapse] = s[lapse]
            active &= ~(got | lapse)
            k = np.searchsorted(boundaries, s, side="right")
            next_boundary = np.where(k < len(boundaries), boundaries[np.minimum(k, len(boundaries) - 1)]
                                     if len(boundaries) else np.inf, np.inf)
            s = np.where(active, np.minimum(deadline, next_boundary), s)
        return ended, collected

    def levels(self, t: float) -> dict[str, float]:
        return {
            "mvv.waiting_to_lodge": self.waiting.value_at(t),
            "mvv.pending": self.pending.value_at(t),
            "mvv.backlog": self.backlog.value_at(t),
        }
