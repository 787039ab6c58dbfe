"""Isolation and quarantine parameters (``health.quarantine:``), read by ``model.quarantine``."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..scenario.base import (
    NonNegFloat,
    NonNegInt,
    PosFloat,
    Strict,
)
from ..scenario.markers import EXTENSIVE


class Quarantine(Strict):
    """Isolation of cases, quarantine of contacts, and the places they need."""

    strategy: Literal["case_and_contacts", "whole_location"] = Field(
        description="case_and_contacts: the case and housemates; whole_location: also every "
        "other resident of the location, quarantined in their own rooms"
    )
    isolation_days: PosFloat = Field(
        description="days a detected case stays in isolation, from the positive test "
        "(LCI: at least 7 days after onset and 24 h without symptoms)"
    )
    quarantine_days: NonNegFloat = Field(
        description="days a contact stays in quarantine, from the case's positive test "
        "(14; 10 from 18 August 2020)"
    )
    housemates_use_places: bool = Field(
        description="housemates in quarantine take a reserved place (else they stay in their own room)"
    )
    external_places: NonNegInt = Field(json_schema_extra=EXTENSIVE,
        description="places in external quarantine locations, used when a location's reserved "
        "places are full (persons, national total)"
    )
    intake_blocks: bool = Field(
        description="the intake stay of newcomers in an emergency location counts as quarantine "
        "(blocks hearings and transfers for reception.intake_quarantine_days)"
    )
