"""Immigration detention (vreemdelingenbewaring): places, placement, stay, release, removal.

Detention is lawful only while there is a prospect of removal ("zicht op uitzetting"):

* placement: a Poisson stream of placement opportunities (apprehensions, transfers from
  police custody) whose rate follows the phase; each takes one person if a place is free
  and a candidate with a prospect exists: a removable one-person case from the DT&V
  caseload (prospect while enough routes are open, ``min_travel_open``) or a
  non-cooperating Dublin claimant ready for transfer (prospect while transfers run).
  Families are not detained here (the letter: no unaccompanied minors; families rarely).
* stay: competing clocks: forced removal (DT&V cases; a hazard scaled by the share of
  routes open, to the country of origin or elsewhere), Dublin transfer (by Dublin's
  transfer slots, detainees first), release when the individual prospect disappears (a
  hazard), the maximum stay; all detainees of a track are released when a phase takes the
  track's prospect away (routes closed, transfers suspended) and a Dublin detainee when the
  transfer deadline lapses.
* release: back to the caseload, or departure without supervision (MOB).

Detainees stay in the DT&V caseload or the Dublin queue; their own clocks there do not run
while detained. The level and flows satisfy population[w] = population[w-1] + placements
- releases - removals - transfers.
"""
from __future__ import annotations

import math
from functools import partial
from typing import TYPE_CHECKING

import simpy

from ..metrics.recorder import Level, Recorder
from ..metrics.registry import Derived, Metric
from ..scenario.root import Section
from .detention_params import Detention as DetentionParams
from .detention_params import StartDetention
from .entities import REJECTED, Household
from .hazard import PiecewiseRate
from .parts import Build, Node, Part
from .reception import Reception

if TYPE_CHECKING:
    from ..policy.timeline import PolicyProcess
    from ..scenario.root import Scenario
    from .seeding import Seeding
    from .streams import Streams

DTV, DUBLIN = "dtv", "dublin"


METRICS: tuple[Metric | Derived, ...] = (
    Metric("detention.placements", "detention", "count", "persons/week", "detention placements",
           "persons placed in immigration detention", contract=True, label_nl="in bewaring gesteld"),
    Metric("detention.releases", "detention", "count", "persons/week", "detention releases",
           "persons released from detention (not removed or transferred)", contract=True,
           label_nl="uit bewaring vrijgelaten"),
    *(Metric(f"detention.releases_{reason}", "detention", "count", "persons/week", f"releases: {text}",
             f"persons released from detention: {text}", label_nl=f"vrijgelaten: {nl}")
      for reason, text, nl in (("lapsed", "Dublin deadline lapsed", "Dublintermijn verlopen"),
                               ("max_stay", "maximum stay reached", "maximale duur bereikt"),
                               ("prospect", "prospect of removal gone by a phase", "geen zicht op uitzetting (fase)"),
                               ("release", "individual prospect gone", "geen zicht op uitzetting (persoon)"))),
    Metric("detention.removals", "detention", "count", "persons/week", "removals from detention",
           "detainees removed by force (DT&V track)", contract=True, label_nl="uitzettingen uit bewaring"),
    Metric("detention.transfers", "detention", "count", "persons/week", "Dublin transfers from detention",
           "detainees transferred under Dublin", contract=True, label_nl="Dublinoverdrachten uit bewaring"),
    Metric("detention.population", "detention", "level", "persons", "persons in detention",
           "persons in detention at week end", label_nl="personen in vreemdelingenbewaring",
           key="detention population"),
    Metric("detention.population_avg", "detention", "level", "persons", "persons in detention (week average)",
           "time-averaged detention population over the week", label_nl="personen in bewaring (weekgemiddelde)"),
    Metric("detention.dublin", "detention", "level", "persons", "Dublin claimants in detention",
           "detainees on the Dublin track at week end", label_nl="Dublinclaimanten in bewaring"),
    Metric("detention.stay_days", "detention", "sample", "days", "detention stay",
           "length of each stay that began in the horizon (raw per-event sample, no weekly summary)",
           label_nl="verblijfsduur in bewaring"),
)


