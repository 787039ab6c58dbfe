"""Appeals (beroep) against a rejection, with suspensive effect.

A share of rejected households lodges an appeal that suspends the departure obligation:
they keep their place (and status "in procedure") in COA until the court rules, after an
exponential time with the scenario's mean. A granted appeal leads to a permit, a dismissed
one into the DT&V departure caseload. The chain wires the outcome; this part only keeps
the appeals and their clocks.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Generator

import simpy

from ..metrics.recorder import Level, Recorder
from ..metrics.registry import Metric
from .entities import IN_PROCEDURE, Household

if TYPE_CHECKING:
    from ..policy.timeline import PolicyProcess
    from .reception import Reception
    from .streams import Streams

_M = "ind"
METRICS: tuple[Metric, ...] = (
    Metric("ind.appeals_lodged", _M, "count", "persons", "appeals lodged",
           "rejected persons who lodged an appeal with suspensive effect in the week"),
    Metric("ind.appeals_decided", _M, "count", "persons", "appeals decided",
           "appeals the court ruled on in the week", "beroepen afgedaan"),
    Metric("ind.appeals_granted", _M, "count", "persons", "appeals granted",
           "appeals granted in the week (permit)"),
    Metric("ind.appeals_open", _M, "level", "persons", "appeals open",
           "persons whose appeal is running at week end (they stay in COA)", "beroepen lopend"),
)


class Appeals:
    def __init__(self, env: simpy.Environment, rec: Recorder, policy: "PolicyProcess",
                 streams: "Streams", reception: "Reception") -> None:
        self.env, self.rec, self.policy, self.reception = env, rec, policy, reception
        self.choice = streams("ind.appeal")
        self.clock = streams("ind.appeal_duration")
        self.open = Level(0.0, env.now)
        rec.add_source(self.levels)

    def lodges(self, hh: Household) -> bool:
        """Drawn once at the rejection."""
        return self.choice.bernoulli(self.policy.params.ind.appeals.share[hh.kind])

    def run(self, hh: Household, stock: bool = False) -> Generator[simpy.Event, object, bool]:
        """The appeal, from lodging (or, for the starting ``stock``, from the start: exact for
        the memoryless duration) to the ruling. Returns granted."""
        env, p = self.env, self.policy.params.ind.appeals
        self.reception.set_status(hh, IN_PROCEDURE)
        self.open.add(env.now, hh.size)
        if not stock:
            self.rec.count("ind.appeals_lodged", env.now, hh.size)
        yield env.timeout(self.clock.exponential(p.days))
        granted = self.choice.bernoulli(self.policy.params.ind.appeals.grant_share)
        self.open.add(env.now, -hh.size)
        self.rec.count("ind.appeals_decided", env.now, hh.size)
        if granted:
            self.rec.count("ind.appeals_granted", env.now, hh.size)
        return granted

    def levels(self, t: float) -> dict[str, float]:
        return {"ind.appeals_open": self.open.value}
