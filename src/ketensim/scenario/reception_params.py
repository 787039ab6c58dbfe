"""Parameters of COA reception and municipal housing (the ``reception`` block of a scenario).

Kept apart from ``schema.py`` so that the reception network (registration centre, process
reception, AZC groups, emergency and crisis locations, the capacity rule, planned capacity
and housing by the municipal target) reads as one unit next to the code that uses it
(``model/reception.py``, ``model/capacity.py``, ``model/housing.py``). It takes its base types
from ``scenario.base`` like every other block.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from ..clock import parse_when
from .base import NonNegFloat, NonNegInt, PosInt, Probability, Strict
from .ind_schema import _age_shares
from .markers import BUILD_TIME, EXTENSIVE

_HALF = re.compile(r"^(\d{4})-H([12])$")
HOUSEHOLD_TYPES = ("single", "family")
"""Housing and AZC matching distinguish households of one person from families."""


def half_year(key: str) -> tuple[dt.date, dt.date]:
    """'2020-H1' -> [1 January, 1 July); '2020-H2' -> [1 July, 1 January next year)."""
    m = _HALF.match(key)
    if not m:
        raise ValueError(f"expected a half-year 'YYYY-H1' or 'YYYY-H2', got {key!r}")
    y, h = int(m[1]), int(m[2])
    return (dt.date(y, 1, 1), dt.date(y, 7, 1)) if h == 1 else (dt.date(y, 7, 1), dt.date(y + 1, 1, 1))


# --------------------------------------------------------------------------- stages


class Col(Strict):
    """The registration centre (centrale ontvangstlocatie, Ter Apel): every newcomer starts
    here and registers with the IND before moving on to process reception."""

    name: str = Field("Ter Apel", json_schema_extra=BUILD_TIME)
    limit: NonNegInt = Field(
        2000, description="persons the centre may hold under the agreement with the municipality; "
        "persons above it are the overflow (coa.col_overflow)", json_schema_extra=EXTENSIVE)
    night_shelter: NonNegInt = Field(
        275, description="night-shelter places at the site for persons above the limit "
        "(persons above limit + night shelter sleep outside: coa.col_unsheltered)",
        json_schema_extra=EXTENSIVE)
    isolation_places: NonNegInt = Field(10, description="places reserved for isolation/quarantine",
                                        json_schema_extra=BUILD_TIME)
    registrations_per_week: NonNegFloat = Field(
        1400.0, description="IND registration capacity at the centre (persons per week); a "
        "queue forms when newcomers arrive faster (assumption: ~200 a day)",
        json_schema_extra=EXTENSIVE)
    registration_days: NonNegFloat = Field(
        3.0, description="mean days of the registration itself (identification, Eurodac, "
        "medical intake) once a newcomer's turn comes")


class Pol(Strict):
    """Process reception (proces-opvanglocaties): the rest and preparation period and the
    start of the procedure, close to an IND office."""

    locations: list["LocationGroup"] = Field(
        default_factory=list, description="process-reception location groups (none: newcomers "
        "go from the registration centre straight to an AZC)", json_schema_extra=BUILD_TIME)
    stay_days: NonNegFloat = Field(
        35.0, description="mean days in process reception before COA moves the household on "
        "to an AZC (a move only when an AZC place is free)")
    bypass_to_azc: bool = Field(
        False, description="a registered household for whom no process-reception place is free "
        "goes straight to a free AZC place (after those already waiting for one), as COA did "
        "when process reception was full (False: it waits in the registration centre)")


class LocationGroup(Strict):
    """A group of similar COA locations (AZC or process reception)."""

    name: str
    count: PosInt = Field(json_schema_extra=EXTENSIVE)
    places: NonNegInt = Field(description="regular places per location (persons)")
    isolation_places: NonNegInt = Field(
        description="places per location reserved for isolation/quarantine")
    households: Literal["any", "single", "family"] = Field(
        "any", description="which households the group's places suit (single: one person; "
        "family: two or more); a household goes to a suitable group first, to any other "
        "group with room second")


class EmergencyLocation(Strict):
    """An emergency location (noodopvang, e.g. Zoutkamp 2020): used for the intake stay of
    newcomers while ``intake_quarantine_days`` > 0, and otherwise not at all."""

    name: str
    places: NonNegInt = Field(json_schema_extra=EXTENSIVE)
    isolation_places: NonNegInt = Field(0, json_schema_extra=EXTENSIVE)


class Crisis(Strict):
    """Crisis emergency reception (crisisnoodopvang, run by the safety regions): locations
    that take registered newcomers from an overfull registration centre while no process
    reception or AZC place is free."""

    locations: NonNegInt = Field(25, description="crisis locations that can be opened (one per safety region)",
                                 json_schema_extra=BUILD_TIME)
    places: NonNegInt = Field(150, description="places per crisis location (persons)",
                              json_schema_extra={**BUILD_TIME, **EXTENSIVE})
    active: bool = Field(False, description="crisis reception switched on (a phase lever)")
    overflow_trigger: NonNegInt | None = Field(
        None, description="rule: activate (and keep active) once the registration centre's "
        "overflow reaches this many persons at a weekly review (None: only by phase)")
    lead_time_days: NonNegFloat = Field(
        14.0, description="days from activation by the rule until the places can be used")


class Supply(Strict):
    """Where the capacity rule's new locations come from, when places cannot be had at will.

    Off (the default), the rule finds every location it orders. On, sites are found at
    ``places_per_month`` (a fluid quota that accrues at each review while the rule is short
    of places and is not banked otherwise), so capacity lags need. A found AZC location is
    temporary with ``temporary_share`` (COA 2021: more than 80% of the new locations, open
    4 weeks to 6 months): it opens after its own, shorter lead time and closes after a
    duration drawn uniformly between ``temporary_min_weeks`` and ``temporary_max_weeks``;
    its residents then wait, first in line, for an AZC place elsewhere. Process-reception
    locations are always permanent (they sit next to an IND office).
    """

    enabled: bool = Field(
        False, description="new locations come from the supply of places (False: the rule finds "
        "whatever it orders)")
    places_per_month: NonNegFloat = Field(
        2000.0, description="places COA can find a month (sites, municipalities willing); a "
        "phase lever", json_schema_extra=EXTENSIVE)
    temporary_share: Probability = Field(
        0.0, description="share of the AZC locations found that are temporary")
    temporary_lead_time_weeks: NonNegFloat = Field(
        2.0, description="weeks from finding a temporary location (event or congress hall, "
        "holiday park) until it takes residents")
    temporary_min_weeks: NonNegFloat = Field(
        4.0, description="shortest time a temporary location is open (weeks)")
    temporary_max_weeks: NonNegFloat = Field(
        26.0, description="longest time a temporary location is open (weeks)")

    @model_validator(mode="after")
    def _durations(self) -> "Supply":
        if self.temporary_max_weeks < self.temporary_min_weeks:
            raise ValueError(f"temporary_max_weeks: must be >= temporary_min_weeks "
                             f"({self.temporary_min_weeks}), got {self.temporary_max_weeks}")
        return self


class CapacityRule(Strict):
    """COA's capacity rule, stage by stage (AZC, process reception): at each review, compare
    the stage's free places (open and already ordered, minus persons waiting for one) with
    its buffer; order new locations when short (as far as the supply of places allows),
    close rule-opened ones when well above."""

    enabled: bool = Field(True, description="the rule runs (False: capacity only as given and planned)")
    review_days: float = Field(7.0, gt=0, description="days between reviews")
    buffer: NonNegInt = Field(
        1500, description="target free AZC places (persons)", json_schema_extra=EXTENSIVE)
    pol_buffer: NonNegInt = Field(
        250, description="target free process-reception places (persons)", json_schema_extra=EXTENSIVE)
    lead_time_weeks: NonNegFloat = Field(
        16.0, description="weeks from the decision to open a location until it takes residents")
    min_open_weeks: NonNegFloat = Field(
        26.0, description="a location opened by the rule stays open at least this long")
    close_surplus: NonNegInt = Field(
        4000, description="a rule-opened location closes (takes no one new, then shuts when "
        "empty) when free places exceed buffer + this", json_schema_extra=EXTENSIVE)
    location_places: PosInt = Field(400, description="places of a location the rule opens")
    location_isolation_places: NonNegInt = Field(4, description="reserved places of such a location")
    max_locations: NonNegInt = Field(
        150, description="at most this many rule-opened locations at once (sites, municipalities willing)")
    supply: Supply = Field(default_factory=lambda: Supply.model_validate({}))
    binding_min_waiting: NonNegInt = Field(
        50, description="persons waiting at week end (for a place of a stage, or to register) "
        "from which that constraint counts as binding in coa.binding_constraint (a few always "
        "wait for a moment: households in isolation, moves within the day)")


class PlannedCapacity(Strict):
    """A capacity decision of the time, entered as data: locations open from a date
    (and close, when empty, from ``until``)."""

    name: str
    start: dt.date = Field(description="first day the locations take residents (date or ISO week)")
    until: dt.date | None = Field(None, description="from this day no one new; closed when empty")
    count: PosInt = 1
    places: NonNegInt = Field(description="places per location (persons)", json_schema_extra=EXTENSIVE)
    isolation_places: NonNegInt = 4
    stage: Literal["azc", "pol"] = "azc"

    @field_validator("start", "until", mode="before")
    @classmethod
    def _when(cls, v: object) -> dt.date | None:
        return None if v is None else parse_when(v)


# --------------------------------------------------------------------------- housing


class FastTrack(Strict):
    """An extra push of housing (e.g. 7,500 permit holders out of COA within six weeks from
    1 July 2022): extra offers spread evenly over the window, on top of the target."""

    start: dt.date
    persons: NonNegFloat = Field(json_schema_extra=EXTENSIVE, description="persons announced")
    weeks: float = Field(gt=0, description="weeks the push lasts")
    realisation: Probability = Field(
        1.0, description="share of the announced persons the push actually houses (announced is "
        "not done)")

    @field_validator("start", mode="before")
    @classmethod
    def _when(cls, v: object) -> dt.date:
        return parse_when(v)


class Housing(Strict):
    """Municipal housing of permit holders against the half-year target (taakstelling).

    Municipalities offer houses at the rate target x realisation over the half-year; what
    is not housed by its end is carried over (``carry_over`` of it) into the next half-year's
    target. Permit holders are matched to a municipality first (longer for singles).
    """

    targets: dict[str, NonNegFloat] = Field(
        description="persons to be housed per half-year ('YYYY-H1', 'YYYY-H2'); before the "
        "first the first holds, after the last the last", min_length=1, json_schema_extra=BUILD_TIME)
    target_scale: NonNegFloat = Field(1.0, description="multiplier on every target (lever)",
                                      json_schema_extra={**BUILD_TIME, **EXTENSIVE})
    realisation: Probability = Field(
        1.0, description="share of the (current) target the municipalities offer at the "
        "rate in force (phase lever: lower in a lockdown)")
    carry_over: Probability = Field(
        1.0, description="share of a half-year's arrears added to the next half-year's target")
    matching_days: dict[Literal["single", "family"], NonNegFloat] = Field(
        description="mean days from the permit to a match with a municipality, by household type")
    fast_track: list[FastTrack] = Field(default_factory=list, json_schema_extra=BUILD_TIME)
    arrears_at_start: NonNegFloat = Field(
        0.0, description="arrears carried into the first half-year of the run (persons)",
        json_schema_extra={**BUILD_TIME, **EXTENSIVE})
    family_counted: Probability = Field(
        0.0, description="share of the family members (nareis) joining a sponsor who already lives "
        "in a municipality that count against the target and take a municipal offer: the target "
        "counts them (housing.realised), so fewer offers are left for COA's permit holders")
    stock_waiting_days: NonNegFloat = Field(
        260.0, description="mean days since the permit of the permit holders in COA at the "
        "start (exponential; Little's law: stock / housing rate)", json_schema_extra=BUILD_TIME)

    @field_validator("targets", mode="before")
    @classmethod
    def _keys(cls, v: object) -> object:
        if isinstance(v, dict):
            for k in v:
                try:
                    half_year(str(k))
                except ValueError as exc:
                    raise ValueError(str(exc)) from None
            return {str(k): val for k, val in v.items()}
        return v

    @field_validator("matching_days")
    @classmethod
    def _both(cls, v: dict[str, float]) -> dict[str, float]:
        missing = [k for k in HOUSEHOLD_TYPES if k not in v]
        if missing:
            raise ValueError(f"needs a value for {' and '.join(missing)} (keys: single, family), got {v}")
        return v

    def halves(self) -> list[tuple[dt.date, dt.date, float]]:
        """Sorted [start, end) half-years with their scaled targets."""
        return sorted((*half_year(k), v * self.target_scale) for k, v in self.targets.items())


# --------------------------------------------------------------------------- reception


class Reception(Strict):
    """COA reception as a network: registration centre -> process reception -> AZC, with
    emergency and crisis locations, a capacity rule, planned capacity and housing."""

    col: Col = Field(default_factory=lambda: Col.model_validate({}))
    pol: Pol = Field(default_factory=lambda: Pol.model_validate({}))
    locations: list[LocationGroup] = Field(
        min_length=1, description="AZC location groups", json_schema_extra=BUILD_TIME)
    emergency: list[EmergencyLocation] = Field(default_factory=list, json_schema_extra=BUILD_TIME)
    crisis: Crisis = Field(default_factory=lambda: Crisis.model_validate({}))
    capacity: CapacityRule = Field(default_factory=lambda: CapacityRule.model_validate({}))
    planned: list[PlannedCapacity] = Field(default_factory=list, json_schema_extra=BUILD_TIME)
    intake_quarantine_days: NonNegFloat = Field(
        0.0, description="newcomers first stay this long in an emergency location (0 = off)")
    housing: Housing

    @property
    def regular_places(self) -> int:
        """AZC places at the start (process reception and planned capacity apart)."""
        return sum(g.count * g.places for g in self.locations)

    @model_validator(mode="after")
    def _names(self) -> "Reception":
        names = [g.name for g in self.locations] + [g.name for g in self.pol.locations]
        names += [e.name for e in self.emergency] + [self.col.name] + [p.name for p in self.planned]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"location names must be unique, {', '.join(dup)} used twice")
        return self


Pol.model_rebuild()


# --------------------------------------------------------------------------- starting state


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
