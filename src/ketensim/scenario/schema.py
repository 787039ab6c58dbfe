"""The scenario schema: every parameter, its unit, its bounds and its default live here.

A scenario is one frozen, validated object. Unknown keys are refused, so a typo never
passes silently; parts of the model read parameters from this object and never supply
defaults of their own. The sections named in ``PHASE_SECTIONS`` are the chain parameters
that policy phases may override by dotted path, except the fields marked ``BUILD_TIME``
(read once when the chain is built; refused in a phase, see ``scenario.phases``).
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from ..clock import parse_end, parse_period, parse_when
from .markers import BUILD_TIME

NonNegInt = Annotated[int, Field(ge=0)]
PosInt = Annotated[int, Field(ge=1)]
NonNegFloat = Annotated[float, Field(ge=0)]
PosFloat = Annotated[float, Field(gt=0)]
Probability = Annotated[float, Field(ge=0, le=1)]


def _sums_to_one(v: dict[int, float]) -> dict[int, float]:
    total = sum(v.values())
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"must sum to 1, got {total:.6g}")
    return v


SizeDistribution = Annotated[dict[PosInt, Probability], AfterValidator(_sums_to_one)]
"""Probabilities of sizes (persons) that must sum to 1."""


class Strict(BaseModel):
    """Base of every schema block: frozen, unknown keys refused."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


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


class Series(Strict):
    """An exogenous count per calendar period (month 'YYYY-MM' or ISO week 'YYYY-Www').

    Arrivals within a period follow a Poisson process at the period's constant rate
    (a non-homogeneous Poisson process over the horizon). Before the first period the
    first value holds, after the last the last value holds.
    """

    per: Literal["month", "week"]
    values: dict[str, NonNegFloat] = Field(min_length=1)
    scale: NonNegFloat = Field(1.0, description="multiplier on every value (what-if lever)")

    @field_validator("values", mode="before")
    @classmethod
    def _keys(cls, v: object) -> object:
        if isinstance(v, dict):
            return {str(k): val for k, val in v.items()}
        return v

    @model_validator(mode="after")
    def _periods(self) -> "Series":
        for key in self.values:
            try:
                parse_period(key)
            except ValueError as exc:
                raise ValueError(f"values: {exc}") from None
            if (self.per == "month") != ("W" not in key):
                raise ValueError(f"values: key {key!r} does not match per={self.per!r}")
        return self

    def segments(self) -> list[tuple[dt.date, dt.date, float]]:
        """Sorted [start, end) periods with their scaled counts."""
        out = [(*parse_period(k), v * self.scale) for k, v in self.values.items()]
        return sorted(out)


# --------------------------------------------------------------------------- inflow


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


# --------------------------------------------------------------------------- reception


class LocationGroup(Strict):
    """A group of similar COA locations (asylum seekers' centres, AZC)."""

    name: str
    count: PosInt
    places: NonNegInt = Field(description="regular places per location")
    isolation_places: NonNegInt = Field(
        description="places per location reserved for isolation/quarantine"
    )


class EmergencyLocation(Strict):
    """An emergency location (noodopvang, e.g. Zoutkamp 2020) opened only when needed."""

    name: str
    places: NonNegInt
    isolation_places: NonNegInt = 0


class Housing(Strict):
    """Outflow of permit holders to municipal housing (the municipalities' task)."""

    persons_per_week: NonNegFloat = Field(description="persons housed per week by municipalities")
    matching_days: NonNegFloat = Field(
        description="days from permit to entering the housing queue (matching to a municipality)"
    )


class Reception(Strict):
    """COA reception: locations, emergency locations, intake and housing outflow."""

    locations: list[LocationGroup] = Field(min_length=1, json_schema_extra=BUILD_TIME,
                                           description="the regular locations, built at the start")
    emergency: list[EmergencyLocation] = Field([], json_schema_extra=BUILD_TIME,
                                               description="emergency locations, built at the start")
    intake_quarantine_days: NonNegFloat = Field(
        0.0, description="newcomers first stay this long in an emergency location (0 = off)"
    )
    housing: Housing

    @property
    def regular_places(self) -> int:
        return sum(g.count * g.places for g in self.locations)


# --------------------------------------------------------------------------- IND


