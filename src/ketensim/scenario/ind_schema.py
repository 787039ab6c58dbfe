"""Parameters of the IND as a production system: staff pools, case classes, tracks, appeals.

Referenced from the ``ind`` and ``start.ind`` blocks of ``schema``. Every default keeps
the first version's behaviour (unlimited staff, one track, no appeals, no Taskforce), so a
scenario that does not mention them runs as before; the baseline sets them.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from ..clock import parse_when
from .base import NonNegFloat, PosFloat, Probability, Strict
from .markers import BUILD_TIME, EXTENSIVE

CaseClass = Literal["taskforce", "dublin", "lapsed_dublin", "repeat", "first"]
CLASSES: tuple[str, ...] = ("taskforce", "dublin", "lapsed_dublin", "repeat", "first")
"""Case classes. taskforce: applications lodged before ``ind.taskforce_cutoff`` and still
open on it; dublin: first applications with a claim on another state, until the answer;
lapsed_dublin: re-entered after a lapsed transfer deadline; repeat; first: the rest."""


def _unique(v: list[str]) -> list[str]:
    if len(set(v)) != len(v):
        raise ValueError(f"classes may appear only once, got {v}")
    return v


class StaffPool(Strict):
    """A group of IND staff (FTE) that serves some case classes, in priority order.

    A free officer takes the waiting case of the first class in ``serves`` that has one
    (first come, first served within a class). FTE None = unlimited (rooms only bind)."""

    hearing_fte: NonNegFloat | None = Field(
        None, description="hearing officers (FTE); None = unlimited", json_schema_extra=EXTENSIVE)
    decision_fte: NonNegFloat | None = Field(
        None, description="decision officers (FTE); None = unlimited", json_schema_extra=EXTENSIVE)
    serves: Annotated[list[CaseClass], AfterValidator(_unique)] = Field(
        default_factory=lambda: ["dublin", "lapsed_dublin", "repeat", "first", "taskforce"],  # type: ignore[arg-type]
        min_length=1, description="case classes this pool works on, highest priority first")


class ProductionPlan(Strict):
    """The IND's production plan in its own unit: decisions a year counted in persons, as the
    IND counts them (the 2022 plan: "bijna 28.000"). The model staffs the plan: it converts
    persons into its own unit of decision work (an adult's decision, an extended-procedure
    decision weighing ``tracks.va_work_factor``) with the persons per unit of work that its own
    household mix and track shares imply (``model.ind_plan``), then into decision FTE at
    ``decisions_per_fte_week``; only the realised share of the plan is staffed. None = the
    pools' FTE are the data."""

    decisions_persons_per_year: NonNegFloat | None = Field(
        None, description="planned first-instance decisions a year, in persons (None = no plan: "
        "the pools' decision_fte hold)", json_schema_extra=EXTENSIVE)
    realisation: Probability = Field(
        1.0, description="share of the plan the IND realises (staff shortages, sickness, "
        "onboarding): the decision capacity the model staffs is the plan x this share")
    pool: str = Field("regular", description="the staff pool whose decision FTE the plan sets")
    hearing_pool: str | None = Field(
        None, description="also staff this pool's hearing officers for the plan: the hearings of "
        "the planned decisions (hearings_per_adult per adult) at hearings_per_fte_week (None = "
        "hearing FTE stay the data)")


class Staff(Strict):
    """Staff capacity = FTE x productivity per week, for hearings and for decisions."""

    pools: dict[str, StaffPool] = Field(
        default_factory=lambda: {"regular": StaffPool()},
        min_length=1, description="staff pools by name; a case is offered to pools in this order")
    hearings_per_fte_week: PosFloat = Field(
        3.0, description="hearings (one adult, one hearing, incl. preparation and report) per "
        "hearing FTE per week")
    decisions_per_fte_week: PosFloat = Field(
        2.0, description="decisions (one adult's application) per decision FTE per week")
    work_cv: NonNegFloat = Field(
        0.5, description="coefficient of variation of an officer's time per hearing or decision")
    plan: ProductionPlan = Field(
        default_factory=ProductionPlan,
        description="the IND's production plan in persons, converted into decision FTE")


class Tracks(Strict):
    """General procedure (AA) and extended procedure (VA) after the hearings."""

    va_share: dict[Literal["first", "repeat"], Probability] = Field(
        default_factory=lambda: {"first": 0.0, "repeat": 0.0},  # type: ignore[arg-type]
        description="share of cases that go to the extended procedure (VA) after the hearings")
    va_extra_days: NonNegFloat = Field(
        0.0, description="mean extra days (investigation, advice, longer view period) before the "
        "decision work of a VA case, on top of ind.decision_days")
    va_work_factor: PosFloat = Field(1.0, description="officer time of a VA decision relative to AA")


class Appeals(Strict):
    """Appeal (beroep) against a rejection, with suspensive effect: the person stays in COA.

    Appeals without suspensive effect are not modelled apart: those persons go into the
    departure caseload at once (their rare later grants are ignored)."""

    share: dict[Literal["first", "repeat"], Probability] = Field(
        default_factory=lambda: {"first": 0.0, "repeat": 0.0},  # type: ignore[arg-type]
        description="share of rejected households that lodge an appeal with suspensive effect")
    days: NonNegFloat = Field(180.0, description="mean days from the rejection to the court's ruling")
    grant_share: Probability = Field(
        0.0, description="share of appeals granted (the person gets a permit); the rest are "
        "dismissed and the person goes into the departure caseload")


