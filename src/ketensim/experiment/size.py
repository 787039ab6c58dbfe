"""Sizing: the smallest (or largest) lever value for which a condition on an outcome holds
with a given probability over replications.

Planners ask the inverse question ("how many places so that nobody goes unplaced, with 90%
certainty?"). Every candidate value runs on the same replications (common random numbers:
replication r always uses the streams of (seed, r)), so the probability is a paired,
low-noise function of the lever. The search brackets the answer and bisects, which is only
valid when the probability is monotone in the lever: the evaluated points are checked and a
non-monotone response is refused, not papered over. The interval for the value comes from
a bootstrap over replications on the evaluated points.

A value's verdict (at least ``ceil(prob * reps)`` replications meet the condition) is often
certain long before all replications ran: curtailed evaluation stops there, so the verdicts,
and with them the answer, are those of the full design (its error rate, not a new one). The
probabilities at the answer and one step from it are completed; elsewhere only bounds are
known, and replications are added only where the bootstrap needs them to give the interval
all replications would give.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Sequence

import numpy as np
import pandas as pd

from ..analysis.stats import Window, WindowFigure

log = logging.getLogger(__name__)

Stat = Literal["sum", "mean", "max", "min", "end"]
STATS: tuple[str, ...] = ("sum", "mean", "max", "min", "end")
Evaluate = Callable[[float], np.ndarray]
"""lever value -> the outcome of every replication (same replications for every value)."""
EvaluateReps = Callable[[float, Sequence[int]], Sequence[float]]
"""(lever value, replications) -> their outcomes, in that order (run together: the workers)."""
OnEval = Callable[[float, float, float, int], None]
"""Told once per new value: (value, P or its lower bound, its upper bound, replications run)."""


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
    replications_run: int = 0
    context: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "lever": self.lever, "value": self.value, "prob": self.prob,
            "prob_achieved": self.prob_achieved, "prob_below": self.prob_below,
            "interval": list(self.interval), "interval_level": 0.9, "direction": self.direction,
            "monotone": self.monotone, "reps": self.reps, "step": self.step,
            "condition": self.condition, "note": self.note, "replications_run": self.replications_run,
            "evaluations": self.evaluations,
            **self.context,
        }


# ---------------------------------------------------------------------------- outcome
def window_stat(weekly: pd.DataFrame, metric: str, start: dt.date, end: dt.date, stat: str) -> pd.Series:
    """Per replication: ``stat`` of one metric's weekly values over the ISO weeks whose
    Monday lies in [start, end]: the one figure type (``stats.WindowFigure``) over one metric."""
    figure = WindowFigure(metric, (metric,), Window.of(start, end), stat)
    return figure.values(weekly).droplevel("scenario")


# ---------------------------------------------------------------------------- search
def passes_needed(prob: float, reps: int) -> int:
    """The fewest replications meeting the condition for P >= prob (the same comparison as
    ``holds.mean() >= prob``)."""
    return next(k for k in range(reps + 1) if k / reps >= prob or k == reps)


class _Search:
    """Evaluated points and their replications.

    ``known[v]`` records the outcomes of a prefix of ``order[v]``, one replication at a time,
    so what is recorded never depends on how many ran at once (extras computed in a batch
    wait in ``cache``). With ``curtail`` a value stops as soon as its verdict is certain:
    ``need`` replications met the condition, or more than ``reps - need`` did not; the
    verdict is then the one all ``reps`` replications would give."""

    def __init__(self, evaluate: Evaluate | None, cond: Condition, reps: int, prob: float,
                 on_eval: OnEval | None = None, evaluate_reps: EvaluateReps | None = None,
                 batch: int = 1, curtail: bool = True) -> None:
        self.evaluate, self.evaluate_reps, self.cond, self.reps = evaluate, evaluate_reps, cond, reps
        self.on_eval, self.batch = on_eval, max(1, batch)
        self.curtail = curtail and evaluate_reps is not None
        self.need = passes_needed(prob, reps)
        self.order: dict[float, list[int]] = {}
        self.known: dict[float, dict[int, float]] = {}
        self.cache: dict[tuple[float, int], float] = {}
        self.direction: str | None = None  # once known, orders replications likeliest-to-fail first

    # -- computing and recording
    def _compute(self, v: float, rs: list[int]) -> None:
        if self.evaluate_reps is None:
            assert self.evaluate is not None
            rs, y = list(range(self.reps)), np.asarray(self.evaluate(v), dtype=float)
            if y.shape != (self.reps,) or np.isnan(y).any():
                raise SizeError(f"lever value {v:g}: expected {self.reps} replication outcomes, got "
                                f"{int(np.sum(~np.isnan(y)))} (a replication failed or the metric is missing)")
        else:
            y = np.asarray(self.evaluate_reps(v, rs), dtype=float)
            if y.shape != (len(rs),) or np.isnan(y).any():
                raise SizeError(f"lever value {v:g}: no outcome for some of replications {rs} "
                                "(a replication failed or the metric is missing)")
        for r, x in zip(rs, y):
            self.cache[(v, r)] = float(x)

    def _record_next(self, v: float) -> None:
        """Record the next replication in v's order; compute what is missing a multiple of
        ``batch`` at a time (as many as a verdict needs at least)."""
        order, rec = self.order[v], self.known[v]
        r = order[len(rec)]
        if (v, r) not in self.cache:
            ahead = [q for q in order[len(rec):] if (v, q) not in self.cache]
            if self.curtail:
                p, f = self.counts(v)
                least = max(1, min(self.need - p, self.reps - self.need + 1 - f))  # before any verdict
                ahead = ahead[:self.batch * math.ceil(least / self.batch)]
            self._compute(v, ahead)
        rec[r] = self.cache[(v, r)]

    def _start(self, v: float) -> None:
        if v not in self.order:
            self.order[v], self.known[v] = self._order(v), {}

    def _order(self, v: float) -> list[int]:
        """Replications likeliest to fail at v first (a failing value then stops early):
        ranked by the midpoint of the bracket each replication's own threshold lies in,
        from the values where it is known to fail and to meet the condition. Any order gives
        the same verdict; this one only saves replications."""
        reps = list(range(self.reps))
        if self.direction is None or not self.known:
            return reps
        up = self.direction == "smallest"  # the condition holds from a threshold upwards
        lo_all, hi_all = min(self.known), max(self.known)
        pad = (hi_all - lo_all) or 1.0

        def threshold(r: int) -> float:
            met = {u: bool(self.cond.holds(np.array(rec[r]))) for u, rec in self.known.items() if r in rec}
            fail, ok = [u for u, m in met.items() if not m], [u for u, m in met.items() if m]
            if up:
                a, b = max(fail, default=lo_all - pad), min(ok, default=hi_all + pad)
            else:
                a, b = max(ok, default=lo_all - pad), min(fail, default=hi_all + pad)
            return (a + b) / 2

        return sorted(reps, key=lambda r: (-threshold(r) if up else threshold(r), r))

    # -- what is known
    def counts(self, v: float) -> tuple[int, int]:
        """(replications recorded that meet the condition, that do not)."""
        y = np.array(list(self.known[v].values()), dtype=float)
        p = int(self.cond.holds(y).sum()) if y.size else 0
        return p, int(y.size) - p

    def complete(self, v: float) -> bool:
        return len(self.known[v]) == self.reps

    def bounds(self, v: float) -> tuple[float, float]:
        """P at v, or the bounds on it where replications were not run."""
        p, f = self.counts(v)
        return p / self.reps, (self.reps - f) / self.reps

    def _decided(self, v: float) -> bool | None:
        p, f = self.counts(v)
        if self.complete(v) or (self.curtail and (p >= self.need or f > self.reps - self.need)):
            return p >= self.need
        return None

    def _tell(self, v: float) -> None:
        log.info("value %g: P(%s) in [%.3f, %.3f] (%d replications)", v, self.cond, *self.bounds(v), len(self.known[v]))
        if self.on_eval:
            self.on_eval(v, *self.bounds(v), len(self.known[v]))

    # -- the three questions the search asks
    def ok(self, v: float) -> bool:
        """Does P(condition) reach prob at v? (exact: curtailment stops when it is certain)"""
        new = v not in self.order
        self._start(v)
        while (d := self._decided(v)) is None:
            self._record_next(v)
        if new:
            self._tell(v)
        return d

    def prob(self, v: float) -> float:
        """P at v over all replications (runs the ones not run yet)."""
        self.ok(v)
        self.fill(v)
        return float(self.bounds(v)[0])

    def fill(self, v: float, upto: int | None = None) -> None:
        self._start(v)
        while len(self.known[v]) < (self.reps if upto is None else min(upto, self.reps)):
            self._record_next(v)

    @property
    def runs(self) -> int:
        return sum(len(rec) for rec in self.known.values())

    def table(self) -> list[dict[str, Any]]:
        out = []
        for v in sorted(self.known):
            rec = self.known[v]
            y = np.array([rec[r] for r in sorted(rec)], dtype=float)
            lo, hi = self.bounds(v)
            row: dict[str, Any] = {
                "value": v, "prob": lo if lo == hi else None, "prob_bounds": [lo, hi],
                "replications_run": len(rec), "meets": self.counts(v)[0] >= self.need,
                "mean": float(y.mean()), "p10": float(np.quantile(y, 0.1)), "p90": float(np.quantile(y, 0.9)),
                "outcomes": [rec.get(r) for r in range(self.reps)]}
            out.append(row)
        return out


def _snap(v: float, low: float, step: float) -> float:
    """The grid point at or below v (values are low + k * step)."""
    return low + math.floor((v - low) / step + 1e-9) * step


def _grid(v: float, integer: bool) -> float:
    return float(int(round(v))) if integer else round(v, 12)


def search(evaluate: Evaluate | None, reps: int, cond: Condition, prob: float, low: float,
           high: float | None = None, step: float = 1.0, integer: bool = True,
           lever: str = "lever", max_doublings: int = 10, bootstrap: int = 2000,
           seed: int = 0, on_eval: OnEval | None = None,
           slack: int = 0, first_high: float | None = None, evaluate_reps: EvaluateReps | None = None,
           batch: int = 1, curtail: bool = True) -> SizeResult:
    """Find the lever value where P(condition) first reaches ``prob``.

    The direction follows from the ends: when the condition is more likely at ``high`` the
    answer is the smallest value that meets it, otherwise the largest. Without ``high`` the
    upper end starts at ``first_high`` (default 2 x low, or 8 steps) and doubles its distance
    from ``low`` until the condition is met there (at most ``max_doublings`` times). A dip of
    the probability by up to ``slack`` replications between evaluated values is reported but
    accepted (paths of a discrete-event model can diverge after a change even with common
    random numbers); a larger one is refused. Raises ``SizeError`` with the evaluations made
    so far when the probability is not monotone on them or the range holds no answer.

    ``evaluate`` gives all replications of a value at once; ``evaluate_reps(value, reps)``
    the given replications (``batch`` at a time: the workers). With it and ``curtail`` a
    value's replications stop once its verdict is certain (the same verdict as all of them,
    so the same answer); the answer and its neighbour are then completed (exact P there),
    and further replications run only where the bootstrap interval needs them to be the
    one all replications would give."""
    if not 0 < prob <= 1:
        raise SizeError(f"--prob must be in (0, 1], got {prob}")
    if evaluate is None and evaluate_reps is None:
        raise SizeError("search needs evaluate or evaluate_reps")
    s = _Search(evaluate, cond, reps, prob, on_eval, evaluate_reps, batch, curtail)
    low = _grid(low, integer)
    ok_low = s.ok(low)
    if high is None:
        guess = first_high if first_high is not None and first_high > low else (2 * low if low > 0 else 8 * step)
        high, k = max(low + step, guess), 0
        while not s.ok(_grid(high, integer)) and k < max_doublings:
            high, k = low + 2 * (high - low), k + 1
    high = _grid(high, integer)
    if high <= low:
        raise SizeError(f"--high ({high:g}) must be above --low ({low:g})")
    ok_high = s.ok(high)
    if ok_low != ok_high:  # P >= prob at one end only: that end is the higher P
        up = ok_high
    else:  # the same verdict at both ends: compare the probabilities themselves
        up = s.prob(high) >= s.prob(low)
    direction: Literal["smallest", "largest"] = "smallest" if up else "largest"
    s.direction = direction

    def result(value: float | None, neighbour: float | None, note: str) -> SizeResult:
        for v in (value, neighbour):  # exact probabilities at the answer and next to it
            if v is not None:
                s.fill(v)
        achieved = None if value is None else s.prob(value)
        below = None if neighbour is None else s.prob(neighbour)
        mono, why = _monotone(s, direction, slack)
        res = SizeResult(lever, value, prob, achieved, below, (None, None), direction, mono, reps,
                         step, str(cond), [], note)
        if why and mono:  # a dip within the slack: said, not refused
            res.note = "; ".join(x for x in (note, f"dip of at most {slack} replication(s): {why}") if x)
        if not mono:
            res.note = why
            res.evaluations, res.replications_run = s.table(), s.runs
            raise SizeError(f"{lever}: the probability is not monotone in the lever ({why}); bisection "
                            "would be invalid: narrow --low/--high or use more --reps", res)
        res.interval = _bootstrap(s, direction, prob, bootstrap, seed)
        res.evaluations, res.replications_run = s.table(), s.runs
        return res

    def no_answer(message: Callable[[float, float], str]) -> SizeError:
        p_low, p_high = s.prob(low), s.prob(high)
        return SizeError(message(p_low, p_high), result(None, None, ""))

    if direction == "smallest":
        if ok_low:
            return result(low, None, f"already met at --low {low:g}")
        if not ok_high:
            raise no_answer(lambda pl, ph: f"{lever}: P({cond}) is {ph:.2f} at {high:g}, below {prob:g}; "
                                           "no value in range meets it (raise --high)")
        lo, hi = low, high  # P(lo) < prob <= P(hi)
    else:
        if not ok_low:
            raise no_answer(lambda pl, ph: f"{lever}: P({cond}) is {max(pl, ph):.2f} at best in "
                                           f"[{low:g}, {high:g}], below {prob:g}")
        if ok_high:
            return result(high, None, f"still met at --high {high:g}")
        lo, hi = low, high  # P(lo) >= prob > P(hi)
    while hi - lo > step * (1 + 1e-9):
        mid = _grid(_snap((lo + hi) / 2, low, step), integer)
        if mid <= lo:
            mid = _grid(lo + step, integer)
        if s.ok(mid) == (direction == "smallest"):
            hi = mid
        else:
            lo = mid
    if direction == "smallest":
        return result(hi, lo, "")
    return result(lo, hi, "")


def _p_text(s: _Search, v: float, upper: bool) -> str:
    lo, hi = s.bounds(v)
    if lo == hi:
        return f"{lo:.2f}"
    return f"<= {hi:.2f}" if upper else f">= {lo:.2f}"


def _monotone(s: _Search, direction: str, slack: int) -> tuple[bool, str]:
    """Is P non-decreasing (smallest) / non-increasing (largest) over the evaluated values,
    up to ``slack`` replications? Returns (ok, the largest dip found, if any). Where a
    value's replications were curtailed only its bounds are known: a dip counts when the
    bounds prove it (so a dip between two values that both fail, or both meet, the target
    can go unseen in replications that were not run)."""
    pts = sorted(s.known)
    sign = 1 if direction == "smallest" else -1
    worst, why = 0.0, ""
    for i, va in enumerate(pts):
        for vb in pts[i + 1:]:
            (la, ha), (lb, hb) = s.bounds(va), s.bounds(vb)
            dip = la - hb if sign > 0 else lb - ha  # the least the dip can be
            if dip > worst + 1e-12:
                worst = dip
                why = (f"P = {_p_text(s, va, sign < 0)} at {va:g} but {_p_text(s, vb, sign > 0)} at {vb:g}")
    return worst * s.reps <= slack + 1e-9, why


def _answers(values: np.ndarray, holds: np.ndarray, direction: str) -> np.ndarray:
    """Per resample (rows of ``holds``: resamples x values) the first evaluated value from
    which the condition holds on (smallest) or the last up to which it holds (largest);
    out of range as -/+inf."""
    if direction == "smallest":
        tail = np.flip(np.logical_and.accumulate(np.flip(holds, axis=1), axis=1), axis=1)
        a = np.where(tail.any(axis=1), values[tail.argmax(axis=1)], math.inf)
    else:
        head = np.logical_and.accumulate(holds, axis=1)
        last = holds.shape[1] - 1 - np.flip(head, axis=1).argmax(axis=1)
        a = np.where(head.any(axis=1), values[last], -math.inf)
    return a


def _interval(a: np.ndarray) -> tuple[float, float]:
    return tuple(float(np.quantile(a, q, method="lower" if q < 0.5 else "higher")) for q in (0.05, 0.95))  # type: ignore[return-value]


def _bootstrap(s: _Search, direction: str, prob: float, n: int, seed: int) -> tuple[float | None, float | None]:
    """90% interval of the answer over bootstrap resamples of the replications (the same
    resampled replications at every evaluated value, as in the search itself). The answer of
    a resample is the first evaluated value from which the condition holds on (smallest) or
    the last up to which it holds (largest); None when no evaluated value qualifies.

    Where replications were not run, a resample's verdict at a value may be open; the
    interval is then bracketed by the answers with the open verdicts met and not met, and
    replications are run (one at a time, at the value most resamples wait for) until both
    brackets give the same interval: the one all replications would give."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0x5153,)))
    idx = rng.integers(0, s.reps, size=(n, s.reps))
    while True:
        values = np.array(sorted(s.known))
        met = np.zeros((len(values), s.reps))
        unknown = np.ones((len(values), s.reps))
        for i, v in enumerate(values):
            for r, y in s.known[v].items():
                met[i, r], unknown[i, r] = float(s.cond.holds(np.array(y))), 0.0
        sure = met[:, idx].mean(axis=2).T >= prob - 1e-12  # n x values
        maybe = (met + unknown)[:, idx].mean(axis=2).T >= prob - 1e-12
        a_sure, a_maybe = _answers(values, sure, direction), _answers(values, maybe, direction)
        i_sure, i_maybe = _interval(a_sure), _interval(a_maybe)
        if i_sure == i_maybe:
            lo_, hi_ = i_sure
            return (lo_ if math.isfinite(lo_) else None, hi_ if math.isfinite(hi_) else None)
        # resamples whose answer is open and could move an end of the interval
        a_min, a_max = np.minimum(a_sure, a_maybe), np.maximum(a_sure, a_maybe)
        open_ = a_min != a_max
        rel = np.zeros(n, dtype=bool)
        for k in range(2):
            g_lo, g_hi = min(i_sure[k], i_maybe[k]), max(i_sure[k], i_maybe[k])
            if g_lo != g_hi:
                rel |= open_ & (a_max >= g_lo) & (a_min <= g_hi)
        if not rel.any():
            rel = open_
        # the value each such resample waits for: walking from the end where the condition
        # holds, the first value whose verdict is open (a sure failure there would end the walk)
        cols = np.arange(len(values))[::-1] if direction == "smallest" else np.arange(len(values))
        first = np.argmax(~sure[rel][:, cols], axis=1)  # along the walk: the first not sure to hold
        counts = np.bincount(cols[first], minlength=len(values))
        pick = float(values[cols[int(np.argmax(counts[cols]))]])  # ties: nearest the end that holds
        log.debug("bootstrap: %d resamples wait for value %g", int(counts.max()), pick)
        s.fill(float(pick), len(s.known[float(pick)]) + 1)
