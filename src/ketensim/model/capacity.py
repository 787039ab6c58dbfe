"""COA capacity decisions: planned capacity as data, the opening/closing rule, crisis reception.

* Planned capacity (``reception.planned``): locations that open on a date and close (take no
  one new, shut when empty) from another: the capacity decisions of the time as data.
* The rule (``reception.capacity``): at each review COA compares, for AZC and for process
  reception apart, the free places plus the places already ordered, minus the persons
  waiting for such a place, with the stage's buffer. When short it orders enough new
  locations of that stage to restore the buffer; they take residents only after the lead
  time. When far above the buffer it closes one rule-opened location of the stage that has
  been open at least the minimum time.
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
    from ..scenario.schema import Scenario


class Capacity(Part):
    """COA's capacity decisions: planned locations, the opening/closing rule, crisis reception."""

    name = "capacity"
    params = "reception.capacity"

    @classmethod
    def build(cls, ctx: Build) -> "Capacity":
        return cls(ctx.env, ctx.rec, ctx.policy, ctx.need(Reception, cls.name), ctx.scenario)

    def __init__(self, env: simpy.Environment, rec: Recorder, policy: "PolicyProcess",
                 reception: "Reception", scenario: "Scenario") -> None:
        self.env, self.rec, self.policy, self.reception = env, rec, policy, reception
        self.ordered: list[Location] = []  # ordered by the rule, not yet open
        self.opened_by_rule = 0
        self._serial = 0
        self.crisis_by_rule = False
        self.crisis_by_phase = False
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
        self.reception.pump(loc.stage)

    def _close(self, loc: Location) -> None:
        loc.accepting = False
        if loc.occupants == 0:
            loc.is_open = False
        self.rec.count("coa.locations_closed", self.env.now)

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
                self._review(p.capacity, AZC, p.capacity.buffer)
                if self.reception.pools[POL].locations:
                    self._review(p.capacity, POL, p.capacity.pol_buffer)

    def _review(self, rule, stage: str, buffer: int) -> None:  # type: ignore[no-untyped-def]
        free = self.free_places(stage)
        if free < buffer:
            room = rule.max_locations - self.opened_by_rule - len(self.ordered)
            n = min(math.ceil((buffer - free) / rule.location_places), max(room, 0))
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

        def ready() -> None:
            self.ordered.remove(loc)
            self.opened_by_rule += 1
            self._open(loc)

        self._at(self.env.now + 7.0 * rule.lead_time_weeks, ready)

    def levels(self, t: float) -> dict[str, float]:
        return {"coa.places_ordered": sum(l.places for l in self.ordered)}




METRICS = (
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
