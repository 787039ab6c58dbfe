"""The recorder: parts emit counts, samples and week-end levels; nothing is aggregated here.

Weekly tables are built afterwards by pure functions (``metrics.weekly``).
"""
from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Callable, Iterator

import numpy as np

from .registry import Registry


class Level:
    """A stock that keeps its time integral, for time-averaged levels (Little's law)."""

    __slots__ = ("value", "area", "_t")

    def __init__(self, value: float = 0.0, t: float = 0.0) -> None:
        self.value, self.area, self._t = value, 0.0, t

    def add(self, t: float, delta: float) -> None:
        if t > self._t:
            self.area += self.value * (t - self._t)
            self._t = t
        self.value += delta

    def take_area(self, t: float) -> float:
        """Integral since the last call (and reset), up to time t."""
        self.add(t, 0.0)
        area, self.area = self.area, 0.0
        return area


class FutureLevel:
    """A stock whose changes may be known ahead of time (counted flows), read at week ends.

    A change at time t is binned like a count (day int(t), so week int(t) // 7; before the
    start: the opening value), so the week-end value and the week's counts always agree:
    value[w] = value[w-1] + changes in week w, also for a change exactly at a week end.
    Changes after the horizon (or never: inf) are dropped.
    """

    __slots__ = ("buckets", "_value", "_upto")

    def __init__(self, n_weeks: int) -> None:
        self.buckets = np.zeros(n_weeks + 2)  # [before the start, week 1, ..., week n, after]
        self._value = 0.0
        self._upto = -1  # buckets already summed into _value

    def _bucket(self, t: float) -> int:
        return 0 if t < 0 else min(int(t) // 7 + 1, len(self.buckets) - 1)

    def add(self, t: float, delta: float) -> None:
        if t == math.inf:
            return
        b = self._bucket(t)
        if b <= self._upto:  # not ahead: applies from now on
            self._value += delta
        else:
            self.buckets[b] += delta

    def add_many(self, times: np.ndarray, delta: float) -> None:
        times = np.asarray(times, dtype=float)
        times = times[np.isfinite(times)]
        b = np.where(times < 0, 0, np.minimum(np.floor(np.maximum(times, 0)) // 7 + 1, len(self.buckets) - 1))
        b = b.astype(np.int64)
        now = b <= self._upto
        self._value += delta * int(now.sum())
        self.buckets += delta * np.bincount(b[~now], minlength=len(self.buckets))

    def value_at(self, t: float) -> float:
        """The value at the end of week round(t / 7) (t = 0: the opening value)."""
        w = min(max(int(round(t / 7.0)), 0), len(self.buckets) - 2)
        while self._upto < w:
            self._upto += 1
            self._value += float(self.buckets[self._upto])
        return self._value


class Recorder:
    """Daily counters, per-event samples and week-end levels of one replication."""

    def __init__(self, n_days: int, registry: Registry | None = None) -> None:
        self.n_days = n_days
        self.registry = registry if registry is not None else Registry()
        self._until = n_days  # counts and samples are kept for 0 <= t < _until
        self.counts: dict[str, list[float]] = {}
        self.samples: dict[str, list[tuple[float, float]]] = {}
        self.levels: dict[str, list[float]] = {}
        self._sources: list[Callable[[float], dict[str, float]]] = []

    @contextmanager
    def seeding(self) -> Iterator[None]:
        """Starting stocks are placed inside this block: what parts count while placing them
        is stock, not flow, so no count or sample is kept (their levels hold the stock)."""
        self._until = -1
        try:
            yield
        finally:
            self._until = self.n_days

    def count(self, metric: str, t: float, n: float = 1) -> None:
        if 0 <= t < self._until:
            try:
                self.counts[metric][int(t)] += n
            except KeyError:
                day = self.counts[metric] = [0.0] * self.n_days
                day[int(t)] += n

    def count_ahead(self, metric: str, t: float, n: float = 1) -> None:
        """``count`` of an event planned for time t (a counted flow, drawn when its path
        starts): a flow even when planned while stocks are seeded, so ``seeding`` does not
        drop it."""
        if 0 <= t < self.n_days:
            day = self.counts.get(metric)
            if day is None:
                day = self.counts[metric] = [0.0] * self.n_days
            day[int(t)] += n

    def count_many(self, metric: str, times: np.ndarray, n: float | np.ndarray = 1.0) -> None:
        """``count_ahead`` for many planned events at once; times outside the horizon and
        inf (never) are dropped."""
        times = np.asarray(times, dtype=float)
        weights = np.broadcast_to(np.asarray(n, dtype=float), times.shape)
        inside = (times >= 0) & (times < self.n_days)
        if not inside.any():
            return
        per_day = np.bincount(times[inside].astype(np.int64), weights=weights[inside],
                              minlength=self.n_days)
        day = self.counts.get(metric)
        if day is None:
            day = self.counts[metric] = [0.0] * self.n_days
        for i in np.flatnonzero(per_day):
            day[i] += float(per_day[i])

    def sample(self, metric: str, t: float, value: float) -> None:
        if 0 <= t < self._until:
            self.samples.setdefault(metric, []).append((t, value))

    def add_source(self, fn: Callable[[float], dict[str, float]]) -> None:
        """A function returning week-end levels; called once per week by ``snapshot``."""
        self._sources.append(fn)

    def snapshot(self, t: float) -> None:
        for fn in self._sources:
            for metric, value in fn(t).items():
                self.levels.setdefault(metric, []).append(float(value))
