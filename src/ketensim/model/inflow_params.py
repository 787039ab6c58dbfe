"""Parameters of the exogenous inflow (``inflow:``), read by ``model.inflow``."""
from __future__ import annotations

from pydantic import Field

from ..scenario.base import (
    Probability,
    Series,
    SizeDistribution,
    Strict,
)
from ..scenario.markers import BUILD_TIME


class Households(Strict):
    """Composition of arriving households (one asylum case per household)."""

    size_probabilities: SizeDistribution = Field(
        description="probability of each household size (persons)"
    )
    second_adult_share: Probability = Field(
        description="share of households of two or more persons with two adults"
    )


class Inflow(Strict):
    """Exogenous inflow into the chain, in persons."""

    first_applications: Series
    repeat_applications: Series
    households: Households = Field(json_schema_extra=BUILD_TIME,
                                   description="household mix, drawn by the arrival processes built at the start")
