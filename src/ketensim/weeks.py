"""A span of ISO weeks given as ``from``/``to`` (ISO week or date): the one validated shape
shared by the scenario's report windows and the statistics' windows."""
from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .clock import parse_end, parse_when


class WeekSpan(BaseModel):
    """``from`` is the first week (its Monday or the date), ``to`` the last one, inclusive."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, populate_by_name=True)

    start: dt.date = Field(alias="from", description="first week (ISO week or date)")
    end: dt.date = Field(alias="to", description="last week (ISO week or date), inclusive")

    @field_validator("start", mode="before")
    @classmethod
    def _from(cls, v: object) -> dt.date:
        return parse_when(v)

    @field_validator("end", mode="before")
    @classmethod
    def _to(cls, v: object) -> dt.date:
        return parse_end(v)
