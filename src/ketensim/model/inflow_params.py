"""Parameters of the exogenous inflow (``inflow:``), read by ``model.inflow``."""
from __future__ import annotations

from pydantic import Field, model_validator

from ..clock import parse_period
from ..scenario.base import (
    Probability,
    Series,
    SizeDistribution,
    Strict,
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
            for key in band.values:
                try:
                    parse_period(key)
                except ValueError as exc:
                    raise ValueError(f"bands.levels.{name}.values: {exc}") from None
                if (series.per == "month") != ("W" not in key):
                    raise ValueError(f"bands.levels.{name}.values: key {key!r} does not match per={series.per!r}")
        return self
