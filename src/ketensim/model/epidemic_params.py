"""Parameters of the epidemic in reception (``health:``), read by ``model.epidemic``."""
from __future__ import annotations

from pydantic import Field

from ..scenario.base import (
    NonNegFloat,
    NonNegInt,
    PosFloat,
    PosInt,
    Probability,
    Series,
    Strict,
)
from ..scenario.markers import BUILD_TIME
from .quarantine_params import Quarantine
from .vaccination_params import Vaccination


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
    vaccination: Vaccination = Vaccination()
