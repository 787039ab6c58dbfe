"""Parameters of inflow bands (``inflow.bands:``): the inflow as an uncertainty, drawn once per
replication by ``model.bands``."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator, model_validator

from ..clock import parse_when
from ..scenario.base import NonNegFloat, PosFloat, Strict

SeriesName = Literal["first_applications", "repeat_applications"]


class InflowBand(Strict):
    """One inflow band (e.g. MPP-style low / middle / high): its weight and how it changes
    the series it applies to."""

    weight: PosFloat = Field(description="relative chance a replication runs this band (weights are normalised)")
    scale: NonNegFloat = Field(1.0, description="multiplier on the series' values from bands.start on")
    values: dict[str, NonNegFloat] = Field(
        default_factory=dict, description="this band's own values for some periods (persons; keys "
        "as in the series), replacing the series' values there before the scale (one series only)")
    note: str = Field("", description="the assumption behind the band")

    @field_validator("values", mode="before")
    @classmethod
    def _keys(cls, v: object) -> object:
        return {str(k): val for k, val in v.items()} if isinstance(v, dict) else v


class ScaleDistribution(Strict):
    """A continuous inflow scale: triangular(low, mode, high) or uniform(low, high)."""

    kind: Literal["triangular", "uniform"]
    low: NonNegFloat
    high: NonNegFloat
    mode: NonNegFloat | None = Field(None, description="for triangular: the most likely scale")

    @model_validator(mode="after")
    def _order(self) -> "ScaleDistribution":
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be >= low ({self.low})")
        if self.kind == "triangular" and (self.mode is None or not self.low <= self.mode <= self.high):
            raise ValueError(f"triangular needs low <= mode <= high, got mode={self.mode}")
        return self


class InflowBands(Strict):
    """Inflow as an uncertainty: each replication samples one band (or one scale) on its own
    named stream, so two scenarios with the same bands run the same band in replication r
    (common random numbers) and the band's spread can be told apart from replication noise."""

    stream: str = Field("inflow.band", description="name of the random stream of the draw")
    sampling: Literal["stratified", "random"] = Field(
        "stratified", description="stratified: replication r draws u = (U + r x 0.618...) mod 1 with U "
        "from the stream at the root seed, so every run of R replications covers the bands in about "
        "their weights; random: an independent draw per replication")
    applies_to: list[SeriesName] = Field(default_factory=lambda: list[SeriesName](["first_applications"]),
                                         min_length=1, description="the series the bands change")
    start: dt.date | None = Field(None, description="the bands change periods from this date on "
                                  "(default: the whole series)")
    levels: dict[str, InflowBand] = Field(default_factory=dict, description="named bands, e.g. low/middle/high")
    distribution: ScaleDistribution | None = None

    @field_validator("start", mode="before")
    @classmethod
    def _when(cls, v: object) -> dt.date | None:
        return None if v is None else parse_when(v)

    @model_validator(mode="after")
    def _one_kind(self) -> "InflowBands":
        if bool(self.levels) == (self.distribution is not None):
            raise ValueError("give either levels: {low: ..., middle: ..., high: ...} or distribution:, not both")
        if any(b.values for b in self.levels.values()) and len(self.applies_to) != 1:
            raise ValueError("bands with their own values apply to one series (applies_to: [first_applications])")
        return self


