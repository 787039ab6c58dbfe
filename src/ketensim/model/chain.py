"""The chain: builds the parts, wires their hand-offs in one place, seeds the starting
stocks and runs one replication. Lifecycle: build -> wire -> seed (each part its own stock) -> run -> collect.

Adding a part: a ``Part`` subclass in its own module (its scenario section, stock, metrics,
offers, takes and overview nodes declared there), one line in ``PARTS`` and one ``Handoff``
row per connection (and a ``Flow`` row per flow of persons the report's overview should draw).
"""
from __future__ import annotations

import gc
import logging
from contextlib import contextmanager
from typing import Generator, Iterator, Sequence

import simpy

from ..clock import Clock
from ..metrics.recorder import Recorder
from ..metrics.registry import Derived, Metric, Registry
from ..policy.timeline import PolicyProcess, build_timeline
from ..scenario.root import Scenario
from .appeals import Appeals
from .capacity import Capacity
from .departures import Dtv
from .detention import Detention
from .dublin import Dublin
from .entities import PERMIT_HOLDER, Household, Person
from .epidemic import Epidemic
from .hearings import HearingRooms
from .ind import Ind
from .ind_capacity import IndCapacity
from .inflow import IncomingTransfers, Inflow
from .mvv import Mvv
from .nareis import Nareis
from .parts import Build, Flow, Handoff, Node, Part, check_flows, registry_for, wire
from .quarantine import Quarantine
from .reception import Reception
from .resettlement import Resettlement
from .seeding import Seeding
from .sim import UrgentTimeout, events_scheduled
from .streams import Streams

log = logging.getLogger(__name__)


METRICS: tuple[Metric | Derived, ...] = (
    Metric("chain.entries", "chain", "count", "persons/week", "chain entries",
           "persons entering the chain (applications, transfers in, family, resettled, reappeared)", contract=True,
           label_nl="instroom in de keten"),
    Metric("chain.exits", "chain", "count", "persons/week", "chain exits",
           "persons leaving the chain (housed, departed, transferred, absconded)", contract=True,
           label_nl="uitstroom uit de keten"),
    Metric("chain.population", "chain", "level", "persons", "persons in the chain",
           "persons in reception or in the caseload, at week end", label_nl="personen in de keten"),
    Metric("dublin.incoming", "chain", "count", "persons/week", "incoming Dublin transfers",
           "persons transferred to the Netherlands by another member state", contract=True,
           label_nl="inkomende Dublinoverdrachten"),
    Metric("nareis.joined_coa", "chain", "count", "persons/week", "family joining in COA",
           "arriving family members joining their sponsor in COA", contract=True, label_nl="gezinsleden naar COA"),
    Metric("nareis.joined_municipality", "chain", "count", "persons/week", "family joining in a municipality",
           "arriving family members going straight to the sponsor's municipality", contract=True,
           label_nl="gezinsleden naar een gemeente"),
)


# Who hands what to whom: ``source.out.<offer>(...)`` calls ``target.<take>(...)``.
HANDOFFS: tuple[Handoff, ...] = (
    Handoff("inflow", "arrival", "chain", "arrival"),
    Handoff("dublin_incoming", "arrival", "chain", "incoming_transfer"),
    Handoff("nareis", "arrival", "chain", "family_arrived"),
    Handoff("resettlement", "arrival", "chain", "resettled"),
    Handoff("dtv", "exit", "chain", "exited"),
    Handoff("dublin", "exit", "chain", "exited"),
    Handoff("dublin", "reenter", "chain", "reentered"),
    Handoff("dublin", "discharge", "detention", "discharge"),
    Handoff("detention", "dublin_candidate", "dublin", "detention_candidate"),
    Handoff("detention", "dtv_candidate", "dtv", "detention_candidate"),
    Handoff("detention", "dublin_absconded", "dublin", "abscond"),
    Handoff("detention", "dtv_absconded", "dtv", "absconded"),
    Handoff("detention", "dtv_removed", "dtv", "removed"),
    Handoff("detention", "dtv_released", "dtv", "released"),
    Handoff("dublin", "detained_claimants", "detention", "dublin_detainees"),
    Handoff("reception", "moved", "epidemic", "on_move"),
    Handoff("reception", "joined", "epidemic", "on_join"),
)