class Detainee:
    __slots__ = ("hh", "track", "since", "left", "t_max", "t_rel", "t_rem")

    def __init__(self, hh: Household, track: str, since: float) -> None:
        self.hh, self.track, self.since = hh, track, since
        self.left = False
        self.t_max = self.t_rel = self.t_rem = math.inf


class Detention(Part):
    name = "detention"
    params = "detention"
    section = Section("detention", DetentionParams, start=StartDetention, order=90)
    nodes = (Node("detention", 3, "detention.population"),)
    stock = ("detention.population",)
    metrics = METRICS
    # per track: a candidate to place; a detainee released without supervision; (DT&V) removed
    offers = ("dublin_candidate", "dtv_candidate", "dublin_absconded", "dtv_absconded", "dtv_removed",
              "dtv_released")
    # from Dublin: discharge (transferred from detention, or the deadline lapsed) and how many
    # of its claimants are detained (it looks for them first)
    takes = ("discharge", "dublin_detainees")

    @classmethod
    def build(cls, ctx: Build) -> "Detention":
        return cls(ctx.env, ctx.rec, ctx.policy, ctx.streams, ctx.need(Reception, cls.name))

    def seed_stock(self, seeding: "Seeding") -> None:
        """Detainees at the start: one-person forced-return cases of the caseload, already some
        days in (exponential, at most the maximum stay)."""
        sc, st, t0 = seeding.scenario, seeding.stream(self.name), seeding.t0
        max_stay = sc.detention.max_stay_days
        for _ in range(sc.start.detention.population):
            hh = seeding.journeys.new_household("first", 1, 1, t0)
            hh.status = REJECTED
            seeding.journeys.enter_stock(hh)
            self.place(hh, DTV, elapsed=min(st.exponential(sc.start.detention.elapsed_days), max_stay * st.random()))
            seeding.journeys.rejected_stock(hh, removable=True)

    def __init__(self, env: simpy.Environment, rec: Recorder, policy: "PolicyProcess",
                 streams: "Streams", reception: "Reception") -> None:
        self.env, self.rec, self.policy = env, rec, policy
        self.reception = reception
        self.opportunities = streams("detention.placement")
        self.choice = streams("detention.choice")
        self.clocks = streams("detention.clocks")
        self.routes = streams("detention.routes")
        self.removal = PiecewiseRate(policy.schedule(
            lambda s: s.detention.removal_weekly_hazard * s.dtv.travel_open * s.dtv.propensity.forced / 7.0))
        self.release = PiecewiseRate(policy.schedule(lambda s: s.detention.release_weekly_hazard / 7.0))
        self.detainees: dict[int, Detainee] = {}
        self._dublin: dict[int, Household] = {}  # the Dublin track's detainees, in placement order
        self.population = Level(0.0, env.now)
        self.stays: list[tuple[float, float]] = []  # (placed at, days) of stays placed in the horizon
        rec.add_source(self.levels)
        policy.subscribe(self._on_phase)
        policy.slots(lambda s: s.detention.placements_per_week * s.dtv.travel_open ** s.detention.travel_elasticity
                     / 7.0, self.opportunities, self._placement_slot)

    # ------------------------------------------------------------------ prospect
    def _prospect(self, track: str, s: "Scenario") -> bool:
        if track == DUBLIN:
            return s.dublin.transfers_per_week > 0
        return (s.dtv.travel_open >= s.detention.min_travel_open and s.detention.removal_weekly_hazard > 0
                and s.dtv.propensity.forced > 0)

    def _on_phase(self, s: "Scenario") -> None:
        """A phase that takes a track's prospect away releases its detainees."""
        for det in list(self.detainees.values()):
            if not self._prospect(det.track, s):
                self._leave(det, "prospect")

    # ------------------------------------------------------------------ placement
    def _placement_slot(self) -> bool:
        """A placement opportunity: one person if a place is free and a candidate with a
        prospect of removal exists (Dublin or DT&V first, by ``dublin_share``)."""
        d = self.policy.params.detention
        dublin_first = self.choice.bernoulli(d.dublin_share)
        if self.population.value >= d.places:
            return True
        for track in ((DUBLIN, DTV) if dublin_first else (DTV, DUBLIN)):
            if not self._prospect(track, self.policy.params):
                continue
            candidate = self.out.dublin_candidate if track == DUBLIN else self.out.dtv_candidate
            hh = candidate(self.env.now)
            if hh is not None:
                self.place(hh, track)
                break
        return True

    def place(self, hh: Household, track: str, elapsed: float = 0.0) -> None:
        """Into detention (the starting stock: already ``elapsed`` days in)."""
        now = self.env.now
        hh.detained = True
        if hh.in_reception:
            self.reception.leave(hh, "detention")
        det = Detainee(hh, track, now - elapsed)
        self.detainees[hh.hid] = det
        if track == DUBLIN:
            self._dublin[hh.hid] = hh
        self.population.add(now, hh.size)
        self.rec.count("detention.placements", now, hh.size)
        self._stay(det)

    def _stay(self, det: Detainee) -> None:
        """Competing clocks of the stay: one scheduled event for the earliest (no process,
        no Condition); a stay ended otherwise (``_leave``) makes it a no-op."""
        now = self.env.now
        d = self.policy.params.detention
        det.t_max = max(det.since + d.max_stay_days, now)
        det.t_rel = self.release.next_time(now, self.clocks.exponential(1.0))
        det.t_rem = self.removal.next_time(now, self.clocks.exponential(1.0)) if det.track == DTV else math.inf
        self._next_clock(det)

    def _next_clock(self, det: Detainee) -> None:
        t_next = min(det.t_max, det.t_rel, det.t_rem)
        self.env.timeout(t_next - self.env.now).callbacks.append(partial(self._clock_fired, det, t_next))

    def _clock_fired(self, det: Detainee, t_next: float, _event: object) -> None:
        if det.left:
            return
        hh, now = det.hh, self.env.now
        if t_next == det.t_rem:
            if hh.blocked(now):  # in isolation/quarantine: removal waits
                det.t_rem = self.removal.next_time(hh.blocked_until(), self.clocks.exponential(1.0))
                self._next_clock(det)
                return
            self._leave(det, "removal")
        else:
            self._leave(det, "max_stay" if t_next == det.t_max else "release")

    def dublin_detainees(self) -> list[Household]:
        """The households of the Dublin track's detainees (Dublin prefers them for a transfer
        slot): a few hundred at most, so Dublin need not scan its whole queue for them."""
        return list(self._dublin.values())

    # ------------------------------------------------------------------ leaving
    def discharge(self, hh: Household, reason: str) -> None:
        """Called by Dublin: 'transfer' (transferred from detention) or 'lapsed' (deadline)."""
        det = self.detainees.get(hh.hid)
        if det is not None:
            self._leave(det, reason)

    def _leave(self, det: Detainee, reason: str) -> None:
        now, hh, n = self.env.now, det.hh, det.hh.size
        det.left = True
        del self.detainees[hh.hid]
        if det.track == DUBLIN:
            del self._dublin[hh.hid]
        self.population.add(now, -n)
        hh.detained = False
        self.out.dtv_released(hh)  # a removal candidate again while it stays in the caseload
        if det.since >= 0:
            self.stays.append((det.since, now - det.since))
            self.rec.sample("detention.stay_days", now, now - det.since)
        if reason == "removal":
            self.rec.count("detention.removals", now, n)
            self.out.dtv_removed(hh, self.routes.bernoulli(self.policy.params.detention.origin_share))
            return
        if reason == "transfer":
            self.rec.count("detention.transfers", now, n)
            return
        self.rec.count("detention.releases", now, n)
        self.rec.count(f"detention.releases_{reason}", now, n)
        if reason != "lapsed" and self.routes.bernoulli(self.policy.params.detention.release_mob_share):
            if det.track == DUBLIN:
                self.out.dublin_absconded(hh)
            else:
                self.out.dtv_absconded(hh)

    def levels(self, t: float) -> dict[str, float]:
        return {
            "detention.population": self.population.value,
            "detention.population_avg": self.population.take_area(t) / 7.0,
            "detention.dublin": len(self._dublin),
        }
