"""The IND's capacity decisions as a rule: hearing teams and decision officers that follow the load.

The capacity of 2020 is data (FTE and rooms by phase, the Taskforce from 1 May). In a what-if
with a load far beyond it (say 2.5 times the inflow), a fixed IND would let its queues grow
for ever, which no planner assumes: in 2015-2016 the IND grew with the inflow, with a lag.
This part is that response, as the stock-management rule of production planning:

* every ``review_days`` the IND looks at each stage: hearings (work: one adult's hearing) and
  decisions (work: one case's decision);
* demand = work joining the stage's queue per week since the last review (the queue's growth
  plus the work started);
* a stage's capacity is what its officers will do a week when an order placed now would
  arrive: the officers the data (phases) put there by then, plus the rule's own;
* only when the queue holds more than ``max_queue_weeks`` weeks of that capacity does it act:
  it wants demand + (queue - ``target_queue_weeks`` x demand) / ``clearance_weeks`` a week, and
  orders what it wants beyond the capacity it has and has ordered (at least ``min_step``, at
  most ``max_factor`` times the capacity entered as data);
* an order works after ``lead_time_weeks``: hearing officers with the physical rooms they lack
  and decision officers in the data's ratio to them, or decision officers alone; they join the
  rule's pools on top of the phases' FTE.

Capacity counts officers only (hearings at the scenario's rate; decisions at the officer time
per case seen since the last review): the IND plans by its staff, so rooms closed for a while
(the spring 2020 lockdown) are no reason to hire; an order of hearing officers brings physical
rooms for them. Capacity is never released within the horizon.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Generator, Literal, Sequence

import simpy

from ..metrics.recorder import Recorder
from ..metrics.registry import Metric
from .hearings import HearingRooms
from .ind import Ind
from .ind_plan import plan_fte
from .ind_staff import StaffPools
from .parts import Build, Part

if TYPE_CHECKING:
    from ..policy.timeline import PolicyProcess
    from ..scenario.ind_schema import CapacityRule

StageName = Literal["hearing", "decision"]
STAGES: tuple[StageName, ...] = ("hearing", "decision")
RESOURCES = ("hearing", "decision", "rooms")  # hearing officers, decision officers, physical rooms

_M = "ind_capacity"
METRICS: tuple[Metric, ...] = (
    Metric("ind.capacity_orders", _M, "count", "orders/week", "IND capacity orders",
           "capacity orders placed by the IND's rule (hearing teams or decision officers)", contract=True,
           label_nl="capaciteitsbestellingen IND"),
    Metric("ind.added_hearing_officers", _M, "level", "FTE", "hearing officers added",
           "hearing officers the capacity rule added, at work at week end", "extra hoormedewerkers"),
    Metric("ind.added_decision_officers", _M, "level", "FTE", "decision officers added",
           "decision officers the capacity rule added, at work at week end", "extra beslismedewerkers"),
    Metric("ind.added_rooms", _M, "level", "rooms", "hearing rooms added",
           "physical hearing rooms the capacity rule added, in use at week end", label_nl="gehoorruimtes bijgekomen"),
    Metric("ind.ordered_officers", _M, "level", "FTE", "IND officers ordered",
           "officers (both stages) ordered by the rule and not yet at work, at week end",
           label_nl="IND-medewerkers besteld"),
    Metric("ind.queue_weeks_hearing", _M, "level", "weeks", "hearing queue (weeks of capacity)",
           "adults waiting for a hearing / hearings a week the officers at work can do, at week end",
           label_nl="gehoorrij (weken capaciteit)"),
    Metric("ind.queue_weeks_decision", _M, "level", "weeks", "decision queue (weeks of capacity)",
           "cases waiting for a decision officer / decisions a week the officers at work can do, at "
           "week end", label_nl="beslisrij (weken capaciteit)"),
)


class IndCapacity(Part):
    """The IND's capacity rule over its two stages (see the module docstring)."""

    name = "ind_capacity"
    params = "ind.capacity_rule"
    metrics = METRICS

    @classmethod
    def build(cls, ctx: Build) -> "IndCapacity":
        return cls(ctx.env, ctx.rec, ctx.policy, ctx.need(HearingRooms, cls.name), ctx.need(Ind, cls.name))

    def __init__(self, env: simpy.Environment, rec: Recorder, policy: "PolicyProcess",
                 rooms: HearingRooms, ind: Ind) -> None:
        self.env, self.rec, self.policy, self.rooms, self.ind = env, rec, policy, rooms, ind
        self.added = {r: 0.0 for r in RESOURCES}  # at work
        self.ordered = {r: 0.0 for r in RESOURCES}  # ordered, not yet at work
        self._last = (env.now, self._seen())
        self._per_case = ind.staff.work_days  # officer days per decision, as last seen
        rec.add_source(self.levels)
        env.process(self._reviews())

    # ------------------------------------------------------------------ measurement
    def queue(self, stage: StageName) -> int:
        if stage == "hearing":
            return self.rooms.queue_length
        return sum(len(q) for q in self.ind.queues.values())

    def _seen(self) -> dict[str, tuple[int, int, float]]:
        """Per stage: queue, work started ever, busy officer-days ever (the last two cumulative)."""
        out: dict[str, tuple[int, int, float]] = {}
        pools: tuple[tuple[StageName, StaffPools], ...] = (("hearing", self.rooms.staff), ("decision", self.ind.staff))
        for stage, staff in pools:
            staff.busy_days.add(self.env.now, 0.0)
            out[stage] = (self.queue(stage), staff.started, staff.busy_days.area)
        return out

    def days_per_case(self, started: int, busy_days: float) -> float:
        """Officer days per decision: seen since the last review, else the nominal per unit."""
        return busy_days / started if started > 0 else self.ind.staff.work_days

    def planned(self, t: float) -> dict[str, float]:
        """Officers and rooms the data (the phases) provide at time t: the IND knows its own
        decisions, such as the Taskforce from 1 May 2020 or the reopening after the lockdown,
        ahead of time."""
        params = self.policy.params_at(t)
        p, plan = params.ind, plan_fte(params, t)
        out = {"hearing": 0.0, "decision": 0.0}
        for name, pool in p.staff.pools.items():
            for stage, fte in (("hearing", pool.hearing_fte), ("decision", pool.decision_fte)):
                fte = plan[stage].get(name, fte)
                out[stage] += math.inf if fte is None else round(fte)
        out["rooms"] = p.physical.rooms * p.physical.slots_per_room_per_week + p.video.rooms * p.video.slots_per_room_per_week
        return out

    def capacity(self, stage: StageName, days_per_case: float, extra: Sequence[str] = ("added",),
                 ahead: bool = True) -> float:
        """Work a week the stage's officers can do when an order placed now would arrive (or now:
        ``ahead`` False): the data's officers then, plus the rule's ``extra`` ("added", "ordered")."""
        rule, p = self.policy.params.ind.capacity_rule, self.policy.params.ind
        officers = self.planned(self.env.now + (7.0 * rule.lead_time_weeks if ahead else 0.0))[stage]
        officers += sum((self.added if book == "added" else self.ordered)[stage] for book in extra)
        if stage == "hearing":  # by officers: rooms closed for a while are no reason to hire
            return officers * p.staff.hearings_per_fte_week
        return officers * 7.0 / days_per_case

    # ------------------------------------------------------------------ the rule
    def _reviews(self) -> Generator[simpy.Event, object, None]:
        while True:
            yield self.env.timeout(self.policy.params.ind.capacity_rule.review_days)
            self._review(self.policy.params.ind.capacity_rule)

    def _review(self, rule: "CapacityRule") -> None:
        now, seen = self.env.now, self._seen()
        t0, before = self._last
        self._last = (now, seen)
        weeks = (now - t0) / 7.0
        d = seen["decision"], before["decision"]
        self._per_case = self.days_per_case(d[0][1] - d[1][1], d[0][2] - d[1][2])  # measured always
        if not rule.enabled or weeks <= 0:
            return
        per_case = self._per_case
        for stage in STAGES:
            q, started, _ = seen[stage]
            q0, started0, _ = before[stage]
            cap = self.capacity(stage, per_case)
            if not math.isfinite(cap) or q <= rule.max_queue_weeks[stage] * cap:
                continue
            data = self.capacity(stage, per_case, extra=())  # the capacity entered as data
            demand = max((q - q0 + started - started0) / weeks, 0.0)
            want = demand + (q - rule.target_queue_weeks * demand) / rule.clearance_weeks
            have = self.capacity(stage, per_case, extra=("added", "ordered"))
            order = min(want, rule.max_factor * data) - have
            if order > 0 and order >= rule.min_step * data:
                self._order(rule, stage, have + order, order, per_case)

    def _order(self, rule: "CapacityRule", stage: StageName, target: float, gain: float,
               days_per_case: float) -> None:
        """Order ``gain`` work a week, which lifts the stage to ``target``. Hearing officers come with the
        rooms that all officers then lack (the rooms the data provide a lead time ahead, video
        included, plus the rule's) and with decision officers in the data's ratio of decision to
        hearing officers (a hearing team alone would only move the queue to the decision officers)."""
        p = self.policy.params.ind
        planned = self.planned(self.env.now + 7.0 * rule.lead_time_weeks)
        order = {r: 0.0 for r in RESOURCES}
        if stage == "hearing":
            officers = planned["hearing"] + self.added["hearing"] + self.ordered["hearing"]
            per_room = p.physical.slots_per_room_per_week
            slots = planned["rooms"] + (self.added["rooms"] + self.ordered["rooms"]) * per_room
            order["hearing"] = max(math.ceil(target / p.staff.hearings_per_fte_week - officers), 0)
            order["rooms"] = max(math.ceil((target - slots) / per_room), 0)
            # decision officers in the data's ratio to hearing officers: the new hearings' cases
            ratio = planned["decision"] / planned["hearing"] if planned["hearing"] > 0 else 0.0
            order["decision"] = float(math.ceil(ratio * gain / p.staff.hearings_per_fte_week))
        else:
            order["decision"] = float(max(math.ceil(gain * days_per_case / 7.0), 0))  # whole officers
        for r in RESOURCES:
            self.ordered[r] += order[r]
        self.rec.count("ind.capacity_orders", self.env.now)

        def arrive(_e: simpy.Event) -> None:
            for r in RESOURCES:
                self.ordered[r] -= order[r]
                self.added[r] += order[r]
            if order["hearing"] or order["rooms"]:
                self.rooms.staff.grow(rule.hearing_pool, order["hearing"], self.env.now)
                self.rooms.add_rooms(int(order["rooms"]))
            if order["decision"]:
                self.ind.staff.grow(rule.decision_pool, order["decision"], self.env.now)
                self.ind.on_phase(self.policy.params)

        self.env.timeout(7.0 * rule.lead_time_weeks).callbacks.append(arrive)

    # ------------------------------------------------------------------ levels
    def levels(self, t: float) -> dict[str, float]:
        hearing = self.capacity("hearing", self._per_case, ahead=False)
        decision = self.capacity("decision", self._per_case, ahead=False)
        return {
            "ind.added_hearing_officers": self.added["hearing"],
            "ind.added_decision_officers": self.added["decision"],
            "ind.added_rooms": self.added["rooms"],
            "ind.ordered_officers": self.ordered["hearing"] + self.ordered["decision"],
            "ind.queue_weeks_hearing": self.queue("hearing") / hearing if hearing > 0 else math.nan,
            "ind.queue_weeks_decision": self.queue("decision") / decision if decision > 0 else math.nan,
        }
