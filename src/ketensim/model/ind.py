"""IND asylum procedure as a production system: case classes, hearings, tracks, decision staff.

A case (household) is registered, then each adult has the hearings of the application type
(``hearings``: a room and a hearing officer each), then the case goes to the general (AA) or
extended (VA) track: a wait without IND work (report, intention, the applicant's view; longer
in VA), then the decision, which needs a decision officer. Officers serve case classes in the
priority order of their pool (``ind_staff``), so the Taskforce stock can have its own
capacity and place in the queue.

The backlog is every person whose first-instance application awaits a decision (Dublin-track
cases until the claim is accepted); the lead time (doorlooptijd) runs from application to
decision; a decision after ``decision_term_days`` is late. Which resource binds is reported
per week (``ind.binding_constraint``, codes in ``BINDING_CODES``).
"""
from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING, Any, Callable, Generator

import numpy as np
import simpy

from ..metrics.recorder import Level, Recorder
from ..metrics.registry import Derived, Metric
from ..scenario.ind_schema import CLASSES
from ..scenario.root import Section
from .entities import IN_PROCEDURE, Household
from .hearings import HearingRooms
from .ind_params import Ind as IndParams
from .ind_params import StartInd
from .ind_plan import plan_fte, plan_persons_week
from .ind_staff import Meter, StaffPools
from .parts import Build, Node, Part
from .sim import UrgentTimeout, finish, hand_on
from .streams import cumulative_bands

if TYPE_CHECKING:
    from ..policy.timeline import PolicyProcess
    from ..scenario.root import Scenario
    from .seeding import Seeding
    from .streams import Streams

TRACKS = ("aa", "va")
AWAITING_DECISION = 99
"""``procedure``'s ``from_stage`` of a starting case that was heard and waits for a decision officer."""
BINDING_CODES = {0: "none (capacity to spare: the inflow binds)", 1: "hearing rooms",
                 2: "hearing staff", 3: "decision staff"}
"""Codes of ``ind.binding_constraint``: the most downstream resource that cases waited for
at least ``ind.binding_threshold`` of the week (decisions first: with decision staff binding,
more rooms or hearing staff do not add decisions), decision staff only when at least
``ind.binding_min_utilisation`` of them were busy (idle officers mean the work is stuck
upstream)."""

_M = "ind"


