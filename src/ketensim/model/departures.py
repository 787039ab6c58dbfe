"""DT&V departure caseload: independent and forced departure, departure without supervision.

Rejected households enter the caseload. Each household carries three competing clocks:

* independent departure (zelfstandig, e.g. with IOM): a per-person weekly hazard scaled by
  the share of routes open under travel restrictions;
* departure without supervision (MOB): a weekly hazard;
* forced removal (gedwongen): only for households with a prospect of removal; removals are
  capacity-limited (escorts, flights), a Poisson stream of removal slots whose rate follows
  the phase; each slot takes the longest-waiting removable household that is not in
  isolation/quarantine.

Hazards follow the known policy timeline, so their clocks are drawn once by inverting the
cumulative rate (see ``hazard``); a case is one scheduled event for the earlier clock, not a
process waiting on a Condition (forced removal and detention end a stay by ``depart``).
Rejected households leave COA reception after a while and stay in the caseload outside
reception.
"""
from __future__ import annotations

import math
from collections import deque
from functools import partial
from heapq import heappop, heappush
from typing import TYPE_CHECKING

import simpy

from ..metrics.recorder import Level, Recorder
from ..metrics.registry import Derived, Metric
from ..scenario.root import Section
from .departures_params import Dtv as DtvParams
from .departures_params import StartDtv
from .entities import REJECTED, Household
from .hazard import PiecewiseRate
from .parts import Build, Node, Part
from .reception import Reception

if TYPE_CHECKING:
    from ..policy.timeline import PolicyProcess
    from .seeding import Seeding
    from .streams import Streams


METRICS: tuple[Metric | Derived, ...] = (
    Metric("dtv.intake", "dtv", "count", "persons/week", "DT&V intake",
           "rejected persons entering the DT&V departure caseload", contract=True, label_nl="instroom DT&V"),
    Metric("dtv.exits", "dtv", "count", "persons/week", "DT&V caseload exits",
           "persons leaving the caseload by any departure route (Dublin transfers are not in it)", contract=True,
           label_nl="uitstroom uit de DT&V-caseload"),
    Metric("dtv.caseload_independent", "dtv", "count", "persons/week", "independent departures from the caseload",
           "caseload households leaving independently (with IOM or on their own)", contract=True,
           label_nl="zelfstandig vertrek uit de caseload"),
    Metric("dtv.caseload_forced", "dtv", "count", "persons/week", "forced departures from the caseload",
           "caseload households removed by force (by DT&V slots or from detention)", contract=True,
           label_nl="gedwongen vertrek uit de caseload"),
    Metric("dtv.caseload_unsupervised", "dtv", "count", "persons/week", "caseload departures without supervision",
           "caseload households leaving without supervision (MOB)", contract=True,
           label_nl="vertrek zonder toezicht uit de caseload"),
    # DT&V's demonstrable departures, as its statistics count them: Dublin transfers included
    Derived("dtv.departures_independent", "dtv", "persons/week", "independent departures",
            "demonstrable independent departures, Dublin transfers without escort included",
            terms=(("dtv.caseload_independent", 1.0), ("dublin.transfers", 1.0), ("dublin.transfers_forced", -1.0)),
            label_nl="zelfstandig vertrek", key="departures (indep.+forced) /wk"),
    Derived("dtv.departures_forced", "dtv", "persons/week", "forced departures",
            "demonstrable forced departures, escorted Dublin transfers included",
            terms=(("dtv.caseload_forced", 1.0), ("dublin.transfers_forced", 1.0)), label_nl="gedwongen vertrek",
            key="departures (indep.+forced) /wk"),
    # MOB as DT&V publishes it: its departure caseload's; absconded Dublin claimants apart
    Derived("dtv.departures_unsupervised", "dtv", "persons/week", "departures without supervision (MOB)",
            "departures without supervision from the DT&V departure caseload (rejected persons, "
            "released detainees); absconded Dublin claimants are dublin.absconded",
            terms=(("dtv.caseload_unsupervised", 1.0),),
            label_nl="vertrek zonder toezicht (MOB)", key="departures unsupervised /wk"),
    Derived("dtv.departures_unsupervised_incl_dublin", "dtv", "persons/week",
            "departures without supervision incl. Dublin",
            "departures without supervision from the caseload plus absconded Dublin claimants "
            "(the definition before the two were kept apart)",
            terms=(("dtv.caseload_unsupervised", 1.0), ("dublin.absconded", 1.0)),
            label_nl="vertrek zonder toezicht (MOB), incl. Dublin"),
    Metric("dtv.departures_forced_origin", "dtv", "count", "persons/week", "forced to country of origin",
           "forced departures to the country of origin", contract=True, label_nl="gedwongen naar land van herkomst",
           key="forced to origin /wk"),
    Metric("dtv.caseload", "dtv", "level", "persons", "DT&V caseload", "persons in the departure caseload, at week end",
           label_nl="DT&V-caseload"),
    Metric("dtv.caseload_in_reception", "dtv", "level", "persons", "DT&V caseload in COA",
           "rejected persons of the caseload still in COA, at week end", label_nl="DT&V-caseload in COA"),
)