class PhysicalHearings(Strict):
    """Hearings in IND offices; 1.5 m distancing leaves only part of the rooms usable."""

    offices: dict[str, NonNegInt] = Field(description="hearing rooms per IND office")
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
        description="video rooms per IND site (Zevenaar, Den Bosch, Schiphol, Ter Apel)"
    )
    coa_rooms: NonNegInt = Field(description="video rooms on the COA side, all locations")
    slots_per_room_per_week: PosFloat
    from_quarantine: bool = Field(
        False, description="a person in isolation/quarantine may still be heard by video"
    )

    @property
    def rooms(self) -> int:
        """A video hearing needs a room on both sides at once."""
        return min(sum(self.ind_rooms.values()), self.coa_rooms)


class Ind(Strict):
    """IND asylum procedure: registration, hearings by mode, decision."""

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
    decision_days: NonNegFloat = Field(description="mean days from last hearing to decision")
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


class Dtv(Strict):
    """DT&V departure caseload: independent and forced departure, departure without supervision."""

    travel_open: Probability = Field(
        description="share of departure routes open under travel restrictions"
    )
    independent_weekly_hazard: NonNegFloat = Field(
        description="per-person weekly hazard of independent departure when all routes are open"
    )
    removals_per_week: NonNegFloat = Field(
        description="forced removals (households) per week (escorts, flights) when all routes are open"
    )
    removable_share: Probability = Field(
        description="share of rejected persons with a prospect of forced removal"
    )
    forced_origin_share: Probability = Field(
        description="share of forced departures that go to the country of origin"
    )
    mob_weekly_hazard: NonNegFloat = Field(
        description="per-person weekly hazard of leaving without supervision (MOB)"
    )
    leave_reception_days: NonNegFloat = Field(
        description="mean days a rejected household still stays in COA reception"
    )



# --------------------------------------------------------------------------- nareis


class Nareis(Strict):
    """Family reunification (nareis): applications by permit holders for family members.

    Counted in persons (family members applied for). A decision needs, for a share of the
    applications, an interview or DNA test at an embassy or IND desk (capacity-limited);
    approved family members collect an MVV at an embassy and then travel.
    """

    apply_share: Probability = Field(
        description="share of granted households (permit holders) that apply for family members")
    apply_days: PosFloat = Field(
        description="mean days from the grant to the application when filing is fully possible")
    filing_factor: NonNegFloat = Field(
        description="multiplier on the application rate (1 = normal; <1 = applications postponed, "
        "e.g. IND desks closed); granted permit holders defer, the background is thinned")
    family_size_probabilities: SizeDistribution = Field(
        description="probability of the number of family members (persons) per application")
    background_applications: Series = Field(
        description="applications (persons) from permit holders not in the model (housed before "
        "the horizon), before the filing factor")
    assessment_days: NonNegFloat = Field(
        description="mean days of IND file assessment from application to decision or to the "
        "investigation queue")
    investigation_share: Probability = Field(
        description="share of applications that need an interview or DNA test")
    investigations_per_week: NonNegFloat = Field(
        description="interviews/DNA tests (applications) per week at embassies and IND desks")
    approval_share: Probability = Field(description="share of decisions that approve the application")
    embassies_open: Probability = Field(
        description="share of consular service available to issue the MVV to approved family members")
    mvv_days: PosFloat = Field(
        description="mean days from approval to the MVV issued when embassies are fully open")
    travel_open: Probability = Field(description="share of travel possible (flights, borders)")
    travel_days: PosFloat = Field(
        description="mean days from the MVV to arrival in the Netherlands when travel is fully open")


# --------------------------------------------------------------------------- resettlement


class Resettlement(Strict):
    """Resettlement (hervestiging): UNHCR-submitted refugees selected on missions.

    Selected refugees wait for exit formalities and a seat on a (charter) flight; flights
    stop while travel is suspended. Arrivals go to COA for a short stay and then to the
    municipality they were matched with before arrival.
    """

    quotas: dict[str, NonNegFloat] = Field(
        description="persons per year by programme (national quota, EU-Turkey statement)")
    missions_open: Probability = Field(
        description="share of selection missions that take place (0 = missions suspended)")
    mission_share: Probability = Field(
        description="share of the quotas selected on missions; the rest are individual dossier "
        "cases, selected also while missions are suspended")
    household_size_probabilities: SizeDistribution = Field(
        description="probability of each resettled household size (persons)")
    preparation_days: NonNegFloat = Field(
        description="mean days from selection to ready to travel (exit permits, medical checks, "
        "cultural orientation)")
    seats_per_week: NonNegFloat = Field(
        description="flight seats (persons) per week for ready refugees; 0 = travel suspended")
    coa_stay_days: NonNegFloat = Field(
        description="mean days in COA before moving to the pre-matched municipality")


