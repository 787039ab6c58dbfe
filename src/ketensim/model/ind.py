"""IND asylum procedure: registration, hearings of every adult, decision.

A case (household) is registered, then each adult has the hearings of the application
type (first hearing and detailed hearing for a first application), stage by stage, with
preparation time in between; after the last hearing the decision follows. The backlog is
every person whose application awaits a decision; the lead time (doorlooptijd) runs from
application to decision.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Generator

import simpy

from ..metrics.recorder import Level, Recorder
from ..metrics.registry import Derived, Metric
from .entities import Household
from .hearings import HearingRooms
from .parts import Build, Part

if TYPE_CHECKING:
    from ..policy.timeline import PolicyProcess
    from .streams import Streams


METRICS: tuple[Metric | Derived, ...] = (
    Metric("ind.applications", "ind", "count", "persons/week", "asylum applications",
           "persons whose asylum application enters the IND backlog", contract=True),
    Metric("ind.decisions", "ind", "count", "persons/week", "IND decisions",
           "persons whose application was decided (grant or reject)", contract=True),
    Metric("ind.grants", "ind", "count", "persons/week", "IND grants",
           "persons granted a permit", contract=True),
    Metric("ind.dublin_decisions", "ind", "count", "persons/week", "Dublin decisions",
           "persons leaving the backlog because another member state accepted the claim", contract=True),
    Metric("ind.dublin_takeovers", "ind", "count", "persons/week", "Dublin take-overs",
           "persons back in the backlog after a lapsed Dublin transfer deadline", contract=True),
    Metric("ind.backlog", "ind", "level", "persons", "IND backlog",
           "persons whose application awaits a decision, at week end"),
    Metric("ind.backlog_avg", "ind", "level", "persons", "IND backlog (week average)",
           "time-averaged backlog over the week"),
    Metric("ind.hearing_queue", "ind", "level", "persons", "hearing queue",
           "adults waiting for a hearing room, at week end"),
    Metric("ind.lead_time_median_days", "ind", "sample", "days", "median lead time",
           "median days from application to decision of the persons decided that week",
           summary="median", source="ind.lead_time_days"),
)


class Ind(Part):
    name = "ind"
    params = "ind"
    stock = ("ind",)  # how the persons in procedure at the start are spread over the stages
    metrics = METRICS

    @classmethod
    def build(cls, ctx: Build) -> "Ind":
        return cls(ctx.env, ctx.rec, ctx.policy, ctx.streams, ctx.need(HearingRooms, cls.name))

    def __init__(self, env: simpy.Environment, rec: Recorder, policy: "PolicyProcess",
                 streams: "Streams", rooms: HearingRooms) -> None:
        self.env, self.rec, self.policy, self.rooms = env, rec, policy, rooms
        self.delays = streams("ind.delays")
        self.decisions = streams("ind.decision")
        self.backlog = Level(0.0, env.now)
        self.lead_times: list[float] = []  # per person, for checks (Little's law)
        rec.add_source(self.levels)

    def apply(self, hh: Household) -> None:
        """The case enters the backlog (at application, or at the start for stocks)."""
        self.backlog.add(self.env.now, hh.size)
        self.rec.count("ind.applications", self.env.now, hh.size)

    def dublin_decision(self, hh: Household) -> None:
        """An accepted Dublin claim: the application is not handled here (it leaves the backlog)."""
        self.backlog.add(self.env.now, -hh.size)
        self.rec.count("ind.dublin_decisions", self.env.now, hh.size)

    def take_over(self, hh: Household) -> None:
        """A lapsed Dublin deadline: the Netherlands becomes responsible, the case re-enters the
        backlog (then ``procedure`` from the first hearing) and adds to the IND's load."""
        self.backlog.add(self.env.now, hh.size)
        self.rec.count("ind.dublin_takeovers", self.env.now, hh.size)

    def procedure(self, hh: Household, from_stage: int = -1) -> Generator[simpy.Event, object, bool]:
        """Registration (stage -1), hearings (stages 0..n-1), decision. Returns granted."""
        env, p = self.env, self.policy.params.ind
        if from_stage < 0:
            yield env.timeout(self.delays.exponential(p.registration_days))
            from_stage = 0
        n = self.policy.params.ind.hearings_per_adult[hh.kind]  # type: ignore[index]  # first/repeat here
        adults = hh.adults
        for stage in range(from_stage, n):
            if stage > from_stage or from_stage > 0:
                yield env.timeout(self.delays.exponential(self.policy.params.ind.days_between_hearings))
            yield env.all_of([self.rooms.request(a) for a in adults])
        yield env.timeout(self.delays.exponential(self.policy.params.ind.decision_days))
        return self.decide(hh)

    def decide(self, hh: Household) -> bool:
        now = self.env.now
        granted = self.decisions.bernoulli(self.policy.params.ind.grant_share[hh.kind])  # type: ignore[index]
        self.backlog.add(now, -hh.size)
        self.rec.count("ind.decisions", now, hh.size)
        if granted:
            self.rec.count("ind.grants", now, hh.size)
        lead = now - hh.applied_at
        for _ in range(hh.size):
            self.rec.sample("ind.lead_time_days", now, lead)
        if now >= 0:
            self.lead_times.extend([lead] * hh.size)
        return granted

    def levels(self, t: float) -> dict[str, float]:
        return {
            "ind.backlog": self.backlog.value,
            "ind.backlog_avg": self.backlog.take_area(t) / 7.0,
            "ind.hearing_queue": len(self.rooms.queue),
        }