class CapacityRule(Strict):
    """The IND's own capacity decisions as a rule (production planning), for what-ifs whose
    load lies beyond the capacity entered as data.

    At each review the IND looks at each stage (hearings, decisions): when the work queued
    for it exceeds ``max_queue_weeks`` weeks of the stage's capacity, it orders capacity by the
    stock-management rule: the estimated demand (work joining the queue per week) plus the
    excess over ``target_queue_weeks`` of demand worked off within ``clearance_weeks``, less the
    capacity it has and has ordered. An order arrives after ``lead_time_weeks``: hearing officers
    with their rooms, or decision officers. Capacity is not released within the horizon."""

    enabled: bool = Field(False, description="the IND orders capacity by this rule (False: capacity is data only)")
    review_days: PosFloat = Field(28.0, description="days between the IND's capacity reviews")
    max_queue_weeks: dict[Literal["hearing", "decision"], PosFloat] = Field(
        default_factory=lambda: {"hearing": 20.0, "decision": 20.0},  # type: ignore[arg-type]
        description="a stage orders capacity only when its queue holds more than this many weeks "
        "of the stage's capacity")
    target_queue_weeks: PosFloat = Field(
        8.0, description="the queue the IND plans for, in weeks of demand")
    clearance_weeks: PosFloat = Field(
        26.0, description="weeks within which a queue above the target is to be worked off")
    lead_time_weeks: NonNegFloat = Field(
        13.0, description="weeks from the decision until new officers (and hearing rooms) work")
    min_step: Probability = Field(
        0.05, description="no order smaller than this share of the stage's capacity entered as data")
    max_factor: Annotated[float, Field(ge=1.0)] = Field(
        2.5, description="a stage's capacity, had and ordered, stays at most this multiple of its "
        "capacity entered as data (phases) at the time")
    hearing_pool: str = Field("regular", description="the staff pool that new hearing officers join")
    decision_pool: str = Field("regular", description="the staff pool that new decision officers join")


class IndProduction(Strict):
    """Production-system parameters of the IND block (mixed into ``schema.Ind``)."""

    staff: Staff = Field(default_factory=Staff)
    tracks: Tracks = Field(default_factory=Tracks)
    appeals: Appeals = Field(default_factory=Appeals)
    decision_term_days: PosFloat = Field(
        182.5, description="statutory decision term from the application (days; 6 months, "
        "15 months from autumn 2022)")
    taskforce_cutoff: dt.date | None = Field(
        None, description="open applications lodged before this date and still open on it form "
        "the Taskforce class (None = no Taskforce)", json_schema_extra=BUILD_TIME)
    dublin_interview: bool = Field(
        False, description="Dublin-track cases have a Dublin interview (one hearing per adult) "
        "before the claim is sent")
    capacity_rule: CapacityRule = Field(default_factory=CapacityRule)
    grant_share_by_class: dict[CaseClass, Probability] = Field(
        default_factory=dict,
        description="share of decisions that grant a permit, by case class (taskforce, dublin, "
        "lapsed_dublin, repeat, first), for the classes given; the others take "
        "ind.grant_share of their kind (first or repeat application). Phases change it by "
        "period: ind.grant_share_by_class.taskforce: 0.6")
    binding_threshold: Probability = Field(
        0.5, description="a resource binds in a week when cases wait for it at least this "
        "share of the week")
    binding_min_utilisation: Probability = Field(
        0.9, description="decision staff bind only when at least this share of them was busy in "
        "the week: with officers idle (a dedicated pool whose cases are stuck upstream) more "
        "rooms or hearing staff would still add decisions")

    @field_validator("taskforce_cutoff", mode="before")
    @classmethod
    def _when(cls, v: object) -> object:
        return None if v is None else parse_when(v)

    @model_validator(mode="after")
    def _every_class_served(self) -> "IndProduction":
        served = {c for pool in self.staff.pools.values() for c in pool.serves}
        missing = [c for c in CLASSES if c not in served]
        if missing:
            raise ValueError(f"staff.pools: no pool serves {', '.join(missing)}; cases of that class "
                             "would wait for ever (add them to some pool's serves)")
        plan = self.staff.plan
        if plan.decisions_persons_per_year is not None:
            for key, name in (("pool", plan.pool), ("hearing_pool", plan.hearing_pool)):
                if name is not None and name not in self.staff.pools:
                    raise ValueError(f"staff.plan.{key}: no staff pool {name!r} (pools: "
                                     f"{', '.join(self.staff.pools)})")
        rule = self.capacity_rule
        for key in ("hearing_pool", "decision_pool"):
            name = getattr(rule, key)
            if rule.enabled and name not in self.staff.pools:
                raise ValueError(f"capacity_rule.{key}: no staff pool {name!r} (pools: "
                                 f"{', '.join(self.staff.pools)})")
        return self


def _age_shares(v: dict[int, float]) -> dict[int, float]:
    total = sum(v.values())
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"must sum to 1, got {total:.6g}")
    return dict(sorted(v.items()))


class StartIndStock(Strict):
    """Class, age and place of the starting IND stock (mixed into ``schema.StartInd``)."""

    repeat_share: Probability = Field(0.0, description="share of the stock persons with a repeat application")
    age_distribution: Annotated[dict[Annotated[int, Field(ge=1)], Probability], AfterValidator(_age_shares)] | None = Field(
        None, description="days since application: {upper bound (days): share}, uniform within "
        "each band from the previous bound; None = exponential with mean backlog_age_days")
    outside_reception: int = Field(
        0, ge=0, description="persons in the IND stock who are not in COA reception (staying "
        "privately, repeat applicants without reception); granted ones leave the chain",
        json_schema_extra=EXTENSIVE)
    appeals_open: int = Field(
        0, ge=0, description="persons of start.reception.rejected whose appeal (suspensive) is "
        "still running: they stay in COA until the ruling", json_schema_extra=EXTENSIVE)
