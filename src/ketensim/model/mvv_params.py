"""Parameters and starting stock of regular entry visas (``mvv:``, ``start.mvv``), read by ``model.mvv``."""
from __future__ import annotations

from pydantic import Field

from ..scenario.base import (
    NonNegFloat,
    NonNegInt,
    PosFloat,
    Probability,
    Series,
    Strict,
)
from ..scenario.markers import EXTENSIVE


class Mvv(Strict):
    """Entry visas (MVV) for regular migration, collected at consulates abroad.

    Regular migrants are not persons of the asylum chain: MVV flows do not enter
    chain.population.
    """

    demand: Series = Field(json_schema_extra=EXTENSIVE, description="persons who want to apply for an MVV at a consulate")
    lodge_days: PosFloat = Field(
        description="mean days from demand to the application lodged when consulates are fully open")
    decision_days: NonNegFloat = Field(description="mean days of IND decision on an MVV application")
    grant_share: Probability = Field(description="share of MVV applications granted (visa issued)")
    consulates_open: Probability = Field(
        description="share of consular service open (lodging applications, handing out visas)")
    collect_days: PosFloat = Field(
        description="mean days from issue to collection when consulates are fully open")
    collection_deadline_days: PosFloat = Field(
        description="days after issue within which the MVV must be collected; an extension "
        "also covers visas already issued")


class StartMvv(Strict):
    waiting_to_lodge: NonNegInt = Field(json_schema_extra=EXTENSIVE, description="persons waiting to lodge an MVV application")
    pending: NonNegInt = Field(json_schema_extra=EXTENSIVE, description="MVV applications awaiting an IND decision (persons)")
    issued: NonNegInt = Field(json_schema_extra=EXTENSIVE, description="issued MVVs not yet collected (persons)")