# The flows of persons between the nodes the parts declare (``Part.nodes``), as the report's
# chain overview draws them: ``Flow(source, target, name, via, plus, minus)``. ``via`` is the
# hand-off row above that carries the flow or, for the journeys in which one part calls
# another directly, the method called. Checked when a chain is built (``parts.check_flows``).
FLOWS: tuple[Flow, ...] = (
    Flow("applications", "ind", "applications", "inflow.arrival", ("ind.applications",)),
    Flow("nareis", "permit", "family", "nareis.arrival", ("nareis.arrivals",)),
    Flow("resettlement", "permit", "resettled", "resettlement.arrival", ("resettlement.arrivals",)),
    Flow("ind", "dublin", "claims", "dublin.track", ("dublin.claims",)),
    Flow("ind", "permit", "grants", "reception.await_housing", ("ind.grants",)),
    Flow("ind", "dtv", "rejections", "dtv.enter", ("ind.decisions",), ("ind.grants",)),
    Flow("dublin", "transferred", "transfers", "dublin.exit", ("dublin.transfers",)),
    Flow("dublin", "lapsed", "lapsed", "dublin.track", ("dublin.lapsed",)),
    Flow("permit", "housed", "housed", "chain.exited", ("coa.housed",)),
    Flow("dtv", "independent", "independent", "dtv.exit", ("dtv.departures_independent",)),
    Flow("dtv", "forced", "forced", "dtv.exit", ("dtv.departures_forced",)),
    Flow("dtv", "mob", "mob", "dtv.exit", ("dtv.departures_unsupervised",)),
    Flow("dtv", "detention", "detention", "detention.dtv_candidate", ("detention.placements",)),
)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector. A run allocates hundreds of thousands of
    long-lived objects (persons, processes, events) and frees almost none of them through
    cycles, so every full collection rescans them all: measured at a third of the run time,
    growing with the square of the population (bench/FINDINGS.md). Memory is unchanged."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


