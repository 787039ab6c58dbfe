"""Shared building blocks of the scenario schema: bounded numbers, size distributions, the
strict base class of every block and the exogenous ``Series``. The blocks themselves live
next to the parts that read them (``model/*_params.py``) or in ``scenario.schema``.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Iterable, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from ..clock import parse_period
from .bounds import MAX_AMOUNT, MAX_COUNT, MAX_HOUSEHOLD, MAX_SEED, at_most, finite, not_bool

# Shared number types: finite, never a boolean, with plausibility bounds (scenario/bounds.py).
_Num = (BeforeValidator(finite), BeforeValidator(not_bool))
NonNegInt = Annotated[int, Field(ge=0), *_Num, AfterValidator(at_most(MAX_COUNT))]
PosInt = Annotated[int, Field(ge=1), *_Num, AfterValidator(at_most(MAX_COUNT))]
NonNegFloat = Annotated[float, Field(ge=0, allow_inf_nan=False), *_Num, AfterValidator(at_most(MAX_AMOUNT))]
PosFloat = Annotated[float, Field(gt=0, allow_inf_nan=False), *_Num, AfterValidator(at_most(MAX_AMOUNT))]
Probability = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False), *_Num]
Seed = Annotated[int, Field(ge=0, le=MAX_SEED), BeforeValidator(not_bool)]


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")
"""Control characters, and the invisible and direction-changing marks of Unicode."""


def escape_controls(text: str, keep: str = "") -> str:
    """Control characters written as escapes (ESC -> ``\\x1b``), so a name or description
    reaches a terminal, a CSV file or a report as text, never as a command to the terminal
    (colours, cursor moves, a cleared screen) or a reversed line. ``keep``: allowed ones."""
    def esc(m: re.Match[str]) -> str:
        c = m[0]
        return c if c in keep else (f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}")

    return _CONTROL.sub(esc, text)


Label = Annotated[str, AfterValidator(escape_controls)]
"""A one-line name (of a scenario or phase): control characters escaped."""
Text = Annotated[str, AfterValidator(lambda v: escape_controls(v, keep="\n\t"))]
"""Free text (a description or note): line breaks and tabs kept, other control characters escaped."""


def _sums_to_one(v: dict[int, float]) -> dict[int, float]:
    total = sum(v.values())
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"must sum to 1, got {total:.6g}")
    return v


HouseholdSize = Annotated[int, Field(ge=1), *_Num, AfterValidator(at_most(MAX_HOUSEHOLD))]
SizeDistribution = Annotated[dict[HouseholdSize, Probability], AfterValidator(_sums_to_one)]
"""Probabilities of sizes (persons) that must sum to 1."""


class Strict(BaseModel):
    """Base of every schema block: frozen, unknown keys refused."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


def check_period_keys(keys: Iterable[str], per: str, where: str) -> None:
    """Every key is a period ('YYYY-MM' or 'YYYY-Www') of the kind ``per`` says; else a
    ValueError naming ``where``."""
    for key in keys:
        try:
            parse_period(key)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        if (per == "month") != ("W" not in key):
            raise ValueError(f"{where}: key {key!r} does not match per={per!r}")


class Series(Strict):
    """An exogenous count per calendar period (month 'YYYY-MM' or ISO week 'YYYY-Www').

    Arrivals within a period follow a Poisson process at the period's constant rate
    (a non-homogeneous Poisson process over the horizon). Before the first period the
    first value holds. A series must reach the horizon end unless ``extend`` says how it
    goes on (see ``scenario.series``): the scenario states it, the code never guesses.
    """

    per: Literal["month", "week"]
    values: dict[str, NonNegFloat] = Field(min_length=1)
    scale: NonNegFloat = Field(1.0, description="multiplier on every value (what-if lever)")
    extend: Literal["hold", "zero", "repeat_last_year"] | None = Field(
        None, description="beyond the last period: hold its value, zero, or repeat the last "
        "year's values (same month / the week 52 weeks earlier); none = the series must reach "
        "the horizon end")

    @field_validator("values", mode="before")
    @classmethod
    def _keys(cls, v: object) -> object:
        if isinstance(v, dict):
            return {str(k): val for k, val in v.items()}
        return v

    @model_validator(mode="after")
    def _periods(self) -> "Series":
        check_period_keys(self.values, self.per, "values")
        return self

    def segments(self) -> list[tuple[dt.date, dt.date, float]]:
        """Sorted [start, end) periods with their scaled counts."""
        out = [(*parse_period(k), v * self.scale) for k, v in self.values.items()]
        return sorted(out)
