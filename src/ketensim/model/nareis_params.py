"""Parameters and starting stock of family reunification (``nareis:``, ``start.nareis``), read by ``model.nareis``."""
from __future__ import annotations

from pydantic import Field

from ..scenario.base import (
    NonNegFloat,
    NonNegInt,
    PosFloat,
    Probability,
    Series,
    SizeDistribution,
    Strict,
)
from ..scenario.markers import EXTENSIVE


class Nareis(Strict):
    """Family reunification (nareis): applications by permit holders for family members.

    Counted in persons (family members applied for). A decision needs, for a share of the
    applications, an interview or DNA test at an embassy or IND desk (capacity-limited);
    approved family members collect an MVV at an embassy and then travel.
    """

    apply_share: Probability = Field(
        description="share of granted households (permit holders) that apply for family members")
    apply_days: PosFloat = Field(
        description="mean days from the grant to the application when filing is fully possible")
    filing_factor: NonNegFloat = Field(
        description="multiplier on the application rate (1 = normal; <1 = applications postponed, "
        "e.g. IND desks closed); granted permit holders defer, the background is thinned")
    family_size_probabilities: SizeDistribution = Field(
        description="probability of the number of family members (persons) per application")
    background_applications: Series = Field(json_schema_extra=EXTENSIVE,
        description="applications (persons) from permit holders not in the model (housed before "
        "the horizon), before the filing factor")
    assessment_days: NonNegFloat = Field(
        description="mean days of IND file assessment from application to decision or to the "
        "investigation queue")
    investigation_share: Probability = Field(
        description="share of applications that need an interview or DNA test")
    investigations_per_week: NonNegFloat = Field(json_schema_extra=EXTENSIVE,
        description="interviews/DNA tests (applications) per week at embassies and IND desks")
    decisions_per_week: NonNegFloat | None = Field(
        None, json_schema_extra=EXTENSIVE,
        description="IND nareis decisions (applications) per week, a FIFO queue of the files "
        "assessed or investigated (None: no limit, a file is decided when its assessment or "
        "investigation ends; 0: decisions suspended)")
    approval_share: Probability = Field(description="share of decisions that approve the application")
    embassies_open: Probability = Field(
        description="share of consular service available to issue the MVV to approved family members")
    mvv_days: PosFloat = Field(
        description="mean days from approval to the MVV issued when embassies are fully open")
    travel_open: Probability = Field(description="share of travel possible (flights, borders)")
    travel_days: PosFloat = Field(
        description="mean days from the MVV to arrival in the Netherlands when travel is fully open")


class StartNareis(Strict):
    """Nareis pipeline at the start; sponsors of these are treated as housed in municipalities."""

    open: NonNegInt = Field(json_schema_extra=EXTENSIVE, description="persons in open applications (awaiting an IND decision)")
    filing_pending: NonNegInt = Field(0, json_schema_extra=EXTENSIVE, description=(
        "persons that permit holders granted before the start will still apply for: filed after "
        "the start, exponential with mean nareis.apply_days (memoryless, so exact for a stock "
        "taken from a run)"))
    filing_pending_in_coa_share: Probability = Field(0.0, description=(
        "share of filing_pending whose sponsor is still in COA: those family members join a "
        "permit holder in COA (drawn at random), the rest a sponsor in a municipality"))
    awaiting_investigation_share: Probability = Field(
        description="share of the open persons already waiting for an interview/DNA test")
    approved: NonNegInt = Field(json_schema_extra=EXTENSIVE, description="approved persons waiting for their MVV")
    holding_mvv: NonNegInt = Field(json_schema_extra=EXTENSIVE, description="persons holding an MVV, waiting to travel")
