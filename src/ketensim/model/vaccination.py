"""Vaccination of COA residents (from 21 June 2021 the Janssen vaccine was offered in COA).

A phase that raises ``health.vaccination.coverage`` starts a campaign: every resident not
yet offered is chosen with the probability that brings the vaccinated share of those
offered to the new coverage, and the chosen are vaccinated location by location at an even
pace over ``campaign_days``; a person entering reception for the first time after the
start is offered at entry and vaccinated with probability ``coverage``.
Protection starts ``protection_days`` after the shot and is leaky: each infection attempt
on a protected person (community import, housemate, location contact) fails with
probability ``efficacy``. A newcomer infected before arrival is not protected.

While the coverage is 0 nothing is drawn from the ``health.vaccination`` stream, so a
scenario without vaccination gives the same results as before the mechanism existed.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Generator

from ..metrics.registry import Metric

if TYPE_CHECKING:
    import simpy

    from ..metrics.recorder import Recorder
    from ..policy.timeline import PolicyProcess
    from ..scenario.root import Scenario
    from .entities import Person
    from .streams import Streams

METRICS = (
    Metric("health.vaccinations", "epidemic", "count", "persons/week", "vaccinations",
           "residents vaccinated in the week (campaign and newcomers offered at entry)", label_nl="vaccinaties"),
    Metric("health.vaccinated", "epidemic", "level", "persons", "vaccinated residents",
           "residents in COA at week end who are vaccinated", label_nl="gevaccineerde bewoners"),
    Metric("health.vaccine_protected", "epidemic", "count", "infections/week", "infections prevented",
           "infection attempts on vaccinated residents that failed because of the vaccine",
           label_nl="besmettingen voorkomen"),
)


class Vaccination:
    """Who is vaccinated and from when they are protected."""

    def __init__(self, env: "simpy.Environment", policy: "PolicyProcess", streams: "Streams",
                 rec: "Recorder", residents: "dict[str, list[Person]]") -> None:
        self.env, self.policy, self.rec = env, policy, rec
        self.stream = streams("health.vaccination")
        self.residents = residents  # the epidemic's index: location -> persons
        self.protected_from: dict["Person", float] = {}
        self.offered: set["Person"] = set()
        self.coverage = 0.0
        self.in_reception = 0  # vaccinated persons currently in COA
        policy.subscribe(self._phase)
        rec.add_source(lambda t: {"health.vaccinated": self.in_reception})

    def _phase(self, params: "Scenario") -> None:
        v = params.health.vaccination
        if v.coverage <= self.coverage:
            self.coverage = v.coverage
            return
        p = (v.coverage - self.coverage) / (1.0 - self.coverage) if self.coverage < 1 else 0.0
        self.coverage = v.coverage
        chosen = []
        for persons in self.residents.values():
            for person in persons:
                if person not in self.offered:
                    self.offered.add(person)
                    if self.stream.bernoulli(p):
                        chosen.append(person)
        if chosen:
            self.env.process(self._campaign(chosen))

    def _campaign(self, chosen: "list[Person]") -> "Generator[simpy.Event, object, None]":
        """Location by location at an even pace: campaign_days / persons between shots, the
        pace in force at each shot. Who has left reception by their turn is not vaccinated."""
        for person in chosen:
            days = self.policy.params.health.vaccination.campaign_days
            if days > 0:
                yield self.env.timeout(days / len(chosen))
            if person.household.in_reception and person not in self.protected_from:
                self._vaccinate(person)

    def _vaccinate(self, person: "Person") -> None:
        v = self.policy.params.health.vaccination
        self.protected_from[person] = self.env.now + v.protection_days
        self.rec.count("health.vaccinations", self.env.now)
        self.in_reception += 1

    def entering(self, person: "Person") -> None:
        """A person placed in a location: offered once, at the first entry after the start."""
        if person in self.protected_from:
            self.in_reception += 1
        elif self.coverage > 0 and person not in self.offered:
            self.offered.add(person)
            if self.stream.bernoulli(self.coverage):
                self._vaccinate(person)

    def leaving(self, person: "Person") -> None:
        if person in self.protected_from:
            self.in_reception -= 1

    def protects(self, person: "Person") -> bool:
        """Whether the vaccine stops this infection attempt (leaky: probability efficacy)."""
        since = self.protected_from.get(person)
        if since is None or self.env.now < since:
            return False
        if self.stream.bernoulli(self.policy.params.health.vaccination.efficacy):
            self.rec.count("health.vaccine_protected", self.env.now)
            return True
        return False