def _metrics() -> tuple[Metric | Derived, ...]:
    codes = "; ".join(f"{k} = {v}" for k, v in BINDING_CODES.items())
    out: list[Metric | Derived] = [
        Metric("ind.applications", _M, "count", "persons/week", "asylum applications",
               "first and repeat asylum applications lodged in the week", "asielaanvragen", contract=True),
        Metric("ind.decisions", _M, "count", "persons/week", "IND decisions",
               "first-instance decisions (persons) in the week", "beslissingen", contract=True,
               key="IND decisions /wk"),
        Metric("ind.grants", _M, "count", "persons/week", "IND grants", "decisions that grant a permit",
               "inwilligingen", contract=True),
        Metric("ind.decisions_first_applications", _M, "count", "persons/week", "decisions on first applications",
               "first-instance decisions on first applications (persons; every class but repeat "
               "applications; Dublin decisions apart), as the IND counts its first-application decisions",
               "beslissingen op eerste aanvragen", contract=True),
        Derived("ind.decisions_first_applications_incl_dublin", _M, "persons/week",
                "decisions on first applications incl. Dublin",
                "decisions on first applications plus accepted Dublin claims (an application not "
                "handled here is also a first-instance decision on it)",
                terms=(("ind.decisions_first_applications", 1.0), ("ind.dublin_decisions", 1.0)),
                label_nl="beslissingen op eerste aanvragen, incl. Dublin"),
        Metric("ind.plan_decisions", _M, "level", "persons/week", "IND production plan",
               "decisions a week in the IND's production plan, in persons as the IND counts them "
               "(ind.staff.plan; NaN without a plan)", "productieplanning"),
        Metric("ind.plan_staffed", _M, "level", "persons/week", "IND plan staffed",
               "decisions a week the model staffs: the plan x its realised share (the realised "
               "decisions are ind.decisions)", "productieplanning bemenst"),
        Metric("ind.decisions_late", _M, "count", "persons/week", "late decisions",
               "decisions taken after the statutory decision term", "beslissingen na termijn", contract=True),
        Metric("ind.dublin_decisions", _M, "count", "persons/week", "Dublin decisions",
               "applications closed because another state accepted the Dublin claim", contract=True,
               label_nl="Dublinbeslissingen"),
        Metric("ind.dublin_takeovers", _M, "count", "persons/week", "Dublin take-overs",
               "cases back in the IND procedure after a lapsed transfer deadline", contract=True,
               label_nl="Dublinovernames"),
        Metric("ind.handover_dtv_rejected", _M, "count", "persons/week", "handed to DT&V: rejected",
               "rejected persons handed to DT&V (no appeal, or appeal dismissed)", contract=True,
               label_nl="overgedragen aan DT&V: afgewezen"),
        Metric("ind.handover_dtv_dublin", _M, "count", "persons/week", "handed to DT&V: Dublin",
               "accepted Dublin claimants handed to DT&V for the transfer", contract=True,
               label_nl="overgedragen aan DT&V: Dublin"),
        Metric("ind.backlog", _M, "level", "persons", "IND backlog",
               "open first and repeat asylum applications at week end", "voorraad IND", key="IND backlog"),
        Metric("ind.backlog_avg", _M, "level", "persons", "IND backlog (week average)",
               "time-averaged open applications over the week (Little's law)",
               label_nl="IND-voorraad (weekgemiddelde)"),
        Metric("ind.open_past_term", _M, "level", "persons", "open past the decision term",
               "open applications older than the statutory decision term at week end",
               label_nl="open na de beslistermijn"),
        Metric("ind.decision_queue", _M, "level", "persons", "awaiting decision staff",
               "persons whose case waits for a decision officer at week end",
               label_nl="wachtend op een beslismedewerker"),
        Metric("ind.cohort_decided_share", _M, "level", "share", "share decided since cutoff",
               "share of the persons who applied on or after ind.taskforce_cutoff whose "
               "application was decided (incl. Dublin) by week end", label_nl="aandeel beslist sinds de peildatum"),
        Metric("ind.lead_time_median_days", _M, "sample", "days", "median lead time",
               "median days from application to decision of the week's decisions",
               "doorlooptijd (mediaan)", summary="median", source="ind.lead_time_days"),
        Metric("ind.decision_wait_mean_days", _M, "sample", "days", "mean wait for a decision officer",
               "mean days in the decision queue of the cases taken up that week",
               summary="mean", source="ind.decision_wait_days",
               label_nl="gemiddelde wachttijd op een beslismedewerker"),
        Metric("ind.lead_time_p90_days", _M, "level", "days", "lead time, 90th percentile",
               "90th percentile of days from application to decision of the week's decisions",
               label_nl="doorlooptijd, 90e percentiel"),
        Metric("ind.binding_pct_decision_staff", _M, "level", "% of week", "decision staff bind (% of week)",
               "percentage of the week in which cases waited for a decision officer",
               label_nl="beslismedewerkers knellen (% van de week)", key="IND decision staff bind (% of week)"),
        Metric("ind.utilisation_pct_decision_staff", _M, "level", "%", "decision staff utilisation",
               "time-averaged busy decision officers / decision officers in the week, percent (finite pools)",
               label_nl="bezettingsgraad beslismedewerkers"),
        Metric("ind.binding_constraint", _M, "level", "code", "binding constraint",
               f"what binds IND output in the week: {codes}", "knelpunt"),
        Metric("ind.binding_hearings", _M, "level", "code", "binding constraint of hearings",
               "what binds the hearings in the week: 0 = nothing, 1 = rooms, 2 = hearing staff",
               label_nl="knelpunt van de gehoren"),
    ]
    for c in CLASSES:
        out += [
            Metric(f"ind.backlog_{c}", _M, "level", "persons", f"IND backlog: {c}",
                   f"open applications of class {c} at week end", f"IND-voorraad: {c}"),
            Metric(f"ind.decisions_{c}", _M, "count", "persons/week", f"decisions: {c}",
                   f"first-instance decisions of class {c} (Dublin decisions apart)", f"beslissingen: {c}", contract=True),
            Metric(f"ind.entries_{c}", _M, "count", "persons/week", f"entries: {c}",
                   f"persons entering class {c} (application, take-over, reclassification)", f"instroom: {c}",
                   contract=True),
            Metric(f"ind.exits_{c}", _M, "count", "persons/week", f"exits: {c}",
                   f"persons leaving class {c} (decision, Dublin decision, reclassification)", f"uitstroom: {c}",
                   contract=True),
        ]
    for tr in TRACKS:
        out += [
            Metric(f"ind.decisions_{tr}", _M, "count", "persons/week", f"decisions: {tr.upper()}",
                   f"decisions in the {tr.upper()} track", f"beslissingen: {tr.upper()}", contract=True),
            Metric(f"ind.lead_time_median_days_{tr}", _M, "level", "days", f"median lead time {tr.upper()}",
                   f"median days from application to decision of the week's {tr.upper()} decisions",
                   f"mediane doorlooptijd {tr.upper()}"),
            Metric(f"ind.lead_time_p90_days_{tr}", _M, "level", "days", f"p90 lead time {tr.upper()}",
                   f"90th percentile of the lead time of the week's {tr.upper()} decisions",
                   f"doorlooptijd {tr.upper()}, 90e percentiel"),
        ]
    return tuple(out)


