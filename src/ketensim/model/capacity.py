"""COA capacity decisions: planned capacity as data, the opening/closing rule, crisis reception.

* Planned capacity (``reception.planned``): locations that open on a date and close (take no
  one new, shut when empty) from another: the capacity decisions of the time as data.
* The rule (``reception.capacity``): at each review COA compares, for AZC and for process
  reception apart, the free places plus the places already ordered, minus the persons
  waiting for such a place, with the stage's buffer. When short it orders enough new
  locations of that stage to restore the buffer; they take residents only after the lead
  time. When far above the buffer it closes one rule-opened location of the stage that has
  been open at least the minimum time.
* The supply of places (``reception.capacity.supply``, off by default): the rule orders only
  the locations found so far. Places are found at a rate a month, accrued at each review
  while a stage is short (not banked otherwise); a share of the AZC locations found are
  temporary, open sooner and close after a drawn term, when their residents wait first in
  line for a place elsewhere. What the rule needed and could not find is ``coa.places_unfound``.
* Crisis reception (``reception.crisis``): active while a phase says so, or from the lead
  time after the registration centre's overflow first reaches the trigger at a review.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Generator

import simpy

from ..metrics.recorder import Recorder
from ..metrics.registry import Metric
from .locations import AZC, POL, Location
from .parts import Build, Part
from .reception import Reception

if TYPE_CHECKING:
    from ..policy.timeline import PolicyProcess
    from ..scenario.root import Scenario
    from .streams import Streams


class Capacity(Part):
    """COA's capacity decisions: planned locations, the opening/closing rule, crisis reception."""

    name = "capacity"
    params = "reception.capacity"

    @classmethod
    def build(cls, ctx: Build) -> "Capacity":
        return cls(ctx.env, ctx.rec, ctx.policy, ctx.need(Reception, cls.name), ctx.scenario, ctx.streams)

    def __init__(self, env: simpy.Environment, rec: Recorder, policy: "PolicyProcess",
                 reception: "Reception", scenario: "Scenario", streams: "Streams") -> None:
        self.env, self.rec, self.policy, self.reception = env, rec, policy, reception
        self.ordered: list[Location] = []  # ordered by the rule, not yet open
        self.temporary: set[int] = set()  # id() of the temporary locations found
        self.opened_by_rule = 0
        self._serial = 0
        self.crisis_by_rule = False
        self.crisis_by_phase = False
        self.supply_stream = streams("reception.supply")
        self.found_credit = 0.0  # places found, not yet given to a location
        self.unfound = 0  # places the rule needed at its last review and could not find
        self.short = False  # a stage was short at this review
        start = scenario.horizon.start
        for plan in scenario.reception.planned:
            pool = reception.pools[plan.stage]
            for i in range(plan.count):
                loc = pool.add(Location(f"{plan.name}-{i + 1}", plan.places, plan.isolation_places,
                                        plan.stage, accepting=False))
                self._at(float((plan.start - start).days), lambda l=loc: self._open(l))
                if plan.until is not None:
                    self._at(float((plan.until - start).days), lambda l=loc: self._close(l))
        policy.subscribe(self._phase)
        rec.add_source(self.levels)
        env.process(self._reviews())

    def _at(self, day: float, fn) -> None:  # type: ignore[no-untyped-def]
        ev = self.env.timeout(max(day - self.env.now, 0.0))
        ev.callbacks.append(lambda _e: fn())

    # ------------------------------------------------------------------ open and close
    def _open(self, loc: Location) -> None:
        loc.opened_at = self.env.now
        self.reception.pools[loc.stage].set_accepting(loc, True)
        self.rec.count("coa.locations_opened", self.env.now)
        self.reception.room_freed(loc.stage)

    def _close(self, loc: Location) -> None:
        loc.accepting = False
        if loc.occupants == 0:
            loc.is_open = False
        self.rec.count("coa.locations_closed", self.env.now)
        self.rec.count("coa.places_closed", self.env.now, loc.places)

    # ------------------------------------------------------------------ crisis
    def _phase(self, params: "Scenario") -> None:
        self.crisis_by_phase = params.reception.crisis.active
        self._crisis()

    def _crisis(self) -> None:
        active = self.crisis_by_phase or self.crisis_by_rule
        if active != self.reception.crisis_active:
            self.reception.set_crisis(active)

    def _trigger_crisis(self) -> None:
        self.crisis_by_rule = True
        self._crisis()

    # ------------------------------------------------------------------ the rule
    def free_places(self, stage: str) -> int:
        """Free places of the stage, open or ordered, less the persons waiting for one."""
        r = self.reception
        ordered = sum(l.places for l in self.ordered if l.stage == stage)
        return r.pools[stage].free + ordered - r.waiting_persons[stage]

    def _reviews(self) -> Generator[simpy.Event, object, None]:
        env = self.env
        crisis_ordered = False
        while True:
            p = self.policy.params.reception
            yield env.timeout(p.capacity.review_days)
            p = self.policy.params.reception
            trigger = p.crisis.overflow_trigger
            overflow = self.reception.col.occupants - self.reception.col.places
            if trigger is not None and not crisis_ordered and overflow >= trigger:
                crisis_ordered = True
                self._at(env.now + p.crisis.lead_time_days, self._trigger_crisis)
            if p.capacity.enabled:
                supply = p.capacity.supply
                if supply.enabled:
                    self.found_credit += supply.places_per_month * p.capacity.review_days / DAYS_PER_MONTH
                self.short, self.unfound = False, 0
                self._review(p.capacity, AZC, p.capacity.buffer)
                if self.reception.pools[POL].locations:
                    self._review(p.capacity, POL, p.capacity.pol_buffer)
                if not self.short or not supply.enabled:
                    self.found_credit = 0.0  # the search stops: places not needed are not banked

    def _review(self, rule, stage: str, buffer: int) -> None:  # type: ignore[no-untyped-def]
        free = self.free_places(stage)
        if free < buffer:
            self.short = True
            room = rule.max_locations - self.opened_by_rule - len(self.ordered)
            wanted = min(math.ceil((buffer - free) / rule.location_places), max(room, 0))
            n = wanted
            if rule.supply.enabled:
                n = min(wanted, int(self.found_credit // rule.location_places))
                self.found_credit -= n * rule.location_places
                self.unfound += (wanted - n) * rule.location_places
                self.rec.count("coa.places_found", self.env.now, n * rule.location_places)
            for _ in range(n):
                self._order(rule, stage)
        elif free > buffer + rule.close_surplus:
            now = self.env.now
            done = [l for l in self.reception.pools[stage].locations
                    if l.by_rule and l.accepting and now - l.opened_at >= 7.0 * rule.min_open_weeks]
            if done:
                self._close(min(done, key=lambda l: (l.occupants, l.index)))
                self.opened_by_rule -= 1

    def _order(self, rule, stage: str) -> None:  # type: ignore[no-untyped-def]
        self._serial += 1
        loc = Location(f"rule-{stage}-{self._serial}", rule.location_places,
                       rule.location_isolation_places, stage, accepting=False)
        loc.by_rule = True
        self.reception.pools[stage].add(loc)
        self.ordered.append(loc)
        self.rec.count("coa.locations_ordered", self.env.now)
        supply = rule.supply
        lead, term = rule.lead_time_weeks, None
        if supply.enabled and stage == AZC and supply.temporary_share > 0 \
                and self.supply_stream.bernoulli(supply.temporary_share):
            lead = supply.temporary_lead_time_weeks
            lo, hi = supply.temporary_min_weeks, supply.temporary_max_weeks
            term = 7.0 * (lo + (hi - lo) * self.supply_stream.random())
            self.temporary.add(id(loc))

        def ready() -> None:
            self.ordered.remove(loc)
            self.opened_by_rule += 1
            self._open(loc)
            if term is not None:
                self._at(self.env.now + term, lambda: self._end_term(loc))

        self._at(self.env.now + 7.0 * lead, ready)

    def _end_term(self, loc: Location) -> None:
        """A temporary location's term ends: it closes and its residents move elsewhere."""
        if loc.accepting:  # not closed by the rule already (which counted it then)
            self.opened_by_rule -= 1
            self.rec.count("coa.locations_closed", self.env.now)
            self.rec.count("coa.places_closed", self.env.now, loc.places)
        if loc.occupants > 0:
            self.rec.count("coa.relocations", self.env.now, loc.occupants)
        self.reception.relocate(loc)

    def binding(self) -> int:
        """What keeps registered newcomers in the registration centre at week end (codes in
        ``BINDING_CODES``): the most downstream stage with persons waiting for its places."""
        r, n = self.reception, self.policy.params.reception.capacity.binding_min_waiting
        if r.waiting_persons[AZC] > n:
            return 4 if self.unfound > 0 else 3
        if r.waiting_persons[POL] > n:
            return 4 if self.unfound > 0 else 2
        return 1 if r.desk.waiting > n else 0

    def levels(self, t: float) -> dict[str, float]:
        temporary = [l for l in self.reception.pools[AZC].locations if id(l) in self.temporary]
        return {"coa.binding_constraint": self.binding(),"coa.places_ordered": sum(l.places for l in self.ordered),
                "coa.places_temporary": sum(l.places for l in temporary if l.accepting),
                "coa.temporary_occupancy": sum(l.occupants for l in temporary),
                "coa.places_unfound": self.unfound}




DAYS_PER_MONTH = 365.25 / 12.0
BINDING_CODES = {0: "none (no one waits for a place or to register)", 1: "registration desk",
                 2: "process reception places", 3: "AZC places (the lead time of new ones)",
                 4: "supply of places (the rule needed places it could not find)"}
_CODES = "; ".join(f"{k} = {v}" for k, v in BINDING_CODES.items())

METRICS = (
    Metric("coa.binding_constraint", "capacity", "level", "code", "reception: binding constraint",
           f"what keeps newcomers in the registration centre at week end (the most downstream "
           f"stage with more than reception.capacity.binding_min_waiting persons waiting): {_CODES}",
           "knelpunt opvang"),
    Metric("coa.places_found", "capacity", "count", "places/week", "places found",
           "places of the locations the supply of places yielded to the capacity rule (ordered "
           "in the week; 0 while the supply is off)", "plaatsen gevonden"),
    Metric("coa.places_closed", "capacity", "count", "places/week", "places closing",
           "places of locations that stopped taking residents (rule, planned, temporary term)",
           "plaatsen die sluiten"),
    Metric("coa.places_temporary", "capacity", "level", "places", "temporary places",
           "places of open temporary locations taking residents, at week end", "tijdelijke plaatsen"),
    Metric("coa.temporary_occupancy", "capacity", "level", "persons", "in temporary locations",
           "persons in temporary locations (open or closing), at week end", "in tijdelijke locaties"),
    Metric("coa.places_unfound", "capacity", "level", "places", "places needed, not found",
           "places the capacity rule needed at its last review and the supply could not yield: "
           "> 0 when the supply of places binds", "plaatsen nodig, niet gevonden"),
    Metric("coa.relocations", "capacity", "count", "persons/week", "residents to relocate",
           "residents of temporary locations whose term ended; they wait first in line for an "
           "AZC place elsewhere", "bewoners te verhuizen"),
    Metric("coa.places_ordered", "capacity", "level", "places", "places ordered, not yet open",
           "places of locations the capacity rule has ordered that are not open yet",
           label_nl="plaatsen besteld, nog niet open"),
    Metric("coa.locations_ordered", "capacity", "count", "locations/week", "locations ordered",
           "locations the capacity rule ordered", contract=True, label_nl="locaties besteld"),
    Metric("coa.locations_opened", "capacity", "count", "locations/week", "locations opened",
           "locations that opened (rule and planned)", contract=True, label_nl="locaties geopend"),
    Metric("coa.locations_closed", "capacity", "count", "locations/week", "locations closing",
           "locations that stopped taking residents (rule and planned)", contract=True,
           label_nl="locaties die sluiten"),
)
Capacity.metrics = METRICS
