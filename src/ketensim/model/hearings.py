"""IND hearings: class queues served by hearing staff in physical rooms and paired video rooms.

A hearing needs a room *and* a hearing officer. The rooms are counted servers rather than
SimPy ``Resource`` objects because their number changes with the policy phase (distancing,
telehoren roll-out), and so are the officers (``ind_staff``). A free officer takes the
waiting adult of the highest-priority class it serves (first come, first served within a
class); the hearing starts when a room of either mode is free, physical rooms first.
Lowering capacity never interrupts a hearing. The officer stays busy after the room is
released for the rest of the officer's time (preparation and report).

A person in isolation or quarantine cannot attend: the slot is lost (cancelled at short
notice) and the person re-joins the queue when released — unless the hearing is by video
and video hearings from quarantine are allowed.

Which resource the waiting cases wait for is metered over time (``binding_shares``).
"""
from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING, Callable

import simpy

from ..metrics.recorder import Recorder
from ..metrics.registry import Derived, Metric
from ..scenario.ind_schema import CLASSES
from .ind_plan import plan_fte
from .ind_staff import Meter, StaffPools
from .parts import Build, Part
from .sim import finish, hand_on

if TYPE_CHECKING:
    from ..policy.timeline import PolicyProcess
    from ..scenario.root import Scenario
    from .entities import Person
    from .streams import Streams

MODES = ("physical", "video")


class Countdown:
    """A stage's hearings (one per adult). At the last one the stage's event succeeds (a
    process waiting on it resumes at that event), or, without an event, ``then`` is handed
    back to be called at the end of the hearing's callback (a callback chain goes on there)."""
    __slots__ = ("event", "left", "then")

    def __init__(self, event: simpy.Event | None, n: int, then: Callable[[], None] | None = None) -> None:
        self.event, self.left, self.then = event, n, then

    def heard(self, value: object = None) -> Callable[[], None] | None:
        self.left -= 1
        if self.left:
            return None
        if self.event is not None:
            self.event.succeed(value)
        return self.then
WAIT_STATES = ("idle", "rooms", "staff", "both")

_M = "hearings"
METRICS: tuple[Metric | Derived, ...] = (
    Metric("ind.hearings_physical", _M, "count", "hearings/week", "physical hearings",
           "hearings held in a physical IND room", label_nl="fysieke gehoren", contract=True,
           key="hearings, physical /wk"),
    Metric("ind.hearings_video", _M, "count", "hearings/week", "video hearings (telehoren)",
           "hearings held by video (IND room paired with a COA room)", label_nl="telehoren", contract=True,
           key="hearings, video /wk"),
    Metric("ind.hearings_cancelled", _M, "count", "hearings/week", "hearings cancelled (isolation)",
           "hearings called but cancelled because the person was in isolation/quarantine", contract=True,
           label_nl="geannuleerde gehoren (isolatie)", key="hearings cancelled /wk"),
    Metric("ind.hearing_queue", _M, "level", "persons", "hearing queue",
           "adults waiting for a hearing (room and officer), at week end", label_nl="wachtend op een gehoor"),
    Metric("ind.hearing_wait_mean_days", _M, "sample", "days", "mean wait for a hearing",
           "mean wait in the hearing queue of the hearings held that week",
           summary="mean", source="ind.hearing_wait_days", label_nl="gemiddelde wachttijd op een gehoor"),
    Metric("ind.binding_pct_rooms", _M, "level", "% of week", "hearing rooms bind (% of week)",
           "percentage of the week in which adults waited for a hearing while every room was busy",
           label_nl="gehoorruimtes knellen (% van de week)", key="IND hearing rooms bind (% of week)"),
    Metric("ind.binding_pct_hearing_staff", _M, "level", "% of week", "hearing staff bind (% of week)",
           "percentage of the week in which adults waited for a hearing while every hearing officer "
           "who could take them was busy", label_nl="gehoormedewerkers knellen (% van de week)",
           key="IND hearing staff bind (% of week)"),
    Metric("ind.utilisation_pct_hearing_staff", _M, "level", "%", "hearing staff utilisation",
           "time-averaged busy hearing officers / hearing officers in the week, percent (finite pools)",
           label_nl="bezettingsgraad gehoormedewerkers"),
)


