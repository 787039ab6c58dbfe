"""The recorder: parts emit counts, samples and week-end levels; nothing is aggregated here.

Weekly tables are built afterwards by pure functions (``metrics.weekly``).
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

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
            day = self.counts.get(metric)
            if day is None:
                day = self.counts[metric] = [0.0] * self.n_days
            day[int(t)] += n

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
