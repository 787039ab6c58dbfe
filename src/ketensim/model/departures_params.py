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


class Propensity(Strict):
    """Departure propensity per route, relative to the calibrated hazards and removal capacity:
    what changes a route's rate beyond travel openness (the caseload's willingness to leave,
    DT&V's return effort, the cooperation of countries of origin). Phases change it by period."""

    independent: NonNegFloat = Field(
        1.0, description="factor on the independent-departure hazard (x dtv.travel_open as before)")
    forced: NonNegFloat = Field(
        1.0, description="factor on forced removals: DT&V's removal slots and the removal hazard "
        "from detention (x dtv.travel_open as before)")
    unsupervised: NonNegFloat = Field(
        1.0, description="factor on the hazard of departure without supervision (MOB)")


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
    propensity: Propensity = Field(
        default_factory=Propensity,
        description="departure propensity per route (1 = the calibrated rates; travel openness "
        "is a factor of its own)")


class StartDtv(Strict):
    outside_reception: NonNegInt = Field(json_schema_extra=EXTENSIVE,
        description="persons in the departure caseload who are not in COA reception"
    )
