"""COA reception as a network: registration centre -> process reception -> AZC.

Every newcomer starts in the registration centre (COL, Ter Apel), which cannot turn anyone
away: persons above its agreed limit are the overflow. After registration at the IND's desk
a household moves to process reception (POL) when a place is free there, and after the
rest and preparation period to an AZC when a place is free there; otherwise it waits where
it is, so a full AZC fills process reception and then the registration centre. Crisis
locations (when active) take registered households from an overfull registration centre.
While ``intake_quarantine_days`` > 0 newcomers first stay in an emergency location.
Occupancy is kept by status and by stage; locations are opened and closed by ``capacity``,
permit holders are housed by ``housing``.

For the IND: ``registered(hh)`` is an event that fires (``when_registered(hh, fn)`` the
callback form) when the household has registered
at the registration centre (the chain starts the procedure then). Registration itself is
``self.desk.register(hh)`` (``model/registration.py``); an IND with its own registration
capacity replaces ``desk`` by an object with the same ``register`` generator.
"""
from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Callable

import simpy

from ..metrics.recorder import Level, Recorder
from ..metrics.registry import Metric
from ..scenario.reception_params import Reception as ReceptionParams
from ..scenario.reception_params import StartReception
from ..scenario.root import Section
from .entities import PERMIT_HOLDER, STATUSES, Household, Person
from .housing import METRICS as HOUSING_METRICS
from .housing import Housing
from .locations import AZC, COL, CRISIS, EMERGENCY, POL, Pool
from .locations import Location as Location  # re-exported: the parts' type hints name it here
from .parts import Build, Node, Part
from .registration import RegistrationDesk

if TYPE_CHECKING:
    from ..policy.timeline import PolicyProcess
    from ..scenario.root import Scenario
    from .seeding import Seeding
    from .streams import Streams

_ENTERED = {s: f"coa.entered_{s}" for s in (COL, POL, AZC, EMERGENCY, CRISIS)}
_LEFT = {s: f"coa.left_{s}" for s in (COL, POL, AZC, EMERGENCY, CRISIS)}


