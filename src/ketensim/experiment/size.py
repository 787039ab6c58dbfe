"""Sizing: the smallest (or largest) lever value for which a condition on an outcome holds
with a given probability over replications.

Planners ask the inverse question ("how many places so that nobody goes unplaced, with 90%
certainty?"). Every candidate value runs on the same replications (common random numbers:
replication r always uses the streams of (seed, r)), so the probability is a paired,
low-noise function of the lever. The search brackets the answer and bisects, which is only
valid when the probability is monotone in the lever: the evaluated points are checked and a
non-monotone response is refused, not papered over. The interval for the value comes from
a bootstrap over replications on the evaluated points.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Literal

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

Stat = Literal["sum", "mean", "max", "min", "end"]
STATS: tuple[str, ...] = ("sum", "mean", "max", "min", "end")
Evaluate = Callable[[float], np.ndarray]
"""lever value -> the outcome of every replication (same replications for every value)."""


class SizeError(ValueError):
    """The search cannot give an answer (no bracket, non-monotone response)."""

    def __init__(self, message: str, result: "SizeResult | None" = None) -> None:
        super().__init__(message)
        self.result = result


@dataclass(frozen=True)
class Condition:
    """``outcome <= bound`` (at_most) or ``outcome >= bound`` (at_least) per replication."""

    bound: float
    at_most: bool = True

    def holds(self, outcome: np.ndarray) -> np.ndarray:
        return outcome <= self.bound if self.at_most else outcome >= self.bound

    def __str__(self) -> str:
        return f"{'<=' if self.at_most else '>='} {self.bound:g}"


@dataclass
class SizeResult:
    """The answer with everything needed to judge it (written as ``size.json``)."""

    lever: str
    value: float | None
    prob: float
    prob_achieved: float | None
    prob_below: float | None
    interval: tuple[float | None, float | None]
    direction: Literal["smallest", "largest"]
    monotone: bool
    reps: int
    step: float
    condition: str
    evaluations: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""
    context: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "lever": self.lever, "value": self.value, "prob": self.prob,
            "prob_achieved": self.prob_achieved, "prob_below": self.prob_below,
            "interval": list(self.interval), "interval_level": 0.9, "direction": self.direction,
            "monotone": self.monotone, "reps": self.reps, "step": self.step,
            "condition": self.condition, "note": self.note, "evaluations": self.evaluations,
            **self.context,
        }


# ---------------------------------------------------------------------------- outcome
def window_stat(weekly: pd.DataFrame, metric: str, start: dt.date, end: dt.date, stat: str) -> pd.Series:
    """Per replication: ``stat`` of one metric's weekly values over the ISO weeks whose
    Monday lies in [start, end]. The only place this module reduces a weekly table (one
    switch to the shared statistics module when that lands)."""
    ws = pd.to_datetime(weekly.week_start)
    df = weekly[(weekly.metric == metric) & (ws >= pd.Timestamp(start)) & (ws <= pd.Timestamp(end))]
    g = df.sort_values("week_start").groupby("replication")["value"]
    if stat == "end":
        return g.last()
    return getattr(g, stat)()


# ---------------------------------------------------------------------------- search
class _Search:
    """Evaluated points, cached: value -> per-replication outcomes."""

    def __init__(self, evaluate: Evaluate, cond: Condition, reps: int,
                 on_eval: Callable[[float, float], None] | None = None) -> None:
        self.evaluate, self.cond, self.reps, self.on_eval = evaluate, cond, reps, on_eval
        self.outcomes: dict[float, np.ndarray] = {}

    def prob(self, v: float) -> float:
        if v not in self.outcomes:
            y = np.asarray(self.evaluate(v), dtype=float)
            if y.shape != (self.reps,) or np.isnan(y).any():
                raise SizeError(f"lever value {v:g}: expected {self.reps} replication outcomes, got "
                                f"{int(np.sum(~np.isnan(y)))} (a replication failed or the metric is missing)")
            self.outcomes[v] = y
            log.info("value %g: P(%s) = %.3f", v, self.cond, self.cond.holds(y).mean())
            if self.on_eval:
                self.on_eval(v, float(self.cond.holds(y).mean()))
        return float(self.cond.holds(self.outcomes[v]).mean())

    def table(self) -> list[dict[str, Any]]:
        return [{"value": v, "prob": float(self.cond.holds(y).mean()), "mean": float(y.mean()),
                 "p10": float(np.quantile(y, 0.1)), "p90": float(np.quantile(y, 0.9)),
                 "outcomes": [float(x) for x in y]}
                for v, y in sorted(self.outcomes.items())]


def _snap(v: float, low: float, step: float) -> float:
    """The grid point at or below v (values are low + k * step)."""
    return low + math.floor((v - low) / step + 1e-9) * step


def _grid(v: float, integer: bool) -> float:
    return float(int(round(v))) if integer else round(v, 12)


def search(evaluate: Evaluate, reps: int, cond: Condition, prob: float, low: float,
           high: float | None = None, step: float = 1.0, integer: bool = True,
           lever: str = "lever", max_doublings: int = 10, bootstrap: int = 2000,
           seed: int = 0, on_eval: Callable[[float, float], None] | None = None,
           slack: int = 0, first_high: float | None = None) -> SizeResult:
    """Find the lever value where P(condition) first reaches ``prob``.

    The direction follows from the ends: when the condition is more likely at ``high`` the
    answer is the smallest value that meets it, otherwise the largest. Without ``high`` the
    upper end starts at ``first_high`` (default 2 x low, or 8 steps) and doubles its distance
    from ``low`` until the condition is met there (at most ``max_doublings`` times). A dip of
    the probability by up to ``slack`` replications between evaluated values is reported but
    accepted (paths of a discrete-event model can diverge after a change even with common
    random numbers); a larger one is refused. Raises ``SizeError`` with the evaluations made
    so far when the probability is not monotone on them or the range holds no answer."""
    if not 0 < prob <= 1:
        raise SizeError(f"--prob must be in (0, 1], got {prob}")
    s = _Search(evaluate, cond, reps, on_eval)
    low = _grid(low, integer)
    p_low = s.prob(low)
    if high is None:
        guess = first_high if first_high is not None and first_high > low else (2 * low if low > 0 else 8 * step)
        high, k = max(low + step, guess), 0
        while s.prob(_grid(high, integer)) < prob and k < max_doublings:
            high, k = low + 2 * (high - low), k + 1
    high = _grid(high, integer)
    if high <= low:
        raise SizeError(f"--high ({high:g}) must be above --low ({low:g})")
    p_high = s.prob(high)
    direction: Literal["smallest", "largest"] = "smallest" if p_high >= p_low else "largest"

    def ok_at(v: float) -> bool:
        return s.prob(v) >= prob

    def result(value: float | None, achieved: float | None, below: float | None, note: str) -> SizeResult:
        mono, why = _monotone(s, direction, slack)
        res = SizeResult(lever, value, prob, achieved, below, (None, None), direction, mono, reps,
                         step, str(cond), s.table(), note)
        if why and mono:  # a dip within the slack: said, not refused
            res.note = "; ".join(x for x in (note, f"dip of at most {slack} replication(s): {why}") if x)
        if not mono:
            res.note = why
            raise SizeError(f"{lever}: the probability is not monotone in the lever ({why}); bisection "
                            "would be invalid: narrow --low/--high or use more --reps", res)
        res.interval = _bootstrap(s, direction, prob, bootstrap, seed)
        return res

    if direction == "smallest":
        if ok_at(low):
            return result(low, p_low, None, f"already met at --low {low:g}")
        if not ok_at(high):
            raise SizeError(f"{lever}: P({cond}) is {p_high:.2f} at {high:g}, below {prob:g}; "
                            "no value in range meets it (raise --high)", result(None, None, None, ""))
        lo, hi = low, high  # P(lo) < prob <= P(hi)
    else:
        if not ok_at(low):
            raise SizeError(f"{lever}: P({cond}) is {max(p_low, p_high):.2f} at best in [{low:g}, {high:g}], "
                            f"below {prob:g}", result(None, None, None, ""))
        if ok_at(high):
            return result(high, p_high, None, f"still met at --high {high:g}")
        lo, hi = low, high  # P(lo) >= prob > P(hi)
    while hi - lo > step * (1 + 1e-9):
        mid = _grid(_snap((lo + hi) / 2, low, step), integer)
        if mid <= lo:
            mid = _grid(lo + step, integer)
        if ok_at(mid) == (direction == "smallest"):
            hi = mid
        else:
            lo = mid
    if direction == "smallest":
        return result(hi, s.prob(hi), s.prob(lo), "")
    return result(lo, s.prob(lo), s.prob(hi), "")


def _monotone(s: _Search, direction: str, slack: int) -> tuple[bool, str]:
    """Is P non-decreasing (smallest) / non-increasing (largest) over the evaluated values,
    up to ``slack`` replications? Returns (ok, the largest dip found, if any)."""
    pts = sorted((v, float(s.cond.holds(y).mean())) for v, y in s.outcomes.items())
    sign = 1 if direction == "smallest" else -1
    worst, why = 0.0, ""
    for i, (va, pa) in enumerate(pts):
        for vb, pb in pts[i + 1:]:
            dip = sign * (pa - pb)
            if dip > worst + 1e-12:
                worst, why = dip, f"P = {pa:.2f} at {va:g} but {pb:.2f} at {vb:g}"
    return worst * s.reps <= slack + 1e-9, why


def _bootstrap(s: _Search, direction: str, prob: float, n: int, seed: int) -> tuple[float | None, float | None]:
    """90% interval of the answer over bootstrap resamples of the replications (the same
    resampled replications at every evaluated value, as in the search itself). The answer of
    a resample is the first evaluated value from which the condition holds on (smallest) or
    the last up to which it holds (largest); None when no evaluated value qualifies."""
    values = np.array(sorted(s.outcomes))
    ok = np.array([s.cond.holds(s.outcomes[v]) for v in values], dtype=float)  # values x reps
    reps = ok.shape[1]
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0x5153,)))
    idx = rng.integers(0, reps, size=(n, reps))
    probs = ok[:, idx].mean(axis=2).T >= prob - 1e-12  # n x values
    answers = []
    for row in probs:
        if direction == "smallest":
            tail = np.flip(np.logical_and.accumulate(np.flip(row)))  # holds from here on
            answers.append(values[tail.argmax()] if tail.any() else math.nan)
        else:
            head = np.logical_and.accumulate(row)
            answers.append(values[len(head) - 1 - np.flip(head).argmax()] if head.any() else math.nan)
    a = np.array(answers)
    a = np.where(np.isnan(a), math.inf if direction == "smallest" else -math.inf, a)  # out of range
    lo_, hi_ = (float(np.quantile(a, q, method="lower" if q < 0.5 else "higher")) for q in (0.05, 0.95))
    return (lo_ if math.isfinite(lo_) else None, hi_ if math.isfinite(hi_) else None)
