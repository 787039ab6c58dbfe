"""COA locations and the pools that choose one for a household.

A pool holds the locations of one stage (process reception, AZC, emergency, crisis) in
groups; a household goes to the open location with the most free places, in a group that
suits its type first (singles, families), then in an 'any' group, then anywhere. Each group
keeps a lazy max-heap of (-free, index): a change of occupancy pushes a fresh entry and
stale entries are dropped when they reach the top (O(log n) per placement).
"""
from __future__ import annotations

import heapq
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .entities import Household

COL, POL, AZC, EMERGENCY, CRISIS = "col", "pol", "azc", "emergency", "crisis"
STAGES = (COL, POL, AZC, EMERGENCY, CRISIS)


class Location:
    """One COA location. ``places`` is the regular capacity (for the registration centre:
    the agreed limit, which its occupants may exceed). ``accepting`` is False while the
    location is not yet open, is closing, or (emergency, crisis) is switched off."""

    __slots__ = ("name", "places", "isolation_places", "stage", "occupants", "households",
                 "accepting", "is_open", "opened_at", "by_rule", "group", "index")

    def __init__(self, name: str, places: int, isolation_places: int, stage: str,
                 accepting: bool = True) -> None:
        self.name = name
        self.places = places
        self.isolation_places = isolation_places
        self.stage = stage
        self.occupants = 0
        self.households: dict[int, "Household"] = {}
        self.accepting = accepting
        self.is_open = accepting  # counted in the capacity (open, or closing but not yet empty)
        self.opened_at = 0.0
        self.by_rule = False
        self.group: "Group | None" = None
        self.index = 0

    @property
    def emergency(self) -> bool:
        """An intake (emergency) location: newcomers stay there before registration."""
        return self.stage == EMERGENCY

    @property
    def free(self) -> int:
        return self.places - self.occupants


class Group:
    """Locations that suit the same households ('any', 'single' or 'family')."""

    __slots__ = ("households", "locations", "heap")

    def __init__(self, households: str) -> None:
        self.households = households
        self.locations: list[Location] = []
        self.heap: list[tuple[int, int]] = []

    def add(self, loc: Location) -> None:
        loc.group, loc.index = self, len(self.locations)
        self.locations.append(loc)
        self.touch(loc)

    def touch(self, loc: Location) -> None:
        if not loc.accepting:
            return
        if len(self.heap) > 8 * len(self.locations) + 8:
            self.heap = [(-l.free, l.index) for l in self.locations if l.accepting]
            heapq.heapify(self.heap)
        else:
            heapq.heappush(self.heap, (-loc.free, loc.index))

    def best(self) -> Location | None:
        """The accepting location with the most free places (lowest index on ties)."""
        heap, locs = self.heap, self.locations
        while heap:
            neg_free, i = heap[0]
            loc = locs[i]
            if loc.accepting and -neg_free == loc.free:
                return loc
            heapq.heappop(heap)
        return None


class Pool:
    """The locations of one stage, by group."""

    def __init__(self, stage: str) -> None:
        self.stage = stage
        self.groups: dict[str, Group] = {}
        self.locations: list[Location] = []
        self._tiers: dict[str, tuple[list[Group], ...]] = {}  # "single"/"family" -> tiers

    def add(self, loc: Location, households: str = "any") -> Location:
        group = self.groups.get(households)
        if group is None:
            group = self.groups[households] = Group(households)
            self._tiers.clear()
        group.add(loc)
        self.locations.append(loc)
        return loc

    def choose(self, size: int) -> Location | None:
        """A location with room for ``size`` persons: suitable group first, 'any' second,
        any other group last; within a tier the one with the most free places."""
        kind = "single" if size == 1 else "family"
        tiers = self._tiers.get(kind)
        if tiers is None:  # the tiers change only when a group is added
            tiers = self._tiers[kind] = (
                [g for k, g in self.groups.items() if k == kind],
                [g for k, g in self.groups.items() if k == "any"],
                [g for k, g in self.groups.items() if k not in (kind, "any")])
        for tier in tiers:
            best: Location | None = None
            best_free = 0
            for g in tier:
                heap, locs = g.heap, g.locations
                while heap:  # Group.best, inline (the hot path)
                    neg_free, i = heap[0]
                    loc = locs[i]
                    free = loc.places - loc.occupants
                    if loc.accepting and -neg_free == free:
                        if best is None or free > best_free:
                            best, best_free = loc, free
                        break
                    heapq.heappop(heap)
            if best is not None and best_free >= size:
                return best
        return None

    def set_accepting(self, loc: Location, accepting: bool) -> None:
        loc.accepting = accepting
        if accepting:
            loc.is_open = True
            assert loc.group is not None
            loc.group.touch(loc)

    @property
    def capacity(self) -> int:
        return sum(l.places for l in self.locations if l.is_open)

    @property
    def occupants(self) -> int:
        return sum(l.occupants for l in self.locations)

    @property
    def free(self) -> int:
        """Free places in accepting locations (what can be used now)."""
        return sum(max(l.free, 0) for l in self.locations if l.accepting)

    @property
    def open_count(self) -> int:
        return sum(1 for l in self.locations if l.is_open)
