"""Parameters and starting stock of detention (``detention:``, ``start.detention``), read by ``model.detention``."""
from __future__ import annotations

from pydantic import Field

from ..scenario.base import (
    NonNegFloat,
    NonNegInt,
    PosFloat,
    Probability,
    Strict,
)
from ..scenario.markers import EXTENSIVE


class Detention(Strict):
    """Immigration detention (vreemdelingenbewaring): lawful only with a prospect of removal."""

    places: NonNegInt = Field(json_schema_extra=EXTENSIVE, description="detention places (persons) usable in the phase")
    placements_per_week: NonNegFloat = Field(json_schema_extra=EXTENSIVE,
        description="placement opportunities per week (apprehensions, transfers from custody); "
        "one person each if there is a free place and a candidate with a prospect of removal"
    )
    dublin_share: Probability = Field(
        description="share of placement opportunities offered first to Dublin claimants"
    )
    min_travel_open: Probability = Field(
        description="prospect of removal for forced-return cases: placement only while "
        "dtv.travel_open is at least this; below it detained forced-return cases are released"
    )
    removal_weekly_hazard: NonNegFloat = Field(
        description="per-person weekly hazard of forced removal from detention when all routes are open "
        "(scaled by dtv.travel_open)"
    )
    origin_share: Probability = Field(
        description="share of removals from detention that go to the country of origin"
    )
    release_weekly_hazard: NonNegFloat = Field(
        description="per-person weekly hazard of release because the individual prospect of removal "
        "disappears (court, no travel document)"
    )
    travel_elasticity: NonNegFloat = Field(
        0.0, description="placements follow travel openness: the placement opportunities are "
        "placements_per_week x dtv.travel_open ** this (0 = placements_per_week is the capacity "
        "itself; 1 = proportional to the share of routes open)")
    max_stay_days: PosFloat = Field(description="maximum stay in detention (days); release at the latest then")
    release_mob_share: Probability = Field(
        description="share of released persons who leave without supervision (MOB) rather than "
        "return to the caseload"
    )


class StartDetention(Strict):
    population: NonNegInt = Field(json_schema_extra=EXTENSIVE,
        description="persons in detention (forced-return cases of one person, part of the "
        "departure caseload, not counted in dtv.outside_reception)"
    )
    elapsed_days: NonNegFloat = Field(
        description="mean days the starting detainees have already spent in detention"
    )
