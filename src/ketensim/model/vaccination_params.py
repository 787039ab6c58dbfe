"""Parameters of vaccination in COA reception (``health.vaccination``; see ``vaccination``)."""
from __future__ import annotations

from pydantic import Field

from ..scenario.base import NonNegFloat, Probability, Strict


class Vaccination(Strict):
    """Vaccination of COA residents; off while coverage is 0."""

    coverage: Probability = Field(
        0.0, description="share of residents vaccinated: a phase raising it starts a campaign "
        "among the residents not yet offered; newcomers are offered at entry (probability)")
    efficacy: Probability = Field(
        0.5, description="probability that an infection attempt on a protected person fails "
        "(leaky protection against infection)")
    protection_days: NonNegFloat = Field(
        14.0, description="days from the shot until protection starts (days)")
    campaign_days: NonNegFloat = Field(
        28.0, description="days a campaign takes: the chosen residents are vaccinated at an even "
        "pace over them, location by location (days; 0 = all at once)")
