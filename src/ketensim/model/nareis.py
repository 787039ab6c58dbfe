"""Family reunification (nareis): permit holders apply for family members, who arrive later.

An application (one family, counted in persons) goes through:

1. filing: a granted household applies with probability ``apply_share``; the time to the
   application is a hazard ``filing_factor / apply_days`` that follows the phases, so
   applications postponed while IND desks are closed are filed later (a dip, then a
   catch-up). Permit holders housed before the horizon file a background series, thinned
   by the same factor (postponed beyond the horizon: not caught up);
2. IND assessment of the file (an infinite-server delay: the IND went on deciding);
3. for a share of applications, an interview or DNA test at an embassy or IND desk: a FIFO
   queue served by Poisson slots whose rate follows the phases (0 from week 12 of 2020);
4. decision (approve or refuse); the application is no longer open;
5. approved family members wait for their MVV (a hazard scaled by ``embassies_open``), then
   travel (a hazard scaled by ``travel_open``) and arrive. The chain's hand-off decides
   where they go: into COA with the sponsor, or straight to the sponsor's municipality.

Levels: ``nareis.open`` = persons applied for and not yet decided, so every week
open[w] = open[w-1] + applications[w] - decisions[w].
"""
from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING, Callable, Generator

import simpy

from ..metrics.recorder import Level, Recorder
from ..metrics.registry import Derived, Metric
from .entities import Household
from .hazard import PiecewiseRate, product, wait_for
from .inflow import mean_size, phased_series_rate, phased_sizes
from .parts import Build, Part

if TYPE_CHECKING:
    from ..policy.timeline import PolicyProcess
    from ..scenario.schema import Scenario
    from .streams import Streams


METRICS: tuple[Metric | Derived, ...] = (
    Metric("nareis.applications", "nareis", "count", "persons/week", "family reunification applications",
           "persons applied for (family members abroad)", contract=True),
    Metric("nareis.decisions", "nareis", "count", "persons/week", "nareis decisions",
           "persons whose application was decided", contract=True),
    Metric("nareis.approvals", "nareis", "count", "persons/week", "nareis approvals",
           "persons whose application was approved", contract=True),
    Metric("nareis.refusals", "nareis", "count", "persons/week", "nareis refusals",
           "persons whose application was refused", contract=True),
    Metric("nareis.investigations", "nareis", "count", "persons/week", "interviews / DNA tests",
           "persons whose interview or DNA test took place", contract=True),
    Metric("nareis.mvv_issued", "nareis", "count", "persons/week", "nareis MVV issued",
           "approved family members who received their MVV", contract=True),
    Metric("nareis.arrivals", "nareis", "count", "persons/week", "nareis arrivals",
           "family members arriving in the Netherlands", contract=True),
    Metric("nareis.open", "nareis", "level", "persons", "open family reunification applications",
           "persons applied for and not yet decided, at week end"),
    Metric("nareis.awaiting_investigation", "nareis", "level", "persons", "awaiting interview / DNA test",
           "persons in the interview/DNA queue, at week end"),
    Metric("nareis.approved_waiting", "nareis", "level", "persons", "approved, awaiting MVV",
           "approved family members waiting for their MVV, at week end"),
    Metric("nareis.holding_mvv", "nareis", "level", "persons", "holding an MVV, not yet travelled",
           "family members with an MVV who have not yet travelled, at week end"),
)


