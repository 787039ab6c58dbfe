"""IND staff as counted servers, by pool, and the meter that says which resource binds.

Staff are counted servers (not SimPy resources) because their number follows the policy
phase (the Taskforce from 1 May 2020): lowering it never interrupts work, officers are just
not given new cases until below the new number. An officer works on one case at a time for
7 / productivity days on average, so a pool of c FTE delivers c x productivity a week when
it is never idle: the M/G/c server of queueing theory.
"""
from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING, Any, Literal, Mapping

from ..metrics.recorder import Level

if TYPE_CHECKING:
    from ..scenario.ind_schema import Staff

Stage = Literal["hearing", "decision"]


class StaffPools:
    """The officers of one stage (hearings or decisions) in every pool."""

    def __init__(self, stage: Stage, now: float) -> None:
        self.stage = stage
        self.busy_finite = Level(0.0, now)  # busy officers of pools with a finite number
        self.cap_finite = Level(0.0, now)
        self.busy_days = Level(0.0, now)  # the same busy officers, integrated for the capacity rule
        self.capacity: dict[str, float] = {}
        self.busy: dict[str, int] = {}
        self.serves: dict[str, tuple[str, ...]] = {}
        self.added: dict[str, float] = {}  # officers added by the capacity rule, on top of the phase
        self.started = 0  # work items (hearings, decisions) started by finite pools, ever
        self.work_days = 7.0  # mean officer days per unit of work
        self.cv = 0.5
        self._staff: Staff | None = None
        self._plan: Mapping[str, float] = {}

    def on_phase(self, staff: Staff, now: float, plan: Mapping[str, float] | None = None) -> None:
        """The phase's officers; ``plan``: FTE of pools staffed by the production plan
        (``ind_plan.plan_fte``), instead of the pools' own FTE."""
        self._staff = staff
        self._plan = plan = {} if plan is None else plan
        for name, pool in staff.pools.items():
            fte = pool.hearing_fte if self.stage == "hearing" else pool.decision_fte
            fte = plan.get(name, fte)
            self.capacity[name] = math.inf if fte is None else float(round(fte + self.added.get(name, 0.0)))
            self.busy.setdefault(name, 0)
            self.serves[name] = tuple(pool.serves)
        for name in list(self.capacity):
            if name not in staff.pools:  # a pool removed by a phase: finishes its work, no more
                self.capacity[name] = 0.0
                self.serves[name] = ()
        cap = sum(c for c in self.capacity.values() if math.isfinite(c))
        self.cap_finite.add(now, cap - self.cap_finite.value)
        self._sync(now)
        per = staff.hearings_per_fte_week if self.stage == "hearing" else staff.decisions_per_fte_week
        self.work_days = 7.0 / per
        self.cv = staff.work_cv

    def pick(self, queues: dict[str, deque[Any]], skip: frozenset[str] = frozenset()) -> tuple[str, str] | None:
        """(pool, class) of the next case to start: the first pool with a free officer, and
        in it the highest-priority class with a waiting case; None when nobody can start."""
        for name, cap in self.capacity.items():
            if self.busy[name] >= cap:
                continue
            for cls in self.serves[name]:
                if cls not in skip and queues[cls]:
                    return name, cls
        return None

    def grow(self, pool: str, officers: float, now: float) -> None:
        """Officers join ``pool`` (the capacity rule's order arriving); they stay through later
        phases, on top of the phase's FTE."""
        self.added[pool] = self.added.get(pool, 0.0) + officers
        if self._staff is not None:
            self.on_phase(self._staff, now, self._plan)

    def start(self, pool: str, now: float) -> None:
        self.busy[pool] += 1
        if math.isfinite(self.capacity.get(pool, math.inf)):
            self.started += 1
            self.busy_finite.add(now, 1.0)  # a running count: finiteness changes only in on_phase
            self.busy_days.add(now, 1.0)

    def free(self, pool: str, now: float) -> None:
        self.busy[pool] -= 1
        if math.isfinite(self.capacity.get(pool, math.inf)):
            self.busy_finite.add(now, -1.0)
            self.busy_days.add(now, -1.0)

    def _sync(self, now: float) -> None:
        busy = sum(self.busy[n] for n, c in self.capacity.items() if math.isfinite(c))
        self.busy_finite.add(now, busy - self.busy_finite.value)
        self.busy_days.add(now, busy - self.busy_days.value)

    def draw_days(self, stream: Any, units: float = 1.0) -> float:
        """An officer's time for ``units`` of work (gamma, mean units x 7 / productivity)."""
        return float(stream.gamma(self.work_days * units, self.cv))

    def utilisation(self, now: float) -> float:
        """Time-averaged busy officers / officers since the last call, over the pools with a
        finite number of officers (NaN when there are none)."""
        busy, cap = self.busy_finite.take_area(now), self.cap_finite.take_area(now)
        return busy / cap if cap > 0 else math.nan


class Meter:
    """Time share of the week spent in each state (e.g. which resource cases wait for)."""

    def __init__(self, now: float, states: tuple[str, ...]) -> None:
        self.states = states
        self.state = states[0]
        self.since = now
        self.acc = {s: 0.0 for s in states}
        self.start = now

    def set(self, now: float, state: str) -> None:
        if state != self.state:
            self.acc[self.state] += now - self.since
            self.state, self.since = state, now

    def take(self, now: float) -> dict[str, float]:
        """Shares since the last call, and reset."""
        self.acc[self.state] += now - self.since
        span = now - self.start
        out = {s: (v / span if span > 0 else (1.0 if s == self.state else 0.0)) for s, v in self.acc.items()}
        self.acc = {s: 0.0 for s in self.states}
        self.since = self.start = now
        return out