# --------------------------------------------------------------------------- MVV


class Mvv(Strict):
    """Entry visas (MVV) for regular migration, collected at consulates abroad.

    Regular migrants are not persons of the asylum chain: MVV flows do not enter
    chain.population.
    """

    demand: Series = Field(description="persons who want to apply for an MVV at a consulate")
    lodge_days: PosFloat = Field(
        description="mean days from demand to the application lodged when consulates are fully open")
    decision_days: NonNegFloat = Field(description="mean days of IND decision on an MVV application")
    grant_share: Probability = Field(description="share of MVV applications granted (visa issued)")
    consulates_open: Probability = Field(
        description="share of consular service open (lodging applications, handing out visas)")
    collect_days: PosFloat = Field(
        description="mean days from issue to collection when consulates are fully open")
    collection_deadline_days: PosFloat = Field(
        description="days after issue within which the MVV must be collected; an extension "
        "also covers visas already issued")

# --------------------------------------------------------------------------- Dublin


class Dublin(Strict):
    """Dublin: outgoing claims on other member states, transfers, deadlines; incoming transfers."""

    claim_share: Probability = Field(
        description="share of first-application households with a claim on another member state"
    )
    claim_days: NonNegFloat = Field(
        description="mean days from application to the claim (registration, Eurodac hit, request)"
    )
    accept_share: Probability = Field(
        description="share of claims the other member state accepts (explicitly or tacitly)"
    )
    acceptance_days: NonNegFloat = Field(description="mean days from claim to the answer")
    deadline_days: PosFloat = Field(
        description="transfer deadline in days from acceptance (Dublin III art. 29: 6 months)"
    )
    deadline_absconded_days: PosFloat = Field(
        description="transfer deadline in days from acceptance if the person absconds (18 months)"
    )
    transfer_prep_days: NonNegFloat = Field(
        description="mean days from acceptance until a transfer can be arranged (laissez-passer, flight)"
    )
    transfers_per_week: NonNegFloat = Field(
        description="transfer slots (households) per week; 0 = transfers suspended"
    )
    partner_refusal_share: Probability = Field(
        description="share of transfer attempts refused or postponed by the partner state's "
        "extra conditions (the slot is lost, the case waits and is tried again)"
    )
    partner_delay_days: NonNegFloat = Field(
        description="mean days a refused/postponed transfer waits before it can be tried again"
    )
    forced_share: Probability = Field(
        description="share of accepted claimants who do not cooperate: transferred under escort (forced)"
    )
    mob_weekly_hazard: NonNegFloat = Field(
        description="per-person weekly hazard that a claimant awaiting transfer absconds (MOB)"
    )
    reappear_weekly_hazard: NonNegFloat = Field(
        description="weekly hazard that an absconded claimant reappears (apprehended, reports back)"
    )
    incoming: Series = Field(
        description="incoming Dublin transfers to the Netherlands (persons); they enter reception "
        "and the national procedure"
    )

    @model_validator(mode="after")
    def _deadlines(self) -> "Dublin":
        if self.deadline_absconded_days < self.deadline_days:
            raise ValueError(
                f"deadline_absconded_days ({self.deadline_absconded_days}) must be >= "
                f"deadline_days ({self.deadline_days})"
            )
        return self


# --------------------------------------------------------------------------- detention


class Detention(Strict):
    """Immigration detention (vreemdelingenbewaring): lawful only with a prospect of removal."""

    places: NonNegInt = Field(description="detention places (persons) usable in the phase")
    placements_per_week: NonNegFloat = Field(
        description="placement opportunities per week (apprehensions, transfers from custody); "
        "one person each if there is a free place and a candidate with a prospect of removal"
    )
    dublin_share: Probability = Field(
        description="share of placement opportunities offered first to Dublin claimants"
    )
    min_travel_open: Probability = Field(
        description="prospect of removal for forced-return cases: placement only while "
        "dtv.travel_open is at least this; below it detained forced-return cases are released"
    )
    removal_weekly_hazard: NonNegFloat = Field(
        description="per-person weekly hazard of forced removal from detention when all routes are open "
        "(scaled by dtv.travel_open)"
    )
    origin_share: Probability = Field(
        description="share of removals from detention that go to the country of origin"
    )
    release_weekly_hazard: NonNegFloat = Field(
        description="per-person weekly hazard of release because the individual prospect of removal "
        "disappears (court, no travel document)"
    )
    max_stay_days: PosFloat = Field(description="maximum stay in detention (days); release at the latest then")
    release_mob_share: Probability = Field(
        description="share of released persons who leave without supervision (MOB) rather than "
        "return to the caseload"
    )


