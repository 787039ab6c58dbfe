"""Parameters and starting stock of resettlement (``resettlement:``, ``start.resettlement``), read by ``model.resettlement``."""
from __future__ import annotations

from pydantic import Field

from ..scenario.base import (
    NonNegFloat,
    NonNegInt,
    Probability,
    SizeDistribution,
    Strict,
)
from ..scenario.markers import EXTENSIVE


class Resettlement(Strict):
    """Resettlement (hervestiging): UNHCR-submitted refugees selected on missions.

    Selected refugees wait for exit formalities and a seat on a (charter) flight; flights
    stop while travel is suspended. Arrivals go to COA for a short stay and then to the
    municipality they were matched with before arrival.
    """

    quotas: dict[str, NonNegFloat] = Field(json_schema_extra=EXTENSIVE,
        description="persons per year by programme (national quota, EU-Turkey statement)")
    missions_open: Probability = Field(
        description="share of selection missions that take place (0 = missions suspended)")
    mission_share: Probability = Field(
        description="share of the quotas selected on missions; the rest are individual dossier "
        "cases, selected also while missions are suspended")
    household_size_probabilities: SizeDistribution = Field(
        description="probability of each resettled household size (persons)")
    preparation_days: NonNegFloat = Field(
        description="mean days from selection to ready to travel (exit permits, medical checks, "
        "cultural orientation)")
    seats_per_week: NonNegFloat = Field(json_schema_extra=EXTENSIVE,
        description="flight seats (persons) per week for ready refugees; 0 = travel suspended")
    coa_stay_days: NonNegFloat = Field(
        description="mean days in COA before moving to the pre-matched municipality")


class StartResettlement(Strict):
    waiting: NonNegInt = Field(json_schema_extra=EXTENSIVE,
        description="persons selected for resettlement (earlier missions) who have not yet travelled")