class Reception(Part):
    """Places households in stages, moves them on when the next stage has room, and keeps
    occupancy by status and by stage."""

    name = "reception"
    params = "reception"
    section = Section("reception", ReceptionParams, start=StartReception, order=20)
    nodes = (Node("permit", 2, "coa.permit_holders"),)  # permit holders in COA
    stock = ("reception.in_procedure", "reception.permit_holders", "reception.rejected")
    offers = ("moved", "joined")  # (hh, location, entering) on every placement/removal; (hh, newcomers)

    @classmethod
    def build(cls, ctx: Build) -> "Reception":
        return cls(ctx.env, ctx.rec, ctx.policy, ctx.streams, ctx.scenario)

    def seed_stock(self, seeding: "Seeding") -> None:
        """The permit holders in COA at the start, waiting for a house."""
        st = seeding.stream(self.name)
        for hh in seeding.households(seeding.scenario.start.reception.permit_holders, "first", PERMIT_HOLDER, st):
            self.admit(hh, newcomer=False)
            seeding.journeys.permit_stock(hh)

    def __init__(self, env: simpy.Environment, rec: Recorder, policy: "PolicyProcess",
                 streams: "Streams", scenario: "Scenario") -> None:
        self.env, self.rec, self.policy = env, rec, policy
        self.streams = streams
        self.stays = streams("reception.stays")
        cfg = scenario.reception
        self.end = float(scenario.horizon.days) + 1.0  # past the run's last moment
        self.col = Location(cfg.col.name, cfg.col.limit, cfg.col.isolation_places, COL)
        self.pools = {s: Pool(s) for s in (POL, AZC, EMERGENCY, CRISIS)}
        for stage, groups in ((POL, cfg.pol.locations), (AZC, cfg.locations)):
            for g in groups:
                for i in range(g.count):
                    self.pools[stage].add(Location(f"{g.name}-{i + 1}", g.places, g.isolation_places, stage),
                                          g.households)
        for e in cfg.emergency:
            self.pools[EMERGENCY].add(Location(e.name, e.places, e.isolation_places, EMERGENCY, accepting=False))
        for i in range(cfg.crisis.locations):
            self.pools[CRISIS].add(Location(f"crisis-{i + 1}", cfg.crisis.places, 0, CRISIS, accepting=False))
        self.by_status = {s: 0 for s in STATUSES}
        self.occupancy = Level(0.0, env.now)
        self.overflow = Level(0.0, env.now)  # persons above the registration centre's limit
        self.queues: dict[str, deque[Household]] = {POL: deque(), AZC: deque()}
        self.col_ready: deque[Household] = deque()  # registered, in the COL, waiting for POL
        self.waiting: dict[int, str] = {}  # hid -> stage the household waits for
        self.waiting_persons = {POL: 0, AZC: 0}
        self._pumping: set[str] = set()
        self._again: set[str] = set()
        self._retries: dict[int, float] = {}
        # per newcomer not yet registered: None, or the event / the callback to fire then
        self._registered: dict[int, simpy.Event | Callable[[], None] | None] = {}
        self.crisis_active = False
        self.desk = RegistrationDesk(env, policy, streams)
        self.housing = Housing(env, rec, policy, streams, scenario, lambda hh: self.leave(hh, "housed"))
        policy.subscribe(self._phase)
        rec.add_source(self.levels)

    def _phase(self, params: "Scenario") -> None:
        """A phase may change the registration centre's agreed limit."""
        col = self.col
        col.places = params.reception.col.limit
        self.overflow.add(self.env.now, max(col.occupants - col.places, 0) - self.overflow.value)
        self.relieve_col()

    # ------------------------------------------------------------------ entry
    def admit(self, hh: Household, newcomer: bool) -> None:
        """A newcomer enters at the registration centre (or first an emergency location for
        the intake stay); anyone else (starting stock, resettled, reappearing) goes to an
        AZC, or waits for one where there is room."""
        now = self.env.now
        if newcomer:
            loc = None
            if self.policy.params.reception.intake_quarantine_days > 0:
                loc = self.pools[EMERGENCY].choose(hh.size) or self._open_emergency(hh.size)
            self._place(hh, loc or self.col)
            self._registered[hh.hid] = None
            self._newcomer(hh)
        else:
            loc = self.pools[AZC].choose(hh.size)
            if loc is None:
                loc = self.pools[POL].choose(hh.size) or self.col
            self._place(hh, loc)
            if loc.stage != AZC:
                self._enqueue(hh, AZC)
        self.rec.count("coa.admissions", now, hh.size)

    def _open_emergency(self, size: int) -> Location | None:
        pool = self.pools[EMERGENCY]
        for loc in pool.locations:
            if loc.free >= size:
                pool.set_accepting(loc, True)
                return loc
        return None

    def registered(self, hh: Household) -> simpy.Event:
        """Fires when the household has registered at the registration centre."""
        if hh.hid not in self._registered:  # not a newcomer: registered long ago
            done = self.env.event()
            done.succeed()
            return done
        pending = self._registered[hh.hid]
        if pending is None:
            pending = self._registered[hh.hid] = self.env.event()
        assert isinstance(pending, simpy.Event), "a newcomer has a registration callback already"
        return pending

    def when_registered(self, hh: Household, then: Callable[[], None]) -> None:
        """Call ``then()`` when the newcomer has registered (a callback: no event, no waiting
        process); at once if the household is not a newcomer."""
        if hh.hid not in self._registered:
            then()
            return
        assert self._registered[hh.hid] is None, "a newcomer has a registration event already"
        self._registered[hh.hid] = then

    def _newcomer(self, hh: Household) -> None:
        """The intake stay (if in an emergency location), then registration: callbacks, no
        process per newcomer."""
        if hh.location is not None and hh.location.stage == EMERGENCY:
            days = self.policy.params.reception.intake_quarantine_days
            self.env.timeout(days).callbacks.append(lambda _e: self._intake_done(hh))
            return
        self.desk.register_then(hh, lambda: self._registered_done(hh))

    def _intake_done(self, hh: Household) -> None:
        now = self.env.now
        if hh.blocked(now):  # a case or contact found during intake: not moved yet
            self.env.timeout(hh.blocked_until() - now).callbacks.append(lambda _e: self._intake_done(hh))
            return
        if not hh.in_reception:
            return
        self._move(hh, self.col)
        self.desk.register_then(hh, lambda: self._registered_done(hh))

    def _registered_done(self, hh: Household) -> None:
        done = self._registered.pop(hh.hid)
        if isinstance(done, simpy.Event):
            done.succeed()
        elif done is not None:
            done()
        if hh.in_reception and hh.location is self.col and hh.hid not in self.waiting:
            self._enqueue(hh, POL if self.pools[POL].locations else AZC)

    # ------------------------------------------------------------------ moves
    def _enqueue(self, hh: Household, stage: str) -> None:
        self.waiting[hh.hid] = stage
        self.waiting_persons[stage] += hh.size
        self.queues[stage].append(hh)
        if hh.location is self.col:
            self.col_ready.append(hh)
        self.pump(stage)
        self.relieve_col()

    def pump(self, stage: str) -> None:
        """Move waiting households into ``stage`` while it has room (oldest first; a
        household in isolation/quarantine is not moved and keeps its turn)."""
        if stage in self._pumping:
            self._again.add(stage)
            return
        if not self.queues[stage]:  # nothing waits: the pass would do nothing
            return
        self._pumping.add(stage)
        try:
            while True:
                self._again.discard(stage)
                self._pump_once(stage)
                if stage not in self._again:
                    return
        finally:
            self._pumping.discard(stage)

    def room_freed(self, stage: str) -> None:
        """A place of ``stage`` may be free: move its queue on, and with the bypass an AZC
        place may also take a household waiting in the COL for process reception."""
        self.pump(stage)
        if stage == AZC and self.queues[POL] and self.policy.params.reception.pol.bypass_to_azc:
            self.pump(POL)

    def _pump_once(self, stage: str) -> None:
        q, now = self.queues[stage], self.env.now
        choose, waiting, waiting_persons = self.pools[stage].choose, self.waiting, self.waiting_persons
        skipped: list[Household] = []
        while q:
            hh = q[0]
            if waiting.get(hh.hid) != stage or not hh.in_reception:
                q.popleft()
                continue
            if hh.blocked(now):
                skipped.append(q.popleft())
                self._retry(hh, stage)
                continue
            loc = choose(hh.size)
            if loc is None and stage == POL and self.waiting_persons[AZC] == 0 \
                    and self.policy.params.reception.pol.bypass_to_azc:
                loc = self.pools[AZC].choose(hh.size)  # straight on: the AZC queue is empty
                if loc is not None:
                    q.popleft()
                    del waiting[hh.hid]
                    waiting_persons[stage] -= hh.size
                    self._unplace(hh)
                    self._place(hh, loc)
                    self.rec.count("coa.pol_bypassed", now, hh.size)
                    continue
            if loc is None:
                break
            q.popleft()
            del waiting[hh.hid]  # _unwait: it waits for this stage
            waiting_persons[stage] -= hh.size
            self._unplace(hh)  # _move
            self._place(hh, loc)
            if stage == POL:
                days = self.stays.exponential(self.policy.params.reception.pol.stay_days)
                if now + days < self.end:  # a stay ending after the run needs no event
                    self.env.timeout(days).callbacks.append(self._pol_done_cb(hh))
        if skipped:
            q.extendleft(reversed(skipped))

    def _retry(self, hh: Household, stage: str) -> None:
        """Pump again when a blocked household's block ends (one pending retry each)."""
        until = hh.blocked_until()
        if self._retries.get(hh.hid, -1.0) >= until:
            return
        self._retries[hh.hid] = until

        def again(_e: simpy.Event) -> None:
            if self._retries.get(hh.hid) == until:
                del self._retries[hh.hid]
            self.pump(stage)

        self.env.timeout(until - self.env.now).callbacks.append(again)

    def _unwait(self, hh: Household) -> None:
        stage = self.waiting.pop(hh.hid, None)
        if stage is not None:
            self.waiting_persons[stage] -= hh.size

    def _pol_done_cb(self, hh: Household) -> Callable[[simpy.Event], None]:
        return lambda _e: self._pol_done(hh)

    def _pol_done(self, hh: Household) -> None:
        loc = hh.location
        if hh.in_reception and loc is not None and loc.stage == POL and hh.hid not in self.waiting:
            self._enqueue(hh, AZC)

    def relocate(self, loc: Location) -> None:
        """A location closes for good (a temporary one at the end of its term): it takes no
        one new, its residents wait first in line (in their order of arrival there) for a
        place of the stage elsewhere and move as places free; it shuts when empty."""
        stage = loc.stage
        self.pools[stage].set_accepting(loc, False)
        if loc.occupants == 0:
            loc.is_open = False
            return
        q = self.queues[stage]
        movers = [hh for hh in loc.households.values() if hh.hid not in self.waiting]
        for hh in reversed(movers):
            self.waiting[hh.hid] = stage
            self.waiting_persons[stage] += hh.size
            q.appendleft(hh)
        self.pump(stage)

    def relieve_col(self) -> None:
        """Crisis places take registered households from a registration centre above its limit."""
        if not self.crisis_active:
            return
        pool, now = self.pools[CRISIS], self.env.now
        while self.col.occupants > self.col.places and self.col_ready:
            hh = self.col_ready[0]
            if hh.location is not self.col or hh.hid not in self.waiting or not hh.in_reception:
                self.col_ready.popleft()
                continue
            if hh.blocked(now):
                return
            loc = pool.choose(hh.size)
            if loc is None:
                return
            self.col_ready.popleft()
            self._move(hh, loc)

    def set_crisis(self, active: bool) -> None:
        """Crisis locations take newcomers (True) or no one new (False)."""
        self.crisis_active = active
        pool = self.pools[CRISIS]
        for loc in pool.locations:
            pool.set_accepting(loc, active)
            if not active and loc.occupants == 0:
                loc.is_open = False
        self.relieve_col()

    def _move(self, hh: Household, loc: Location) -> None:
        self._unplace(hh)
        self._place(hh, loc)

    # ------------------------------------------------------------------ placement
    def _place(self, hh: Household, loc: Location) -> None:
        now, n, stage = self.env.now, hh.size, loc.stage
        hh.location = loc
        hh.in_reception = True
        loc.occupants += n  # _occupy, inline (the hot path)
        if stage == COL:
            self.overflow.add(now, max(loc.occupants - loc.places, 0) - self.overflow.value)
        elif loc.group is not None:
            loc.group.touch(loc)
        self.rec.count(_ENTERED[stage], now, n)
        loc.households[hh.hid] = hh
        self.by_status[hh.status] += n
        self.occupancy.add(now, n)
        self.out.moved(hh, loc, True)

    def _occupy(self, loc: Location, n: int) -> None:
        loc.occupants += n
        if loc.stage == COL:
            self.overflow.add(self.env.now, max(loc.occupants - loc.places, 0) - self.overflow.value)
        elif loc.group is not None:
            loc.group.touch(loc)

    def _unplace(self, hh: Household) -> None:
        loc = hh.location
        assert loc is not None
        now, n, stage = self.env.now, hh.size, loc.stage
        loc.occupants -= n  # _occupy, inline (the hot path)
        if stage == COL:
            self.overflow.add(now, max(loc.occupants - loc.places, 0) - self.overflow.value)
        elif loc.group is not None:
            loc.group.touch(loc)
        self.rec.count(_LEFT[stage], now, n)
        del loc.households[hh.hid]
        self.by_status[hh.status] -= n
        self.occupancy.add(now, -n)
        hh.location = None
        hh.in_reception = False
        self.out.moved(hh, loc, False)
        if stage == COL:
            return
        if loc.occupants == 0:
            if not loc.accepting:
                loc.is_open = False  # a closing (or switched-off) location shuts when empty
            if stage == EMERGENCY and self.policy.params.reception.intake_quarantine_days == 0:
                self.pools[EMERGENCY].set_accepting(loc, False)
                loc.is_open = False
        if stage in self.queues:
            self.room_freed(stage)
        elif stage == CRISIS:
            self.relieve_col()

    def leave(self, hh: Household, reason: str) -> None:
        self._unwait(hh)
        self._unplace(hh)
        self.rec.count("coa.exits", self.env.now, hh.size)
        self.rec.count(f"coa.exits_{reason}", self.env.now, hh.size)

    def set_status(self, hh: Household, status: str) -> None:
        if hh.in_reception:
            self.by_status[hh.status] -= hh.size
            self.by_status[status] += hh.size
        hh.status = status

    def join(self, hh: Household, persons: list[Person]) -> None:
        """Family members (nareis) join a household already in reception, at its location;
        they leave with it when it is housed."""
        loc, n = hh.location, len(persons)
        assert loc is not None and hh.in_reception
        self.out.joined(hh, persons)
        hh.members = hh.members + persons  # a new list: members is replaced, never mutated
        self._occupy(loc, n)
        self.rec.count(_ENTERED[loc.stage], self.env.now, n)
        if hh.hid in self.waiting:
            self.waiting_persons[self.waiting[hh.hid]] += n
        self.by_status[hh.status] += n
        self.occupancy.add(self.env.now, n)
        self.rec.count("coa.admissions", self.env.now, n)

    # ------------------------------------------------------------------ housing
    def await_housing(self, hh: Household, stock: bool = False,
                      then: Callable[[], None] | None = None) -> None:
        """Permit holder: matching, the housing queue, then out of reception and ``then()``."""
        self.set_status(hh, PERMIT_HOLDER)
        self.housing.await_housing(hh, stock=stock, then=then)

    def house_directly(self, hh: Household) -> None:
        """Out to a municipality matched before arrival (resettlement), not via the queue."""
        self.leave(hh, "housed")
        self.housing.housed(hh)

    # ------------------------------------------------------------------ levels
    @property
    def locations(self) -> list[Location]:
        """Every location of every stage (the registration centre first)."""
        return [self.col] + [l for p in self.pools.values() for l in p.locations]

    def stage_capacity(self, stage: str) -> int:
        return self.col.places if stage == COL else self.pools[stage].capacity

    @property
    def capacity(self) -> int:
        return self.col.places + sum(p.capacity for p in self.pools.values())

    def levels(self, t: float) -> dict[str, float]:
        pools, col = self.pools, self.col
        shelter = self.policy.params.reception.col.night_shelter
        entitled = self.occupancy.value
        out = {
            "coa.occupancy": entitled - pools[CRISIS].occupants,
            "coa.occupancy_entitled": entitled,
            "coa.occupancy_avg": self.occupancy.take_area(t) / 7.0,
            "coa.capacity": self.capacity,
            "coa.permit_holders": self.by_status[PERMIT_HOLDER],
            "coa.in_procedure": self.by_status["in_procedure"],
            "coa.rejected": self.by_status["rejected"],
            "coa.dublin_claimants": self.by_status["dublin"],
            "coa.col_occupancy": col.occupants,
            "coa.col_overflow": max(col.occupants - col.places, 0),
            "coa.col_overflow_nights": self.overflow.take_area(t),
            "coa.col_unsheltered": max(col.occupants - col.places - shelter, 0),
            "coa.registration_queue": self.desk.waiting,
            "coa.waiting_pol": self.waiting_persons[POL],
            "coa.waiting_azc": self.waiting_persons[AZC],
            "coa.locations_open": 1 + sum(p.open_count for p in pools.values()),
        }
        for stage in (POL, AZC, EMERGENCY, CRISIS):
            out[f"coa.{stage}_occupancy"] = pools[stage].occupants
            out[f"coa.capacity_{stage}"] = pools[stage].capacity
        out["coa.capacity_col"] = col.places
        return out


