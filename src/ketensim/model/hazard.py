"""Piecewise-constant rates known in advance (from the policy timeline or an input series).

Event times under a time-varying rate are drawn exactly by inverting the cumulative rate:
with E ~ Exp(1), the event happens at the first T where the integral of the rate from now
to T reaches E. This needs no polling and no redraw at phase boundaries.
"""
from __future__ import annotations

import math
from bisect import bisect_right
from typing import TYPE_CHECKING, Generator

import numpy as np

if TYPE_CHECKING:
    import simpy

    from .streams import Stream


ARRIVAL_CHUNK = 256
"""Exponential gaps drawn at a time by ``PiecewiseRate.arrivals`` (fixed, so that the draws
of the first events never depend on how far the horizon reaches)."""


class PiecewiseRate:
    """Rate r_i (events per day) from start_i until the next start; the last holds forever."""

    __slots__ = ("starts", "rates", "_knots")

    def __init__(self, steps: list[tuple[float, float]]) -> None:
        steps = sorted(steps, key=lambda s: s[0])  # by start only: stable for equal starts
        self.starts = [s for s, _ in steps]
        self.rates = [max(0.0, r) for _, r in steps]
        self._knots: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    # ------------------------------------------------------------------ many at once
    def _cumulative_knots(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Knots x_i, rates r_i and the cumulative rate L_i at each knot (L_0 = 0). The first
        rate holds before the first start, so a start of -inf is anchored at the next one."""
        if self._knots is None:
            x = np.array(self.starts, dtype=float)
            if len(x) and not np.isfinite(x[0]):
                x[0] = x[1] if len(x) > 1 else 0.0
            r = np.array(self.rates, dtype=float)
            cum = np.concatenate([[0.0], np.cumsum(r[:-1] * np.diff(x))])
            self._knots = (x, r, cum)
        return self._knots

    def cumulative(self, t: np.ndarray) -> np.ndarray:
        """The integral of the rate from the first knot to each t (negative before it)."""
        x, r, cum = self._cumulative_knots()
        t = np.asarray(t, dtype=float)
        i = np.clip(np.searchsorted(x, t, side="right") - 1, 0, len(x) - 1)
        with np.errstate(invalid="ignore"):
            out = cum[i] + r[i] * (t - x[i])
        return np.where(np.isinf(t), t, out)

    def inverse(self, y: np.ndarray) -> np.ndarray:
        """The first time at which the cumulative rate reaches each y (inf if never)."""
        x, r, cum = self._cumulative_knots()
        y = np.asarray(y, dtype=float)
        i = np.clip(np.searchsorted(cum, y, side="left") - 1, 0, len(x) - 1)
        ri = r[i]
        with np.errstate(divide="ignore", invalid="ignore"):
            out = x[i] + (y - cum[i]) / ri
        return np.where((ri > 0) & np.isfinite(y), out, math.inf)

    def next_times(self, t: np.ndarray, e: np.ndarray) -> np.ndarray:
        """``next_time`` for many (t, e) at once: for counted flows that need no process."""
        return self.inverse(self.cumulative(t) + e)

    def arrivals(self, t0: float, t1: float, rng: np.random.Generator) -> np.ndarray:
        """Sorted event times of the Poisson process at this rate on [t0, t1): unit-rate
        exponential gaps on the integrated rate, mapped back by its inverse. The gaps are drawn
        in fixed-size chunks, so the first k times do not depend on t1: a longer horizon only
        adds later events (no look-ahead; the 2020 part of a three-year run is the 2020 run)."""
        lo, hi = self.cumulative(np.array([t0, t1]))
        points: list[np.ndarray] = []
        at = float(lo)
        while at < hi:
            chunk = at + np.cumsum(rng.standard_exponential(ARRIVAL_CHUNK))
            points.append(chunk[chunk < hi])
            at = float(chunk[-1])
        if not points:
            return np.empty(0)
        return self.inverse(np.concatenate(points))

    def at(self, t: float) -> float:
        i = bisect_right(self.starts, t) - 1
        return self.rates[max(i, 0)]

    def next_time(self, t: float, e: float) -> float:
        """The time at which the integral of the rate from t reaches e (inf if never)."""
        i = max(bisect_right(self.starts, t) - 1, 0)
        n = len(self.starts)
        while True:
            r = self.rates[i]
            end = self.starts[i + 1] if i + 1 < n else math.inf
            if r > 0:
                need = e / r
                if t + need <= end:
                    return t + need
                e -= r * (end - t)
            if end == math.inf:
                return math.inf
            t, i = end, i + 1


def product(a: PiecewiseRate, b: PiecewiseRate) -> PiecewiseRate:
    """The pointwise product of two piecewise rates (e.g. an input series thinned by a
    phase-dependent factor), exact on the union of their breakpoints."""
    starts = sorted(set(a.starts) | set(b.starts))
    return PiecewiseRate([(s, a.at(s) * b.at(s)) for s in starts])


def wait_for(env: "simpy.Environment", rate: PiecewiseRate,
             stream: "Stream") -> Generator["simpy.Event", object, bool]:
    """Wait until the next event of ``rate`` (one Exp(1) draw from ``stream``); returns False
    at once when it never comes. ``while (yield from wait_for(...)):`` is a Poisson process."""
    t = rate.next_time(env.now, stream.exponential(1.0))
    if t == math.inf:
        return False
    yield env.timeout(t - env.now)
    return True
