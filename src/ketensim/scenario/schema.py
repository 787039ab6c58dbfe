"""The scenario schema: the ``Scenario`` root composing every part's parameter block.

Each block (units, bounds, defaults) lives next to the part that reads it, in
``model/<part>_params.py`` (with the part's starting stock); the IND and reception blocks
are still here. A scenario is one frozen, validated object. Unknown keys are refused, so a typo never
passes silently; parts of the model read parameters from this object and never supply
defaults of their own. The sections named in ``PHASE_SECTIONS`` are the chain parameters
that policy phases may override by dotted path, except the fields marked ``BUILD_TIME``
(read once when the chain is built; refused in a phase, see ``scenario.phases``).
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from ..clock import parse_end, parse_when
from ..model.departures_params import Dtv, StartDtv
from ..model.detention_params import Detention, StartDetention
from ..model.dublin_params import Dublin, StartDublin
from ..model.epidemic_params import Health
from ..model.inflow_params import Households, Inflow
from ..model.mvv_params import Mvv, StartMvv
from ..model.nareis_params import Nareis, StartNareis
from ..model.resettlement_params import Resettlement, StartResettlement
from ..weeks import WeekSpan
from .base import Label, NonNegFloat, NonNegInt, PosFloat, PosInt, Probability, Seed, Series, SizeDistribution, Strict, Text
from .ind_schema import IndProduction, StartIndStock, _age_shares
from .markers import EXTENSIVE
from .reception_params import Reception
from .series import extend_raw, last_period, series_paths

__all__ = [  # the blocks are importable from here as before
    "Detention", "Dtv", "Dublin", "Health", "Households", "Inflow", "Mvv", "Nareis", "PHASE_SECTIONS",
    "Resettlement", "Scenario", "Series", "SizeDistribution", "Strict",
]

# --------------------------------------------------------------------------- time


class Horizon(Strict):
    """Simulated calendar window; weekly results need whole ISO weeks (Monday..Sunday)."""

    start: dt.date = Field(description="first simulated day, a Monday (date or 'YYYY-Www')")
    end: dt.date = Field(description="last simulated day, a Sunday (date or 'YYYY-Www-7')")
    warmup_days: NonNegInt = Field(0, description="days simulated before start, not reported")

    @field_validator("start", "end", mode="before")
    @classmethod
    def _when(cls, v: object) -> dt.date:
        return parse_when(v)

    @field_validator("start")
    @classmethod
    def _monday(cls, v: dt.date) -> dt.date:
        if v.isoweekday() != 1:
            raise ValueError(
                f"must be a Monday (weekly results need whole ISO weeks), got {v} "
                f"({v.strftime('%A')}); use {v - dt.timedelta(days=v.isoweekday() - 1)}"
            )
        return v

    @field_validator("end")
    @classmethod
    def _sunday(cls, v: dt.date) -> dt.date:
        if v.isoweekday() != 7:
            raise ValueError(
                f"must be a Sunday (weekly results need whole ISO weeks), got {v} "
                f"({v.strftime('%A')}); use {v + dt.timedelta(days=7 - v.isoweekday())}"
            )
        return v

    @model_validator(mode="after")
    def _order(self) -> "Horizon":
        if self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be after start ({self.start})")
        return self

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def weeks(self) -> int:
        return self.days // 7


# --------------------------------------------------------------------------- inflow


# --------------------------------------------------------------------------- reception


# The reception network and housing: scenario/reception_params.py (Reception, imported above).


# --------------------------------------------------------------------------- IND


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


# --------------------------------------------------------------------------- DT&V


# --------------------------------------------------------------------------- nareis


# --------------------------------------------------------------------------- resettlement


# --------------------------------------------------------------------------- MVV


# --------------------------------------------------------------------------- Dublin


# --------------------------------------------------------------------------- detention


# --------------------------------------------------------------------------- health


# --------------------------------------------------------------------------- stocks


class StartReception(Strict):
    in_procedure: NonNegInt = Field(description="persons in COA awaiting an IND decision", json_schema_extra=EXTENSIVE)
    permit_holders: NonNegInt = Field(description="permit holders in COA waiting for a house", json_schema_extra=EXTENSIVE)
    rejected: NonNegInt = Field(description="rejected persons in COA (departure caseload)", json_schema_extra=EXTENSIVE)
    permit_age_distribution: Annotated[dict[Annotated[int, Field(ge=1)], Probability], AfterValidator(_age_shares)] | None = Field(
        None, description="days since the permit of the permit holders in COA: {upper bound (days): "
        "share}, uniform within each band from the previous bound; None = exponential with mean "
        "reception.housing.stock_waiting_days")
    permit_matched_share: Probability = Field(
        0.0, description="share of the permit holders in COA already matched to a municipality at "
        "the start: in the housing queue, the oldest permits first (the rest are matched from the start)")


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


class Start(Strict):
    """Starting stocks: the chain never starts empty. Written by hand for a replay, or by
    ``ketensim state`` from a run (then with ``in_reception``, the total its parts must add up to)."""

    reception: StartReception
    ind: StartInd
    dtv: StartDtv
    nareis: StartNareis
    resettlement: StartResettlement
    mvv: StartMvv
    dublin: StartDublin
    detention: StartDetention
    in_reception: NonNegInt | None = Field(
        None, description="persons in COA locations at the start (the occupancy): when given, "
        "reception.in_procedure + permit_holders + rejected + dublin.awaiting_transfer + "
        "dublin.claims_pending must add up to it", json_schema_extra=EXTENSIVE)

    @model_validator(mode="after")
    def _adds_up(self) -> "Start":
        r, d = self.reception, self.dublin
        if self.ind.appeals_open > r.rejected:
            raise ValueError(f"ind.appeals_open ({self.ind.appeals_open}) exceeds reception.rejected "
                             f"({r.rejected}): the appellants are among the rejected in COA")
        parts = r.in_procedure + r.permit_holders + r.rejected + d.awaiting_transfer + d.claims_pending
        if self.in_reception is not None and parts != self.in_reception:
            raise ValueError(
                f"in_reception is {self.in_reception}, but its parts add up to {parts} (reception."
                f"in_procedure {r.in_procedure} + permit_holders {r.permit_holders} + rejected "
                f"{r.rejected} + dublin.awaiting_transfer {d.awaiting_transfer} + dublin."
                f"claims_pending {d.claims_pending})")
        return self


# --------------------------------------------------------------------------- phases


class Phase(Strict):
    """A policy phase: from `start` on, these dotted-path overrides hold (cumulative)."""

    name: Label
    start: dt.date
    set: dict[str, object] = {}
    note: Text = ""

    @field_validator("start", mode="before")
    @classmethod
    def _when(cls, v: object) -> dt.date:
        return parse_when(v)


class ReportWindow(WeekSpan):
    """A named window of ISO weeks for tables, comparisons and the report."""

    name: str


class Report(Strict):
    """Windows the outputs summarise (``--window`` on the command line replaces them all)."""

    windows: list[ReportWindow] = Field(default_factory=list, description="named windows")
    yearly: bool = Field(False, description="add one window per ISO year of the horizon ('2021')")
    half_yearly: bool = Field(False, description="add half-year windows ('2021-H1': W01-W26, '2021-H2')")
    letter_windows: bool = Field(True, description="include the letter's 2020 windows (W01-11 pre, ...)")


class Change(Strict):
    """A dated change of one parameter (``--set path@DATE[..DATE]=value``): it holds from
    ``start`` to ``end`` (inclusive; none = the horizon end) and takes precedence over the
    phases for that parameter while it holds. A value ``*x`` multiplies the phases' value."""

    path: str = Field(description="dotted path of the parameter")
    start: dt.date = Field(description="first day it holds (date or 'YYYY-Www')")
    end: dt.date | None = Field(None, description="last day it holds, inclusive (none: to the end)")
    value: object = Field(description="the value, or '*x' for a factor on the phases' value")
    source: str = Field("", description="the override as written (shown by `ketensim check`)")

    @field_validator("start", mode="before")
    @classmethod
    def _when(cls, v: object) -> dt.date:
        return parse_when(v)

    @field_validator("end", mode="before")
    @classmethod
    def _until(cls, v: object) -> dt.date | None:
        return None if v is None else parse_end(v)

    @model_validator(mode="after")
    def _order(self) -> "Change":
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        return self