class Dtv(Part):
    name = "dtv"
    params = "dtv"
    section = Section("dtv", DtvParams, start=StartDtv, order=40)
    nodes = (Node("dtv", 2, "dtv.caseload"),)
    stock = ("dtv.outside_reception",)
    metrics = METRICS
    offers = ("exit",)  # (hh, route): the household left the caseload and the chain
    takes = ("detention_candidate", "removed", "absconded", "released")  # from detention

    @classmethod
    def build(cls, ctx: Build) -> "Dtv":
        return cls(ctx.env, ctx.rec, ctx.policy, ctx.streams, ctx.need(Reception, cls.name),
                   end=float(ctx.scenario.horizon.days) + 1.0)

    def seed_stock(self, seeding: "Seeding") -> None:
        """The departure caseload: rejected persons in COA (those without a running appeal) and
        the caseload outside COA (detainees apart: detention seeds them)."""
        start, st = seeding.scenario.start, seeding.stream(self.name)
        in_coa = start.reception.rejected - min(start.ind.appeals_open, start.reception.rejected)
        for hh in seeding.households(in_coa, "first", REJECTED, st):
            seeding.journeys.admit_stock(hh)
            self.enter(hh)
        for hh in seeding.households(start.dtv.outside_reception, "first", REJECTED, st):
            self.enter(hh)

    def __init__(self, env: simpy.Environment, rec: Recorder, policy: "PolicyProcess",
                 streams: "Streams", reception: "Reception", end: float = math.inf) -> None:
        self.env, self.rec, self.policy, self.reception = env, rec, policy, reception
        # a clock due at or after ``end`` (past the run's last moment) is drawn but never
        # scheduled: it could not fire, and a smaller event queue is cheaper for every event
        self.end = end
        self.clocks = streams("dtv.clocks")
        self.removal = streams("dtv.removal")
        self.independent = PiecewiseRate(policy.schedule(
            lambda s: s.dtv.independent_weekly_hazard * s.dtv.travel_open * s.dtv.propensity.independent / 7.0))
        self.mob = PiecewiseRate(policy.schedule(
            lambda s: s.dtv.mob_weekly_hazard * s.dtv.propensity.unsupervised / 7.0))
        self.caseload: dict[int, Household] = {}
        self.removable: deque[Household] = deque()
        # the one-person removable cases, in the same order (detention takes only those);
        # cases in the caseload do not change size
        # as a heap of arrival numbers: a detained case leaves the heap (a scan would pass over
        # every detainee) and comes back at its place when released (``released``)
        self._singles: list[int] = []
        self._single_at: dict[int, Household] = {}  # arrival number -> case
        self._single_no: dict[int, int] = {}  # hid -> its latest arrival number
        self._single_count = 0
        self.persons = Level(0.0, env.now)
        self._token: dict[int, int] = {}  # the case's current clock (see _start_clocks)
        rec.add_source(self.levels)
        policy.slots(lambda s: s.dtv.removals_per_week * s.dtv.travel_open * s.dtv.propensity.forced / 7.0,
                     self.removal,
                     self._removal_slot)

    def enter(self, hh: Household, removable: bool | None = None) -> None:
        """Into the caseload now (intake); the household leaves by the first of its clocks or
        when another part ends its stay (``depart``: forced removal, detention).
        ``removable`` is drawn unless given (starting detainees are removable by definition)."""
        env = self.env
        self.reception.set_status(hh, REJECTED)
        self.caseload[hh.hid] = hh
        self.persons.add(env.now, hh.size)
        self.rec.count("dtv.intake", env.now, hh.size)
        if removable is None:
            removable = self.clocks.bernoulli(self.policy.params.dtv.removable_share)
        hh.removable = removable
        if hh.removable:
            self.removable.append(hh)
            if hh.size == 1:
                no = self._single_count = self._single_count + 1
                self._single_at[no] = hh
                self._single_no[hh.hid] = no
                heappush(self._singles, no)
        if hh.in_reception:
            days = self.clocks.exponential(self.policy.params.dtv.leave_reception_days)
            if env.now + days < self.end:
                env.timeout(days).callbacks.append(partial(self._leave_reception, hh))
        self._start_clocks(hh, env.now)

    def _start_clocks(self, hh: Household, since: float) -> None:
        """One scheduled event for the earlier of the two clocks (no process, no Condition);
        a clock superseded by an exit or a restart is recognised by its stale token."""
        t_ind = self.independent.next_time(since, self.clocks.exponential(1.0))
        t_mob = self.mob.next_time(since, self.clocks.exponential(1.0))
        token = self._token.get(hh.hid, 0) + 1
        self._token[hh.hid] = token
        t_next = min(t_ind, t_mob)
        if t_next < self.end:
            route = "independent" if t_ind <= t_mob else "mob"
            self.env.timeout(t_next - self.env.now).callbacks.append(
                partial(self._clock_fired, hh, token, route))

    def _clock_fired(self, hh: Household, token: int, route: str, _event: object) -> None:
        if self._token.get(hh.hid) != token:
            return  # the case left, or its clocks were restarted
        now = self.env.now
        if hh.blocked(now):
            # in isolation/quarantine: cannot leave now; the clocks restart at release
            self._start_clocks(hh, hh.blocked_until())
        elif hh.detained:
            # in detention neither clock runs (detention decides); redrawing from now is
            # exact for memoryless clocks: the hazard is in effect zero while detained
            self._start_clocks(hh, now)
        else:
            self._exit(hh, route)

    def depart(self, hh: Household, route: str) -> None:
        """Another part ends the case's stay (forced removal from detention, MOB on release)."""
        if hh.hid in self.caseload:
            self._exit(hh, route)

    def _leave_reception(self, hh: Household, _event: object) -> None:
        now = self.env.now
        if hh.blocked(now):  # nobody leaves a location in isolation/quarantine
            self.env.timeout(hh.blocked_until() - now).callbacks.append(partial(self._leave_reception, hh))
        elif hh.hid in self.caseload and hh.in_reception:
            self.reception.leave(hh, "rejected_left")

    def _removal_slot(self) -> bool:
        """A removal slot (escort, seat): the longest-waiting removable household goes."""
        d = self.policy.params.dtv
        hh = self._next_removable()
        if hh is not None:
            destination = "origin" if self.removal.bernoulli(d.forced_origin_share) else "other"
            self._exit(hh, f"forced_{destination}")
        return True

    def _next_removable(self) -> Household | None:
        now, skipped, found = self.env.now, [], None
        while self.removable:
            hh = self.removable.popleft()
            if hh.hid not in self.caseload:
                continue
            if hh.blocked(now) or hh.detained:  # detainees are removed by detention itself
                skipped.append(hh)
                continue
            found = hh
            break
        self.removable.extendleft(reversed(skipped))
        return found

    def removed(self, hh: Household, to_origin: bool) -> None:
        """Removed by force from detention (detention's hand-off): the household leaves."""
        self.depart(hh, "forced_origin" if to_origin else "forced_other")

    def absconded(self, hh: Household) -> None:
        """Released from detention and gone without supervision (detention's hand-off)."""
        self.depart(hh, "mob")

    def detention_candidate(self, now: float) -> Household | None:
        """The longest-waiting removable one-person case that could be detained now."""
        heap, at, caseload, blocked = self._singles, self._single_at, self.caseload, []
        found = None
        while heap:
            hh = at.get(heap[0])
            if hh is None:  # a copy of a number already dropped
                heappop(heap)
            elif hh.hid not in caseload:  # left the caseload: never a candidate again
                del at[heappop(heap)]
            elif hh.detained:  # back in the heap when released
                heappop(heap)
            elif hh.blocked(now):
                blocked.append(heappop(heap))
            else:
                found = hh
                break
        for no in blocked:
            heappush(heap, no)
        return found

    def released(self, hh: Household) -> None:
        """Released from detention (detention's hand-off): a candidate again at its place."""
        no = self._single_no.get(hh.hid)
        if no is not None and no in self._single_at and hh.hid in self.caseload:
            heappush(self._singles, no)

    def _exit(self, hh: Household, route: str) -> None:
        now, n = self.env.now, hh.size
        del self.caseload[hh.hid]
        del self._token[hh.hid]
        self.persons.add(now, -n)
        self.rec.count("dtv.exits", now, n)  # caseload exits (Dublin transfers are not in it)
        if route == "mob":
            self.rec.count("dtv.caseload_unsupervised", now, n)
        elif route == "independent":
            self.rec.count("dtv.caseload_independent", now, n)
        else:
            self.rec.count("dtv.caseload_forced", now, n)
            if route == "forced_origin":
                self.rec.count("dtv.departures_forced_origin", now, n)
        if hh.in_reception:
            self.reception.leave(hh, "departed")
        self.out.exit(hh, route)

    def levels(self, t: float) -> dict[str, float]:
        return {
            "dtv.caseload": self.persons.value,
            "dtv.caseload_in_reception": self.reception.by_status[REJECTED],
        }
