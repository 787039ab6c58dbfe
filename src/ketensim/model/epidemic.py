"""The epidemic in COA reception: imports, transmission inside locations, detection.

Event-driven, so that the cost grows with the number of infections, not residents:

* imports from the community are one Poisson stream over all residents (hazard per
  resident = community incidence x exposure factor, piecewise constant over weeks and
  phases, drawn by inverting the cumulative rate), each event hitting a random resident;
* each infected person is one SimPy process: latent period, then an infectious period in
  which it makes contacts with each housemate at rate ``-ln(1 - SAR) / infectious_days``
  and with random other residents of its location at rate
  ``location_r / infectious_days x (occupants / places) ** crowding_exponent``;
  prevention, whole-site confinement and isolation thin the location contacts at the
  moment they happen (so phase changes of these take effect exactly; the crowding factor
  and the confinement bound are those in force when the next contact is drawn);
* symptomatic and asymptomatic infections are found with phase-dependent probabilities
  after a delay from onset; a found case goes to ``Quarantine`` (isolation, housemates,
  possibly the whole location).

A contact infects only a susceptible, and never across a reserved place: a person in an
isolation/quarantine place meets nobody; a blocked person without a place (shortfall)
still meets housemates and, at ``unplaced_contact_factor``, other residents.
With one location, no households, no measures and no detection this is the stochastic
SIR/SEIR model with homogeneous mixing and R0 = ``location_r`` (checked in the tests
against the final-size equation).
"""
from __future__ import annotations

import datetime as dt
import logging
import math
from bisect import bisect_right
from typing import TYPE_CHECKING, Generator

import simpy

from ..metrics.recorder import Recorder
from ..metrics.registry import Derived, Metric
from ..scenario.root import Section
from .epidemic_params import Health
from .hazard import PiecewiseRate
from .parts import Build, Part
from .quarantine import Quarantine
from .vaccination import METRICS as VACCINATION_METRICS
from .vaccination import Vaccination

if TYPE_CHECKING:
    from ..policy.timeline import PolicyProcess, ResolvedPhase
    from ..scenario.root import Scenario
    from .entities import Household, Person
    from .locations import Location
    from .streams import Stream, Streams

log = logging.getLogger(__name__)

EXPOSED, INFECTIOUS, RECOVERED = 1, 2, 3


METRICS: tuple[Metric | Derived, ...] = (
    Metric("health.new_infections", "epidemic", "count", "infections/week", "new infections",
           "residents infected (imports and transmission)", contract=True, label_nl="nieuwe besmettingen"),
    Metric("health.new_imports", "epidemic", "count", "infections/week", "imported infections",
           "residents infected outside reception", label_nl="geïmporteerde besmettingen"),
    Metric("health.new_detected", "epidemic", "count", "infections/week", "detected infections",
           "infections detected by a test", contract=True, label_nl="vastgestelde besmettingen",
           key="COVID-19 detected in COA /wk"),
    Metric("health.infectious", "epidemic", "level", "persons", "infectious residents",
           "residents infectious at week end", label_nl="besmettelijke bewoners"),
    Metric("health.cumulative_infections", "epidemic", "level", "infections", "infections so far",
           "residents infected since the start, at week end", label_nl="besmettingen tot nu toe"),
)


class Infection:
    """What an infected person carries (``Person.health``); susceptible persons carry None."""

    __slots__ = ("state", "t_infected", "source")

    def __init__(self, t: float, source: str) -> None:
        self.state = EXPOSED
        self.t_infected = t
        self.source = source


def import_schedule(phases: list["ResolvedPhase"], horizon_start: dt.date) -> list[tuple[float, float]]:
    """(start_day, per-resident hazard per day) steps of the community imports.

    The hazard at day t is the incidence of the series period holding t (the first value
    before the first period, the last after the last), per inhabitant per day, times the
    exposure factor, both taken from the phase active at t: a phase may raise either.
    """
    def day(d: dt.date) -> float:
        return float((d - horizon_start).days)

    cuts = {ph.start_day for ph in phases}
    for ph in phases:
        cuts.update(day(s) for s, _, _ in ph.params.health.imports.incidence.segments())
        cuts.update(day(e) for _, e, _ in ph.params.health.imports.incidence.segments())
    starts = [ph.start_day for ph in phases]
    steps = []
    for t in sorted(cuts):
        ph = phases[max(bisect_right(starts, t) - 1, 0)]
        imp = ph.params.health.imports
        segs = imp.incidence.segments()
        s, e, count = segs[0]
        for seg in segs:
            if day(seg[0]) <= t:
                s, e, count = seg
        per_day = count / (e - s).days
        steps.append((t, per_day / 1e5 * imp.exposure_factor))
    return steps


