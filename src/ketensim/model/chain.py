"""The chain: builds the parts, wires their hand-offs in one place, seeds the starting
stocks and runs one replication. Lifecycle: build -> wire -> seed stocks -> run -> collect.
"""
from __future__ import annotations

import gc
import logging
from contextlib import contextmanager
from typing import Generator, Iterator

import simpy
from simpy.core import URGENT

from ..clock import Clock
from ..metrics.recorder import Recorder
from ..policy.timeline import PolicyProcess, build_timeline
from ..scenario.schema import Scenario
from .departures import Dtv
from .detention import DTV as DETENTION_DTV, Detention
from .dublin import Dublin
from .entities import DUBLIN, IN_PROCEDURE, PERMIT_HOLDER, REJECTED, Household, Person
from .hearings import HearingRooms
from .ind import Ind
from .inflow import HouseholdMaker, Inflow
from .mvv import Mvv
from .epidemic import Epidemic
from .nareis import Nareis
from .quarantine import Quarantine
from .reception import Reception
from .resettlement import Resettlement
from .streams import Streams

log = logging.getLogger(__name__)


class _BeforeOthers(simpy.Timeout):
    """A timeout processed before ordinary events at the same time. Week-end levels are taken
    at t = 7w, before anything that happens exactly at the boundary (a phase change releasing
    detainees, say): such events are counted in the next week (day int(t)), so the level must
    not include them either, or per-week conservation breaks."""

    def __init__(self, env: simpy.Environment, delay: float) -> None:
        self.env = env
        self.callbacks = []
        self._value = None
        self._delay = delay
        self._ok = True
        env.schedule(self, URGENT, delay)


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


