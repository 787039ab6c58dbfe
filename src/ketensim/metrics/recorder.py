"""The recorder: parts emit counts, samples and week-end levels; nothing is aggregated here.

Weekly tables are built afterwards by pure functions (``metrics.weekly``).
"""
from __future__ import annotations

from typing import Callable

import numpy as np


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


class PlannedLevel:
    """A stock whose changes are known ahead (counted flows): sorted times of +1 and -1.

    ``value_at(t)`` counts changes strictly before t, as a week-end snapshot (taken before
    anything else at that instant) sees a ``Level``.
    """

    __slots__ = ("ins", "outs", "start")

    def __init__(self, ins: np.ndarray, outs: np.ndarray, start: float = 0.0) -> None:
        self.ins = np.sort(np.asarray(ins, dtype=float))
        self.outs = np.sort(np.asarray(outs, dtype=float))
        self.start = start

    def value_at(self, t: float) -> float:
        return self.start + float(np.searchsorted(self.ins, t, side="left")
                                  - np.searchsorted(self.outs, t, side="left"))


class Recorder:
    """Daily counters, per-event samples and week-end levels of one replication."""

    def __init__(self, n_days: int) -> None:
        self.n_days = n_days
        self.counts: dict[str, list[float]] = {}
        self.samples: dict[str, list[tuple[float, float]]] = {}
        self.levels: dict[str, list[float]] = {}
        self._sources: list[Callable[[float], dict[str, float]]] = []

    def count(self, metric: str, t: float, n: float = 1) -> None:
        if 0 <= t < self.n_days:
            day = self.counts.get(metric)
            if day is None:
                day = self.counts[metric] = [0.0] * self.n_days
            day[int(t)] += n

    def count_many(self, metric: str, times: np.ndarray, n: float | np.ndarray = 1.0) -> None:
        """``count`` for many events at once (counted flows); times outside the horizon and
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
        if 0 <= t < self.n_days:
            self.samples.setdefault(metric, []).append((t, value))

    def add_source(self, fn: Callable[[float], dict[str, float]]) -> None:
        """A function returning week-end levels; called once per week by ``snapshot``."""
        self._sources.append(fn)

    def snapshot(self, t: float) -> None:
        for fn in self._sources:
            for metric, value in fn(t).items():
                self.levels.setdefault(metric, []).append(float(value))
