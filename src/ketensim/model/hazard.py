"""Piecewise-constant rates known in advance (from the policy timeline or an input series).

Event times under a time-varying rate are drawn exactly by inverting the cumulative rate:
with E ~ Exp(1), the event happens at the first T where the integral of the rate from now
to T reaches E. This needs no polling and no redraw at phase boundaries.
"""
from __future__ import annotations

import math
from bisect import bisect_right
from typing import TYPE_CHECKING, Generator

if TYPE_CHECKING:
    import simpy

    from .streams import Stream


class PiecewiseRate:
    """Rate r_i (events per day) from start_i until the next start; the last holds forever."""

    __slots__ = ("starts", "rates")

    def __init__(self, steps: list[tuple[float, float]]) -> None:
        steps = sorted(steps, key=lambda s: s[0])  # by start only: stable for equal starts
        self.starts = [s for s, _ in steps]
        self.rates = [max(0.0, r) for _, r in steps]

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
