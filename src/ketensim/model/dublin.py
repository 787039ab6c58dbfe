"""Dublin, outgoing: claims on other member states, transfers, deadlines, absconding.

A share of first-application households has a claim on another member state. After the
claim and the answer, an accepted claimant waits in COA (status ``dublin``) for a transfer,
with three competing ends:

* transfer: capacity-limited slots (flights, escorts, the partner state's reception), a
  Poisson stream whose rate follows the phase (0 = suspended, as from week 12 of 2020).
  A slot takes a detained claimant first, then the longest-waiting ready claimant who is
  not in isolation/quarantine. Some partner states add conditions: a share of attempts is
  refused or postponed (the slot is lost, the case waits a while and is tried again).
  Claimants who do not cooperate are transferred under escort (forced); so is everyone
  transferred from detention.
* the deadline: 6 months after acceptance (Dublin III art. 29). When it lapses the
  Netherlands becomes responsible and the case goes into the national IND procedure.
* absconding (MOB): the claimant leaves the chain (a departure without supervision, as
  DT&V counts it) and the deadline becomes 18 months. If the person reappears before it,
  they re-enter the chain as a (non-cooperating) claimant awaiting transfer.

Transfers count as DT&V demonstrable departures (independent or forced), as in DT&V's
statistics: the totals are derived metrics declared by DT&V (``dtv.departures_*``).
Incoming Dublin transfers are an exogenous inflow (``inflow.IncomingTransfers``).
"""
from __future__ import annotations

import math
from collections import deque
from functools import partial
from typing import TYPE_CHECKING, Any, Generator

import simpy

from ..metrics.recorder import Level, Recorder
from ..metrics.registry import Derived, Metric
from ..scenario.root import Section
from .dublin_params import Dublin as DublinParams
from .dublin_params import StartDublin
from .entities import DUBLIN, IN_PROCEDURE, Household
from .hazard import PiecewiseRate
from .ind import Ind
from .parts import Build, Node, Part
from .reception import Reception

if TYPE_CHECKING:
    from ..policy.timeline import PolicyProcess
    from .seeding import Seeding
    from .streams import Streams


METRICS: tuple[Metric | Derived, ...] = (
    Metric("dublin.claims", "dublin", "count", "persons/week", "Dublin claims",
           "persons claimed on another member state", contract=True, label_nl="Dublinclaims"),
    Metric("dublin.claims_refused", "dublin", "count", "persons/week", "Dublin claims refused",
           "persons whose claim the partner state refused (national procedure follows)",
           label_nl="Dublinclaims geweigerd"),
    Metric("dublin.accepted", "dublin", "count", "persons/week", "Dublin claims accepted",
           "persons whose claim the partner state accepted", label_nl="Dublinclaims aanvaard"),
    Metric("dublin.transfers", "dublin", "count", "persons/week", "Dublin transfers",
           "persons transferred to the responsible member state", contract=True, label_nl="Dublinoverdrachten",
           key="Dublin transfers /wk"),
    Metric("dublin.transfers_forced", "dublin", "count", "persons/week", "escorted Dublin transfers",
           "transfers under escort (non-cooperating or from detention)", contract=True,
           label_nl="Dublinoverdrachten, gedwongen", key="Dublin transfers forced /wk"),
    Metric("dublin.transfers_postponed", "dublin", "count", "persons/week", "Dublin transfers postponed",
           "transfer slots lost to partner-state refusal or postponement (persons)",
           label_nl="Dublinoverdrachten uitgesteld"),
    Metric("dublin.lapsed", "dublin", "count", "persons/week", "Dublin deadlines lapsed",
           "persons whose transfer deadline lapsed (the Netherlands becomes responsible)", contract=True,
           label_nl="verlopen Dublinclaims", key="Dublin lapsed /wk"),
    Metric("dublin.absconded", "dublin", "count", "persons/week", "Dublin claimants absconded",
           "accepted claimants who left without supervision (MOB)", contract=True,
           label_nl="Dublinclaimanten met onbekende bestemming"),
    Metric("dublin.reappeared", "dublin", "count", "persons/week", "Dublin absconders reappeared",
           "absconded claimants who reappeared before the extended deadline", contract=True,
           label_nl="Dublinclaimanten weer opgedoken"),
    Metric("dublin.awaiting_transfer", "dublin", "level", "persons", "awaiting Dublin transfer",
           "accepted claimants in the chain awaiting transfer, at week end", label_nl="wachtend op Dublinoverdracht"),
    Metric("dublin.in_reception", "dublin", "level", "persons", "Dublin claimants in COA",
           "accepted claimants in COA, at week end", label_nl="Dublinclaimanten in COA"),
)


