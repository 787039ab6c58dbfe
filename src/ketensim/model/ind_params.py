"""Parameters and starting state of the IND (``ind:``, ``start.ind``), read by ``model.ind``
and ``model.hearings``: the procedure (registration, hearings by mode, decision) here, the
production system (staff, case classes, tracks, appeals) in ``scenario.ind_schema``."""
from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from ..scenario.base import NonNegFloat, NonNegInt, PosFloat, Probability, Strict
from ..scenario.ind_schema import IndProduction, StartIndStock
from ..scenario.markers import EXTENSIVE

__all__ = ["Ind", "PhysicalHearings", "StartInd", "VideoHearings"]


class PhysicalHearings(Strict):
    """Hearings in IND offices; 1.5 m distancing leaves only part of the rooms usable."""

    offices: dict[str, NonNegInt] = Field(description="hearing rooms per IND office", json_schema_extra=EXTENSIVE)
    slots_per_room_per_week: PosFloat
    distancing_factor: Probability = Field(
        description="share of rooms usable under the distancing rules (1 = no distancing)"
    )

    @property
    def rooms(self) -> int:
        return int(round(sum(self.offices.values()) * self.distancing_factor))


class VideoHearings(Strict):
    """Telehoren: applicant in a COA video room, IND staff in a video room at an IND site."""

    ind_rooms: dict[str, NonNegInt] = Field(
        json_schema_extra=EXTENSIVE,
        description="video rooms per IND site (Zevenaar, Den Bosch, Schiphol, Ter Apel)"
    )
    coa_rooms: NonNegInt = Field(description="video rooms on the COA side, all locations", json_schema_extra=EXTENSIVE)
    slots_per_room_per_week: PosFloat
    from_quarantine: bool = Field(
        False, description="a person in isolation/quarantine may still be heard by video"
    )

    @property
    def rooms(self) -> int:
        """A video hearing needs a room on both sides at once."""
        return min(sum(self.ind_rooms.values()), self.coa_rooms)


class Ind(IndProduction):
    """IND asylum procedure: registration, hearings by mode, decision; staff, case classes,
    tracks and appeals come from ``ind_schema.IndProduction``."""

    registration_days: NonNegFloat = Field(
        description="mean days from application to ready for the first hearing "
        "(registration, rest and preparation period)"
    )
    hearings_per_adult: dict[Literal["first", "repeat"], NonNegInt] = Field(
        description="hearings per adult: first + detailed hearing for first applications"
    )
    days_between_hearings: NonNegFloat = Field(
        description="mean days of preparation between consecutive hearings"
    )
    decision_days: NonNegFloat = Field(
        description="mean days from the last hearing until the decision work can start (report, "
        "intention, the applicant's view; AA track)")
    hearing_duration_cv: NonNegFloat = Field(
        0.25, description="coefficient of variation of a hearing's room time (1 = exponential)"
    )
    grant_share: dict[Literal["first", "repeat"], Probability] = Field(
        description="share of decisions that grant a permit"
    )
    physical: PhysicalHearings
    video: VideoHearings

    @field_validator("hearings_per_adult", "grant_share")
    @classmethod
    def _both_kinds(cls, v: dict[str, float]) -> dict[str, float]:
        missing = [k for k in ("first", "repeat") if k not in v]
        if missing:
            raise ValueError(f"needs a value for {' and '.join(missing)} (keys: first, repeat), got {v}")
        return v


class StartInd(StartIndStock):
    """The starting IND backlog (persons in COA in procedure, plus ``outside_reception``): its
    position in the procedure (the rest of the shares: heard, awaiting the decision), class and
    age."""

    share_awaiting_first_hearing: Probability
    share_awaiting_second_hearing: Probability
    share_awaiting_decision: Probability = Field(
        0.0, description="share of the stock heard and waiting for a decision officer (the rest of "
        "the heard stock is in the track's wait before the decision)")
    backlog_age_days: NonNegFloat = Field(
        description="mean days since application of the starting backlog (for lead times)"
    )

    @model_validator(mode="after")
    def _shares(self) -> "StartInd":
        s = self.share_awaiting_first_hearing + self.share_awaiting_second_hearing + self.share_awaiting_decision
        if s > 1 + 1e-9:
            raise ValueError(f"shares awaiting the first hearing, the second and a decision officer sum to {s:.3g} > 1")
        return self
