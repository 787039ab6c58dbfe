"""COA reception: locations, emergency locations, occupancy by status, housing outflow."""
from __future__ import annotations

import heapq
from collections import deque
from typing import TYPE_CHECKING, Generator

import simpy

from ..metrics.recorder import Level, Recorder
from ..metrics.registry import Derived, Metric
from .entities import PERMIT_HOLDER, STATUSES, Household, Person
from .parts import Build, Part

if TYPE_CHECKING:
    from ..policy.timeline import PolicyProcess
    from ..scenario.schema import Scenario
    from .streams import Streams


METRICS: tuple[Metric | Derived, ...] = (
    Metric("coa.admissions", "reception", "count", "persons/week", "COA admissions",
           "persons placed in a COA location (newcomers, returns, joining family)", contract=True),
    Metric("coa.exits", "reception", "count", "persons/week", "COA exits",
           "persons leaving COA reception, for any reason", contract=True),
    Metric("coa.housed", "reception", "count", "persons/week", "housed in municipalities",
           "permit holders leaving COA for a home in a municipality", contract=True),
    *(Metric(f"coa.exits_{reason}", "reception", "count", "persons/week", f"COA exits: {text}",
             f"persons leaving COA reception: {text}")
      for reason, text in (("absconded", "absconded Dublin claimants"), ("departed", "departed from the DT&V caseload"),
                           ("detention", "placed in detention"), ("dublin_transfer", "transferred under Dublin"),
                           ("housed", "housed in a municipality"), ("rejected_left", "rejected, left reception"))),
    Metric("coa.occupancy", "reception", "level", "persons", "COA occupancy", "persons in COA reception at week end",
           label_nl="bezetting COA"),
    Metric("coa.occupancy_avg", "reception", "level", "persons", "COA occupancy (week average)",
           "time-averaged COA occupancy over the week"),
    Metric("coa.capacity", "reception", "level", "places", "COA places", "places in open COA locations"),
    Metric("coa.permit_holders", "reception", "level", "persons", "permit holders in COA",
           "permit holders in COA waiting for housing, at week end"),
    Metric("coa.in_procedure", "reception", "level", "persons", "in procedure in COA",
           "asylum seekers in procedure in COA, at week end"),
    Metric("coa.rejected", "reception", "level", "persons", "rejected in COA",
           "rejected asylum seekers still in COA, at week end"),
    Metric("coa.dublin_claimants", "reception", "level", "persons", "Dublin claimants in COA",
           "accepted Dublin claimants in COA awaiting transfer, at week end"),
    Metric("coa.emergency_occupancy", "reception", "level", "persons", "in emergency locations",
           "persons in emergency (noodopvang) locations, at week end"),
    Metric("coa.overcrowding", "reception", "level", "persons", "over capacity",
           "persons above the places of their regular location, at week end"),
    Metric("coa.housing_queue", "reception", "level", "persons", "housing queue",
           "matched permit holders waiting for a municipality to take them, at week end"),
)


class Location:
    """One COA location. ``occupants`` may exceed ``places`` (overcrowding) when all is full."""

    __slots__ = ("name", "places", "isolation_places", "emergency", "occupants", "is_open", "households")

    def __init__(self, name: str, places: int, isolation_places: int, emergency: bool) -> None:
        self.name = name
        self.places = places
        self.isolation_places = isolation_places
        self.emergency = emergency
        self.occupants = 0
        self.is_open = not emergency
        self.households: dict[int, Household] = {}

    @property
    def free(self) -> int:
        return self.places - self.occupants