class Nareis(Part):
    """Owns the nareis pipeline; hands arriving family members on (``arrival(sponsor, n)``)."""

    name = "nareis"
    params = "nareis"
    stock = ("nareis",)
    metrics = METRICS
    offers = ("arrival",)

    @classmethod
    def build(cls, ctx: Build) -> "Nareis":
        return cls(ctx.env, ctx.rec, ctx.policy, ctx.streams, ctx.scenario, ctx.day_of)

    def __init__(self, env: simpy.Environment, rec: Recorder, policy: "PolicyProcess",
                 streams: "Streams", scenario: "Scenario", day_of: Callable[[object], float]) -> None:
        self.env, self.rec, self.policy = env, rec, policy
        self.s_filing = streams("nareis.filing")
        self.s_background = streams("nareis.background")
        self.s_assess = streams("nareis.assessment")
        self.s_slots = streams("nareis.investigation")
        self.s_decision = streams("nareis.decision")
        self.s_travel = streams("nareis.travel")
        self.family_size = phased_sizes(policy, lambda s: s.nareis.family_size_probabilities, streams("nareis.family"))
        self.filing = PiecewiseRate(policy.schedule(lambda s: s.nareis.filing_factor / s.nareis.apply_days))
        factor = PiecewiseRate(policy.schedule(lambda s: s.nareis.filing_factor))
        self.background = product(phased_series_rate(  # households: persons / mean family size
            policy, lambda s: s.nareis.background_applications, day_of,
            lambda s: 1.0 / mean_size(s.nareis.family_size_probabilities)), factor)
        self.mvv = PiecewiseRate(policy.schedule(lambda s: s.nareis.embassies_open / s.nareis.mvv_days))
        self.travel = PiecewiseRate(policy.schedule(lambda s: s.nareis.travel_open / s.nareis.travel_days))
        self.open = Level(0.0, env.now)
        self.awaiting_investigation = Level(0.0, env.now)
        self.approved = Level(0.0, env.now)
        self.holding_mvv = Level(0.0, env.now)
        self.queue: deque[tuple[simpy.Event, int]] = deque()
        self._wake = env.event()
        rec.add_source(self.levels)
        self._seed(scenario)
        env.process(self._background())
        env.process(self._investigations())

    # ------------------------------------------------------------------ hand-off from IND
    def granted(self, sponsor: Household) -> None:
        """A household was granted a permit: it may apply for family members abroad."""
        if self.s_filing.bernoulli(self.policy.params.nareis.apply_share):
            self.env.process(self._file(sponsor))

    def _file(self, sponsor: Household) -> Generator[simpy.Event, object, None]:
        t = self.filing.next_time(self.env.now, self.s_filing.exponential(1.0))
        if t == math.inf:
            return
        yield self.env.timeout(t - self.env.now)
        yield from self._application(self.family_size(), sponsor)

    def _background(self) -> Generator[simpy.Event, object, None]:
        env = self.env
        while (yield from wait_for(env, self.background, self.s_background)):
            env.process(self._application(self.family_size(), None))

    # ------------------------------------------------------------------ the application
    def _application(self, n: int, sponsor: Household | None, stage: str = "filed",
                     ) -> Generator[simpy.Event, object, None]:
        env = self.env
        if stage in ("filed", "assessing"):  # "assessing": filed before the start, already open
            if stage == "filed":
                self.open.add(env.now, n)
                self.rec.count("nareis.applications", env.now, n)
            yield env.timeout(self.s_assess.exponential(self.policy.params.nareis.assessment_days))
            stage = "investigation" if self.s_assess.bernoulli(
                self.policy.params.nareis.investigation_share) else "decision"
        if stage == "investigation":
            yield from self._investigate(n)
        self.open.add(env.now, -n)
        self.rec.count("nareis.decisions", env.now, n)
        if not self.s_decision.bernoulli(self.policy.params.nareis.approval_share):
            self.rec.count("nareis.refusals", env.now, n)
            return
        self.rec.count("nareis.approvals", env.now, n)
        yield from self._travel(n, sponsor, holding_mvv=False)

    def _investigate(self, n: int) -> Generator[simpy.Event, object, None]:
        done = self.env.event()
        self.awaiting_investigation.add(self.env.now, n)
        self.queue.append((done, n))
        if not self._wake.triggered:
            self._wake.succeed()
        yield done
        self.awaiting_investigation.add(self.env.now, -n)
        self.rec.count("nareis.investigations", self.env.now, n)

    def _investigations(self) -> Generator[simpy.Event, object, None]:
        """Interview/DNA slots: Poisson at the phase's rate, redrawn at phase boundaries."""
        env = self.env
        while True:
            if not self.queue:
                self._wake = env.event()
                yield self._wake
                continue
            yield from self.policy.next_slot(lambda s: s.nareis.investigations_per_week / 7.0,
                                             self.s_slots)
            done, _ = self.queue.popleft()
            done.succeed()

    def _travel(self, n: int, sponsor: Household | None, holding_mvv: bool,
                ) -> Generator[simpy.Event, object, None]:
        """MVV at the embassy, then travel; never arrives if either stays closed."""
        env = self.env
        if not holding_mvv:
            self.approved.add(env.now, n)
            if not (yield from wait_for(env, self.mvv, self.s_travel)):
                return
            self.approved.add(env.now, -n)
            self.rec.count("nareis.mvv_issued", env.now, n)
        self.holding_mvv.add(env.now, n)
        if not (yield from wait_for(env, self.travel, self.s_travel)):
            return
        self.holding_mvv.add(env.now, -n)
        self.rec.count("nareis.arrivals", env.now, n)
        self.out.arrival(sponsor, n)

    # ------------------------------------------------------------------ starting pipeline
    def _seed(self, scenario: "Scenario") -> None:
        """Open applications, approved persons and MVV holders at the start, in families.
        Their sponsors are outside the model (housed in municipalities). Not counted as
        applications: they were filed before the horizon."""
        st = scenario.start.nareis
        share = st.awaiting_investigation_share
        stock = self.env.now
        for n in self._families(st.open):
            self.open.add(stock, n)
            waiting = self.s_assess.bernoulli(share)
            self.env.process(self._application(n, None, "investigation" if waiting else "assessing"))
        for n in self._families(st.approved):
            self.env.process(self._travel(n, None, holding_mvv=False))
        for n in self._families(st.holding_mvv):
            self.env.process(self._travel(n, None, holding_mvv=True))

    def _families(self, persons: int) -> list[int]:
        out, placed = [], 0
        while placed < persons:
            n = min(self.family_size(), persons - placed)
            out.append(n)
            placed += n
        return out

    def levels(self, t: float) -> dict[str, float]:
        return {
            "nareis.open": self.open.value,
            "nareis.awaiting_investigation": self.awaiting_investigation.value,
            "nareis.approved_waiting": self.approved.value,
            "nareis.holding_mvv": self.holding_mvv.value,
        }
