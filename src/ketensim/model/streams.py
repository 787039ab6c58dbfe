"""Named random streams: one generator per stochastic element, seeded from its name.

A stream is derived from (root seed, replication, stream name), never from its position,
so two scenarios that differ in one part share the random numbers of every other part
(common random numbers), and results do not depend on the order streams are created in.
"""
from __future__ import annotations

import hashlib
import math
from bisect import bisect_right

import numpy as np

_BUFFER = 2048
_log = math.log


def stream_key(name: str) -> int:
    """A stable 64-bit integer for a stream name (Python's hash() is salted per process)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")


class Stream:
    """Fast scalar draws from one generator, served from a pre-drawn buffer of uniforms."""

    __slots__ = ("rng", "_buf", "_i")

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self._buf: list[float] = []
        self._i = 0

    def random(self) -> float:
        i = self._i
        if i >= len(self._buf):
            self._buf = self.rng.random(_BUFFER).tolist()
            i = 0
        self._i = i + 1
        return self._buf[i]

    def exponential(self, mean: float) -> float:
        if not mean > 0:  # as before: no draw (nan included)
            return 0.0
        i = self._i  # random(), inline (the hot path)
        if i >= len(self._buf):
            self._buf = self.rng.random(_BUFFER).tolist()
            i = 0
        self._i = i + 1
        return -mean * _log(1.0 - self._buf[i])

    def bernoulli(self, p: float) -> bool:
        i = self._i  # random(), inline
        if i >= len(self._buf):
            self._buf = self.rng.random(_BUFFER).tolist()
            i = 0
        self._i = i + 1
        return self._buf[i] < p

    def pick(self, cumulative: list[float]) -> int:
        """Index drawn from cumulative probabilities (last element 1)."""
        return min(bisect_right(cumulative, self.random()), len(cumulative) - 1)

    def from_bands(self, bands: "tuple[list[int], list[float]] | None", mean: float) -> float:
        """A duration (days) from age bands ``(upper bounds, cumulative shares)``, uniform within
        the band drawn from the previous bound; without bands exponential with ``mean`` (the
        starting stocks' ages: IND applications, permits)."""
        if bands is None:
            return self.exponential(mean)
        bounds, cum = bands
        i = self.pick(cum)
        lo = bounds[i - 1] if i else 0
        return lo + (bounds[i] - lo) * self.random()

    def gamma(self, mean: float, cv: float) -> float:
        """Gamma with a given mean and coefficient of variation (cv 0 = deterministic)."""
        if cv <= 0 or mean <= 0:
            return mean
        shape = 1.0 / (cv * cv)
        return float(self.rng.gamma(shape, mean / shape))


class Streams:
    """All streams of one replication, looked up by name."""

    def __init__(self, root_seed: int, replication: int) -> None:
        self.root_seed, self.replication = root_seed, replication
        self._streams: dict[str, Stream] = {}

    def __call__(self, name: str) -> Stream:
        s = self._streams.get(name)
        if s is None:
            seq = np.random.SeedSequence(self.root_seed, spawn_key=(self.replication, stream_key(name)))
            s = self._streams[name] = Stream(np.random.default_rng(seq))
        return s


def cumulative_bands(shares: "dict[int, float] | None") -> "tuple[list[int], list[float]] | None":
    """``{upper bound: share}`` as (bounds, cumulative shares) for ``Stream.from_bands``."""
    if not shares:
        return None
    return list(shares), [float(c) for c in np.cumsum(list(shares.values()))]