class Reception(Part):
    """Places households, keeps occupancy by status and houses permit holders.

    Emergency locations open when the regular places cannot take a household, or when
    newcomers must first stay in one (intake quarantine); they close again when empty.
    Permit holders enter a FIFO housing queue after matching; municipalities take persons
    at a phase-dependent rate (a fluid quota: a household leaves once the quota since the
    last departure covers its size).
    """

    name = "reception"
    params = "reception"
    stock = ("reception.in_procedure", "reception.permit_holders", "reception.rejected")
    metrics = METRICS
    offers = ("moved", "joined")  # (hh, location, entering) on every placement/removal; (hh, newcomers)

    @classmethod
    def build(cls, ctx: Build) -> "Reception":
        return cls(ctx.env, ctx.rec, ctx.policy, ctx.streams, ctx.scenario)

    def __init__(self, env: simpy.Environment, rec: Recorder, policy: "PolicyProcess",
                 streams: "Streams", scenario: "Scenario") -> None:
        self.env, self.rec, self.policy = env, rec, policy
        self.streams = streams
        cfg = scenario.reception
        self.regular = [
            Location(f"{g.name}-{i + 1}", g.places, g.isolation_places, emergency=False)
            for g in cfg.locations for i in range(g.count)
        ]
        self.emergency = [Location(e.name, e.places, e.isolation_places, emergency=True) for e in cfg.emergency]
        self._index = {l.name: i for i, l in enumerate(self.regular)}
        self._heap: list[tuple[int, int]] = [(-l.free, i) for i, l in enumerate(self.regular)]
        heapq.heapify(self._heap)
        self.by_status = {s: 0 for s in STATUSES}
        self.occupancy = Level(0.0, env.now)
        self.housing_queue: deque[Household] = deque()
        self._housing_wake: simpy.Event = env.event()
        self.housed_total = 0
        rec.add_source(self.levels)
        env.process(self._housing())

    # ------------------------------------------------------------------ placement
    def admit(self, hh: Household, newcomer: bool) -> None:
        """Place a household; newcomers go through an emergency location when required."""
        now = self.env.now
        loc = None
        if newcomer and self.policy.params.reception.intake_quarantine_days > 0:
            loc = self._emergency_with_room(hh.size)
        if loc is None:
            loc = self._regular_with_room(hh.size) or self._emergency_with_room(hh.size)
        if loc is None:  # everything full: overcrowd the least full regular location
            loc = self._best_regular()
        self._place(hh, loc)
        self.rec.count("coa.admissions", now, hh.size)

    def _best_regular(self) -> Location:
        """The regular location with the most free places (lowest index on ties, as max()).

        A lazy max-heap of (-free, index): every change of a location's occupancy pushes a
        fresh entry; stale entries are dropped when they reach the top. O(log n) instead of a
        scan of every location per admission."""
        heap, regular = self._heap, self.regular
        while True:
            neg_free, i = heap[0]
            if -neg_free == regular[i].free:
                return regular[i]
            heapq.heappop(heap)

    def _touch(self, loc: Location) -> None:
        """Record a regular location's new occupancy in the heap (rebuilt when it grows)."""
        if loc.emergency:
            return
        heap = self._heap
        if len(heap) > 8 * len(self.regular):
            heap[:] = [(-l.free, i) for i, l in enumerate(self.regular)]
            heapq.heapify(heap)
        else:
            heapq.heappush(heap, (-loc.free, self._index[loc.name]))

    def _regular_with_room(self, size: int) -> Location | None:
        best = self._best_regular()
        return best if best.free >= size else None

    def _emergency_with_room(self, size: int) -> Location | None:
        for loc in self.emergency:
            if loc.free >= size:
                loc.is_open = True
                return loc
        return None

    def _place(self, hh: Household, loc: Location) -> None:
        hh.location = loc
        hh.in_reception = True
        loc.occupants += hh.size
        self._touch(loc)
        loc.households[hh.hid] = hh
        self.by_status[hh.status] += hh.size
        self.occupancy.add(self.env.now, hh.size)
        self.out.moved(hh, loc, True)

    def _unplace(self, hh: Household) -> None:
        loc = hh.location
        assert loc is not None
        loc.occupants -= hh.size
        self._touch(loc)
        del loc.households[hh.hid]
        self.by_status[hh.status] -= hh.size
        self.occupancy.add(self.env.now, -hh.size)
        hh.location = None
        hh.in_reception = False
        self.out.moved(hh, loc, False)
        if loc.emergency and loc.occupants == 0 and self.policy.params.reception.intake_quarantine_days == 0:
            loc.is_open = False

    def move_to_regular(self, hh: Household) -> None:
        """After intake quarantine: to a regular location if one has room (not while blocked)."""
        if hh.location is None or not hh.location.emergency or hh.blocked(self.env.now):
            return
        target = self._regular_with_room(hh.size)
        if target is not None:
            self._unplace(hh)
            self._place(hh, target)

    def leave(self, hh: Household, reason: str) -> None:
        self._unplace(hh)
        self.rec.count("coa.exits", self.env.now, hh.size)
        self.rec.count(f"coa.exits_{reason}", self.env.now, hh.size)

    def set_status(self, hh: Household, status: str) -> None:
        if hh.in_reception:
            self.by_status[hh.status] -= hh.size
            self.by_status[status] += hh.size
        hh.status = status

    def join(self, hh: Household, persons: list["Person"]) -> None:
        """Family members (nareis) join a household already in reception, at its location;
        they leave with it when it is housed."""
        loc, n = hh.location, len(persons)
        assert loc is not None and hh.in_reception
        self.out.joined(hh, persons)
        hh.members = hh.members + persons  # a new list: members is replaced, never mutated
        loc.occupants += n
        self._touch(loc)
        self.by_status[hh.status] += n
        self.occupancy.add(self.env.now, n)
        self.rec.count("coa.admissions", self.env.now, n)

    def house_directly(self, hh: Household) -> None:
        """Out to a municipality matched before arrival (resettlement), not via the queue."""
        self.leave(hh, "housed")
        self.rec.count("coa.housed", self.env.now, hh.size)
        self.housed_total += hh.size

    # ------------------------------------------------------------------ housing
    def await_housing(self, hh: Household) -> Generator[simpy.Event, object, None]:
        """Permit holder: matching, then the housing queue, then out of reception."""
        self.set_status(hh, PERMIT_HOLDER)
        matching = self.streams("reception.matching").exponential(
            self.policy.params.reception.housing.matching_days)
        yield self.env.timeout(matching)
        hh.wakeup = self.env.event()
        self.housing_queue.append(hh)
        if not self._housing_wake.triggered:
            self._housing_wake.succeed()
        yield hh.wakeup
        while hh.blocked(self.env.now):  # no move to a municipality in isolation/quarantine
            yield self.env.timeout(hh.blocked_until() - self.env.now)
        self.leave(hh, "housed")
        self.rec.count("coa.housed", self.env.now, hh.size)
        self.housed_total += hh.size

    def _housing(self) -> Generator[simpy.Event, object, None]:
        env, credit = self.env, 0.0
        while True:
            if not self.housing_queue:
                credit = 0.0  # places not used are not banked
                self._housing_wake = env.event()
                yield self._housing_wake
                continue
            rate = self.policy.params.reception.housing.persons_per_week / 7.0
            changed = self.policy.changed
            hh = self.housing_queue[0]
            if rate <= 0:
                yield changed
                continue
            t0 = env.now
            yield env.timeout(max(hh.size - credit, 0.0) / rate) | changed
            credit += (env.now - t0) * rate
            if credit >= hh.size - 1e-9:
                self.housing_queue.popleft()
                credit -= hh.size
                assert hh.wakeup is not None
                hh.wakeup.succeed()

    # ------------------------------------------------------------------ levels
    @property
    def capacity(self) -> int:
        return sum(l.places for l in self.regular) + sum(l.places for l in self.emergency if l.is_open)

    def levels(self, t: float) -> dict[str, float]:
        occupancy = self.occupancy.value
        return {
            "coa.occupancy": occupancy,
            "coa.occupancy_avg": self.occupancy.take_area(t) / 7.0,
            "coa.capacity": self.capacity,
            "coa.permit_holders": self.by_status[PERMIT_HOLDER],
            "coa.in_procedure": self.by_status["in_procedure"],
            "coa.rejected": self.by_status["rejected"],
            "coa.dublin_claimants": self.by_status["dublin"],
            "coa.emergency_occupancy": sum(l.occupants for l in self.emergency),
            "coa.overcrowding": sum(max(l.occupants - l.places, 0) for l in self.regular),
            "coa.housing_queue": sum(h.size for h in self.housing_queue),
        }
