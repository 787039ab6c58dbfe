"""``ketensim size`` on a scenario: the lever as an override, replications with common random
numbers, the window statistic, and the outputs (``size.json``, ``size.png``).

The search itself (``experiment.size.search``) knows nothing of scenarios; this module turns
a scenario, a lever path and a condition on a metric into its ``evaluate_reps`` function.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Any, Callable, Sequence

from .size import STATS, Condition, OnEval, SizeError, SizeResult, search, window_stat


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
    if end < start:
        raise SizeError(f"--window {text!r}: ends before it starts")
    return (start - dt.timedelta(days=start.isoweekday() - 1), end - dt.timedelta(days=end.isoweekday() - 1))


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


def size_scenario(path: str, lever: str | Sequence[str], metric: str, window: str, stat: str,
                  at_most: float | None = None, at_least: float | None = None, prob: float = 0.9,
                  reps: int = 20, low: float | None = None, high: float | None = None,
                  step: float | None = None, seed: int | None = None, overrides: tuple[str, ...] = (),
                  executor: Any = None, on_eval: OnEval | None = None,
                  slack: int = 0, curtail: bool = True, prefix: bool = True) -> SizeResult:
    """``search`` on a scenario: every candidate value is the override ``LEVER=value`` in the
    one override grammar (``path@DATE`` or ``path@phase`` included), run on replications
    0..reps-1 with the same seed. Several levers are tied: each candidate sets all of them.
    The replications of a value run as many at a time as the executor has workers, and stop
    once the value's verdict is certain (``curtail``; the same answer as running them all).
    With ``prefix`` and a lever that takes effect later than the start, each replication's
    part before it runs once and is continued per value (``size_fork``; local executors on
    POSIX, checked against a straight run first)."""
    from ..scenario.loader import load_scenario
    from .executors import SerialExecutor
    from .runner import scenario_hash, simulate

    if (at_most is None) == (at_least is None):
        raise SizeError("give exactly one of --at-most V or --at-least V")
    if stat not in STATS:
        raise SizeError(f"--stat {stat!r}: expected one of {', '.join(STATS)}")
    base = load_scenario(path, overrides)
    start, end = parse_window(window)
    h = base.horizon
    if start < h.start or end > h.end:
        raise SizeError(f"--window {window}: outside the horizon {h.start}..{h.end}")
    levers = [lever] if isinstance(lever, str) else list(lever)
    if not levers:
        raise SizeError("give a --lever")
    lever = " + ".join(levers)  # several overrides tied to one value (e.g. one place count in two phases)
    current = lever_base(base, levers[0])
    integer = isinstance(current, int)
    from ..policy.timeline import build_timeline

    in_force = max(float(lever_base(ph.params, lv)) for ph in build_timeline(base) for lv in levers)
    first_high = 2 * in_force if in_force > 0 else None  # a first bracket from the values in use
    if step is None:
        if not integer and high is None:
            raise SizeError(f"--lever {lever} is a real number: give --step (and --high)")
        step = 1.0 if integer else (float(high) - float(low or 0.0)) / 64  # type: ignore[arg-type]
    if step <= 0 or (integer and step != int(step)):
        raise SizeError(f"--step must be {'a whole number ' if integer else ''}> 0, got {step:g}")
    seed = base.seed if seed is None else seed
    cond = Condition(at_most if at_most is not None else at_least, at_most is not None)  # type: ignore[arg-type]
    executor = executor or SerialExecutor()

    scenarios: dict[float, Any] = {}

    def text_of(v: float) -> str:
        return str(int(v)) if integer else repr(float(v))

    def scenario_for(v: float) -> Any:
        if v not in scenarios:
            scenarios[v] = load_scenario(path, [*overrides, *(f"{lv}={text_of(v)}" for lv in levers)])
        return scenarios[v]

    def outcome_of(weekly: Any) -> float:
        per = window_stat(weekly, metric, start, end, stat)
        return float(per.iloc[0]) if not per.empty else math.nan

    low_v = float(low if low is not None else 0)
    low_v = float(int(round(low_v))) if integer else low_v
    forks, done = _prefix_forks(scenario_for, low_v, high, first_high, step, seed, reps, executor, outcome_of) \
        if prefix else (None, {})

    def evaluate_reps(v: float, replications: Sequence[int]) -> list[float]:
        """The window statistic of the given replications at lever value v (the full run:
        the weekly table of every metric, as ``ketensim run`` makes it)."""
        out: dict[int, float] = {r: done[(v, r)] for r in replications if (v, r) in done}
        todo = [r for r in replications if r not in out]
        if forks is not None:
            try:
                out.update(forks.run(scenario_for(v), todo))
            except (RuntimeError, OSError) as exc:
                raise SizeError(f"{lever}={text_of(v)}: a replication failed: {exc} "
                                "(--straight runs every replication from the start)") from None
        elif todo:
            records = dict(executor.run((r, simulate, (scenario_for(v), r, seed)) for r in todo))
            for r in todo:
                rec = records[r]
                if rec.weekly is None:
                    last = ((rec.error or "").strip().splitlines() or ["?"])[-1]
                    raise SizeError(f"{lever}={text_of(v)}: a replication failed: {last}")
                out[r] = outcome_of(rec.weekly)
        if any(math.isnan(out[r]) for r in replications):
            raise SizeError(f"--metric {metric!r}: not in the results of {base.name}")
        return [out[r] for r in replications]

    try:
        res = search(None, reps, cond, prob, low if low is not None else 0, high, step, integer,
                     lever, seed=seed, on_eval=on_eval, slack=slack, first_high=first_high,
                     evaluate_reps=evaluate_reps, batch=max(1, int(getattr(executor, "workers", 1))),
                     curtail=curtail)
    except SizeError as exc:
        if exc.result is not None:
            exc.result.context = _context(path, base, metric, window, stat, seed, overrides, scenario_hash)
        raise
    finally:
        if forks is not None:
            forks.close()
    res.context = _context(path, base, metric, window, stat, seed, overrides, scenario_hash)
    res.context["prefix"] = (f"the run up to day {forks.day:g} once per replication, continued per value "
                             "(checked bit-identical against a straight run)") if forks is not None else "none"
    return res


def _prefix_forks(scenario_for: Callable[[float], Any], low: float, high: float | None, first_high: float | None,
                  step: float, seed: int, reps: int, executor: Any,
                  outcome_of: Callable[[Any], float]) -> tuple[Any, dict[tuple[float, int], float]]:
    """Parked replications for a lever that takes effect after the start (``size_fork``), or
    None: not POSIX, a Dask executor, too many replications, a lever in force from the start,
    or a continued run that differs from a straight one. Also the outcome the check computed."""
    from . import size_fork
    from .executors import ProcessExecutor, SerialExecutor

    if not size_fork.available() or not isinstance(executor, (SerialExecutor, ProcessExecutor)) \
            or reps > size_fork.MAX_PARKED:
        return None, {}
    check = high if high is not None else (first_high if first_high is not None and first_high > low else low + 8 * step)
    check = float(check)
    try:
        parked, other = scenario_for(low), scenario_for(check)
    except Exception:  # an invalid value: the search reports it in its own words
        return None, {}
    day = size_fork.prefix_day(parked, other)
    if day is None:
        return None, {}
    forks = size_fork.PrefixForks(parked, seed, day, executor.workers, outcome_of)
    try:
        table = size_fork.verified(forks, other, 0)
    except (RuntimeError, OSError):  # a failed run, or no fork (memory, process limit): run straight
        table = None
    if table is None:
        forks.close()
        return None, {}
    return forks, {(check, 0): outcome_of(table)}


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
    text = json.dumps(res.to_json(), indent=1, default=str)

    def write_json(p: Path) -> None:
        p.write_text(text)

    atomic_write(d / "size.json", write_json)
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
    full = [e for e in ev if e.get("prob") is not None]
    ax.plot([e["value"] for e in full], [e["prob"] for e in full], "o-", color="C0", label="P(condition) over replications")
    cut = [e for e in ev if e.get("prob") is None]
    if cut:  # curtailed: the verdict is certain, P only bounded by the replications run
        lo_, hi_ = ([e["prob_bounds"][i] for e in cut] for i in (0, 1))
        ax.vlines([e["value"] for e in cut], lo_, hi_, color="C0", lw=3, alpha=0.45,
                  label="P bounded (replications stopped once the verdict was certain)")
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
