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
           slack: int = 0) -> SizeResult:
    """Find the lever value where P(condition) first reaches ``prob``.

    The direction follows from the ends: when the condition is more likely at ``high`` the
    answer is the smallest value that meets it, otherwise the largest. Without ``high`` the
    upper end doubles from ``low`` until the condition is met there (at most
    ``max_doublings`` times). A dip of the probability by up to ``slack`` replications
    between evaluated values is reported but accepted (paths of a discrete-event model can
    diverge after a change even with common random numbers); a larger one is refused. Raises ``SizeError`` with the evaluations made so far when the
    probability is not monotone on them or the range holds no answer."""
    if not 0 < prob <= 1:
        raise SizeError(f"--prob must be in (0, 1], got {prob}")
    s = _Search(evaluate, cond, reps, on_eval)
    low = _grid(low, integer)
    p_low = s.prob(low)
    if high is None:
        high, k = max(low + step, 2 * low if low > 0 else 8 * step), 0
        while s.prob(_grid(high, integer)) < prob and k < max_doublings:
            high, k = low + 2 * (high - low), k + 1
    high = _grid(high, integer)
    if high <= low:
        raise SizeError(f"--high ({high:g}) must be above --low ({low:g})")
    p_high = s.prob(high)
    direction: Literal["smallest", "largest"] = "smallest" if p_high >= p_low else "largest"
    ok_at = (lambda v: s.prob(v) >= prob)

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


# ---------------------------------------------------------------------------- scenarios
def parse_window(text: str) -> tuple[dt.date, dt.date]:
    """'2020-W38..2020-W53' (or dates) -> (Monday of the first week, Monday of the last)."""
    from ..clock import parse_when

    a, sep, b = text.partition("..")
    if not sep:
        raise SizeError(f"--window {text!r}: expected FROM..TO, e.g. 2020-W38..2020-W53")
    try:
        start, end = parse_when(a), parse_when(b)
    except ValueError as exc:
        raise SizeError(f"--window {text!r}: {exc}") from None
    monday = (lambda d: d - dt.timedelta(days=d.isoweekday() - 1))
    if end < start:
        raise SizeError(f"--window {text!r}: ends before it starts")
    return monday(start), monday(end)


def lever_base(scenario: Any, lever: str) -> Any:
    """The lever's value in the resolved base scenario (its type decides integer steps)."""
    from ..scenario.loader import parse_override

    key, _, _ = parse_override(f"{lever}=0")
    node: Any = scenario.model_dump()
    for part in key.split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise SizeError(f"--lever {lever}: {key!r} is not a parameter of the scenario")
    if isinstance(node, bool) or not isinstance(node, (int, float)):
        raise SizeError(f"--lever {lever}: {key!r} is {node!r}, not a number")
    return node


def size_scenario(path: str, lever: str, metric: str, window: str, stat: str,
                  at_most: float | None = None, at_least: float | None = None, prob: float = 0.9,
                  reps: int = 20, low: float | None = None, high: float | None = None,
                  step: float | None = None, seed: int | None = None, overrides: tuple[str, ...] = (),
                  executor: Any = None, on_eval: Callable[[float, float], None] | None = None,
                  slack: int = 0) -> SizeResult:
    """``search`` on a scenario: every candidate value is the override ``LEVER=value`` in the
    one override grammar (``path@DATE`` or ``path@phase`` included), run on replications
    0..reps-1 with the same seed."""
    from ..scenario.loader import load_scenario
    from .compare import run_replications
    from .executors import SerialExecutor
    from .runner import scenario_hash

    if (at_most is None) == (at_least is None):
        raise SizeError("give exactly one of --at-most V or --at-least V")
    if stat not in STATS:
        raise SizeError(f"--stat {stat!r}: expected one of {', '.join(STATS)}")
    base = load_scenario(path, overrides)
    start, end = parse_window(window)
    h = base.horizon
    if start < h.start or end > h.end:
        raise SizeError(f"--window {window}: outside the horizon {h.start}..{h.end}")
    current = lever_base(base, lever)
    integer = isinstance(current, int)
    if step is None:
        if not integer and high is None:
            raise SizeError(f"--lever {lever} is a real number: give --step (and --high)")
        step = 1.0 if integer else (float(high) - float(low or 0.0)) / 64  # type: ignore[arg-type]
    if step <= 0 or (integer and step != int(step)):
        raise SizeError(f"--step must be {'a whole number ' if integer else ''}> 0, got {step:g}")
    seed = base.seed if seed is None else seed
    cond = Condition(at_most if at_most is not None else at_least, at_most is not None)  # type: ignore[arg-type]
    executor = executor or SerialExecutor()

    def evaluate(v: float) -> np.ndarray:
        text = str(int(v)) if integer else repr(float(v))
        sc = load_scenario(path, [*overrides, f"{lever}={text}"])
        (recs,) = run_replications([sc], reps, [seed], executor, None)
        frames = [r.weekly for r in recs if r.weekly is not None]
        if len(frames) < reps:
            err = next(r.error for r in recs if r.error)
            raise SizeError(f"{lever}={text}: a replication failed: {err.strip().splitlines()[-1]}")
        per = window_stat(pd.concat(frames, ignore_index=True), metric, start, end, stat)
        if per.empty:
            raise SizeError(f"--metric {metric!r}: not in the results of {base.name}")
        return per.reindex(range(reps)).to_numpy(dtype=float)

    try:
        res = search(evaluate, reps, cond, prob, low if low is not None else 0, high, step, integer,
                     lever, seed=seed, on_eval=on_eval, slack=slack)
    except SizeError as exc:
        if exc.result is not None:
            exc.result.context = _context(path, base, metric, window, stat, seed, overrides, scenario_hash)
        raise
    res.context = _context(path, base, metric, window, stat, seed, overrides, scenario_hash)
    return res


