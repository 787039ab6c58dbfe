"""Municipal housing of permit holders against the half-year target (taakstelling).

Each half-year the municipalities are set a target in persons; the effective target is the
half-year's own target plus the arrears carried over from the one before
(``carry_over`` x arrears). Houses are offered at a constant rate over the half-year,
effective target x ``realisation`` / days (the realisation share is a phase lever, so a
lockdown slows it), plus any fast-track push. Permit holders are first matched to a
municipality (mean ``matching_days`` by household type: singles wait longer), then wait in
one queue in order of matching; an offer of ``size`` persons houses the head of the queue
(a fluid quota as before). Offers find no one when the queue is empty: they are not banked,
so the arrears grow. A half-year that starts before the run counts only its simulated part.
"""
from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_right
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Generator, Literal

import simpy

from ..metrics.recorder import Recorder
from ..metrics.registry import Metric
from .streams import cumulative_bands

if TYPE_CHECKING:
    from ..policy.timeline import PolicyProcess
    from ..scenario.root import Scenario
    from .entities import Household
    from .streams import Streams

WAIT_WEEKS = 14
"""Permit holders waiting longer than this many weeks since the permit are counted apart."""


def household_type(hh: "Household") -> Literal["single", "family"]:
    return "single" if hh.size == 1 else "family"


def close_half(effective: float, housed: float, next_target: float, carry_over: float) -> tuple[float, float]:
    """End of a half-year: (arrears, next effective target). The arrears are what the
    effective target left unhoused (never negative); the next half-year's effective target
    is its own target plus ``carry_over`` of them."""
    arrears = max(effective - housed, 0.0)
    return arrears, next_target + carry_over * arrears


@dataclass
class Half:
    """One half-year of the run: [start, end) in model days and its own (prorated) target."""

    start: float
    end: float
    target: float


def half_years(scenario: "Scenario") -> list[Half]:
    """The half-years the run covers (warm-up included), with the target of each: the
    listed value, else the latest earlier one, else the first. A half-year that begins
    before the run keeps only the share of its target for the simulated days."""
    h = scenario.horizon
    t0 = -float(h.warmup_days)
    first_day = h.start - dt.timedelta(days=h.warmup_days)
    listed = scenario.reception.housing.halves()
    out: list[Half] = []
    y, half = first_day.year, 1 if first_day.month <= 6 else 2
    while True:
        s = dt.date(y, 1, 1) if half == 1 else dt.date(y, 7, 1)
        e = dt.date(y, 7, 1) if half == 1 else dt.date(y + 1, 1, 1)
        target = listed[0][2]
        for ls, _, v in listed:
            if ls <= s:
                target = v
        ts, te = float((s - h.start).days), float((e - h.start).days)
        if ts < t0:
            target *= (te - t0) / (te - ts)
            ts = t0
        out.append(Half(ts, te, target))
        if e > h.end:
            return out
        y, half = (y, 2) if half == 1 else (y + 1, 1)


