"""Parameters and starting stock of Dublin (``dublin:``, ``start.dublin``), read by ``model.dublin``."""
from __future__ import annotations

from pydantic import Field, model_validator

from ..scenario.base import (
    NonNegFloat,
    NonNegInt,
    PosFloat,
    Probability,
    Series,
    Strict,
)
from ..scenario.markers import EXTENSIVE


class Dublin(Strict):
    """Dublin: outgoing claims on other member states, transfers, deadlines; incoming transfers."""

    claim_share: Probability = Field(
        description="share of first-application households with a claim on another member state"
    )
    claim_days: NonNegFloat = Field(
        description="mean days from application to the claim (registration, Eurodac hit, request)"
    )
    accept_share: Probability = Field(
        description="share of claims the other member state accepts (explicitly or tacitly)"
    )
    acceptance_days: NonNegFloat = Field(description="mean days from claim to the answer")
    deadline_days: PosFloat = Field(
        description="transfer deadline in days from acceptance (Dublin III art. 29: 6 months)"
    )
    deadline_absconded_days: PosFloat = Field(
        description="transfer deadline in days from acceptance if the person absconds (18 months)"
    )
    transfer_prep_days: NonNegFloat = Field(
        description="mean days from acceptance until a transfer can be arranged (laissez-passer, flight)"
    )
    transfers_per_week: NonNegFloat = Field(json_schema_extra=EXTENSIVE,
        description="transfer slots (households) per week; 0 = transfers suspended"
    )
    partner_refusal_share: Probability = Field(
        description="share of transfer attempts refused or postponed by the partner state's "
        "extra conditions (the slot is lost, the case waits and is tried again)"
    )
    partner_delay_days: NonNegFloat = Field(
        description="mean days a refused/postponed transfer waits before it can be tried again"
    )
    forced_share: Probability = Field(
        description="share of accepted claimants who do not cooperate: transferred under escort (forced)"
    )
    mob_weekly_hazard: NonNegFloat = Field(
        description="per-person weekly hazard that a claimant awaiting transfer absconds (MOB)"
    )
    reappear_weekly_hazard: NonNegFloat = Field(
        description="weekly hazard that an absconded claimant reappears (apprehended, reports back)"
    )
    incoming: Series = Field(json_schema_extra=EXTENSIVE,
        description="incoming Dublin transfers to the Netherlands (persons); they enter reception "
        "and the national procedure"
    )

    @model_validator(mode="after")
    def _deadlines(self) -> "Dublin":
        if self.deadline_absconded_days < self.deadline_days:
            raise ValueError(
                f"deadline_absconded_days ({self.deadline_absconded_days}) must be >= "
                f"deadline_days ({self.deadline_days})"
            )
        return self


class StartDublin(Strict):
    awaiting_transfer: NonNegInt = Field(json_schema_extra=EXTENSIVE,
        description="persons in COA with an accepted claim awaiting transfer (not counted in "
        "reception.in_procedure); time since acceptance uniform over the deadline"
    )
    claims_pending: NonNegInt = Field(0, json_schema_extra=EXTENSIVE,
        description="persons in COA in the Dublin track whose claim is not yet answered (not "
        "counted in reception.in_procedure): the claim and its answer follow from the start")