def _m(name: str, kind: str, unit: str, label: str, meaning: str, label_nl: str = "",
       contract: bool = False, key: str = "") -> Metric:
    return Metric(name, "reception", kind, unit, label, meaning, label_nl, contract=contract,  # type: ignore[arg-type]
                  key=key)


METRICS = (
    _m("coa.occupancy", "level", "persons", "COA occupancy (residents of COA locations)",
       "residents of COA locations at week end: registration centre (above its limit included), "
       "process reception, AZC and emergency locations; not crisis emergency reception (run by "
       "the safety regions). COA's counting before 2022", "bezetting COA", key="COA occupancy"),
    _m("coa.occupancy_entitled", "level", "persons", "COA occupancy (entitled to reception)",
       "persons entitled to reception at week end, COA's counting from 2022: the residents of COA "
       "locations plus persons housed outside them (crisis emergency reception; municipal "
       "emergency shelter is not modelled), without arriving nareizigers (the model has no "
       "arrival stay of theirs in COA: family members of a housed sponsor go straight to the "
       "municipality, those of a sponsor in COA are residents and entitled)",
       "bezetting COA (rechthebbenden)"),
    _m("coa.occupancy_avg", "level", "persons", "COA occupancy (week mean)",
       "time-averaged persons in reception in the week, every stage (crisis reception included: "
       "the mean of coa.occupancy_entitled)", label_nl="COA-bezetting (weekgemiddelde)"),
    _m("coa.capacity", "level", "places", "COA places",
       "places at week end: the COL limit, open POL, AZC, emergency and crisis places", "capaciteit COA",
       key="COA places"),
    *(_m(f"coa.capacity_{s}", "level", "places", f"places, {s.upper()}", f"open places of stage {s} at week end",
         f"plaatsen, {s.upper()}")
      for s in (COL, POL, AZC, EMERGENCY, CRISIS)),
    _m("coa.col_occupancy", "level", "persons", "registration centre occupancy",
       "persons at the registration centre (Ter Apel) at week end", "bezetting COL", contract=True,
       key="registration centre (COL)"),
    _m("coa.pol_occupancy", "level", "persons", "process reception occupancy",
       "persons in process reception at week end", "bezetting POL", contract=True),
    _m("coa.azc_occupancy", "level", "persons", "AZC occupancy", "persons in AZC locations at week end",
       "bezetting azc", contract=True),
    _m("coa.emergency_occupancy", "level", "persons", "in emergency locations",
       "persons in emergency (intake) locations at week end", "noodopvang", contract=True),
    _m("coa.crisis_occupancy", "level", "persons", "in crisis reception",
       "persons in crisis emergency reception (safety regions) at week end", "crisisnoodopvang", contract=True,
       key="in crisis reception"),
    _m("coa.col_overflow", "level", "persons", "registration centre above its limit",
       "persons at the registration centre above the agreed limit at week end", "boven maximum COL",
       contract=True, key="COL above its limit"),
    _m("coa.col_overflow_nights", "level", "person-nights", "person-nights above the COL limit",
       "person-nights above the registration centre's limit during the week", contract=True,
       label_nl="persoonsnachten boven de COL-grens"),
    _m("coa.col_unsheltered", "level", "persons", "above the limit and the night shelter",
       "persons at the registration centre beyond the limit and the night shelter at week end",
       label_nl="boven de grens en de nachtopvang"),
    _m("coa.registration_queue", "level", "persons", "waiting to register",
       "newcomers at the COL waiting for their turn at the IND registration desk", label_nl="wachtend op aanmelding"),
    _m("coa.waiting_pol", "level", "persons", "waiting for process reception",
       "registered persons waiting (in the COL or crisis reception) for a POL place",
       label_nl="wachtend op proces-opvang (POL)"),
    _m("coa.waiting_azc", "level", "persons", "waiting for an AZC place",
       "persons waiting (in the COL, POL or crisis reception) for an AZC place", label_nl="wachtend op een AZC-plaats"),
    _m("coa.locations_open", "level", "locations", "COA locations open",
       "open locations of every stage at week end (COL included)", "locaties open", contract=True),
    _m("coa.permit_holders", "level", "persons", "COA permit holders",
       "permit holders in COA waiting for a house at week end", "statushouders in COA", key="COA permit holders"),
    _m("coa.in_procedure", "level", "persons", "in procedure in COA", "residents awaiting an IND decision",
       label_nl="in procedure in COA"),
    _m("coa.rejected", "level", "persons", "rejected in COA", "rejected residents (departure caseload)",
       label_nl="afgewezen in COA"),
    _m("coa.dublin_claimants", "level", "persons", "Dublin claimants in COA", "accepted claimants awaiting transfer",
       label_nl="Dublinclaimanten in COA"),
    *(_m(f"coa.entered_{s}", "count", "persons/week", f"into {s.upper()}",
         f"persons placed in stage {s} (moves and admissions)", f"naar {s.upper()}", contract=True)
      for s in (COL, POL, AZC, EMERGENCY, CRISIS)),
    *(_m(f"coa.left_{s}", "count", "persons/week", f"out of {s.upper()}",
         f"persons leaving stage {s} (moves and exits)", f"uit {s.upper()}", contract=True)
      for s in (COL, POL, AZC, EMERGENCY, CRISIS)),
    _m("coa.pol_bypassed", "count", "persons/week", "straight from the COL to an AZC",
       "registered persons moved from the registration centre straight to an AZC place because "
       "no process-reception place was free (reception.pol.bypass_to_azc)",
       label_nl="van COL direct naar AZC"),
    _m("coa.admissions", "count", "persons/week", "COA admissions",
       "persons placed in reception (newcomers, returns, joining family)", contract=True, label_nl="opnames in COA"),
    _m("coa.exits", "count", "persons/week", "COA exits", "persons leaving COA reception, for any reason",
       contract=True, label_nl="uitstroom uit COA"),
    *(_m(f"coa.exits_{reason}", "count", "persons/week", f"COA exits: {text}",
         f"persons leaving COA reception: {text}", f"uitstroom COA: {nl}")
      for reason, text, nl in (
          ("absconded", "absconded Dublin claimants", "Dublinclaimanten met onbekende bestemming"),
          ("departed", "departed from the DT&V caseload", "vertrokken uit de DT&V-caseload"),
          ("detention", "placed in detention", "in bewaring gesteld"),
          ("dublin_transfer", "transferred under Dublin", "overgedragen onder Dublin"),
          ("housed", "housed in a municipality", "gehuisvest in een gemeente"),
          ("rejected_left", "rejected, left reception", "afgewezen, opvang verlaten"))),
    *HOUSING_METRICS,
)
Reception.metrics = METRICS
"""Every metric the reception network records (housing included; capacity decisions are
declared by the capacity part)."""
