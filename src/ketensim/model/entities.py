"""Persons and households: the entities that move through the chain.

A household is one asylum case: its members are admitted, decided on, housed and depart
together. Persons carry what is individual: adult or child, and (for the epidemic) until
when they are in isolation or quarantine.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import simpy

IN_PROCEDURE = "in_procedure"
PERMIT_HOLDER = "permit_holder"
REJECTED = "rejected"
DUBLIN = "dublin"  # accepted Dublin claimant awaiting transfer
STATUSES = (IN_PROCEDURE, PERMIT_HOLDER, REJECTED, DUBLIN)


class Person:
    __slots__ = ("pid", "household", "adult", "blocked_until", "health")

    def __init__(self, pid: int, household: "Household", adult: bool) -> None:
        self.pid = pid
        self.household = household
        self.adult = adult
        self.blocked_until = -1e18  # isolation/quarantine end (model days)
        self.health: Any = None


class Household:
    """One case. ``wakeup`` is the event a part succeeds to hand the case on.

    ``size`` is read on every placement, count and level update (hundreds of thousands of
    times a run), so it is a plain attribute kept by the ``members`` setter: assign a new
    list to change the members, do not mutate the list in place.
    """

    __slots__ = (
        "hid", "_members", "size", "kind", "status", "location", "applied_at",
        "removable", "in_reception", "wakeup", "detained",
    )

    def __init__(self, hid: int, kind: str, applied_at: float) -> None:
        self.hid = hid
        self._members: list[Person] = []
        self.size = 0
        self.kind = kind  # "first" or "repeat"
        self.status = IN_PROCEDURE
        self.location: Any = None  # a reception.Location (reception imports this module, not back)
        self.applied_at = applied_at
        self.removable = False
        self.in_reception = False
        self.wakeup: "simpy.Event | None" = None
        self.detained = False  # in immigration detention (see model.detention)

    @property
    def members(self) -> list[Person]:
        return self._members

    @members.setter
    def members(self, persons: list[Person]) -> None:
        self._members = persons
        self.size = len(persons)

    @property
    def adults(self) -> list[Person]:
        return [p for p in self._members if p.adult]

    def blocked(self, now: float) -> bool:
        """True while any member is in isolation or quarantine (asked on every placement
        attempt: a plain loop, no generator)."""
        for p in self._members:
            if p.blocked_until > now:
                return True
        return False

    def blocked_until(self) -> float:
        return max(p.blocked_until for p in self._members)
