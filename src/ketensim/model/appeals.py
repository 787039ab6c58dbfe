"""Appeals (beroep) against a rejection, with suspensive effect.

A share of rejected households lodges an appeal that suspends the departure obligation:
they keep their place (and status "in procedure") in COA until the court rules, after an
exponential time with the scenario's mean. A granted appeal leads to a permit, a dismissed
one into the DT&V departure caseload. The chain wires the outcome; this part only keeps
the appeals and their clocks.
"""
from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from ..metrics.recorder import Level, Recorder
from ..metrics.registry import Derived, Metric
from .entities import IN_PROCEDURE, REJECTED, Household
from .parts import Build, Part
from .reception import Reception

if TYPE_CHECKING:
    from ..policy.timeline import PolicyProcess
    from .seeding import Seeding
    from .streams import Streams

_M = "appeals"
METRICS: tuple[Metric | Derived, ...] = (
    Metric("ind.appeals_lodged", _M, "count", "persons/week", "appeals lodged",
           "rejected persons who lodged an appeal with suspensive effect", contract=True,
           label_nl="beroepen ingesteld"),
    Metric("ind.appeals_decided", _M, "count", "persons/week", "appeals decided",
           "appeals the court ruled on", "beroepen afgedaan", contract=True),
    Metric("ind.appeals_granted", _M, "count", "persons/week", "appeals granted",
           "appeals granted (the person gets a permit)", contract=True, label_nl="beroepen ingewilligd"),
    Metric("ind.appeals_open", _M, "level", "persons", "appeals open",
           "persons whose appeal is running, at week end (they stay in COA)", "beroepen lopend"),
)


class Appeals(Part):
    name = "appeals"
    params = "ind.appeals"
    stock = ("ind.appeals_open",)
    metrics = METRICS

    @classmethod
    def build(cls, ctx: Build) -> Appeals:
        return cls(ctx.env, ctx.rec, ctx.policy, ctx.streams, ctx.need(Reception, cls.name))

    def seed_stock(self, seeding: "Seeding") -> None:
        """Rejected persons in COA whose suspensive appeal still runs (of start.reception.rejected)."""
        start = seeding.scenario.start
        n = min(start.ind.appeals_open, start.reception.rejected)
        for hh in seeding.households(n, "first", REJECTED, seeding.stream(self.name)):
            seeding.journeys.admit_stock(hh)
            seeding.journeys.appeal_stock(hh)

    def __init__(self, env: simpy.Environment, rec: Recorder, policy: PolicyProcess,
                 streams: Streams, reception: Reception) -> None:
        self.env, self.rec, self.policy, self.reception = env, rec, policy, reception
        self.choice = streams("ind.appeal")
        self.clock = streams("ind.appeal_duration")
        self.open = Level(0.0, env.now)
        rec.add_source(self.levels)

    def lodges(self, hh: Household) -> bool:
        """Drawn once at the rejection."""
        return self.choice.bernoulli(self.policy.params.ind.appeals.share[hh.kind])  # type: ignore[index]

    def lodge(self, hh: Household) -> Generator[simpy.Event, object, bool]:
        """The appeal is lodged now (for the starting stock: running at the start, exact for the
        memoryless duration); returns the wait for the ruling, which returns granted."""
        self.reception.set_status(hh, IN_PROCEDURE)
        self.open.add(self.env.now, hh.size)
        self.rec.count("ind.appeals_lodged", self.env.now, hh.size)
        return self._until_ruling(hh)

    def _until_ruling(self, hh: Household) -> Generator[simpy.Event, object, bool]:
        env = self.env
        yield env.timeout(self.clock.exponential(self.policy.params.ind.appeals.days))
        granted = self.choice.bernoulli(self.policy.params.ind.appeals.grant_share)
        self.open.add(env.now, -hh.size)
        self.rec.count("ind.appeals_decided", env.now, hh.size)
        if granted:
            self.rec.count("ind.appeals_granted", env.now, hh.size)
        return granted

    def levels(self, t: float) -> dict[str, float]:
        return {"ind.appeals_open": self.open.value}
