"""The IND's production plan, from its unit (persons decided a year) into the model's (FTE).

The IND plans and reports decisions in persons; the model's decision officers work on an
adult's application (an extended-procedure case weighing ``tracks.va_work_factor``), so the
plan is converted with the persons per unit of decision work that the model's own household
mix and track shares imply, not with a constant typed in by hand:

    persons per unit = E[persons per household] / (E[adults per household] x f)

where f = 1 + va_share x (va_work_factor - 1) is the mean work of a decision relative to a
general-procedure one, averaged over first and repeat applications in proportion to the
persons of each in the inflow of the plan's year (the calendar year of the ISO year) (households of both kinds have the
same mix). Decision FTE = plan x realisation / weeks a year / persons per unit /
decisions_per_fte_week; with ``plan.hearing_pool`` also the hearing FTE for the hearings of
the planned decisions (hearings_per_adult of each adult).
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from ..scenario.base import Series
    from ..scenario.root import Scenario

WEEKS_PER_YEAR = 365.25 / 7.0
KINDS: tuple[Literal["first", "repeat"], ...] = ("first", "repeat")


def series_mass(series: "Series", start: dt.date, end: dt.date) -> float:
    """Persons a series brings in [start, end): each period's count spread evenly over its
    days; before the first period the first rate holds, after the last the last (as the
    arrival process reads a series that holds)."""
    segments = series.segments()
    total = 0.0
    for i, (a, b, value) in enumerate(segments):
        rate = value / (b - a).days
        lo = start if i == 0 else max(a, start)
        hi = end if i == len(segments) - 1 else min(b, end)
        if hi > lo:
            total += rate * (hi - lo).days
    return total


def kind_weights(params: "Scenario", year: int) -> dict[str, float]:
    """Share of first and repeat applications among the persons applying in ``year``
    (first only when nobody applies)."""
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    mass = {"first": series_mass(params.inflow.first_applications, start, end),
            "repeat": series_mass(params.inflow.repeat_applications, start, end)}
    total = sum(mass.values())
    return {k: v / total for k, v in mass.items()} if total > 0 else {"first": 1.0, "repeat": 0.0}


def household_means(params: "Scenario") -> tuple[float, float]:
    """(persons, adults) per household of the inflow mix: one adult, a second one in a share
    ``second_adult_share`` of the households of two or more (as ``inflow.HouseholdMaker``)."""
    mix = params.inflow.households
    persons = sum(s * p for s, p in mix.size_probabilities.items())
    adults = sum(p * (1.0 if s == 1 else 1.0 + mix.second_adult_share) for s, p in mix.size_probabilities.items())
    return persons, adults


def persons_per_unit(params: "Scenario", year: int) -> float:
    """Persons decided per unit of decision work (one adult's general-procedure decision)."""
    t = params.ind.tracks
    w = kind_weights(params, year)
    work = sum(w[k] * (1.0 + t.va_share[k] * (t.va_work_factor - 1.0)) for k in KINDS)
    persons, adults = household_means(params)
    return persons / (adults * work)


def plan_fte(params: "Scenario", day: float) -> dict[str, dict[str, float]]:
    """{stage: {pool: FTE}} that the production plan sets at simulated ``day`` (empty
    without a plan); the plan's year is the ISO year of the day (the model's weeks)."""
    staff = params.ind.staff
    plan = staff.plan
    out: dict[str, dict[str, float]] = {"decision": {}, "hearing": {}}
    if plan.decisions_persons_per_year is None:
        return out
    year = (params.horizon.start + dt.timedelta(days=day)).isocalendar()[0]
    persons_week = plan.decisions_persons_per_year * plan.realisation / WEEKS_PER_YEAR
    out["decision"][plan.pool] = persons_week / persons_per_unit(params, year) / staff.decisions_per_fte_week
    if plan.hearing_pool is not None:
        persons, adults = household_means(params)
        w = kind_weights(params, year)
        per_adult = sum(w[k] * params.ind.hearings_per_adult[k] for k in KINDS)
        hearings_week = persons_week / persons * adults * per_adult
        out["hearing"][plan.hearing_pool] = hearings_week / staff.hearings_per_fte_week
    return out


def plan_persons_week(params: "Scenario") -> tuple[float, float]:
    """(planned, staffed) decisions a week in persons: the plan and its realised share
    (NaN without a plan)."""
    plan = params.ind.staff.plan
    if plan.decisions_persons_per_year is None:
        return float("nan"), float("nan")
    planned = plan.decisions_persons_per_year / WEEKS_PER_YEAR
    return planned, planned * plan.realisation