class Housing:
    """The housing queue, the half-year accounts and the permit holders' waiting times."""

    def __init__(self, env: simpy.Environment, rec: Recorder, policy: "PolicyProcess",
                 streams: "Streams", scenario: "Scenario",
                 leave: Callable[["Household"], None]) -> None:
        self.env, self.rec, self.policy = env, rec, policy
        self.stream = streams("reception.matching")
        self.leave = leave
        self.halves = half_years(scenario)
        self.end = float(scenario.horizon.days) + 1.0  # past the run's last moment
        self.k = 0  # current half-year
        cfg = scenario.reception.housing
        self.arrears_in = cfg.arrears_at_start
        self.effective = self.halves[0].target + cfg.carry_over * cfg.arrears_at_start
        self.housed_half = 0.0
        self.fast = [(float((f.start - scenario.horizon.start).days), f.weeks * 7.0, f.persons * f.realisation)
                     for f in cfg.fast_track]
        self.queue: deque["Household"] = deque()
        self._then: dict[int, "Callable[[], None] | None"] = {}  # per household in the queue
        self.permit_at: dict[int, tuple[float, "Household"]] = {}
        self.stock_waiting_days = cfg.stock_waiting_days
        bands = scenario.start.reception.permit_age_distribution
        self.matched_share = scenario.start.reception.permit_matched_share
        self._stock_since: list[float] = []  # permit times of the matched stock, queue order
        self.permit_bands = cumulative_bands(bands)
        self._changed = env.event()
        self.credit, self._t0 = 0.0, 0.0
        self._token: object | None = None  # the armed offer
        self._idle = True
        rec.add_source(self.levels)
        env.process(self._boundaries())

    # ------------------------------------------------------------------ permit holders
    def await_housing(self, hh: "Household", stock: bool = False,
                      then: "Callable[[], None] | None" = None) -> None:
        """Matching, the queue, then out of reception (called with the permit granted);
        callbacks, no process: ``then`` is called once the household has left."""
        env = self.env
        since = env.now - (self.stream.from_bands(self.permit_bands, self.stock_waiting_days) if stock else 0.0)
        self.permit_at[hh.hid] = (since, hh)
        if stock and self.matched_share > 0 and self.stream.random() < self.matched_share:
            self._queue_stock(hh, since, then)  # matched before the start: in the queue already
            return
        days = self.policy.params.reception.housing.matching_days[household_type(hh)]
        wait = self.stream.exponential(days)
        if env.now + wait < self.end:  # matched after the run: no event
            env.timeout(wait).callbacks.append(lambda _e: self._matched(hh, then))

    def _queue_stock(self, hh: "Household", since: float, then: "Callable[[], None] | None") -> None:
        """A permit holder of the starting stock already matched: into the queue in order of
        the permit (the oldest first, as the queue's order of matching mostly is)."""
        i = bisect_right(self._stock_since, since)
        self._stock_since.insert(i, since)
        self.queue.insert(i, hh)
        self._then[hh.hid] = then
        if self._idle:
            self._idle = False
            self._step()

    def _matched(self, hh: "Household", then: "Callable[[], None] | None") -> None:
        self._then[hh.hid] = then
        self.queue.append(hh)
        if self._idle:
            self._idle = False
            self._step()

    def _offered(self, hh: "Household", then: "Callable[[], None] | None") -> None:
        now = self.env.now
        if hh.blocked(now):  # no move to a municipality in isolation/quarantine
            self.env.timeout(hh.blocked_until() - now).callbacks.append(lambda _e: self._offered(hh, then))
            return
        self.permit_at.pop(hh.hid, None)
        self.leave(hh)
        self.housed(hh)
        if then is not None:
            then()

    def housed(self, hh: "Household") -> None:
        """Count a household housed in a municipality (also pre-matched resettlement)."""
        now = self.env.now
        self.rec.count("coa.housed", now, hh.size)
        self.rec.count(f"coa.housed_{household_type(hh)}", now, hh.size)
        self.rec.count("housing.realised", now, hh.size)
        self.housed_half += hh.size

    def family_joined(self, n: int) -> None:
        """Family members (nareis) move in with a sponsor who lives in a municipality: the
        share ``family_counted`` of them counts against the target and takes offers that
        COA's permit holders would otherwise get (the credit may go below zero: the next
        offer to the queue comes later). Offers are not banked, so with nobody in the queue
        they take nothing from it."""
        counted = n * self.policy.params.reception.housing.family_counted
        if counted <= 0:
            return
        self.rec.count("housing.realised", self.env.now, counted)
        self.rec.count("housing.realised_family", self.env.now, counted)
        self.housed_half += counted
        if not self._idle:
            self.credit -= counted

    # ------------------------------------------------------------------ offers
    def rate(self) -> float:
        """Persons offered a house per day now."""
        now, half = self.env.now, self.halves[self.k]
        r = self.policy.params.reception.housing.realisation
        base = self.effective * r / max(half.end - half.start, 1e-9)
        fast = sum(p / d for s, d, p in self.fast if s <= now < s + d)
        return base + fast

    def _next_edge(self) -> float:
        now = self.env.now
        edges = [self.halves[self.k].end] if self.k + 1 < len(self.halves) else []
        edges += [t for s, d, _ in self.fast for t in (s, s + d) if t > now]
        return min(edges, default=math.inf)

    def _boundaries(self) -> Generator[simpy.Event, object, None]:
        """Close each half-year (carry the arrears) and mark fast-track edges."""
        env = self.env
        while True:
            t = self._next_edge()
            if t == math.inf:
                return
            yield env.timeout(t - env.now)
            if self.k + 1 < len(self.halves) and env.now >= self.halves[self.k].end:
                co = self.policy.params.reception.housing.carry_over
                self.k += 1
                self.arrears_in, self.effective = close_half(
                    self.effective, self.housed_half, self.halves[self.k].target, co)
                self.housed_half = 0.0
            changed, self._changed = self._changed, env.event()
            changed.succeed()

    def _step(self) -> None:
        """Arm the offer for the head of the queue (or fall idle): one timer, dropped at a
        phase change or a half-year/fast-track edge (callbacks, no process, no Condition)."""
        if not self.queue:
            self.credit = 0.0  # offers that find no one are not banked
            self._idle = True
            return
        env = self.env
        rate = self.rate()
        hh = self.queue[0]
        token = self._token = object()
        k0 = self.k

        def fire(_e: object) -> None:
            self._fire(token, rate, k0)

        self.policy.changed.callbacks.append(fire)
        self._changed.callbacks.append(fire)
        if rate <= 0:
            return
        self._t0 = env.now
        env.timeout(max(hh.size - self.credit, 0.0) / rate).callbacks.append(
            lambda _e: self._fire(token, rate, k0, timer=True))

    def _fire(self, token: object, rate: float, k0: int, timer: bool = False) -> None:
        """The offer: the head of the queue is housed when the credit covers it. Its move
        (``_offered``) comes where a wakeup event succeeded here would have been processed:
        right after this callback when it is the timer's (its only callback) and nothing
        else is due now, otherwise as an event scheduled now."""
        if token is not self._token:
            return  # another of the three (timer, phase change, edge) came first
        self._token = None
        env, offered = self.env, None
        if rate > 0:
            self.credit += (env.now - self._t0) * rate
            hh = self.queue[0]
            if self.credit >= hh.size - 1e-9:
                self.queue.popleft()
                self.credit -= hh.size
                then = self._then.pop(hh.hid)
                if timer and env.peek() > env.now:
                    offered = (hh, then)
                else:
                    env.timeout(0.0).callbacks.append(lambda _e: self._offered(hh, then))
            if self.k != k0:  # a new half-year: what was offered in the old one and not
                self.credit = 0.0  # used (less than one household) lapses with it
        self._step()
        if offered is not None:
            self._offered(*offered)

    # ------------------------------------------------------------------ levels
    def levels(self, t: float) -> dict[str, float]:
        limit = t - 7.0 * WAIT_WEEKS
        waiting = sum(hh.size for since, hh in self.permit_at.values() if since < limit)
        return {
            "housing.target": self.effective,
            "housing.arrears": self.arrears_in,
            "housing.housed_half": self.housed_half,
            "coa.housing_queue": sum(h.size for h in self.queue),
            "coa.permit_holders_waiting_14w": waiting,
        }