METRICS: tuple[Metric | Derived, ...] = _metrics()


def requeue(queues: dict[str, deque[Any]], moves: Callable[[tuple[Any, ...]], bool], t_of: Callable[[tuple[Any, ...]], float],
            to: str = "taskforce") -> None:
    """Move the waiting entries that ``moves`` selects to the ``to`` queue, in order of their
    time of joining (first come, first served within the class)."""
    taken = [e for c, q in queues.items() if c != to for e in q if moves(e)]
    if not taken:
        return
    for c, q in queues.items():
        if c != to:
            queues[c] = deque(e for e in q if not moves(e))
    queues[to] = deque(sorted([*queues[to], *taken], key=t_of))


class Ind(Part):
    name = "ind"
    params = "ind"
    section = Section("ind", IndParams, start=StartInd, order=30)
    nodes = (Node("ind", 1, "ind.backlog"),)
    stock = ("ind",)  # the persons in procedure at the start: stage, class, age, place
    metrics = METRICS

    @classmethod
    def build(cls, ctx: Build) -> "Ind":
        return cls(ctx.env, ctx.rec, ctx.policy, ctx.streams, ctx.need(HearingRooms, cls.name), ctx.scenario)

    def seed_stock(self, seeding: "Seeding") -> None:
        """The IND stock in COA and outside it; class, age and stage drawn per household (stage:
        awaiting the first hearing, the second, a decision officer, or heard and in the track's
        wait, whose remaining wait is exact for the exponential wait). The procedures start at
        the start time after the policy's first phase has set the capacities: one event for
        all of them, one after the other in the order they were placed."""
        sc, st, t0 = seeding.scenario, seeding.stream(self.name), seeding.t0
        start = sc.start.ind
        share1, share2 = start.share_awaiting_first_hearing, start.share_awaiting_second_hearing
        share3 = share1 + share2 + start.share_awaiting_decision
        bands = cumulative_bands(start.age_distribution)

        stock = [(hh, True) for hh in seeding.households(sc.start.reception.in_procedure, "first", IN_PROCEDURE, st)]
        stock += [(hh, False) for hh in seeding.households(start.outside_reception, "first", IN_PROCEDURE, st)]
        starts: list[tuple[Household, int]] = []
        for hh, in_coa in stock:
            if st.random() < start.repeat_share:
                hh.kind = "repeat"
            hh.applied_at = t0 - st.from_bands(bands, start.backlog_age_days)
            if in_coa:
                seeding.journeys.admit_stock(hh)
            self.apply(hh)
            n = sc.ind.hearings_per_adult[hh.kind]  # type: ignore[index]
            u = st.random()
            stage = 0 if u < share1 else (1 if u < share1 + share2 else (AWAITING_DECISION if u < share3 else n))
            starts.append((hh, stage))
        if starts:
            UrgentTimeout(self.env, 0.0).callbacks.append(lambda _e: self._start_stock(seeding, starts))

    @staticmethod
    def _start_stock(seeding: "Seeding", starts: list[tuple[Household, int]]) -> None:
        for hh, stage in starts:
            seeding.journeys.procedure_stock(hh, stage)

    def __init__(self, env: simpy.Environment, rec: Recorder, policy: "PolicyProcess",
                 streams: "Streams", rooms: HearingRooms, scenario: "Scenario | None" = None) -> None:
        self.env, self.rec, self.policy, self.rooms = env, rec, policy, rooms
        self.delays = streams("ind.delays")
        self.decisions = streams("ind.decision")
        self.tracks = streams("ind.track")
        self.officer_time = streams("ind.decision_officer")
        self.backlog = Level(0.0, env.now)
        self.by_class = {c: 0 for c in CLASSES}
        self.cls: dict[int, str] = {}  # class of every open case
        self.open: dict[int, Household] = {}
        self.cases: dict[int, _Case] = {}  # the open cases' place in the procedure (for a state)
        self.queues: dict[str, deque[tuple[Household, Callable[[], None], str, float]]] = {
            c: deque() for c in CLASSES}
        self.decision_waits: dict[str, list[float]] = {c: [] for c in CLASSES}  # days, for checks
        self.staff = StaffPools("decision", env.now)
        self.meter = Meter(env.now, ("idle", "staff"))
        self.lead_times: list[float] = []  # per person, for checks (Little's law)
        self._week_leads: dict[str, list[float]] = {"all": [], **{t: [] for t in TRACKS}}
        self.cutoff_day = math.inf
        if scenario is not None and scenario.ind.taskforce_cutoff is not None:
            self.cutoff_day = float((scenario.ind.taskforce_cutoff - scenario.horizon.start).days)
            env.process(self._taskforce())
        self.cohort = [0.0, 0.0]  # persons applied on/after the cutoff, of whom decided
        policy.subscribe(self.on_phase)
        rec.add_source(self.levels)

    def on_phase(self, params: "Scenario") -> None:
        self.staff.on_phase(params.ind.staff, self.env.now, plan_fte(params, self.env.now)["decision"])
        self._dispatch()

    # ------------------------------------------------------------------ classes
    def _enter(self, hh: Household, cls: str) -> None:
        self.cls[hh.hid] = cls
        self.open[hh.hid] = hh
        self.by_class[cls] += hh.size
        self.rec.count(f"ind.entries_{cls}", self.env.now, hh.size)

    def _leave(self, hh: Household) -> str:
        cls = self.cls.pop(hh.hid)
        del self.open[hh.hid]
        self.by_class[cls] -= hh.size
        self.rec.count(f"ind.exits_{cls}", self.env.now, hh.size)
        return cls

    def reclassify(self, hh: Household, cls: str) -> None:
        if self.cls.get(hh.hid, cls) != cls:
            self._leave(hh)
            self._enter(hh, cls)

    def class_of(self, hh: Household) -> str:
        return self.cls.get(hh.hid, hh.kind)

    def _taskforce(self) -> Generator[simpy.Event, object, None]:
        """At the cutoff every open case lodged before it becomes a Taskforce case, also where
        it already waits: its hearings and its decision move to the Taskforce queues."""
        if self.cutoff_day > self.env.now:
            yield self.env.timeout(self.cutoff_day - self.env.now)
        moved = {hh.hid for hh in list(self.open.values()) if hh.applied_at < self.cutoff_day}
        for hid in moved:
            self.reclassify(self.open[hid], "taskforce")
        requeue(self.rooms.queues, lambda e: e[0].household.hid in moved, t_of=lambda e: e[2])
        requeue(self.queues, lambda e: e[0].hid in moved, t_of=lambda e: e[3])
        self.rooms.dispatch()
        self._dispatch()

    # ------------------------------------------------------------------ journey
    def apply(self, hh: Household, cls: str | None = None) -> None:
        """The case enters the backlog (at application, or at the start for stocks)."""
        now = self.env.now
        self.backlog.add(now, hh.size)
        self._enter(hh, cls or hh.kind)
        self.rec.count("ind.applications", now, hh.size)
        if hh.applied_at >= self.cutoff_day:
            self.cohort[0] += hh.size

    def _decided_persons(self, hh: Household) -> None:
        if hh.applied_at >= self.cutoff_day:
            self.cohort[1] += hh.size

    def dublin_decision(self, hh: Household) -> None:
        """An accepted Dublin claim: the application is not handled here (it leaves the backlog)."""
        now = self.env.now
        self.backlog.add(now, -hh.size)
        self._leave(hh)
        self._decided_persons(hh)
        self.rec.count("ind.dublin_decisions", now, hh.size)
        self.rec.count("ind.handover_dtv_dublin", now, hh.size)

    def national(self, hh: Household) -> None:
        """The claim was refused: a Dublin-track case continues as a first application."""
        if self.cls.get(hh.hid) == "dublin":
            self.reclassify(hh, "first")

    def take_over(self, hh: Household) -> None:
        """A lapsed Dublin deadline: the Netherlands becomes responsible, the case re-enters the
        backlog (then ``procedure`` from the first hearing) and adds to the IND's load."""
        self.backlog.add(self.env.now, hh.size)
        self._enter(hh, "lapsed_dublin")
        self.rec.count("ind.dublin_takeovers", self.env.now, hh.size)

    def hand_over_rejected(self, hh: Household) -> None:
        self.rec.count("ind.handover_dtv_rejected", self.env.now, hh.size)

    def hear(self, hh: Household) -> simpy.Event:
        """One hearing of every adult (in parallel), in the case's class queue."""
        cls = self.class_of(hh)
        return self.rooms.request_all(hh.adults, cls)

    def procedure(self, hh: Household, from_stage: int, then: Callable[[bool], None]) -> None:
        """Registration (stage -1), hearings (stages 0..n-1), track, decision; then
        ``then(granted)``. A callback chain per case (``_Case``): no process and no generator
        resumed per stage, with the draws and events of the generator it replaces, in its order."""
        p = self.policy.params.ind
        track = "va" if self.tracks.bernoulli(p.tracks.va_share[hh.kind]) else "aa"  # type: ignore[index]
        case = self.cases[hh.hid] = _Case(self, hh, track, p, from_stage, then)
        if from_stage < 0:
            case.first = 0
            self.env.timeout(self.delays.exponential(p.registration_days)).callbacks.append(case.registered)
            return
        if from_stage >= AWAITING_DECISION:  # a starting stock case already waiting for an officer
            case.n = case.stage = p.hearings_per_adult[hh.kind]  # type: ignore[index]
            case._ready(None)
            return
        case.hearings()

    def stage_of(self) -> dict[int, int]:
        """The stage of every open case in the procedure: 0 awaiting the first hearing (or in
        registration), 1 the second, 2 heard (in the track's wait), 3 waiting for a decision
        officer. Cases not yet in the procedure (the Dublin track) are at 0."""
        waiting = {e[0].hid for q in self.queues.values() for e in q}
        return {hid: 3 if hid in waiting else (min(max(c.stage, 0), 2) if c.stage < c.n or c.n == 0 else 2)
                for hid, c in self.cases.items() if hid in self.open}

    # ------------------------------------------------------------------ decision staff
    def _decision_work(self, hh: Household, track: str, then: Callable[[], None]) -> None:
        """Join the decision queue; ``then()`` is called at the end of the officer's work (in
        its callback, where a done event would have been processed next: ``sim.hand_on``)."""
        self.queues[self.class_of(hh)].append((hh, then, track, self.env.now))
        self._dispatch()

    def _dispatch(self) -> None:
        while True:
            choice = self.staff.pick(self.queues)
            if choice is None:
                break
            pool, cls = choice
            hh, then, track, t_ready = self.queues[cls].popleft()
            self.decision_waits[cls].append(self.env.now - t_ready)
            self.rec.sample("ind.decision_wait_days", self.env.now, self.env.now - t_ready)
            self.staff.start(pool, self.env.now)
            self._work(pool, hh, then, track)
        self.meter.set(self.env.now, "staff" if any(self.queues.values()) else "idle")

    def _work(self, pool: str, hh: Household, then: Callable[[], None], track: str) -> None:
        """The officer's work on a decision: one timeout whose callback ends it (no process);
        with unlimited staff it ends at once, after the events already due now, as a process did."""
        env = self.env
        if math.isfinite(self.staff.capacity.get(pool, 0.0)):
            p = self.policy.params.ind
            units = max(len(hh.adults), 1) * (p.tracks.va_work_factor if track == "va" else 1.0)
            timer: simpy.Event = env.timeout(self.staff.draw_days(self.officer_time, units))
        else:
            timer = UrgentTimeout(env, 0.0)
        timer.callbacks.append(lambda _e: self._worked(pool, then))

    def _worked(self, pool: str, then: Callable[[], None]) -> None:
        self.staff.free(pool, self.env.now)
        later = hand_on(self.env, then)  # where the done event succeeded
        self._dispatch()
        finish(self.env, later)

    def grant_share(self, hh: Household) -> float:
        """The grant share of the case's class where ``ind.grant_share_by_class`` gives one,
        else that of its kind (first or repeat application)."""
        p = self.policy.params.ind
        by_class = p.grant_share_by_class.get(self.class_of(hh))  # type: ignore[call-overload]
        return p.grant_share[hh.kind] if by_class is None else by_class  # type: ignore[index]

    def decide(self, hh: Household, track: str = "aa") -> bool:
        now = self.env.now
        granted = self.decisions.bernoulli(self.grant_share(hh))
        self.backlog.add(now, -hh.size)
        cls = self._leave(hh)
        self.cases.pop(hh.hid, None)
        self._decided_persons(hh)
        self.rec.count("ind.decisions", now, hh.size)
        if hh.kind == "first":
            self.rec.count("ind.decisions_first_applications", now, hh.size)
        self.rec.count(f"ind.decisions_{cls}", now, hh.size)
        self.rec.count(f"ind.decisions_{track}", now, hh.size)
        if granted:
            self.rec.count("ind.grants", now, hh.size)
        lead = now - hh.applied_at
        if lead > self.policy.params.ind.decision_term_days:
            self.rec.count("ind.decisions_late", now, hh.size)
        for _ in range(hh.size):
            self.rec.sample("ind.lead_time_days", now, lead)
        if now >= 0:
            self.lead_times.extend([lead] * hh.size)
            self._week_leads["all"].extend([lead] * hh.size)
            self._week_leads[track].extend([lead] * hh.size)
        return granted

    # ------------------------------------------------------------------ levels
    def _binding(self, t: float, decision_share: float, utilisation: float) -> tuple[int, int]:
        p = self.policy.params.ind
        h = self.rooms.shares_at(t)
        rooms, staff = h["rooms"] + h["both"], h["staff"] + h["both"]
        hearing = 0 if max(rooms, staff) < p.binding_threshold else (1 if rooms >= staff else 2)
        busy = not utilisation < p.binding_min_utilisation  # NaN (no finite pool): as busy
        overall = 3 if decision_share >= p.binding_threshold and busy else hearing
        return overall, hearing

    def levels(self, t: float) -> dict[str, float]:
        term = self.policy.params.ind.decision_term_days
        past = sum(hh.size for hh in self.open.values() if t - hh.applied_at > term)
        d_share = self.meter.take(t)["staff"]
        utilisation = self.staff.utilisation(t)
        overall, hearing = self._binding(t, d_share, utilisation)
        planned, staffed = plan_persons_week(self.policy.params)
        out = {
            "ind.plan_decisions": planned,
            "ind.plan_staffed": staffed,
            "ind.backlog": self.backlog.value,
            "ind.backlog_avg": self.backlog.take_area(t) / 7.0,
            "ind.open_past_term": past,
            "ind.decision_queue": sum(e[0].size for q in self.queues.values() for e in q),
            "ind.cohort_decided_share": self.cohort[1] / self.cohort[0] if self.cohort[0] else math.nan,
            "ind.binding_pct_decision_staff": 100.0 * d_share,
            "ind.utilisation_pct_decision_staff": 100.0 * utilisation,
            "ind.binding_constraint": overall,
            "ind.binding_hearings": hearing,
        }
        for c in CLASSES:
            out[f"ind.backlog_{c}"] = self.by_class[c]
        for key, leads in self._week_leads.items():
            suffix = "" if key == "all" else f"_{key}"
            if key != "all":
                out[f"ind.lead_time_median_days{suffix}"] = float(np.median(leads)) if leads else math.nan
            out[f"ind.lead_time_p90_days{suffix}"] = float(np.percentile(leads, 90)) if leads else math.nan
            leads.clear()
        return out