def _pair_rate(sar: float, mean_days: float) -> float:
    """Per-pair contact rate giving attack rate ``sar`` over a fixed infectious period."""
    return -math.log(1.0 - sar) / mean_days if sar < 1 else 1e9


class Epidemic(Part):
    """Infections among residents, their course and detection; hands cases to Quarantine."""

    name = "epidemic"
    params = "health"
    section = Section("health", Health, order=100)
    metrics = METRICS + VACCINATION_METRICS
    takes = ("on_move", "on_join")  # from reception: residents move, family members join

    @classmethod
    def build(cls, ctx: Build) -> "Epidemic":
        return cls(ctx.env, ctx.rec, ctx.policy, ctx.streams, ctx.scenario, ctx.need(Quarantine, cls.name))

    def __init__(self, env: simpy.Environment, rec: Recorder, policy: "PolicyProcess",
                 streams: "Streams", scenario: "Scenario", quarantine: Quarantine) -> None:
        self.env, self.rec, self.policy, self.quarantine = env, rec, policy, quarantine
        self.scenario = scenario
        self.s_import = streams("health.imports")
        self.s_course = streams("health.course")
        self.s_contact = streams("health.transmission")
        self.s_detect = streams("health.detection")
        self.s_seed = streams("health.seed")
        self.residents: dict[str, list["Person"]] = {}  # location -> persons (random access)
        self.locations: dict[str, "Location"] = {}
        self._index: dict["Person", int] = {}
        self.beds = scenario.health.singles_per_room
        self.room_of: dict["Person", list["Person | None"]] = {}  # singles -> their room (beds)
        self.open_rooms: dict[str, list[list["Person | None"]]] = {}  # rooms with a free bed
        self.n_residents = 0
        self.infections = 0
        self.infectious = 0
        self.imports = PiecewiseRate(import_schedule(policy.phases, scenario.horizon.start))
        rec.add_source(self.levels)
        self.vaccination = Vaccination(env, policy, streams, rec, self.residents)

    def start(self) -> None:
        """Seed the initial infections and start the import stream (after the stocks)."""
        for _ in range(self.scenario.health.initial_infections):
            p = self._random_resident(self.s_seed)
            if p is not None and p.health is None:
                self.infect(p, "initial")
        self.env.process(self._imports())

    # ------------------------------------------------------------------ residents index
    def on_move(self, hh: "Household", loc: "Location", entering: bool) -> None:
        """Reception hook: keep a random-access list of each location's residents. Called
        on every placement and departure, so vaccination and quarantine are asked about
        each member only while they hold someone (their per-person hooks do nothing else)."""
        name, members = loc.name, hh.members
        vac, index = self.vaccination, self._index
        if entering:
            lst = self.residents.get(name)
            if lst is None:
                lst = self.residents[name] = []
                self.locations[name] = loc
            n = len(lst)
            for p in members:
                index[p] = n
                n += 1
            lst.extend(members)
            if vac.coverage > 0 or vac.protected_from:
                for p in members:
                    vac.entering(p)
            self.n_residents += hh.size
            if hh.size == 1 and self.beds > 1:
                self._take_bed(members[0], name)
            return
        lst = self.residents[name]
        for p in members:
            i = index.pop(p)
            last = lst.pop()
            if last is not p:
                lst[i] = last
                index[last] = i
        q = self.quarantine
        if q.placed or q.unplaced:  # a place is not kept by someone who left
            for p in members:
                q.release(p)
        if vac.protected_from:
            for p in members:
                vac.leaving(p)
        self.n_residents -= hh.size
        if hh.size == 1 and self.beds > 1:
            self._free_bed(members[0], name)

    def on_join(self, hh: "Household", persons: list["Person"]) -> None:
        """Reception hook: family members join a household (called before they are added).
        A single who becomes a family leaves the shared room."""
        assert hh.location is not None
        name = hh.location.name
        if hh.size == 1 and self.beds > 1:
            self._free_bed(hh.members[0], name)
        lst = self.residents[name]
        for p in persons:
            self._index[p] = len(lst)
            lst.append(p)
            self.vaccination.entering(p)
        self.n_residents += len(persons)

    def _take_bed(self, p: "Person", loc_name: str) -> None:
        """Singles fill shared rooms: the last room with a free bed, else a new room."""
        rooms = self.open_rooms.setdefault(loc_name, [])
        if not rooms:
            rooms.append([None] * self.beds)
        room = rooms[-1]
        room[room.index(None)] = p
        self.room_of[p] = room
        if None not in room:
            rooms.pop()

    def _free_bed(self, p: "Person", loc_name: str) -> None:
        room = self.room_of.pop(p)
        was_full = None not in room
        room[room.index(p)] = None
        if was_full:
            self.open_rooms[loc_name].append(room)

    def contacts_of(self, p: "Person") -> list["Person"]:
        """Housemates: the other household members, or a single's roommates."""
        room = self.room_of.get(p)
        if room is not None:
            return [q for q in room if q is not None and q is not p]
        return [q for q in p.household.members if q is not p]

    def _random_resident(self, stream: "Stream", loc_name: str | None = None) -> "Person | None":
        if loc_name is None:
            if self.n_residents <= 0:
                return None
            k = int(stream.random() * self.n_residents)
            for lst in self.residents.values():
                if k < len(lst):
                    return lst[k]
                k -= len(lst)
            return None
        here = self.residents.get(loc_name)
        if not here:
            return None
        return here[int(stream.random() * len(here))]

    # ------------------------------------------------------------------ infection
    def arrive(self, hh: "Household") -> None:
        """Newcomers: each may arrive already infected."""
        share = self.policy.params.health.imports.newcomer_infected_share
        if share <= 0:
            return
        for p in hh.members:
            if self.s_import.bernoulli(share):
                self.infect(p, "newcomer")

    def infect(self, p: "Person", source: str) -> None:
        vac = self.vaccination
        if vac.protected_from and source in ("community", "household", "location") and vac.protects(p):
            return
        p.health = Infection(self.env.now, source)
        self.infections += 1
        self.rec.count("health.new_infections", self.env.now)
        if source in ("community", "newcomer"):
            self.rec.count("health.new_imports", self.env.now)
        self.env.process(self._course(p))

    def _imports(self) -> Generator[simpy.Event, object, None]:
        env = self.env
        while True:
            n = max(self.n_residents, 1)
            t = self.imports.next_time(env.now, self.s_import.exponential(1.0) / n)
            if t == math.inf:
                return
            yield env.timeout(t - env.now)
            p = self._random_resident(self.s_import)
            # only susceptible residents outside isolation/quarantine meet the community
            if p is not None and p.health is None and p.blocked_until <= env.now:
                self.infect(p, "community")

    def _course(self, p: "Person") -> Generator[simpy.Event, object, None]:
        env, h = self.env, self.policy.params.health
        c = h.course
        yield env.timeout(self.s_course.gamma(c.latent_days, c.period_cv))
        inf: Infection = p.health
        inf.state = INFECTIOUS
        self.infectious += 1
        onset = env.now
        end = onset + self.s_course.gamma(c.infectious_days, c.period_cv)
        symptomatic = not self.s_course.bernoulli(c.asymptomatic_share)
        self._plan_detection(p, symptomatic)
        yield from self._contacts(p, end)
        inf.state = RECOVERED
        self.infectious -= 1

    # ------------------------------------------------------------------ contacts
    def _contacts(self, p: "Person", end: float) -> Generator[simpy.Event, object, None]:
        """Contact events until the end of infectiousness: housemates, roommates, location.

        Roommate contacts are drawn per bed (beds - 1 of them) and an empty bed is a contact
        with nobody: exact thinning while roommates come and go.
        """
        env, st = self.env, self.s_contact
        h = self.policy.params.health
        mean_d = h.course.infectious_days
        hh = p.household
        mates = [q for q in hh.members if q is not p]
        hh_rate = _pair_rate(h.transmission.household_sar, mean_d) * len(mates)
        room = self.room_of.get(p)
        room_rate = _pair_rate(h.transmission.room_sar, mean_d) * (self.beds - 1) if room else 0.0
        t_h = env.now + st.exponential(1.0 / hh_rate) if hh_rate > 0 else math.inf
        t_r = env.now + st.exponential(1.0 / room_rate) if room_rate > 0 else math.inf
        t_l = self._next_location_contact(p)
        while True:
            t = min(t_h, t_r, t_l, end)
            if t >= end:
                return
            yield env.timeout(t - env.now)
            if not hh.in_reception:
                return  # left COA: no longer part of the reception epidemic
            if t == t_h:
                self._close_contact(p, mates[int(st.random() * len(mates))])
                t_h = env.now + st.exponential(1.0 / hh_rate)
            elif t == t_r:
                room = self.room_of.get(p)
                if room is not None:
                    others = [q for q in room if q is not p]  # beds - 1 slots, some empty
                    q = others[int(st.random() * len(others))]
                    if q is not None:
                        self._close_contact(p, q)
                t_r = env.now + st.exponential(1.0 / room_rate)
            else:
                self._location_contact(p)
                t_l = self._next_location_contact(p)

    def _close_contact(self, p: "Person", q: "Person") -> None:
        """A housemate or roommate: infected if susceptible and neither is in a place."""
        if q.health is None and not self.quarantine.is_placed(p) and not self.quarantine.is_placed(q):
            self.infect(q, "household")

    def _bound(self, loc: "Location") -> float:
        """Upper bound on the thinning factor at a location (confinement may exceed 1)."""
        return max(1.0, self.policy.params.health.transmission.confinement_factor)

    def _next_location_contact(self, p: "Person") -> float:
        """Candidate contact time at the bound rate; thinned when the contact happens."""
        loc = p.household.location
        tr = self.policy.params.health.transmission
        if loc is None or tr.location_r <= 0:
            return math.inf
        mean_d = self.policy.params.health.course.infectious_days
        crowd = (loc.occupants / loc.places) ** tr.crowding_exponent if loc.places > 0 else 1.0
        rate = tr.location_r / mean_d * crowd * self._bound(loc)
        return self.env.now + self.s_contact.exponential(1.0 / rate) if rate > 0 else math.inf

    def _location_contact(self, p: "Person") -> None:
        loc = p.household.location
        if loc is None:
            return
        st, qn = self.s_contact, self.quarantine
        tr = self.policy.params.health.transmission
        confined = qn.confined(loc)
        accept = tr.prevention * (tr.confinement_factor if confined else 1.0)
        if qn.is_placed(p):
            accept = 0.0  # in an isolation/quarantine place: meets nobody
        elif p.blocked_until > self.env.now and not confined:
            accept *= tr.unplaced_contact_factor  # blocked in the own room (shortfall)
        u = st.random()
        q = self._random_other(p, loc.name)
        if q is None or u >= accept / self._bound(loc):
            return
        if q.health is not None or qn.is_placed(q):
            return
        if q.blocked_until > self.env.now and not confined:
            if not st.bernoulli(tr.unplaced_contact_factor):
                return
        self.infect(q, "location")

    def _random_other(self, p: "Person", loc_name: str) -> "Person | None":
        lst = self.residents.get(loc_name)
        if not lst or len(lst) < 2:
            return None
        st = self.s_contact
        while True:
            q = lst[int(st.random() * len(lst))]
            if q is not p:
                return q

    # ------------------------------------------------------------------ detection
    def _plan_detection(self, p: "Person", symptomatic: bool) -> None:
        d = self.policy.params.health.detection
        prob = d.symptomatic if symptomatic else d.asymptomatic
        if not self.s_detect.bernoulli(prob):
            return
        delay = self.s_detect.gamma(d.delay_days, self.policy.params.health.course.period_cv)
        ev = self.env.timeout(delay)
        ev.callbacks.append(lambda _e: self._detected(p))

    def _detected(self, p: "Person") -> None:
        hh = p.household
        if not hh.in_reception or hh.location is None:
            return  # found outside COA: not a reception case
        now, q = self.env.now, self.policy.params.health.quarantine
        loc = hh.location
        self.rec.count("health.new_detected", now)
        self.quarantine.isolate(p, loc)
        mates = self.contacts_of(p)
        self.quarantine.quarantine(mates, loc, need_place=q.housemates_use_places)
        if q.strategy == "whole_location":
            self.quarantine.whole_location(loc, exclude={p, *mates})
        log.debug("day %.1f: case at %s, household of %d", now, loc.name, hh.size)

    # ------------------------------------------------------------------ levels
    def levels(self, t: float) -> dict[str, float]:
        return {"health.infectious": self.infectious, "health.cumulative_infections": self.infections}