METRICS = (
    Metric("coa.housed", "reception", "count", "persons/week", "housed in municipalities",
           "permit holders leaving COA for a home in a municipality", contract=True,
           label_nl="gehuisvest in gemeenten"),
    Metric("coa.housed_single", "reception", "count", "persons/week", "housed, singles",
           "single-person permit households housed in a municipality", contract=True,
           label_nl="gehuisvest, alleenstaanden"),
    Metric("coa.housed_family", "reception", "count", "persons/week", "housed, families",
           "persons of permit households of two or more housed in a municipality", contract=True,
           label_nl="gehuisvest, gezinnen"),
    Metric("housing.realised", "reception", "count", "persons/week", "housing realised (target count)",
           "persons counted against the municipal target: permit holders housed from COA, resettled "
           "refugees, and family members joining a sponsor in a municipality (the published "
           "realisation's definition)", "huisvesting gerealiseerd", contract=True),
    Metric("housing.realised_family", "reception", "count", "persons/week", "housing realised: family",
           "family members (nareis) joining a sponsor in a municipality, counted against the target",
           contract=True, label_nl="huisvesting gerealiseerd: nareizigers"),
    Metric("housing.target", "reception", "level", "persons", "housing target (half-year)",
           "effective municipal target of the current half-year: own target + carried arrears",
           "taakstelling"),
    Metric("housing.arrears", "reception", "level", "persons", "housing arrears carried over",
           "arrears carried into the current half-year from the one before", "achterstand"),
    Metric("housing.housed_half", "reception", "level", "persons", "housed this half-year",
           "persons housed so far in the current half-year", label_nl="gehuisvest dit halfjaar"),
    Metric("coa.housing_queue", "reception", "level", "persons", "matched, waiting for a house",
           "permit holders matched to a municipality and waiting for the house", label_nl="wachtend op huisvesting"),
    Metric("coa.permit_holders_waiting_14w", "reception", "level", "persons",
           "permit holders waiting > 14 weeks",
           "permit holders in COA whose permit is more than 14 weeks old (statutory norm)",
           contract=True, label_nl="statushouders langer dan 14 weken wachtend", key="permit holders waiting >14 wk"),
)
