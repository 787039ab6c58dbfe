"""Seeding: what a part places its starting stock with (the ``seed_stock`` hook of ``Part``, the
elaboration step of desmod components). The chain calls every part's hook once, after wiring
and before the run, inside the recorder's seeding block (what is placed is stock, not flow).

A part draws its stock's households from its own named stream (``start.<part>``), so adding
or changing one part's stock does not reshuffle another's (common random numbers), and it
starts each household on its journey through the chain's journeys (``Journeys``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Protocol

from .inflow import HouseholdMaker

if TYPE_CHECKING:
    from ..scenario.root import Scenario
    from .entities import Household
    from .streams import Stream, Streams


class Journeys(Protocol):
    """The chain's journeys a starting stock joins half-way (implemented by ``Chain``)."""

    def new_household(self, kind: str, size: int, adults: int, applied_at: float) -> "Household": ...
    def enter_stock(self, hh: "Household") -> None: ...
    def admit_stock(self, hh: "Household") -> None: ...
    def rejected_stock(self, hh: "Household", removable: bool | None = None) -> None: ...
    def permit_stock(self, hh: "Household") -> None: ...
    def appeal_stock(self, hh: "Household") -> None: ...
    def dublin_stock(self, hh: "Household", accepted_at: float) -> None: ...
    def claim_stock(self, hh: "Household") -> None: ...
    def procedure_stock(self, hh: "Household", stage: int) -> None: ...
    def permit_holders_in_coa(self) -> list["Household"]: ...


class Seeding:
    """The start block, the moment, the streams and the journeys a part seeds with (a plain
    class: see ``parts.Build``)."""

    def __init__(self, scenario: "Scenario", t0: float, streams: "Streams", journeys: Journeys) -> None:
        self.scenario, self.t0, self.streams, self.journeys = scenario, t0, streams, journeys

    def stream(self, part: str) -> "Stream":
        return self.streams(f"start.{part}")

    def households(self, persons: int, kind: str, status: str, stream: "Stream") -> Iterator["Household"]:
        """``persons`` persons as households drawn from the inflow's mix (the last one cut to
        fit), each entered into the chain with ``status``."""
        maker = HouseholdMaker(self.scenario.inflow.households, stream)
        placed = 0
        while placed < persons:
            size, adults = maker.draw()
            size = min(size, persons - placed)
            adults = min(adults, size)
            hh = self.journeys.new_household(kind, size, max(adults, 1) if size else 0, self.t0)
            hh.members[0].adult = True
            hh.status = status
            placed += size
            self.journeys.enter_stock(hh)
            yield hh