class HearingRooms(Part):
    name = "hearings"
    params = "ind"
    metrics = METRICS

    @classmethod
    def build(cls, ctx: Build) -> "HearingRooms":
        return cls(ctx.env, ctx.rec, ctx.policy, ctx.streams)

    def __init__(self, env: simpy.Environment, rec: Recorder, policy: "PolicyProcess",
                 streams: "Streams") -> None:
        self.env, self.rec, self.policy = env, rec, policy
        self.durations = streams("ind.hearing_duration")
        self.officer_time = streams("ind.hearing_officer")
        self.queues: dict[str, deque[tuple["Person", Countdown, float]]] = {c: deque() for c in CLASSES}
        self.capacity = {m: 0 for m in MODES}
        self.added_rooms = 0  # physical rooms added by the IND's capacity rule, on top of the phase
        self.busy = {m: 0 for m in MODES}
        self.held = {m: 0 for m in MODES}
        self.staff = StaffPools("hearing", env.now)
        self.meter = Meter(env.now, WAIT_STATES)
        self.waits: list[float] = []  # every hearing's wait in the queue (days), for checks
        self.class_waits: dict[str, list[float]] = {c: [] for c in CLASSES}
        self._shares: tuple[float, dict[str, float]] = (-math.inf, {})
        policy.subscribe(self.on_phase)
        rec.add_source(self.levels)

    @property
    def queue_length(self) -> int:
        return sum(len(q) for q in self.queues.values())

    def on_phase(self, params: "Scenario") -> None:
        self.capacity["physical"] = params.ind.physical.rooms + self.added_rooms
        self.capacity["video"] = params.ind.video.rooms
        self.staff.on_phase(params.ind.staff, self.env.now, plan_fte(params, self.env.now)["hearing"])
        self.dispatch()

    def add_rooms(self, rooms: int) -> None:
        """Physical rooms ordered by the IND's capacity rule are in use (they stay through later
        phases, on top of the phase's rooms); also called after officers joined a pool, so that
        waiting adults are dispatched to them."""
        self.added_rooms += rooms
        self.capacity["physical"] += rooms
        self.dispatch()

    def request(self, person: "Person", cls: str = "first") -> simpy.Event:
        """Join the class queue; the returned event fires when the person has been heard."""
        done = self.env.event()
        self.queues[cls].append((person, Countdown(done, 1), self.env.now))
        self._grown()
        return done

    def request_all(self, persons: "list[Person]", cls: str = "first") -> simpy.Event:
        """Every person joins the class queue; the returned event fires when the last has been
        heard (one countdown, not an ``all_of`` over one event per person)."""
        if not persons:
            return self.env.all_of([])
        done = self.env.event()
        self._join(persons, cls, Countdown(done, len(persons)))
        return done

    def hear_then(self, persons: "list[Person]", cls: str, then: Callable[[], None]) -> None:
        """As ``request_all``, without an event: ``then()`` is called at the end of the
        callback of the last hearing, where the event would have been processed next
        (``sim.hand_on``: as an event when others are due at that moment)."""
        if not persons:
            self.env.all_of([]).callbacks.append(lambda _e: then())
            return
        self._join(persons, cls, Countdown(None, len(persons), then))

    def _join(self, persons: "list[Person]", cls: str, countdown: Countdown) -> None:
        queue, now = self.queues[cls], self.env.now
        for person in persons:
            queue.append((person, countdown, now))
        # one dispatch for all: the queues were settled before (every change dispatches), so
        # it starts the same hearings, in the same order, as a dispatch after each person
        self._grown()

    def _grown(self) -> None:
        """Dispatch after a change that can only add work or officers (persons joined, an
        officer free again). When the last dispatch found officers waiting for a room
        (``rooms``) and no room has been freed since (a freed room dispatches), nothing can
        start and the state stays ``rooms``: the dispatch would change nothing."""
        busy, capacity = self.busy, self.capacity
        if (self.meter.state == "rooms" and busy["physical"] >= capacity["physical"]
                and busy["video"] >= capacity["video"]):
            return
        self.dispatch()

    def _room_for(self, person: "Person") -> str | None:
        busy, capacity = self.busy, self.capacity
        if (self.policy.params.ind.video.from_quarantine and busy["video"] < capacity["video"]
                and person.blocked_until > self.env.now):
            return "video"  # blocked, but may be heard by video: do not waste a physical slot
        if busy["physical"] < capacity["physical"]:
            return "physical"  # physical rooms first
        if busy["video"] < capacity["video"]:
            return "video"
        return None

    def dispatch(self) -> None:
        """Start every hearing that can start: a free officer (``StaffPools.pick``: pools in
        order, classes in the pool's priority order) and a free room. With no room free nothing
        can start (and ``_room_for`` finds a room for anyone when one is free), so the officers
        are then only asked to tell the wait state apart (rooms, or rooms and staff)."""
        queues, busy, capacity, staff = self.queues, self.busy, self.capacity, self.staff
        while True:
            if busy["physical"] >= capacity["physical"] and busy["video"] >= capacity["video"]:
                state = "idle" if not any(queues.values()) else (
                    "both" if staff.pick(queues) is None else "rooms")
                break
            choice = staff.pick(queues)
            if choice is None:
                state = "staff" if any(queues.values()) else "idle"
                break
            pool, cls = choice
            queue = queues[cls]
            mode = self._room_for(queue[0][0])
            assert mode is not None  # a room is free
            person, done, t_ready = queue.popleft()
            busy[mode] += 1
            staff.start(pool, self.env.now)
            self._hold(mode, pool, cls, person, done, t_ready)
        self.meter.set(self.env.now, state)

    def _hold(self, mode: str, pool: str, cls: str, person: "Person", done: Countdown,
              t_ready: float) -> None:
        """Start one hearing: a timeout whose callback ends it (no process per hearing)."""
        env, params = self.env, self.policy.params.ind
        room = params.physical if mode == "physical" else params.video
        duration = self.durations.gamma(7.0 / room.slots_per_room_per_week, params.hearing_duration_cv)
        officer = self.staff.draw_days(self.officer_time) if self.staff.capacity.get(pool, 0) != math.inf else 0.0
        blocked = person.blocked_until > env.now
        if blocked and not (mode == "video" and params.video.from_quarantine):
            self.rec.count("ind.hearings_cancelled", env.now)
            # the slot is lost, and the officer's time in it
            env.timeout(duration).callbacks.append(lambda _e: self._lost(mode, pool, person, done, cls))
            return
        self.waits.append(env.now - t_ready)
        self.class_waits[cls].append(env.now - t_ready)
        self.rec.count(f"ind.hearings_{mode}", env.now)
        self.rec.sample("ind.hearing_wait_days", env.now, env.now - t_ready)
        self.held[mode] += 1
        env.timeout(duration).callbacks.append(
            lambda _e: self._heard(mode, pool, done, officer - duration))

    def _heard(self, mode: str, pool: str, done: Countdown, report: float) -> None:
        then = hand_on(self.env, done.heard(mode))
        if report > 0:  # the room is free, the officer still writes the report
            self.busy[mode] -= 1
            self.dispatch()
            self.env.timeout(report).callbacks.append(lambda _e: self._report_done(pool))
        else:
            self._free(mode, pool)
        finish(self.env, then)

    def _report_done(self, pool: str) -> None:
        self.staff.free(pool, self.env.now)
        self._grown()

    def _lost(self, mode: str, pool: str, person: "Person", done: Countdown, cls: str) -> None:
        self._free(mode, pool)
        delay = max(person.blocked_until - self.env.now, 0.0)
        self.env.timeout(delay).callbacks.append(lambda _e: self._rejoin(person, done, cls))

    def _free(self, mode: str, pool: str) -> None:
        self.busy[mode] -= 1
        self.staff.free(pool, self.env.now)
        self.dispatch()

    def _rejoin(self, person: "Person", done: Countdown, cls: str) -> None:
        self.queues[cls].append((person, done, self.env.now))
        self._grown()

    def shares_at(self, t: float) -> dict[str, float]:
        """Time shares of the wait states over the week ending at t (taken once per week end,
        read by this part's and the IND's levels)."""
        if self._shares[0] != t:
            self._shares = (t, self.meter.take(t))
        return self._shares[1]

    def levels(self, t: float) -> dict[str, float]:
        shares = self.shares_at(t)
        return {
            "ind.hearing_queue": self.queue_length,
            "ind.binding_pct_rooms": 100.0 * (shares["rooms"] + shares["both"]),
            "ind.binding_pct_hearing_staff": 100.0 * (shares["staff"] + shares["both"]),
            "ind.utilisation_pct_hearing_staff": 100.0 * self.staff.utilisation(t),
        }