def _context(path: str, base: Any, metric: str, window: str, stat: str, seed: int,
             overrides: tuple[str, ...], scenario_hash: Callable[[Any], str]) -> dict[str, Any]:
    from .sweep import code_version

    return {"scenario": str(path), "scenario_name": base.name, "scenario_hash": scenario_hash(base),
            "overrides": list(overrides), "metric": metric, "window": window, "stat": stat,
            "seed": seed, "seeds": "every value runs replications 0..reps-1 on the named streams of "
                                  "(seed, r): common random numbers", "code": code_version()}


def default_out(path: str, res: SizeResult) -> str:
    """results/size/<scenario>-<short hash of the question>."""
    import hashlib
    import json
    from pathlib import Path

    q = {k: res.context.get(k) for k in ("scenario_hash", "metric", "window", "stat", "seed", "overrides")}
    q.update(lever=res.lever, prob=res.prob, condition=res.condition, reps=res.reps)
    h = hashlib.sha256(json.dumps(q, sort_keys=True, default=str).encode()).hexdigest()[:8]
    return f"results/size/{Path(path).stem}-{h}"


def write_size(res: SizeResult, out: str) -> tuple[str, str]:
    """``size.json`` and ``size.png`` (probability against the lever) in ``out``."""
    import json
    from pathlib import Path

    from .store import atomic_write

    d = Path(out)
    atomic_write(d / "size.json", lambda p: p.write_text(json.dumps(res.to_json(), indent=1, default=str)))
    fig = plot_size(res).figure
    atomic_write(d / "size.png", lambda p: fig.savefig(p, format="png", dpi=110))
    return str(d / "size.json"), str(d / "size.png")


def plot_size(res: SizeResult, ax: Any = None) -> Any:
    """P(condition) at every evaluated value, the target probability and the answer; returns
    the Axes (drawn outside pyplot)."""
    from ..report.plots import new_figure

    if ax is None:
        ax = new_figure((7, 4)).add_subplot()
    ev = res.evaluations
    ax.plot([e["value"] for e in ev], [e["prob"] for e in ev], "o-", color="C0", label="P(condition) over replications")
    ax.axhline(res.prob, color="grey", ls="--", label=f"target P = {res.prob:g}")
    if res.value is not None:
        ax.axvline(res.value, color="C3", label=f"{res.direction} value: {res.value:g}")
    lo, hi = res.interval
    if lo is not None or hi is not None:
        xs = [e["value"] for e in ev]
        ax.axvspan(lo if lo is not None else min(xs), hi if hi is not None else max(xs), color="C3",
                   alpha=0.12, label="90% bootstrap interval")
    ax.set_xlabel(res.lever)
    ax.set_ylabel(f"P({res.context.get('stat', '')} {res.context.get('metric', 'outcome')} {res.condition})")
    ax.set_ylim(-0.03, 1.03)
    ax.set_title(f"{res.context.get('scenario_name', '')}: {res.reps} replications (CRN), "
                 f"window {res.context.get('window', '')}", fontsize=9)
    ax.legend(fontsize=8, loc="best")
    return ax