# --------------------------------------------------------------------------- health


class Course(Strict):
    """Natural history of an infection: latent (not yet infectious), then infectious."""

    latent_days: PosFloat = Field(description="mean days from infection to infectiousness (days)")
    infectious_days: PosFloat = Field(description="mean days infectious (days)")
    period_cv: NonNegFloat = Field(
        description="coefficient of variation of latent and infectious periods (gamma; 0 = fixed)"
    )
    asymptomatic_share: Probability = Field(description="share of infections without symptoms")


class Transmission(Strict):
    """Contacts inside COA locations: within the household, and with other residents."""

    household_sar: Probability = Field(
        description="secondary attack rate per housemate over a whole infectious period "
        "without isolation (probability)"
    )
    room_sar: Probability = Field(
        description="secondary attack rate per roommate (single adults sharing a room) over a "
        "whole infectious period without isolation (probability)"
    )
    location_r: NonNegFloat = Field(
        description="infections an infectious resident would cause among other residents of "
        "the location over a whole infectious period if all were susceptible, at occupancy = "
        "places and without measures (persons; the location part of R0)"
    )
    crowding_exponent: NonNegFloat = Field(
        description="location contacts scale with (occupants / places) to this power (0 = no effect)"
    )
    prevention: Probability = Field(
        description="multiplier on location contacts from prevention measures "
        "(distancing, masks, hygiene; 1 = none)"
    )
    unplaced_contact_factor: Probability = Field(
        description="multiplier on location contacts of a person in isolation/quarantine who "
        "has no place (stays in the own room; 0 = perfect, 1 = as if free)"
    )
    confinement_factor: NonNegFloat = Field(
        description="multiplier on location contacts while the whole location is in quarantine "
        "(residents confined to shared rooms and facilities)"
    )


class Imports(Strict):
    """Infections from outside: the community around the locations, and newcomers."""

    incidence: Series = Field(
        description="new infections (not only detected) per 100,000 inhabitants per period "
        "in the Dutch community"
    )
    exposure_factor: NonNegFloat = Field(
        description="a resident's hazard of infection from the community relative to an inhabitant"
    )
    newcomer_infected_share: Probability = Field(
        description="probability that a newly arriving person is already infected (latent)"
    )


class Detection(Strict):
    """Testing: which infections are found, and when."""

    symptomatic: Probability = Field(
        description="probability that a symptomatic infection is tested and found positive"
    )
    asymptomatic: Probability = Field(
        description="probability that an asymptomatic infection is found (screening, tracing)"
    )
    delay_days: NonNegFloat = Field(
        description="mean days from the start of infectiousness (onset) to the positive test (gamma)"
    )


class Quarantine(Strict):
    """Isolation of cases, quarantine of contacts, and the places they need."""

    strategy: Literal["case_and_contacts", "whole_location"] = Field(
        description="case_and_contacts: the case and housemates; whole_location: also every "
        "other resident of the location, quarantined in their own rooms"
    )
    isolation_days: PosFloat = Field(
        description="days a detected case stays in isolation, from the positive test "
        "(LCI: at least 7 days after onset and 24 h without symptoms)"
    )
    quarantine_days: NonNegFloat = Field(
        description="days a contact stays in quarantine, from the case's positive test "
        "(14; 10 from 18 August 2020)"
    )
    housemates_use_places: bool = Field(
        description="housemates in quarantine take a reserved place (else they stay in their own room)"
    )
    external_places: NonNegInt = Field(
        description="places in external quarantine locations, used when a location's reserved "
        "places are full (persons, national total)"
    )
    intake_blocks: bool = Field(
        description="the intake stay of newcomers in an emergency location counts as quarantine "
        "(blocks hearings and transfers for reception.intake_quarantine_days)"
    )


