"""A small example part, as a new chain part would be written: one parameter section, one
metric, one hand-off. ``test_parts`` assembles it into a chain and composes the scenario root
from the chain's parts (its ``charter:`` section among them). Adding it to the model's chain
would take one entry in ``model.chain.PARTS`` and one ``Handoff`` row: no file of
``scenario/`` changes."""
from __future__ import annotations

from typing import Generator

import simpy
from pydantic import Field

from ketensim.metrics.registry import Metric
from ketensim.model.chain import ALL_PARTS
from ketensim.model.parts import Build, Flow, Handoff, Node, Part
from ketensim.scenario.base import Strict
from ketensim.scenario.root import Section


class CharterParams(Strict):
    """Parameters of the example part."""

    persons_per_week: float = Field(0.0, ge=0, description="single adults arriving per week by charter (persons/week)")


METRICS = (
    Metric("charter.arrivals", "charter", "count", "persons/week", "charter arrivals",
           "single adults arriving by charter flight, handed to the chain as asylum applicants",
           label_nl="aankomsten per charter", group="inflow"),
)


class Charter(Part):
    """Single adults arriving at an even pace; each is handed on as an arrival."""

    name = "charter"
    params = "charter"
    section = Section("charter", CharterParams, optional=True)  # none in a scenario: no charters
    metrics = METRICS
    offers = ("arrival",)
    nodes = (Node("charter", 0),)  # in the chain overview: an arrival column node

    @classmethod
    def build(cls, ctx: Build) -> "Charter":
        return cls(ctx)

    def __init__(self, ctx: Build) -> None:
        self.env, self.rec, self.policy = ctx.env, ctx.rec, ctx.policy
        ctx.env.process(self._flights())

    def _flights(self) -> Generator[simpy.Event, object, None]:
        while True:
            rate = self.policy.params.charter.persons_per_week  # type: ignore[attr-defined]
            if rate <= 0:
                yield self.policy.changed
                continue
            yield self.env.timeout(7.0 / rate)
            self.rec.count("charter.arrivals", self.env.now)
            self.out.arrival("first", 1, 1)


PARTS = (*ALL_PARTS, Charter)  # the one line in the list of parts
WIRING = Handoff("charter", "arrival", "chain", "arrival")  # the one line of wiring
FLOW = Flow("charter", "ind", "charter", "charter.arrival", ("charter.arrivals",))  # and of the overview