class _Case:
    """One case on its way through ``Ind.procedure``: every wait is an event with one of these
    bound methods as callback, run when the event is processed, as a process would resume.
    ``params`` are the IND parameters at the start (registration time, number of hearings);
    the later waits read the parameters of the moment, as the generator did."""

    __slots__ = ("ind", "hh", "track", "params", "first", "stage", "n", "then")

    def __init__(self, ind: "Ind", hh: Household, track: str, params: Any, first: int,
                 then: Callable[[bool], None]) -> None:
        self.ind, self.hh, self.track, self.params, self.then = ind, hh, track, params, then
        self.first = self.stage = first
        self.n = 0

    def registered(self, _e: simpy.Event) -> None:
        self.hearings()

    def hearings(self) -> None:
        self.n = self.params.hearings_per_adult[self.hh.kind]
        self.stage = self.first
        self._next()

    def _next(self) -> None:
        ind = self.ind
        p = ind.policy.params.ind
        if self.stage >= self.n:  # heard: the track's wait, then the decision staff
            wait = p.decision_days + (p.tracks.va_extra_days if self.track == "va" else 0.0)
            ind.env.timeout(ind.delays.exponential(wait)).callbacks.append(self._ready)
        elif self.stage > self.first or self.first > 0:
            ind.env.timeout(ind.delays.exponential(p.days_between_hearings)).callbacks.append(self._hear)
        else:
            self._hear(None)

    def _hear(self, _e: simpy.Event | None) -> None:
        ind = self.ind
        ind.rooms.hear_then(self.hh.adults, ind.class_of(self.hh), self._heard)

    def _heard(self) -> None:
        self.stage += 1
        self._next()

    def _ready(self, _e: simpy.Event | None) -> None:
        self.ind._decision_work(self.hh, self.track, self._decided)

    def _decided(self) -> None:
        self.then(self.ind.decide(self.hh, self.track))