class Chain:
    """One replication of the migration chain."""

    def __init__(self, scenario: Scenario, replication: int = 0, seed: int | None = None) -> None:
        with gc_paused():
            self._build(scenario, replication, seed)

    def _build(self, scenario: Scenario, replication: int, seed: int | None) -> None:
        self.scenario = scenario
        self.replication = replication
        self.seed = scenario.seed if seed is None else seed
        h = scenario.horizon
        self.clock = Clock(h.start)
        self.env = simpy.Environment(initial_time=-float(h.warmup_days))
        self.streams = Streams(self.seed, replication)
        self.rec = Recorder(h.days)
        self.policy = PolicyProcess(self.env, build_timeline(scenario))
        self._next_id = 0
        self.population = 0  # persons in the chain (in reception or in the caseload)

        # build
        env, rec, pol, st = self.env, self.rec, self.policy, self.streams
        self.reception = Reception(env, rec, pol, st, scenario)
        self.quarantine = Quarantine(env, rec, pol)
        self.epidemic = Epidemic(env, rec, pol, st, scenario, self.quarantine)
        self.reception.watchers.append(self.epidemic.on_move)
        self.reception.joiners.append(self.epidemic.on_join)
        self.rooms = HearingRooms(env, rec, pol, st)
        self.ind = Ind(env, rec, pol, st, self.rooms)
        self.dtv = Dtv(env, rec, pol, st, self.reception, on_exit=self._exited)
        self.dublin = Dublin(env, rec, pol, st, self.reception, self.ind,
                             on_exit=self._exited, on_reenter=self._reentered)
        self.detention = Detention(env, rec, pol, st, self.reception, self.dtv, self.dublin)
        self.dublin.detention = self.detention
        self.inflow = Inflow(
            env, st, scenario.inflow.households, lambda d: self.clock.day(d),
            {"first": scenario.inflow.first_applications, "repeat": scenario.inflow.repeat_applications},
            on_arrival=self._arrival,
        )
        day_of = lambda d: self.clock.day(d)  # noqa: E731
        self.nareis = Nareis(env, rec, pol, st, scenario, day_of, on_arrival=self._family_arrived)
        self.resettlement = Resettlement(env, rec, pol, st, scenario, on_arrival=self._resettled)
        self.mvv = Mvv(env, rec, pol, st, scenario, day_of)
        self.incoming = Inflow(  # incoming Dublin transfers: streams "inflow.dublin_incoming*"
            env, st, scenario.inflow.households, lambda d: self.clock.day(d),
            {"dublin_incoming": scenario.dublin.incoming}, on_arrival=self._incoming_transfer,
        )
        rec.add_source(self._levels)
        self._seed_stocks()
        self.epidemic.start()
        self.policy.start()
        env.process(self._weekly_snapshots())

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

    def _exited(self, hh: Household, route: str) -> None:
        self._exit_persons(hh.size)

    def _enter_persons(self, n: int) -> None:
        self.population += n
        self.rec.count("chain.entries", self.env.now, n)

    def _exit_persons(self, n: int) -> None:
        self.population -= n
        self.rec.count("chain.exits", self.env.now, n)

    def _reentered(self, hh: Household) -> None:
        """An absconded Dublin claimant who reappears is back in the chain."""
        self._enter(hh)

    # ------------------------------------------------------------------ journeys (hand-offs)
    def _arrival(self, kind: str, size: int, adults: int) -> None:
        hh = self.new_household(kind, size, adults, self.env.now)
        self._enter(hh)
        self.reception.admit(hh, newcomer=True)
        self.epidemic.arrive(hh)
        self.ind.apply(hh)
        self.env.process(self._asylum(hh, from_stage=-1, claimable=True))

    def _incoming_transfer(self, kind: str, size: int, adults: int) -> None:
        """Transferred to the Netherlands by another member state: reception and the national
        procedure (no Dublin claim of our own)."""
        hh = self.new_household("first", size, adults, self.env.now)
        self._enter(hh)
        self.rec.count("dublin.incoming", self.env.now, hh.size)
        self.reception.admit(hh, newcomer=True)
        self.ind.apply(hh)
        self.env.process(self._asylum(hh, from_stage=-1, claimable=False))

    def _asylum(self, hh: Household, from_stage: int,
                claimable: bool = False) -> Generator[simpy.Event, object, None]:
        intake = self.policy.params.reception.intake_quarantine_days
        if from_stage < 0 and hh.location is not None and hh.location.emergency and intake > 0:
            self.env.process(self._intake_quarantine(hh, intake))
        if claimable and self.dublin.has_claim(hh):
            outcome = yield from self.dublin.track(hh)
            if outcome != "national":
                return  # transferred or absconded: the exit hand-off has been made
            from_stage = 0  # registered; the national procedure starts at the first hearing
        yield from self._decided(hh, from_stage)

    def _decided(self, hh: Household, from_stage: int) -> Generator[simpy.Event, object, None]:
        granted = yield from self.ind.procedure(hh, from_stage)
        if granted:
            self.nareis.granted(hh)
            yield from self._permit(hh)
        else:
            self.dtv.enter(hh)

    def _dublin_stock(self, hh: Household, accepted_at: float) -> Generator[simpy.Event, object, None]:
        outcome = yield from self.dublin.resume(hh, accepted_at)
        if outcome == "national":
            yield from self._decided(hh, from_stage=0)

    def _intake_quarantine(self, hh: Household, days: float) -> Generator[simpy.Event, object, None]:
        if self.policy.params.health.quarantine.intake_blocks:
            self.quarantine.intake(hh, days)
        yield self.env.timeout(days)
        while hh.blocked(self.env.now):  # a case or contact found during intake: not moved yet
            yield self.env.timeout(hh.blocked_until() - self.env.now)
        if hh.in_reception:
            self.reception.move_to_regular(hh)

    def _permit(self, hh: Household) -> Generator[simpy.Event, object, None]:
        yield from self.reception.await_housing(hh)
        self._exited(hh, "housed")

    def _family_arrived(self, sponsor: Household | None, n: int) -> None:
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

    def _resettled(self, n: int) -> None:
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
        self._exited(hh, "housed")

    # ------------------------------------------------------------------ starting stocks
    def _seed_stocks(self) -> None:
        """Persons present at the start, drawn as households from the inflow's mix."""
        sc, st = self.scenario.start, self.streams("start.stocks")
        maker = HouseholdMaker(self.scenario.inflow.households, st)
        t0 = self.env.now

        def households(persons: int, kind: str, status: str):
            placed = 0
            while placed < persons:
                size, adults = maker.draw()
                size = min(size, persons - placed)
                adults = min(adults, size)
                hh = self.new_household(kind, size, max(adults, 1) if size else 0, t0)
                hh.members[0].adult = True
                hh.status = status
                placed += size
                self._enter(hh)
                yield hh

        share1, share2 = sc.ind.share_awaiting_first_hearing, sc.ind.share_awaiting_second_hearing
        n_stages = self.scenario.ind.hearings_per_adult["first"]
        for hh in households(sc.reception.in_procedure, "first", IN_PROCEDURE):
            hh.applied_at = t0 - st.exponential(sc.ind.backlog_age_days)
            self.reception.admit(hh, newcomer=False)
            self.ind.apply(hh)
            u = st.random()
            stage = 0 if u < share1 else (1 if u < share1 + share2 else n_stages)
            self.env.process(self._asylum(hh, from_stage=min(stage, n_stages)))
        for hh in households(sc.reception.permit_holders, "first", PERMIT_HOLDER):
            self.reception.admit(hh, newcomer=False)
            self.env.process(self._permit(hh))
        for hh in households(sc.reception.rejected, "first", REJECTED):
            self.reception.admit(hh, newcomer=False)
            self.dtv.enter(hh, stock=True)
        for hh in households(sc.dtv.outside_reception, "first", REJECTED):
            self.dtv.enter(hh, stock=True)
        dub, det = sc.dublin, sc.detention
        for hh in households(dub.awaiting_transfer, "first", DUBLIN):
            self.reception.admit(hh, newcomer=False)
            accepted_at = t0 - st.random() * self.scenario.dublin.deadline_days
            self.env.process(self._dublin_stock(hh, accepted_at))
        max_stay = self.scenario.detention.max_stay_days
        for _ in range(det.population):  # one-person forced-return cases
            hh = self.new_household("first", 1, 1, t0)
            hh.status = REJECTED
            self._enter(hh)
            elapsed = min(st.exponential(det.elapsed_days), max_stay * st.random())
            self.detention.place(hh, DETENTION_DTV, elapsed=elapsed, count=False)
            self.dtv.enter(hh, removable=True, stock=True)
        # stock entries are not inflow: take them out of the first day's entry count
        self.rec.counts.pop("chain.entries", None)
        self.rec.counts.pop("coa.admissions", None)
        self.rec.counts.pop("ind.applications", None)

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
            yield _BeforeOthers(env, 7 * week - env.now)
            self.rec.snapshot(env.now)

    def run(self) -> Recorder:
        # a hair past the end, so the last week-end snapshot (at exactly `days`) is taken
        with gc_paused():
            self.env.run(until=float(self.scenario.horizon.days) + 1e-9)
        return self.rec

    @property
    def events_processed(self) -> int:
        """Events scheduled so far (SimPy's event id counter): the run's event count."""
        return next(self.env._eid)  # type: ignore[attr-defined]
