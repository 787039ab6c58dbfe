"""Parameters and starting stock of the DT&V departure caseload (``dtv:``, ``start.dtv``), read by ``model.departures``."""
from __future__ import annotations

from pydantic import Field

from ..scenario.base import (
    NonNegFloat,
    NonNegInt,
    Probability,
    Strict,
)
from ..scenario.markers import EXTENSIVE


class Dtv(Strict):
    """DT&V departure caseload: independent and forced departure, departure without supervision."""

    travel_open: Probability = Field(
        description="share of departure routes open under travel restrictions"
    )
    independent_weekly_hazard: NonNegFloat = Field(
        description="per-person weekly hazard of independent departure when all routes are open"
    )
    removals_per_week: NonNegFloat = Field(json_schema_extra=EXTENSIVE,
        description="forced removals (households) per week (escorts, flights) when all routes are open"
    )
    removable_share: Probability = Field(
        description="share of rejected persons with a prospect of forced removal"
    )
    forced_origin_share: Probability = Field(
        description="share of forced departures that go to the country of origin"
    )
    mob_weekly_hazard: NonNegFloat = Field(
        description="per-person weekly hazard of leaving without supervision (MOB)"
    )
    leave_reception_days: NonNegFloat = Field(
        description="mean days a rejected household still stays in COA reception"
    )


class StartDtv(Strict):
    outside_reception: NonNegInt = Field(json_schema_extra=EXTENSIVE,
        description="persons in the departure caseload who are not in COA reception"
    )