PHASE_SECTIONS = ("inflow", "reception", "ind", "dtv", "dublin", "detention", "nareis",
                  "resettlement", "mvv", "health")
"""Top-level sections that phases (and sweeps) may override by dotted path."""

class Scenario(Strict):
    """One complete, validated, frozen scenario."""

    name: Label
    description: Text = ""
    seed: Seed = Field(20201005, description="root seed of the named random streams")
    replications: PosInt = Field(20, description="default number of replications")
    horizon: Horizon
    start: Start
    inflow: Inflow
    reception: Reception
    ind: Ind
    dtv: Dtv
    nareis: Nareis
    resettlement: Resettlement
    mvv: Mvv
    dublin: Dublin
    detention: Detention
    health: Health
    phases: list[Phase] = Field(min_length=1)
    changes: list[Change] = Field(default_factory=list,
                                  description="dated changes, ahead of the phases while they hold")
    report: Report = Field(default_factory=lambda: Report.model_validate({}), description="windows of the outputs")

    @model_validator(mode="before")
    @classmethod
    def _extend_series(cls, data: object) -> object:
        """Write out ``zero``/``repeat_last_year`` series up to the horizon end."""
        return extend_raw(data, list(series_paths(cls, Series)))

    @model_validator(mode="after")
    def _series_reach_horizon(self) -> "Scenario":
        end = self.horizon.end
        for path in series_paths(type(self), Series):
            node: object = self
            for part in path.split("."):
                node = getattr(node, part)
            assert isinstance(node, Series)
            key, stop = last_period(node.values)
            if node.extend is None and stop <= end:
                raise ValueError(
                    f"{path}: the series ends with {key} (last day {stop - dt.timedelta(days=1)}), "
                    f"before the horizon end {end}; give values up to {end} or set "
                    f"{path}.extend: hold | zero | repeat_last_year")
        return self

    @model_validator(mode="after")
    def _phases(self) -> "Scenario":
        for i, ch in enumerate(self.changes):
            if ch.start > self.horizon.end:
                raise ValueError(
                    f"changes[{i}] ({ch.source or ch.path}): starts {ch.start}, after the horizon end "
                    f"{self.horizon.end}; extend horizon.end or pick a date inside the horizon"
                )
        first = self.phases[0].start
        if first > self.horizon.start:
            raise ValueError(
                f"phases: the first phase ({self.phases[0].name!r}) starts {first}, after the "
                f"horizon start {self.horizon.start}; the first phase must cover the start"
            )
        for prev, cur in zip(self.phases, self.phases[1:]):
            if cur.start <= prev.start:
                raise ValueError(
                    f"phases: {cur.name!r} starts {cur.start}, not after {prev.name!r} "
                    f"({prev.start}); phases must be in order and may not overlap"
                )
        for ph in self.phases[1:]:
            if ph.start > self.horizon.end:
                raise ValueError(
                    f"phases: {ph.name!r} starts {ph.start}, outside the horizon "
                    f"{self.horizon.start}..{self.horizon.end}"
                )
        return self
