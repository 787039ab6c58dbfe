"""IND hearing rooms: one FIFO queue served by physical rooms and paired video rooms.

The rooms are counted servers rather than SimPy ``Resource`` objects because their number
changes with the policy phase (distancing, telehoren roll-out): a dispatcher starts a
hearing whenever a room of either mode is free, physical rooms first. Lowering capacity
never interrupts a hearing; rooms are simply not refilled until below the new number.

A person in isolation or quarantine cannot attend: the slot is lost (cancelled at short
notice) and the person re-joins the queue when released — unless the hearing is by video
and video hearings from quarantine are allowed.
"""
from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Generator

import simpy

from ..metrics.recorder import Recorder
from ..metrics.registry import Derived, Metric
from .parts import Build, Part

if TYPE_CHECKING:
    from ..policy.timeline import PolicyProcess
    from ..scenario.schema import Scenario
    from .entities import Person
    from .streams import Streams

MODES = ("physical", "video")


METRICS: tuple[Metric | Derived, ...] = (
    Metric("ind.hearings_physical", "hearings", "count", "hearings/week", "physical hearings",
           "hearings held in a physical IND room", label_nl="fysieke gehoren", contract=True),
    Metric("ind.hearings_video", "hearings", "count", "hearings/week", "video hearings (telehoren)",
           "hearings held by video (IND room paired with a COA room)", label_nl="telehoren", contract=True),
    Metric("ind.hearings_cancelled", "hearings", "count", "hearings/week", "hearings cancelled (isolation)",
           "hearings called but cancelled because the person was in isolation/quarantine", contract=True),
    Metric("ind.hearing_wait_mean_days", "hearings", "sample", "days", "mean wait for a hearing",
           "mean wait in the hearing queue of the hearings held that week",
           summary="mean", source="ind.hearing_wait_days"),
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
        self.queue: deque[tuple["Person", simpy.Event, float]] = deque()
        self.capacity = {m: 0 for m in MODES}
        self.busy = {m: 0 for m in MODES}
        self.held = {m: 0 for m in MODES}
        self.waits: list[float] = []  # every hearing's wait in the queue (days), for checks
        policy.subscribe(self.on_phase)

    def on_phase(self, params: "Scenario") -> None:
        self.capacity["physical"] = params.ind.physical.rooms
        self.capacity["video"] = params.ind.video.rooms
        self.dispatch()

    def request(self, person: "Person") -> simpy.Event:
        """Join the queue; the returned event fires when the person has been heard."""
        done = self.env.event()
        self.queue.append((person, done, self.env.now))
        self.dispatch()
        return done

    def dispatch(self) -> None:
        queue, busy, capacity = self.queue, self.busy, self.capacity
        from_quarantine = self.policy.params.ind.video.from_quarantine
        while queue:
            if (from_quarantine and busy["video"] < capacity["video"]
                    and queue[0][0].blocked_until > self.env.now):
                mode = "video"  # blocked, but may be heard by video: do not waste a physical slot
            elif busy["physical"] < capacity["physical"]:
                mode = "physical"  # physical rooms first
            elif busy["video"] < capacity["video"]:
                mode = "video"
            else:
                return
            person, done, t_ready = queue.popleft()
            self.busy[mode] += 1
            self.env.process(self._hold(mode, person, done, t_ready))

    def _hold(self, mode: str, person: "Person", done: simpy.Event,
              t_ready: float) -> Generator[simpy.Event, object, None]:
        env, params = self.env, self.policy.params.ind
        room = params.physical if mode == "physical" else params.video
        duration = self.durations.gamma(7.0 / room.slots_per_room_per_week, params.hearing_duration_cv)
        blocked = person.blocked_until > env.now
        if blocked and not (mode == "video" and params.video.from_quarantine):
            self.rec.count("ind.hearings_cancelled", env.now)
            yield env.timeout(duration)  # the slot is lost
            self._free(mode)
            env.process(self._rejoin(person, done))
            return
        self.waits.append(env.now - t_ready)
        self.rec.count(f"ind.hearings_{mode}", env.now)
        self.rec.sample("ind.hearing_wait_days", env.now, env.now - t_ready)
        self.held[mode] += 1
        yield env.timeout(duration)
        self._free(mode)
        done.succeed(mode)

    def _free(self, mode: str) -> None:
        self.busy[mode] -= 1
        self.dispatch()

    def _rejoin(self, person: "Person", done: simpy.Event) -> Generator[simpy.Event, object, None]:
        yield self.env.timeout(max(person.blocked_until - self.env.now, 0.0))
        self.queue.append((person, done, self.env.now))
        self.dispatch()
