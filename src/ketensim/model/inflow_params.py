"""Parameters of the exogenous inflow (``inflow:``), read by ``model.inflow``."""
from __future__ import annotations

from pydantic import Field, model_validator

from ..scenario.base import (
    Probability,
    Series,
    SizeDistribution,
    Strict,
    check_period_keys,
)
from ..scenario.markers import BUILD_TIME, EXTENSIVE
from .bands_params import InflowBands


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

    first_applications: Series = Field(json_schema_extra=EXTENSIVE, description="first asylum applications (persons)")
    repeat_applications: Series = Field(json_schema_extra=EXTENSIVE, description="repeat asylum applications (persons)")
    households: Households = Field(json_schema_extra=BUILD_TIME,
                                   description="household mix, drawn by the arrival processes built at the start")
    bands: InflowBands | None = Field(None, json_schema_extra=BUILD_TIME,
                                      description="inflow bands, one drawn per replication (optional)")

    @model_validator(mode="after")
    def _band_values(self) -> "Inflow":
        """A band's own values must be periods of the series they replace."""
        if self.bands is None:
            return self
        series = getattr(self, self.bands.applies_to[0])
        for name, band in self.bands.levels.items():
            check_period_keys(band.values, series.per, f"bands.levels.{name}.values")
        return self