class Health(Strict):
    """The epidemic in reception and the isolation/quarantine places (chain part 9)."""

    singles_per_room: PosInt = Field(
        json_schema_extra=BUILD_TIME,
        description="single persons (households of one) share a room with up to this many "
        "persons in all (1 = a room of one's own); roommates are contacts like housemates"
    )
    initial_infections: NonNegInt = Field(
        json_schema_extra=BUILD_TIME,
        description="residents infected (latent) at the start of the run, at random (persons)"
    )
    course: Course
    transmission: Transmission
    imports: Imports
    detection: Detection
    quarantine: Quarantine


# --------------------------------------------------------------------------- stocks


class StartReception(Strict):
    in_procedure: NonNegInt = Field(description="persons in COA awaiting an IND decision")
    permit_holders: NonNegInt = Field(description="permit holders in COA waiting for a house")
    rejected: NonNegInt = Field(description="rejected persons in COA (departure caseload)")


class StartInd(Strict):
    """Position of the starting IND backlog (persons in COA in procedure) in the procedure."""

    share_awaiting_first_hearing: Probability
    share_awaiting_second_hearing: Probability
    backlog_age_days: NonNegFloat = Field(
        description="mean days since application of the starting backlog (for lead times)"
    )

    @model_validator(mode="after")
    def _shares(self) -> "StartInd":
        s = self.share_awaiting_first_hearing + self.share_awaiting_second_hearing
        if s > 1 + 1e-9:
            raise ValueError(f"shares awaiting first and second hearing sum to {s:.3g} > 1")
        return self


class StartDtv(Strict):
    outside_reception: NonNegInt = Field(
        description="persons in the departure caseload who are not in COA reception"
    )


class StartNareis(Strict):
    """Nareis pipeline at the start; sponsors of these are treated as housed in municipalities."""

    open: NonNegInt = Field(description="persons in open applications (awaiting an IND decision)")
    awaiting_investigation_share: Probability = Field(
        description="share of the open persons already waiting for an interview/DNA test")
    approved: NonNegInt = Field(description="approved persons waiting for their MVV")
    holding_mvv: NonNegInt = Field(description="persons holding an MVV, waiting to travel")


class StartResettlement(Strict):
    waiting: NonNegInt = Field(
        description="persons selected for resettlement (earlier missions) who have not yet travelled")


class StartMvv(Strict):
    waiting_to_lodge: NonNegInt = Field(description="persons waiting to lodge an MVV application")
    pending: NonNegInt = Field(description="MVV applications awaiting an IND decision (persons)")
    issued: NonNegInt = Field(description="issued MVVs not yet collected (persons)")
class StartDublin(Strict):
    awaiting_transfer: NonNegInt = Field(
        description="persons in COA with an accepted claim awaiting transfer (not counted in "
        "reception.in_procedure); time since acceptance uniform over the deadline"
    )


class StartDetention(Strict):
    population: NonNegInt = Field(
        description="persons in detention (forced-return cases of one person, part of the "
        "departure caseload, not counted in dtv.outside_reception)"
    )
    elapsed_days: NonNegFloat = Field(
        description="mean days the starting detainees have already spent in detention"
    )


class Start(Strict):
    """Starting stocks: the chain never starts empty."""

    reception: StartReception
    ind: StartInd
    dtv: StartDtv
    nareis: StartNareis
    resettlement: StartResettlement
    mvv: StartMvv
    dublin: StartDublin
    detention: StartDetention


# --------------------------------------------------------------------------- phases


class Phase(Strict):
    """A policy phase: from `start` on, these dotted-path overrides hold (cumulative)."""

    name: str
    start: dt.date
    set: dict[str, object] = {}
    note: str = ""

    @field_validator("start", mode="before")
    @classmethod
    def _when(cls, v: object) -> dt.date:
        return parse_when(v)


class ReportWindow(Strict):
    """A named window of ISO weeks for tables, comparisons and the report."""

    name: str
    start: dt.date = Field(alias="from", description="first week (ISO week or date)")
    end: dt.date = Field(alias="to", description="last week (ISO week or date), inclusive")

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, populate_by_name=True)

    @field_validator("start", mode="before")
    @classmethod
    def _from(cls, v: object) -> dt.date:
        return parse_when(v)

    @field_validator("end", mode="before")
    @classmethod
    def _to(cls, v: object) -> dt.date:
        return parse_end(v)


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

    name: str
    description: str = ""
    seed: NonNegInt = Field(20201005, description="root seed of the named random streams")
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
    report: Report = Field(default_factory=Report, description="windows of the outputs")

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