class Chain(Part):
    """One replication of the migration chain. As a part it owns the journeys between the
    other parts and takes their arrivals and exits."""

    name = "chain"
    metrics = METRICS
    # where the journeys end: the outcomes in the chain overview (the Dublin deadline lapsing too)
    nodes = (Node("housed", 3), Node("transferred", 3), Node("lapsed", 3), Node("independent", 3),
             Node("forced", 3), Node("mob", 3))
    takes = ("arrival", "incoming_transfer", "family_arrived", "resettled", "exited", "reentered")

    def __init__(self, scenario: Scenario, replication: int = 0, seed: int | None = None,
                 parts: Sequence[type[Part]] | None = None, handoffs: Sequence[Handoff] | None = None,
                 flows: Sequence[Flow] | None = None) -> None:
        """``parts``, ``handoffs`` and ``flows`` default to the model's ``PARTS``, ``HANDOFFS``
        and ``FLOWS``."""
        with gc_paused():
            self._build(scenario, replication, seed, PARTS if parts is None else parts,
                        HANDOFFS if handoffs is None else handoffs, FLOWS if flows is None else flows)

    def _build(self, scenario: Scenario, replication: int, seed: int | None,
               parts: Sequence[type[Part]], handoffs: Sequence[Handoff], flows: Sequence[Flow]) -> None:
        self.scenario = scenario
        self.replication = replication
        self.seed = scenario.seed if seed is None else seed
        h = scenario.horizon
        self.clock = Clock(h.start)
        self.env = simpy.Environment(initial_time=-float(h.warmup_days))
        self.streams = Streams(self.seed, replication)
        self.rec = Recorder(h.days, registry_for((Chain, *parts)))
        self.policy = PolicyProcess(self.env, build_timeline(scenario))
        self._next_id = 0
        self.population = 0  # persons in the chain (in reception or in the caseload)

        # build, wire and seed: whatever is placed before the run is stock, not flow
        with self.rec.seeding():
            self.parts = self._build_parts(scenario, parts)
            wire(self.parts, handoffs)
            check_flows(self.parts, handoffs, flows, self.rec.registry)
            self.rec.add_source(self._levels)
            self._seed_stocks()
        self.epidemic.start()
        self.policy.start()
        self.env.process(self._weekly_snapshots())

    def _build_parts(self, scenario: Scenario, parts: Sequence[type[Part]]) -> list[Part]:
        """Every part from its class, in order; the journeys keep the parts they call."""
        ctx = Build(self.env, self.rec, self.policy, self.streams, scenario, self.clock.day)
        ctx.add(self)
        for cls in parts:
            ctx.add(cls.build(ctx))
        self.reception = ctx.need(Reception, self.name)
        self.quarantine = ctx.need(Quarantine, self.name)
        self.epidemic = ctx.need(Epidemic, self.name)
        self.ind = ctx.need(Ind, self.name)
        self.dtv = ctx.need(Dtv, self.name)
        self.dublin = ctx.need(Dublin, self.name)
        self.detention = ctx.need(Detention, self.name)
        self.nareis = ctx.need(Nareis, self.name)
        self.appeals = ctx.need(Appeals, self.name)
        # the others by name, for tests and inspection (None when not in this chain)
        self.rooms, self.resettlement, self.mvv, self.inflow, self.incoming = (
            ctx.parts.get(n) for n in ("hearings", "resettlement", "mvv", "inflow", "dublin_incoming"))
        return list(ctx.parts.values())

    # ------------------------------------------------------------------ entities
    def new_household(self, kind: str, size: int, adults: int, applied_at: float) -> Household:
        hh = Household(self._take_id(), kind, applied_at)
        hh.members = [Person(self._take_id(), hh, adult=i < adults) for i in range(size)]
        return hh

    def _take_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _enter(self, hh: Household) -> None:
        self._enter_persons(hh.size)

    def exited(self, hh: Household, route: str) -> None:
        self._exit_persons(hh.size)

    def _enter_persons(self, n: int) -> None:
        self.population += n
        self.rec.count("chain.entries", self.env.now, n)

    def _exit_persons(self, n: int) -> None:
        self.population -= n
        self.rec.count("chain.exits", self.env.now, n)

    def reentered(self, hh: Household) -> None:
        """An absconded Dublin claimant who reappears is back in the chain."""
        self._enter(hh)

    # ------------------------------------------------------------------ journeys (hand-offs)
    def arrival(self, kind: str, size: int, adults: int) -> None:
        hh = self.new_household(kind, size, adults, self.env.now)
        self._enter(hh)
        self._admit_newcomer(hh)
        self.epidemic.arrive(hh)
        claim = self.dublin.has_claim(hh)
        self.ind.apply(hh, "dublin" if claim else None)
        # the procedure starts once registered (lazily: no process waits for it)
        self.reception.when_registered(hh, lambda: self._start_asylum(hh, claim))

    def _start_asylum(self, hh: Household, claim: bool) -> None:
        if claim:  # the Dublin track waits in a process; the IND procedure is a callback chain
            self.env.process(self._asylum(hh, from_stage=-1, claim=claim, registered=True))
            return
        # at once (no start event): what runs between here and a process's start, at this
        # moment, draws nothing from the procedure's streams, and its first wait is random
        self._decided(hh, -1)

    def _admit_newcomer(self, hh: Household) -> None:
        """Into reception at the registration centre, or first the intake stay in an
        emergency location (which may count as quarantine)."""
        self.reception.admit(hh, newcomer=True)
        intake = self.policy.params.reception.intake_quarantine_days
        if (hh.location is not None and hh.location.emergency and intake > 0
                and self.policy.params.health.quarantine.intake_blocks):
            self.quarantine.intake(hh, intake)

    def incoming_transfer(self, kind: str, size: int, adults: int) -> None:
        """Transferred to the Netherlands by another member state: reception and the national
        procedure (no Dublin claim of our own)."""
        hh = self.new_household("first", size, adults, self.env.now)
        self._enter(hh)
        self.rec.count("dublin.incoming", self.env.now, hh.size)
        self._admit_newcomer(hh)
        self.ind.apply(hh)
        self.env.process(self._asylum(hh, from_stage=-1))

    def _asylum(self, hh: Household, from_stage: int, claim: bool = False,
                registered: bool = False) -> Generator[simpy.Event, object, None]:
        if from_stage < 0 and not registered:  # a newcomer: the procedure starts once registered at the COL
            yield self.reception.registered(hh)
        if claim:
            if self.policy.params.ind.dublin_interview:  # registration, then the Dublin interview
                yield self.env.timeout(self.ind.delays.exponential(self.policy.params.ind.registration_days))
                yield self.ind.hear(hh)
            outcome = yield from self.dublin.track(hh)
            if outcome != "national":
                return  # transferred or absconded: the exit hand-off has been made
            self.ind.national(hh)
            from_stage = 0  # registered; the national procedure starts at the first hearing
        self._decided(hh, from_stage)  # the process ends here; the procedure is a callback chain

    def _decided(self, hh: Household, from_stage: int) -> None:
        """The IND procedure (callbacks, no process), then the outcome; an appeal is a process
        started only at a rejection that is appealed."""
        self.ind.procedure(hh, from_stage, lambda granted: self._first_instance(hh, granted))

    def _first_instance(self, hh: Household, granted: bool) -> None:
        if not granted and self.appeals.lodges(hh):
            self.env.process(self._appeal_stock(hh, self.appeals.lodge(hh)))
            return
        self._outcome(hh, granted)

    def _outcome(self, hh: Household, granted: bool) -> None:
        """A permit, or the IND hands the rejected household (no appeal, or appeal dismissed)
        to DT&V."""
        if granted:
            self.nareis.granted(hh)
            self._permit(hh)
        else:
            self.ind.hand_over_rejected(hh)
            self.dtv.enter(hh)

    def _appeal_stock(self, hh: Household,
                      ruling: Generator[simpy.Event, object, bool]) -> Generator[simpy.Event, object, None]:
        granted = yield from ruling
        self._outcome(hh, granted)

    def _dublin_stock(self, hh: Household, accepted_at: float) -> Generator[simpy.Event, object, None]:
        outcome = yield from self.dublin.resume(hh, accepted_at)
        if outcome == "national":
            self._decided(hh, from_stage=0)

    def _permit(self, hh: Household, stock: bool = False) -> None:
        if not hh.in_reception:  # an IND stock case staying outside COA: no housing via COA
            self.exited(hh, "permit_outside")
            return
        self.reception.await_housing(hh, stock=stock, then=lambda: self.exited(hh, "housed"))

    def family_arrived(self, sponsor: Household | None, n: int) -> None:
        """Nareis family members arrive: they are chain entries. With a sponsor still in COA
        they join the sponsor's household there (and leave with it when it is housed);
        with a sponsor already in a municipality (or outside the model: background and
        starting pipeline) they go straight there, counted as an entry and an exit on the
        same day, so chain.population is unchanged and the identity holds."""
        self._enter_persons(n)
        if sponsor is not None and sponsor.in_reception:
            persons = [Person(self._take_id(), sponsor, adult=i == 0) for i in range(n)]
            self.reception.join(sponsor, persons)
            self.rec.count("nareis.joined_coa", self.env.now, n)
        else:
            self._exit_persons(n)
            self.rec.count("nareis.joined_municipality", self.env.now, n)
            self.reception.housing.family_joined(n)

    def resettled(self, n: int) -> None:
        """Resettled refugees arrive with a permit: a short COA stay, then the municipality
        they were matched with before arrival."""
        adults = 1 if n == 1 else 2
        hh = self.new_household("resettled", n, adults, self.env.now)
        hh.status = PERMIT_HOLDER
        self._enter(hh)
        self.reception.admit(hh, newcomer=False)
        self.env.process(self._resettled_stay(hh))

    def _resettled_stay(self, hh: Household) -> Generator[simpy.Event, object, None]:
        days = self.policy.params.resettlement.coa_stay_days
        yield self.env.timeout(self.streams("resettlement.stay").exponential(days))
        self.reception.house_directly(hh)
        self.exited(hh, "housed")

    # ------------------------------------------------------------------ starting stocks
    # The parts seed their own stock (``Part.seed_stock``); these are the journeys it joins.
    def enter_stock(self, hh: Household) -> None:
        self._enter(hh)

    def admit_stock(self, hh: Household) -> None:
        self.reception.admit(hh, newcomer=False)

    def permit_stock(self, hh: Household) -> None:
        self._permit(hh, stock=True)  # lazy: no process, the matching clock is a callback

    def appeal_stock(self, hh: Household) -> None:
        self.env.process(self._appeal_stock(hh, self.appeals.lodge(hh)))

    def rejected_stock(self, hh: Household, removable: bool | None = None) -> None:
        self.dtv.enter(hh, removable=removable)

    def dublin_stock(self, hh: Household, accepted_at: float) -> None:
        self.env.process(self._dublin_stock(hh, accepted_at))

    def claim_stock(self, hh: Household) -> None:
        """A Dublin claim not yet answered: the claim and its answer from the start."""
        self.ind.apply(hh, "dublin")
        self.env.process(self._asylum(hh, from_stage=0, claim=True, registered=True))

    def procedure_stock(self, hh: Household, stage: int) -> None:
        self._decided(hh, stage)

    def permit_holders_in_coa(self) -> list[Household]:
        """The permit holders placed in COA so far (in the order of placing), as sponsors."""
        return [hh for _, hh in self.reception.housing.permit_at.values() if hh.in_reception]

    def _seed_stocks(self) -> None:
        """Every part places its own starting stock (in build order)."""
        seeding = Seeding(self.scenario, self.env.now, self.streams, self)
        for part in self.parts:
            part.seed_stock(seeding)

    # ------------------------------------------------------------------ collect
    def _levels(self, t: float) -> dict[str, float]:
        return {"chain.population": self.population}

    def _weekly_snapshots(self) -> Generator[simpy.Event, object, None]:
        env = self.env
        if env.now < 0:
            yield env.timeout(-env.now)
        for fn in self.rec._sources:  # discard the warm-up part of time averages
            fn(0.0)
        for week in range(1, self.scenario.horizon.weeks + 1):
            # week-end levels are taken at t = 7w before anything else at that time (a phase
            # change releasing detainees, say): such events count in the next week (day
            # int(t)), so the level must not include them either, or conservation breaks
            yield UrgentTimeout(env, 7 * week - env.now)
            self.rec.snapshot(env.now)

    def run(self) -> Recorder:
        # a hair past the end, so the last week-end snapshot (at exactly `days`) is taken
        with gc_paused():
            self.env.run(until=float(self.scenario.horizon.days) + 1e-9)
        return self.rec

    def close(self) -> None:
        """Drop the references between the parts, the SimPy queue and the chain's own, so
        that reference counting frees most of a finished chain: the cyclic collector would
        rescan every object (over a million at 4x the persons) and its cost per object grows
        with the chain's size (bench/FINDINGS.md). The chain cannot be used afterwards."""
        self.env._queue.clear()  # scheduled events past the horizon
        for part in self.parts:
            if hasattr(part, "__dict__"):  # the compiled parts (ketensim.native) have none
                part.__dict__.clear()
        self.__dict__.clear()

    @property
    def events_processed(self) -> int:
        """Events scheduled so far: the run's event count."""
        return events_scheduled(self.env)


# The parts a chain is assembled from, in build order (after the chain itself: the journeys).
PARTS: tuple[type[Part], ...] = (Reception, Capacity, Quarantine, Epidemic, HearingRooms, Ind, IndCapacity, Appeals,
                                  Dtv, Dublin, Detention, Inflow, Nareis, Resettlement, Mvv, IncomingTransfers)


def registry(parts: Sequence[type[Part]] = PARTS) -> Registry:
    """Every metric the chain's parts declare (the chain's own included)."""
    return registry_for((Chain, *parts))


ALL_PARTS: tuple[type[Part], ...] = (Chain, *PARTS)  # what `ketensim metrics` lists
