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
cumulative rate (see ``hazard``). Rejected households leave COA reception after a while
and stay in the caseload outside reception.
"""
from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING, Any, Generator

import simpy

from ..metrics.recorder import Level, Recorder
from ..metrics.registry import Derived, Metric
from .entities import REJECTED, Household
from .hazard import PiecewiseRate
from .parts import Build, Part
from .reception import Reception

if TYPE_CHECKING:
    from ..policy.timeline import PolicyProcess
    from .streams import Streams


METRICS: tuple[Metric | Derived, ...] = (
    Metric("dtv.intake", "dtv", "count", "persons/week", "DT&V intake",
           "rejected persons entering the DT&V departure caseload", contract=True),
    Metric("dtv.exits", "dtv", "count", "persons/week", "DT&V caseload exits",
           "persons leaving the caseload by any departure route (Dublin transfers are not in it)", contract=True),
    Metric("dtv.caseload_independent", "dtv", "count", "persons/week", "independent departures from the caseload",
           "caseload households leaving independently (with IOM or on their own)", contract=True),
    Metric("dtv.caseload_forced", "dtv", "count", "persons/week", "forced departures from the caseload",
           "caseload households removed by force (by DT&V slots or from detention)", contract=True),
    Metric("dtv.caseload_unsupervised", "dtv", "count", "persons/week", "caseload departures without supervision",
           "caseload households leaving without supervision (MOB)", contract=True),
    # DT&V's demonstrable departures, as its statistics count them: Dublin transfers included
    Derived("dtv.departures_independent", "dtv", "persons/week", "independent departures",
            "demonstrable independent departures, Dublin transfers without escort included",
            terms=(("dtv.caseload_independent", 1.0), ("dublin.transfers", 1.0), ("dublin.transfers_forced", -1.0))),
    Derived("dtv.departures_forced", "dtv", "persons/week", "forced departures",
            "demonstrable forced departures, escorted Dublin transfers included",
            terms=(("dtv.caseload_forced", 1.0), ("dublin.transfers_forced", 1.0))),
    Derived("dtv.departures_unsupervised", "dtv", "persons/week", "departures without supervision (MOB)",
            "departures without supervision, absconded Dublin claimants included",
            terms=(("dtv.caseload_unsupervised", 1.0), ("dublin.absconded", 1.0))),
    Metric("dtv.departures_forced_origin", "dtv", "count", "persons/week", "forced to country of origin",
           "forced departures to the country of origin", contract=True),
    Metric("dtv.caseload", "dtv", "level", "persons", "DT&V caseload", "persons in the departure caseload, at week end"),
    Metric("dtv.caseload_in_reception", "dtv", "level", "persons", "DT&V caseload in COA",
           "rejected persons of the caseload still in COA, at week end"),
)


class Dtv(Part):
    name = "dtv"
    params = "dtv"
    stock = ("dtv.outside_reception",)
    metrics = METRICS
    offers = ("exit",)  # (hh, route): the household left the caseload and the chain
    takes = ("detention_candidate", "removed", "absconded")  # from detention

    @classmethod
    def build(cls, ctx: Build) -> "Dtv":
        return cls(ctx.env, ctx.rec, ctx.policy, ctx.streams, ctx.need(Reception, cls.name))

    def __init__(self, env: simpy.Environment, rec: Recorder, policy: "PolicyProcess",
                 streams: "Streams", reception: "Reception") -> None:
        self.env, self.rec, self.policy, self.reception = env, rec, policy, reception
        self.clocks = streams("dtv.clocks")
        self.removal = streams("dtv.removal")
        self.independent = PiecewiseRate(policy.schedule(
            lambda s: s.dtv.independent_weekly_hazard * s.dtv.travel_open / 7.0))
        self.mob = PiecewiseRate(policy.schedule(lambda s: s.dtv.mob_weekly_hazard / 7.0))
        self.caseload: dict[int, Household] = {}
        self.removable: deque[Household] = deque()
        self.persons = Level(0.0, env.now)
        rec.add_source(self.levels)
        env.process(self._removals())

    def await_departure(self, hh: Household,
                        removable: bool | None = None) -> Generator[simpy.Event, Any, str]:
        """Into the caseload now (intake); returns the household's time in it, which returns
        the route it left by. ``removable`` is drawn unless given (starting detainees are
        removable by definition)."""
        env = self.env
        self.reception.set_status(hh, REJECTED)
        self.caseload[hh.hid] = hh
        self.persons.add(env.now, hh.size)
        self.rec.count("dtv.intake", env.now, hh.size)
        return self._in_caseload(hh, removable)

    def _in_caseload(self, hh: Household, removable: bool | None) -> Generator[simpy.Event, Any, str]:
        env = self.env
        if removable is None:
            removable = self.clocks.bernoulli(self.policy.params.dtv.removable_share)
        hh.removable = removable
        if hh.removable:
            self.removable.append(hh)
        hh.wakeup = env.event()
        if hh.in_reception:
            env.process(self._leave_reception_later(hh))
        t_ind = self.independent.next_time(env.now, self.clocks.exponential(1.0))
        t_mob = self.mob.next_time(env.now, self.clocks.exponential(1.0))
        while True:
            t_next = min(t_ind, t_mob)
            if t_next == math.inf:
                route = yield hh.wakeup
            else:
                fired = yield env.timeout(t_next - env.now) | hh.wakeup
                route = fired[hh.wakeup] if hh.wakeup in fired else None
            if route is None and hh.blocked(env.now):
                # in isolation/quarantine: cannot leave now; the clock restarts at release
                release = hh.blocked_until()
                t_ind = self.independent.next_time(release, self.clocks.exponential(1.0))
                t_mob = self.mob.next_time(release, self.clocks.exponential(1.0))
                continue
            if route is None and hh.detained:
                # in detention neither clock runs (detention decides); redrawing from now is
                # exact for memoryless clocks: the hazard is in effect zero while detained
                t_ind = self.independent.next_time(env.now, self.clocks.exponential(1.0))
                t_mob = self.mob.next_time(env.now, self.clocks.exponential(1.0))
                continue
            if route is None:
                route = "independent" if t_ind <= t_mob else "mob"
            break
        self._exit(hh, route)
        return str(route)

    def _leave_reception_later(self, hh: Household) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(self.clocks.exponential(self.policy.params.dtv.leave_reception_days))
        while hh.blocked(self.env.now):  # nobody leaves a location in isolation/quarantine
            yield self.env.timeout(hh.blocked_until() - self.env.now)
        if hh.hid in self.caseload and hh.in_reception:
            self.reception.leave(hh, "rejected_left")

    def _removals(self) -> Generator[simpy.Event, Any, None]:
        while True:
            yield from self.policy.next_slot(
                lambda s: s.dtv.removals_per_week * s.dtv.travel_open / 7.0, self.removal)
            d = self.policy.params.dtv
            hh = self._next_removable()
            if hh is not None:
                destination = "origin" if self.removal.bernoulli(d.forced_origin_share) else "other"
                assert hh.wakeup is not None
                hh.wakeup.succeed(f"forced_{destination}")

    def _next_removable(self) -> Household | None:
        now, skipped, found = self.env.now, [], None
        while self.removable:
            hh = self.removable.popleft()
            if hh.hid not in self.caseload or hh.wakeup is None or hh.wakeup.triggered:
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
        self._wake(hh, "forced_origin" if to_origin else "forced_other")

    def absconded(self, hh: Household) -> None:
        """Released from detention and gone without supervision (detention's hand-off)."""
        self._wake(hh, "mob")

    def _wake(self, hh: Household, route: str) -> None:
        assert hh.wakeup is not None and not hh.wakeup.triggered, f"household {hh.hid} is not waiting"
        hh.wakeup.succeed(route)

    def detention_candidate(self, now: float) -> Household | None:
        """The longest-waiting removable one-person case that could be detained now."""
        for hh in self.removable:
            if (hh.size == 1 and not hh.detained and hh.hid in self.caseload
                    and hh.wakeup is not None and not hh.wakeup.triggered and not hh.blocked(now)):
                return hh
        return None

    def _exit(self, hh: Household, route: str) -> None:
        now, n = self.env.now, hh.size
        del self.caseload[hh.hid]
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
