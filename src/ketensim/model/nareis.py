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
4. decision (approve or refuse); the application is no longer open. With a decision capacity
   (``decisions_per_week``; none by default) the files assessed or investigated wait in a
   FIFO queue served by Poisson slots whose rate follows the phases;
5. approved family members wait for their MVV (a hazard scaled by ``embassies_open``), then
   travel (a hazard scaled by ``travel_open``) and arrive. The chain's hand-off decides
   where they go: into COA with the sponsor, or straight to the sponsor's municipality.

Levels: ``nareis.open`` = persons applied for and not yet decided, so every week
open[w] = open[w-1] + applications[w] - decisions[w].

Counted flows where families do not interact: filing, assessment, the decision (without a
decision capacity) and the journey (MVV, travel) have no capacity and follow the known policy
timeline, so a family's path through them is drawn when it starts (at the grant; for the
background and the starting pipeline when the part is built) and counted ahead. Only the
shared capacities need an event (joining the interview/DNA queue, the decision queue), and
the arrival, where the sponsor's whereabouts decide where the family goes.
"""
from __future__ import annotations

import math
from collections import deque
from functools import partial
from typing import TYPE_CHECKING, Callable, Generator

import simpy

from ..metrics.recorder import FutureLevel, Level, Recorder
from ..metrics.registry import Derived, Metric
from ..scenario.root import Section
from .entities import Household
from .hazard import PiecewiseRate, product, wait_for
from .inflow import mean_size, phased_series_rate, size_sampler
from .nareis_params import Nareis as NareisParams
from .nareis_params import StartNareis
from .parts import Build, Node, Part

if TYPE_CHECKING:
    from ..policy.timeline import PolicyProcess
    from ..scenario.root import Scenario
    from .seeding import Seeding
    from .streams import Streams


METRICS: tuple[Metric | Derived, ...] = (
    Metric("nareis.applications", "nareis", "count", "persons/week", "family reunification applications",
           "persons applied for (family members abroad)", contract=True, label_nl="nareisaanvragen",
           key="nareis applications /wk"),
    Metric("nareis.decisions", "nareis", "count", "persons/week", "nareis decisions",
           "persons whose application was decided", contract=True, label_nl="nareisbeslissingen"),
    Metric("nareis.approvals", "nareis", "count", "persons/week", "nareis approvals",
           "persons whose application was approved", contract=True, label_nl="nareisaanvragen ingewilligd"),
    Metric("nareis.refusals", "nareis", "count", "persons/week", "nareis refusals",
           "persons whose application was refused", contract=True, label_nl="nareisaanvragen afgewezen"),
    Metric("nareis.investigations", "nareis", "count", "persons/week", "interviews / DNA tests",
           "persons whose interview or DNA test took place", contract=True, label_nl="gehoren / DNA-onderzoeken"),
    Metric("nareis.mvv_issued", "nareis", "count", "persons/week", "nareis MVV issued",
           "approved family members who received their MVV", contract=True, label_nl="nareis-mvv's afgegeven"),
    Metric("nareis.arrivals", "nareis", "count", "persons/week", "nareis arrivals",
           "family members arriving in the Netherlands", contract=True, label_nl="nareizigers aangekomen",
           key="nareis arrivals /wk"),
    Metric("nareis.open", "nareis", "level", "persons", "open family reunification applications",
           "persons applied for and not yet decided, at week end", label_nl="openstaande nareisaanvragen",
           key="nareis open"),
    Metric("nareis.awaiting_investigation", "nareis", "level", "persons", "awaiting interview / DNA test",
           "persons in the interview/DNA queue, at week end", label_nl="wachtend op gehoor / DNA-onderzoek"),
    Metric("nareis.awaiting_decision", "nareis", "level", "persons", "awaiting a nareis decision",
           "persons whose file is ready and waits for the IND's decision capacity, at week end "
           "(0 without a decision capacity)", label_nl="wachtend op nareisbeslissing"),
    Metric("nareis.approved_waiting", "nareis", "level", "persons", "approved, awaiting MVV",
           "approved family members waiting for their MVV, at week end", label_nl="ingewilligd, wachtend op mvv"),
    Metric("nareis.holding_mvv", "nareis", "level", "persons", "holding an MVV, not yet travelled",
           "family members with an MVV who have not yet travelled, at week end", label_nl="met mvv, nog niet gereisd"),
)


class Nareis(Part):
    """Owns the nareis pipeline; hands arriving family members on (``arrival(sponsor, n)``)."""

    name = "nareis"
    params = "nareis"
    section = Section("nareis", NareisParams, start=StartNareis, order=50)
    nodes = (Node("nareis", 0, "nareis.open"),)
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
        self.s_family = streams("nareis.family")
        self._sizes: dict[int, Callable[[], int]] = {}  # id(phase parameters) -> size draw
        self.filing = PiecewiseRate(policy.schedule(lambda s: s.nareis.filing_factor / s.nareis.apply_days))
        factor = PiecewiseRate(policy.schedule(lambda s: s.nareis.filing_factor))
        self.background = product(phased_series_rate(  # households: persons / mean family size
            policy, lambda s: s.nareis.background_applications, day_of,
            lambda s: 1.0 / mean_size(s.nareis.family_size_probabilities)), factor)
        self.mvv = PiecewiseRate(policy.schedule(lambda s: s.nareis.embassies_open / s.nareis.mvv_days))
        self.travel = PiecewiseRate(policy.schedule(lambda s: s.nareis.travel_open / s.nareis.travel_days))
        self.end = float(scenario.horizon.days)
        weeks = scenario.horizon.weeks
        self.open = FutureLevel(weeks)
        self.awaiting_investigation = Level(0.0, env.now)
        self.approved = FutureLevel(weeks)
        self.holding_mvv = FutureLevel(weeks)
        self.queue: deque[tuple[int, Household | None]] = deque()
        self.filings: list[tuple[float, int, Household]] = []  # (filed at, persons, sponsor), for a state
        # interview/DNA slots: Poisson at the phase's rate while applications wait
        self.slots = policy.slots(lambda s: s.nareis.investigations_per_week / 7.0, self.s_slots,
                                  self._investigation_slot, active=False)
        # decision slots: only with a decision capacity (decisions_per_week not None)
        self.s_decision_slots = streams("nareis.decision_slots")
        self.awaiting_decision = Level(0.0, env.now)
        self.decision_queue: deque[tuple[int, Household | None]] = deque()
        self.decision_slots = policy.slots(lambda s: (s.nareis.decisions_per_week or 0.0) / 7.0,
                                           self.s_decision_slots, self._decision_slot, active=False)
        policy.subscribe(self._phase)
        rec.add_source(self.levels)
        self._seed(scenario)
        env.process(self._background_applications())

    def _background_applications(self) -> Generator[simpy.Event, object, None]:
        """Applications of sponsors outside the model, filed at the background series' rate.
        Filed as time goes by (one event each), not planned at build time: their assessment and
        decision draws then interleave in time order with the sponsors' own applications, so
        the draws of the first weeks never depend on the horizon's length (no look-ahead)."""
        env = self.env
        while (yield from wait_for(env, self.background, self.s_background)):
            if env.now >= self.end:
                return
            self._application(self.family_size(env.now), None, env.now)

    # ------------------------------------------------------------------ hand-off from IND
    def granted(self, sponsor: Household) -> None:
        """A household was granted a permit: it may apply for family members abroad."""
        if self.s_filing.bernoulli(self.policy.params.nareis.apply_share):
            t = self.filing.next_time(self.env.now, self.s_filing.exponential(1.0))
            # drawn through even when filed after the horizon (or never): the draws of later
            # applications must not depend on how far the horizon reaches (no look-ahead)
            n = self.family_size(t)
            self._application(n, sponsor, t)
            self.filings.append((t, n, sponsor))

    def family_size(self, t: float) -> int:
        """Family members applied for, from the distribution of the phase in force at t."""
        params = self.policy.params_at(t)
        draw = self._sizes.get(id(params))
        if draw is None:
            draw = self._sizes[id(params)] = size_sampler(params.nareis.family_size_probabilities,
                                                          self.s_family)[0]
        return draw()

    # ------------------------------------------------------------------ the application
    def _application(self, n: int, sponsor: Household | None, filed_at: float, filed: bool = True) -> None:
        """Filed at ``filed_at`` (now or later; ``filed=False``: before the start, already
        open): the assessment, then the decision or the investigation queue."""
        if filed:
            self.open.add(filed_at, n)
            self.rec.count_ahead("nareis.applications", filed_at, n)
        p = self.policy.params_at(filed_at).nareis
        assessed = filed_at + self.s_assess.exponential(p.assessment_days)
        if self.s_assess.bernoulli(self.policy.params_at(assessed).nareis.investigation_share):
            if assessed < self.end:
                self.env.timeout(assessed - self.env.now).callbacks.append(
                    partial(self._join_queue, n, sponsor))
        else:
            self._ready(n, sponsor, assessed)

    def _ready(self, n: int, sponsor: Household | None, t: float) -> None:
        """The file is ready for a decision at t: decided then (no decision capacity in force
        at t), or queued for the decision capacity."""
        if self.policy.params_at(t).nareis.decisions_per_week is None:
            self._decide(n, sponsor, t)
        elif t < self.end:
            self.env.timeout(t - self.env.now).callbacks.append(partial(self._join_decisions, n, sponsor))

    def _join_decisions(self, n: int, sponsor: Household | None, _event: object = None) -> None:
        self.awaiting_decision.add(self.env.now, n)
        self.decision_queue.append((n, sponsor))
        self.decision_slots.wake()

    def _decision_slot(self) -> bool:
        """A decision slot: the file waiting longest; idle when none waits."""
        if not self.decision_queue:
            return False
        n, sponsor = self.decision_queue.popleft()
        self.awaiting_decision.add(self.env.now, -n)
        self._decide(n, sponsor, self.env.now)
        return bool(self.decision_queue)

    def _phase(self, params: "Scenario") -> None:
        """Decision capacity lifted (None): the waiting files are decided now."""
        if params.nareis.decisions_per_week is None:
            while self.decision_queue:
                self._decision_slot()

    def _join_queue(self, n: int, sponsor: Household | None, _event: object = None) -> None:
        self.awaiting_investigation.add(self.env.now, n)
        self.queue.append((n, sponsor))
        self.slots.wake()

    def _investigation_slot(self) -> bool:
        """An interview/DNA slot: the longest-waiting application; idle when none waits."""
        n, sponsor = self.queue.popleft()
        now = self.env.now
        self.awaiting_investigation.add(now, -n)
        self.rec.count("nareis.investigations", now, n)
        self._ready(n, sponsor, now)
        return bool(self.queue)

    def _decide(self, n: int, sponsor: Household | None, t: float) -> None:
        self.open.add(t, -n)
        self.rec.count_ahead("nareis.decisions", t, n)
        if not self.s_decision.bernoulli(self.policy.params_at(t).nareis.approval_share):
            self.rec.count_ahead("nareis.refusals", t, n)
            return
        self.rec.count_ahead("nareis.approvals", t, n)
        self._travel(n, sponsor, t, holding_mvv=False)

    def _travel(self, n: int, sponsor: Household | None, t: float, holding_mvv: bool) -> None:
        """MVV at the embassy, then travel (from time t); never arrives if either stays closed."""
        if not holding_mvv:
            self.approved.add(t, n)
            t_mvv = self.mvv.next_time(t, self.s_travel.exponential(1.0))
            if t_mvv == math.inf:
                return
            self.approved.add(t_mvv, -n)
            self.rec.count_ahead("nareis.mvv_issued", t_mvv, n)
            t = t_mvv
        self.holding_mvv.add(t, n)
        t_arrival = self.travel.next_time(t, self.s_travel.exponential(1.0))
        if t_arrival >= self.end:
            return  # after the horizon (or never)
        self.holding_mvv.add(t_arrival, -n)
        self.rec.count_ahead("nareis.arrivals", t_arrival, n)
        self.env.timeout(t_arrival - self.env.now).callbacks.append(partial(self._arrived, sponsor, n))

    def _arrived(self, sponsor: Household | None, n: int, _event: object) -> None:
        self.out.arrival(sponsor, n)

    # ------------------------------------------------------------------ starting pipeline
    def _seed(self, scenario: "Scenario") -> None:
        """Open applications, approved persons and MVV holders at the start, in families.
        Their sponsors are outside the model (housed in municipalities). Not counted as
        applications: they were filed before the horizon."""
        st = scenario.start.nareis
        share = st.awaiting_investigation_share
        t0 = self.env.now
        for n in self._families(st.open):
            self.open.add(t0, n)
            if self.s_assess.bernoulli(share):
                self._join_queue(n, None)
            else:
                self._application(n, None, t0, filed=False)
        for n in self._families(st.approved):
            self._travel(n, None, t0, holding_mvv=False)
        for n in self._families(st.holding_mvv):
            self._travel(n, None, t0, holding_mvv=True)

    def _families(self, persons: int) -> list[int]:
        out, placed = [], 0
        while placed < persons:
            n = min(self.family_size(self.env.now), persons - placed)
            out.append(n)
            placed += n
        return out

    def filing_pending(self, t: float) -> tuple[int, float]:
        """Persons the sponsors granted so far will apply for after ``t`` (their filing drawn),
        and the share of them whose sponsor is in COA now."""
        pending = [(n, sp.in_reception) for when, n, sp in self.filings if when > t]
        total = sum(n for n, _ in pending)
        return total, (sum(n for n, in_coa in pending if in_coa) / total if total else 0.0)

    def seed_stock(self, seeding: "Seeding") -> None:
        """Applications that permit holders granted before the start will still file: filed
        from the start at the filing hazard (memoryless, so exact for a state taken from a
        run); the share whose sponsor is in COA get a sponsor among COA's permit holders
        (their family joins them there, or in the municipality once they are housed)."""
        st = seeding.scenario.start.nareis
        if st.filing_pending <= 0:
            return
        stream = seeding.stream(self.name)
        sponsors = seeding.journeys.permit_holders_in_coa()
        for n in self._families(st.filing_pending):
            t = self.filing.next_time(seeding.t0, stream.exponential(1.0))
            sponsor = None
            if sponsors and stream.random() < st.filing_pending_in_coa_share:
                sponsor = sponsors[min(int(stream.random() * len(sponsors)), len(sponsors) - 1)]
            self._application(n, sponsor, t)

    def levels(self, t: float) -> dict[str, float]:
        return {
            "nareis.open": self.open.value_at(t),
            "nareis.awaiting_investigation": self.awaiting_investigation.value,
            "nareis.awaiting_decision": self.awaiting_decision.value,
            "nareis.approved_waiting": self.approved.value_at(t),
            "nareis.holding_mvv": self.holding_mvv.value_at(t),
        }