class Case:
    """An accepted claim awaiting transfer. A new Case is opened when an absconder reappears,
    so stale queue entries of the old one stay closed."""

    __slots__ = ("hh", "accepted_at", "deadline", "cooperative", "ready", "hold_until", "closed", "done",
                 "t_mob", "token", "seq")

    def __init__(self, hh: Household, accepted_at: float, deadline: float, cooperative: bool,
                 done: simpy.Event) -> None:
        self.hh = hh
        self.accepted_at = accepted_at
        self.deadline = deadline
        self.cooperative = cooperative
        self.ready = False  # transfer arranged (papers, flight) and waiting for a slot
        self.hold_until = -math.inf  # postponed by the partner state until then
        self.closed = False
        self.done = done  # succeeded with "transferred", "absconded" or "lapsed"
        self.t_mob = math.inf  # when the claimant absconds unless something else happens first
        self.token = 0  # the current clock event (see Dublin._arm)
        self.seq = -1  # place in the transfer queue (order of readiness)


class Dublin(Part):
    name = "dublin"
    params = "dublin"
    section = Section("dublin", DublinParams, start=StartDublin, order=80)
    nodes = (Node("dublin", 1),)
    stock = ("dublin.awaiting_transfer",)
    metrics = METRICS
    # to the chain; to detention: discharge(hh, reason) and detained_claimants() (their households)
    offers = ("exit", "reenter", "discharge", "detained_claimants")
    takes = ("abscond", "detention_candidate")  # from detention

    @classmethod
    def build(cls, ctx: Build) -> "Dublin":
        return cls(ctx.env, ctx.rec, ctx.policy, ctx.streams, ctx.need(Reception, cls.name),
                   ctx.need(Ind, cls.name))

    def seed_stock(self, seeding: "Seeding") -> None:
        """Claimants in COA: accepted and awaiting the transfer (time since acceptance uniform
        over the deadline), and claims not yet answered (claimed afresh from the start)."""
        sc, st, t0 = seeding.scenario, seeding.stream(self.name), seeding.t0
        for hh in seeding.households(sc.start.dublin.awaiting_transfer, "first", DUBLIN, st):
            seeding.journeys.admit_stock(hh)
            seeding.journeys.dublin_stock(hh, t0 - st.random() * sc.dublin.deadline_days)
        for hh in seeding.households(sc.start.dublin.claims_pending, "first", IN_PROCEDURE, st):
            seeding.journeys.admit_stock(hh)
            hh.applied_at = t0 - st.exponential(sc.dublin.claim_days)
            seeding.journeys.claim_stock(hh)

    def __init__(self, env: simpy.Environment, rec: Recorder, policy: "PolicyProcess",
                 streams: "Streams", reception: "Reception", ind: "Ind") -> None:
        self.env, self.rec, self.policy = env, rec, policy
        self.reception, self.ind = reception, ind
        self.claim = streams("dublin.claim")
        self.answer = streams("dublin.acceptance")
        self.delays = streams("dublin.delays")
        self.cooperation = streams("dublin.cooperation")
        self.mob_clock = streams("dublin.mob")
        self.reappear_clock = streams("dublin.reappear")
        self.slots = streams("dublin.transfer")
        self.partner = streams("dublin.partner")
        self.mob = PiecewiseRate(policy.schedule(lambda s: s.dublin.mob_weekly_hazard / 7.0))
        self.reappear = PiecewiseRate(policy.schedule(lambda s: s.dublin.reappear_weekly_hazard / 7.0))
        self.queue: deque[Case] = deque()  # ready cases in order of readiness (lazy removal)
        self._forced: deque[Case] = deque()  # the ready ones who do not cooperate, same order
        self.cases: dict[int, Case] = {}  # open cases (claimant in the chain)
        self._queued = 0  # cases that joined the transfer queue, ever
        self.persons = Level(0.0, env.now)
        rec.add_source(self.levels)
        policy.slots(lambda s: s.dublin.transfers_per_week / 7.0, self.slots, self._transfer_slot)

    # ------------------------------------------------------------------ journey
    def has_claim(self, hh: Household) -> bool:
        """Drawn once per first-application household at arrival."""
        return hh.kind == "first" and self.claim.bernoulli(self.policy.params.dublin.claim_share)

    def track(self, hh: Household) -> Generator[simpy.Event, Any, str]:
        """Claim, answer, wait for transfer. Returns 'national' (claim refused or deadline
        lapsed: the IND procedure follows), 'transferred' or 'gone' (absconded for good)."""
        env = self.env
        yield env.timeout(self.delays.exponential(self.policy.params.dublin.claim_days))
        self.rec.count("dublin.claims", env.now, hh.size)
        accepted = self.answer.bernoulli(self.policy.params.dublin.accept_share)
        yield env.timeout(self.delays.exponential(self.policy.params.dublin.acceptance_days))
        if not accepted:
            self.rec.count("dublin.claims_refused", env.now, hh.size)
            return "national"
        self.rec.count("dublin.accepted", env.now, hh.size)
        self.ind.dublin_decision(hh)
        case = self._open(hh, env.now, env.now + self.delays.exponential(
            self.policy.params.dublin.transfer_prep_days))
        return (yield from self._await_transfer(case))

    def resume(self, hh: Household, accepted_at: float) -> Generator[simpy.Event, Any, str]:
        """A starting-stock claimant accepted at ``accepted_at`` (before the start)."""
        now = self.env.now
        ready_at = max(now, accepted_at + self.delays.exponential(
            self.policy.params.dublin.transfer_prep_days))
        case = self._open(hh, accepted_at, ready_at)
        return (yield from self._await_transfer(case))

    def _open(self, hh: Household, accepted_at: float, ready_at: float,
              cooperative: bool | None = None) -> Case:
        p = self.policy.params.dublin
        if cooperative is None:
            cooperative = not self.cooperation.bernoulli(p.forced_share)
        case = Case(hh, accepted_at, accepted_at + p.deadline_days, cooperative, self.env.event())
        case.hold_until = ready_at
        self.reception.set_status(hh, DUBLIN)
        self.cases[hh.hid] = case
        self.persons.add(self.env.now, hh.size)
        return case

    def _close(self, case: Case) -> None:
        case.closed = True
        del self.cases[case.hh.hid]
        self.persons.add(self.env.now, -case.hh.size)

    def _await_transfer(self, case: Case) -> Generator[simpy.Event, object, str]:
        """Wait for the end of the case: transferred (a slot), lapsed (the deadline) or
        absconded (MOB); the clocks run as scheduled callbacks, the journey waits on ``done``."""
        case.t_mob = self.mob.next_time(self.env.now, self.mob_clock.exponential(1.0))
        self._arm(case)
        outcome = str((yield case.done))
        if outcome == "transferred":
            return outcome
        if outcome == "lapsed":
            self._lapse(case)
            return "national"
        return (yield from self._absconded(case))

    def _arm(self, case: Case) -> None:
        """One scheduled event for the case's earliest clock (ready, MOB, deadline)."""
        case.token += 1
        t_next = min(case.hold_until if not case.ready else math.inf, case.t_mob, case.deadline)
        self.env.timeout(max(t_next - self.env.now, 0.0)).callbacks.append(
            partial(self._clock_fired, case, case.token))

    def _clock_fired(self, case: Case, token: int, _event: object) -> None:
        if token != case.token or case.done.triggered:
            return
        hh, now = case.hh, self.env.now
        if not case.ready and case.hold_until <= now:
            case.ready = True
            case.seq = self._queued
            self._queued += 1
            self.queue.append(case)
            if not case.cooperative:
                self._forced.append(case)
            self._arm(case)
        elif case.deadline <= now:
            case.done.succeed("lapsed")
        elif hh.detained or hh.blocked(now):  # cannot abscond now; the clock restarts later
            case.t_mob = self.mob.next_time(max(now, hh.blocked_until()), self.mob_clock.exponential(1.0))
            self._arm(case)
        else:
            case.done.succeed("absconded")

    def _lapse(self, case: Case) -> None:
        """Deadline passed: the Netherlands becomes responsible; back into the IND procedure."""
        hh, now = case.hh, self.env.now
        self._close(case)
        if hh.detained:
            self.out.discharge(hh, "lapsed")
        self.rec.count("dublin.lapsed", now, hh.size)
        self.ind.take_over(hh)
        if not hh.in_reception:
            hh.status = IN_PROCEDURE
            self.reception.admit(hh, newcomer=False)
        else:
            self.reception.set_status(hh, IN_PROCEDURE)

    def _absconded(self, case: Case) -> Generator[simpy.Event, Any, str]:
        """MOB: out of the chain; the deadline extends to 18 months; the person may reappear."""
        env, hh = self.env, case.hh
        self._close(case)
        now = env.now
        self.rec.count("dublin.absconded", now, hh.size)
        if hh.in_reception:
            self.reception.leave(hh, "absconded")
        self.out.exit(hh, "mob")
        deadline = case.accepted_at + self.policy.params.dublin.deadline_absconded_days
        t_back = self.reappear.next_time(now, self.reappear_clock.exponential(1.0))
        if t_back >= deadline:
            return "gone"  # not seen again before the extended deadline: the case is closed
        yield env.timeout(t_back - now)
        self.out.reenter(hh)
        self.rec.count("dublin.reappeared", env.now, hh.size)
        new = self._open(hh, case.accepted_at, env.now, cooperative=False)
        new.deadline = deadline
        return (yield from self._await_transfer(new))

    def abscond(self, hh: Household) -> None:
        """Released from detention without supervision (called by detention)."""
        case = self.cases.get(hh.hid)
        if case is not None and not case.done.triggered:
            case.done.succeed("absconded")

    # ------------------------------------------------------------------ transfers
    def _transfer_slot(self) -> bool:
        """A transfer slot: the next case travels, unless the partner state refuses."""
        p = self.policy.params.dublin
        case = self._next_case()
        if case is None:
            return True
        if self.partner.bernoulli(p.partner_refusal_share):
            self.rec.count("dublin.transfers_postponed", self.env.now, case.hh.size)
            case.hold_until = self.env.now + self.partner.exponential(p.partner_delay_days)
            return True
        self._transfer(case)
        return True

    def _next_case(self) -> Case | None:
        """A detained claimant first (the longest-waiting one who can travel now), else the
        longest-waiting one who can travel now."""
        now = self.env.now
        while self.queue and self.queue[0].closed:
            self.queue.popleft()
        detained = None
        for hh in self.out.detained_claimants():
            case = self.cases.get(hh.hid)
            if (case is not None and case.ready and self._can_travel(case, now)
                    and (detained is None or case.seq < detained.seq)):
                detained = case
        if detained is not None:
            return detained
        stale, first = 0, None
        for case in self.queue:
            if case.closed:
                stale += 1
            elif self._can_travel(case, now):
                first = case
                break
        if stale > 64:  # closed cases are never taken: drop them (order kept)
            self.queue = deque(c for c in self.queue if not c.closed)
        return first

    @staticmethod
    def _can_travel(case: Case, now: float) -> bool:
        return not (case.hold_until > now or case.done.triggered or case.hh.blocked(now))

    def _transfer(self, case: Case) -> None:
        hh, now = case.hh, self.env.now
        forced = hh.detained or not case.cooperative
        if hh.detained:
            self.out.discharge(hh, "transfer")
        self._close(case)
        self.rec.count("dublin.transfers", now, hh.size)
        if forced:
            self.rec.count("dublin.transfers_forced", now, hh.size)
        if hh.in_reception:
            self.reception.leave(hh, "dublin_transfer")
        self.out.exit(hh, "dublin_transfer")
        case.done.succeed("transferred")

    # ------------------------------------------------------------------ detention hand-off
    def prospect(self) -> bool:
        """A prospect of transfer exists while transfers are not suspended."""
        return self.policy.params.dublin.transfers_per_week > 0

    def detention_candidate(self, now: float) -> Household | None:
        """The longest-waiting ready one-person claimant who does not cooperate."""
        forced = self._forced
        while forced and forced[0].closed:
            forced.popleft()
        found, stale = None, 0
        for case in forced:
            hh = case.hh
            if case.closed:
                stale += 1
            elif (hh.size == 1 and not hh.detained and not case.done.triggered
                  and not hh.blocked(now)):
                found = hh
                break
        if stale > 64:  # closed cases are never taken: drop them (order kept)
            self._forced = deque(c for c in forced if not c.closed)
        return found

    def levels(self, t: float) -> dict[str, float]:
        return {
            "dublin.awaiting_transfer": self.persons.value,
            "dublin.in_reception": self.reception.by_status[DUBLIN],
        }
