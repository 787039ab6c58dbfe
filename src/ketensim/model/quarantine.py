"""Isolation and quarantine: who is blocked until when, and which place they get.

A detected case goes into isolation, its housemates into quarantine (and, under the
``whole_location`` strategy, every other resident of the location, in their own rooms).
Blocking is ``Person.blocked_until``: the hearing rooms, departures and moves already
respect it. A person who needs a place takes one of the location's reserved places; when
those are full, one in an external quarantine location (a national pool whose size the
phases set); when that is full too, the person is counted in the shortfall and stays
blocked in the own room, where contacts continue in part (see ``Epidemic``).

Places are released by one timeout per placed person at the end of the block, so nothing
here loops over residents except the whole-location quarantine itself.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Iterable

import simpy

from ..metrics.recorder import Recorder
from ..metrics.registry import Derived, Metric
from .parts import Build, Part

if TYPE_CHECKING:
    from ..policy.timeline import PolicyProcess
    from .entities import Household, Person
    from .locations import Location

log = logging.getLogger(__name__)

EXTERNAL = "external"
ISOLATION, QUARANTINE = "isolation", "quarantine"


METRICS: tuple[Metric | Derived, ...] = (
    Metric("health.isolation_started", "quarantine", "count", "persons/week", "isolations started",
           "detected cases entering isolation", contract=True, label_nl="isolaties begonnen"),
    Metric("health.quarantine_started", "quarantine", "count", "persons/week", "quarantines started",
           "contacts entering quarantine", contract=True, label_nl="quarantaines begonnen"),
    Metric("health.intake_quarantined", "quarantine", "count", "persons/week", "intake quarantine",
           "newcomers blocked for intake quarantine", label_nl="quarantaine bij instroom"),
    Metric("health.place_demand", "quarantine", "count", "persons/week", "isolation/quarantine places asked",
           "persons needing a separate isolation/quarantine place", contract=True,
           label_nl="vraag naar isolatie-/quarantaineplekken"),
    Metric("health.external_placements", "quarantine", "count", "persons/week", "external placements",
           "persons placed in an external isolation location", label_nl="externe plaatsingen"),
    Metric("health.quarantine_shortfall", "quarantine", "count", "persons/week", "isolation/quarantine place shortfall",
           "persons needing a place when none was free", contract=True, label_nl="geen quarantaineplek gekregen",
           key="quarantine shortfall /wk"),
    Metric("health.isolated", "quarantine", "level", "persons", "in isolation", "persons in isolation at week end",
           label_nl="in isolatie", key="isolated + quarantined"),
    Metric("health.quarantined", "quarantine", "level", "persons", "in quarantine", "persons in quarantine at week end",
           label_nl="in quarantaine", key="isolated + quarantined"),
    Metric("health.places_used", "quarantine", "level", "places", "reserved places used",
           "reserved isolation places in use at week end", label_nl="gebruikte isolatie-/quarantaineplekken"),
    Metric("health.external_used", "quarantine", "level", "places", "external places used",
           "external isolation places in use at week end", label_nl="gebruikte externe quarantaineplekken",
           key="quarantine places outside the location (used + lacking)"),
    Metric("health.unplaced", "quarantine", "level", "persons", "blocked without a place",
           "blocked persons who needed a place and got none, at week end", label_nl="zonder isolatie-/quarantaineplek",
           key="quarantine places outside the location (used + lacking)"),
)


class Quarantine(Part):
    """Owns the blocks, the reserved and external places, and the shortfall count."""

    name = "quarantine"
    params = "health.quarantine"
    metrics = METRICS

    @classmethod
    def build(cls, ctx: Build) -> "Quarantine":
        return cls(ctx.env, ctx.rec, ctx.policy)

    def __init__(self, env: simpy.Environment, rec: Recorder, policy: "PolicyProcess") -> None:
        self.env, self.rec, self.policy = env, rec, policy
        self.placed: dict["Person", "Location | str"] = {}  # person -> where their place is
        self.used: dict[str, int] = {}  # location name -> reserved places in use
        self.external_used = 0
        self.blocked: dict["Person", str] = {}  # person -> isolation/quarantine (pruned weekly)
        self.confined_until: dict[str, float] = {}  # location name -> whole-site quarantine end
        self.unplaced: set["Person"] = set()  # needed a place, got none, still blocked
        rec.add_source(self.levels)

    # ------------------------------------------------------------------ queries
    def is_placed(self, p: "Person") -> bool:
        return p in self.placed

    def confined(self, loc: "Location") -> bool:
        return self.confined_until.get(loc.name, -1.0) > self.env.now

    # ------------------------------------------------------------------ blocks
    def isolate(self, case: "Person", loc: "Location") -> None:
        """A detected case: isolation in a place, from now."""
        q = self.policy.params.health.quarantine
        self._block(case, ISOLATION, q.isolation_days, loc, need_place=True)
        self.rec.count("health.isolation_started", self.env.now)

    def quarantine(self, persons: Iterable["Person"], loc: "Location", need_place: bool) -> None:
        """Contacts: quarantine from now, in a place or in their own room."""
        days = self.policy.params.health.quarantine.quarantine_days
        if days <= 0:
            return
        for p in persons:
            self._block(p, QUARANTINE, days, loc, need_place)

    def whole_location(self, loc: "Location", exclude: set["Person"]) -> None:
        """Whole-site quarantine: every other resident, in their own room (no place needed)."""
        days = self.policy.params.health.quarantine.quarantine_days
        if days <= 0:
            return
        now = self.env.now
        self.confined_until[loc.name] = max(self.confined_until.get(loc.name, -1.0), now + days)
        for hh in loc.households.values():
            for p in hh.members:
                if p not in exclude:
                    self._block(p, QUARANTINE, days, loc, need_place=False)

    def intake(self, hh: "Household", days: float) -> None:
        """Intake quarantine of newcomers in the emergency location: in place, no reserved place."""
        now = self.env.now
        for p in hh.members:
            p.blocked_until = max(p.blocked_until, now + days)
        self.rec.count("health.intake_quarantined", now, hh.size)

    def _block(self, p: "Person", kind: str, days: float, loc: "Location", need_place: bool) -> None:
        now = self.env.now
        if kind == QUARANTINE and p.blocked_until <= now:
            self.rec.count("health.quarantine_started", now)  # persons entering quarantine
        if kind == ISOLATION or p not in self.blocked:
            self.blocked[p] = kind
        p.blocked_until = max(p.blocked_until, now + days)
        if need_place and p not in self.placed and p not in self.unplaced:
            self._place(p, loc)

    # ------------------------------------------------------------------ places
    def _place(self, p: "Person", loc: "Location") -> None:
        now = self.env.now
        self.rec.count("health.place_demand", now)
        used = self.used.get(loc.name, 0)
        if used < loc.isolation_places:
            self.used[loc.name] = used + 1
            self.placed[p] = loc
        elif self.external_used < self.policy.params.health.quarantine.external_places:
            self.external_used += 1
            self.placed[p] = EXTERNAL
            self.rec.count("health.external_placements", now)
        else:
            self.rec.count("health.quarantine_shortfall", now)
            self.unplaced.add(p)
            self._release_at(p, unplaced=True)
            return
        self._release_at(p, unplaced=False)

    def _release_at(self, p: "Person", unplaced: bool) -> None:
        ev = self.env.timeout(max(p.blocked_until - self.env.now, 0.0))
        ev.callbacks.append(lambda _e: self._maybe_release(p, unplaced))

    def _maybe_release(self, p: "Person", unplaced: bool) -> None:
        if p.blocked_until > self.env.now + 1e-9:  # block extended (e.g. a contact became a case)
            self._release_at(p, unplaced)
            return
        if unplaced:
            self.unplaced.discard(p)
        else:
            self.release(p)

    def release(self, p: "Person") -> None:
        """Free the person's place (end of block, or the person left the location)."""
        self.unplaced.discard(p)
        where = self.placed.pop(p, None)
        if where is None:
            return
        if where == EXTERNAL:
            self.external_used -= 1
        else:
            self.used[where.name] -= 1  # type: ignore[union-attr]

    # ------------------------------------------------------------------ levels
    def levels(self, t: float) -> dict[str, float]:
        """Week-end stocks; expired blocks are pruned here (once a week, not per resident)."""
        iso = qua = 0
        for p, kind in list(self.blocked.items()):
            if p.blocked_until <= t:
                del self.blocked[p]
            elif kind == ISOLATION:
                iso += 1
            else:
                qua += 1
        placed = len(self.placed)
        return {
            "health.isolated": iso,
            "health.quarantined": qua,
            "health.places_used": placed - self.external_used,
            "health.external_used": self.external_used,
            "health.unplaced": len(self.unplaced),
        }
