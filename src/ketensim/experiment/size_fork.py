"""Shared prefix for ``ketensim size``: with a lever that takes effect on a date (``path@DATE``,
``path@phase``), every candidate value runs the same chain up to that date (common random
numbers, named streams). So each replication runs that prefix once, in a process parked at
the date, and each value continues a ``fork()`` of it: the child puts the value's phases in
place of the ones still to come and runs on to the end.

This is only sound when nothing before the date depends on the lever's later values: parts
that integrate a hazard ahead of time (``PolicyProcess.schedule``) or look ahead
(``params_at``) read them at build time. ``PrefixForks.verified`` therefore compares, before
any outcome is used, one continued replication with a straight run at another value: the
weekly tables must be bit-identical, or the straight runs are used throughout. That check is
one replication at one value (a sample, not a proof); the tests hold the shipped lever to it.

POSIX only (``os.fork``); one parked process per replication (about 200 MB each for the
2020 chain), at most ``workers`` of them computing at a time. Results do not depend on the
number of workers: each outcome is that of the same continued run.
"""
from __future__ import annotations

import dataclasses
import logging
import os
import signal
import traceback
from multiprocessing import Pipe
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Sequence

import pandas as pd

log = logging.getLogger(__name__)

MAX_PARKED = 40
"""More replications than this run straight (parked processes hold a chain each)."""


def available() -> bool:
    return hasattr(os, "fork") and hasattr(os, "waitpid")


def prefix_day(scenario_a: Any, scenario_b: Any) -> float | None:
    """The first day at which the timelines of two lever values differ, when everything before
    it is the same (same base parameters, same steps, same parameters up to it); None when
    the values differ from the start or the timelines differ in shape."""
    from ..policy.timeline import build_timeline

    if _parameters(scenario_a) != _parameters(scenario_b):
        return None
    ta, tb = build_timeline(scenario_a), build_timeline(scenario_b)
    if [p.start_day for p in ta] != [p.start_day for p in tb]:
        return None
    for pa, pb in zip(ta, tb):
        if _parameters(pa.params) != _parameters(pb.params):
            return pa.start_day if pa.start_day > 0 else None
    return None


def _parameters(scenario: Any) -> dict[str, Any]:
    """The parameters in force (a step's params also carry the scenario's phases and dated
    changes, which differ with the lever's value by construction)."""
    return scenario.model_dump(mode="python", exclude={"changes", "phases"})


def _continue(chain: Any, scenario: Any, day: float, replication: int) -> pd.DataFrame:
    """The parked chain with ``scenario``'s steps from ``day`` on, run to the end: the weekly
    table, as ``runner.simulate`` makes it."""
    from ..metrics.weekly import tidy, weekly_values
    from ..model.chain import gc_paused
    from ..policy.timeline import build_timeline

    new = build_timeline(scenario)
    old = chain.policy.phases
    with gc_paused():
        for o, n in zip(old, new):  # in place: the policy process holds these very objects
            if o.start_day >= day:
                for f in dataclasses.fields(n):
                    object.__setattr__(o, f.name, getattr(n, f.name))
        chain.scenario = scenario
        rec = chain.run()
        values = weekly_values(rec, scenario.horizon.weeks)
        return tidy(values, scenario.horizon.start, scenario.name, replication)


def _parked(conn: Connection, scenario: Any, replication: int, seed: int, day: float,
            reduce: Callable[[pd.DataFrame], Any]) -> None:  # pragma: no cover - child
    """A parked replication: build, run to ``day``, then fork a continuation per request."""
    from ..model.chain import Chain, gc_paused

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides; it closes the pipe
    try:
        with gc_paused():
            chain = Chain(scenario, replication, seed)
            chain.env.run(until=day)
    except BaseException:
        err = traceback.format_exc()
        chain = None
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        value_scenario, table = msg
        if chain is None:
            conn.send(("error", err))
            continue
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                frame = _continue(chain, value_scenario, day, replication)
                conn.send(("ok", frame if table else reduce(frame)))
            except BaseException:
                code = 1
                try:
                    conn.send(("error", traceback.format_exc()))
                except BaseException:
                    code = 2
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status) or os.WEXITSTATUS(status) == 2:
            conn.send(("error", f"the continuation of replication {replication} died (status {status})"))


class PrefixForks:
    """One parked process per replication, forked from this one on first use."""

    def __init__(self, scenario: Any, seed: int, day: float, workers: int,
                 reduce: Callable[[pd.DataFrame], Any] = lambda frame: frame) -> None:
        """``scenario``: the parked value's; ``reduce``: what a continuation sends back of
        its weekly table (inherited by the fork, so it need not pickle)."""
        self.scenario, self.seed, self.day, self.workers = scenario, seed, day, max(1, workers)
        self.reduce = reduce
        self.parked: dict[int, tuple[int, Connection]] = {}

    def _park(self, r: int) -> Connection:
        if r not in self.parked:
            ours, theirs = Pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - child: never returns into the parent's code
                code = 0
                try:
                    ours.close()
                    for _, other in self.parked.values():  # the others' pipes are not this one's
                        other.close()
                    _parked(theirs, self.scenario, r, self.seed, self.day, self.reduce)
                except BaseException:
                    code = 1
                os._exit(code)
            theirs.close()
            self.parked[r] = (pid, ours)
        return self.parked[r][1]

    def run(self, scenario: Any, replications: Sequence[int], table: bool = False) -> dict[int, Any]:
        """replication -> ``reduce(weekly table)`` (with ``table`` the table itself) of the
        continued runs with ``scenario``, at most ``workers`` at a time. A failed run raises
        ``RuntimeError`` with its traceback's last line."""
        todo, out = list(replications), {}
        busy: dict[Any, int] = {}
        while todo or busy:
            while todo and len(busy) < self.workers:
                r = todo.pop(0)
                conn = self._park(r)
                conn.send((scenario, table))
                busy[conn] = r
            for ready in wait(list(busy)):
                r = busy.pop(ready)
                try:
                    kind, payload = _as_connection(ready).recv()
                except (EOFError, OSError):
                    kind, payload = "error", f"the parked process of replication {r} died"
                if kind != "ok":
                    self.close()
                    last = (str(payload).strip().splitlines() or ["?"])[-1]
                    raise RuntimeError(f"replication {r}: {last}")
                out[r] = payload
        return out

    def close(self) -> None:
        for pid, conn in self.parked.values():
            try:
                conn.send(None)
                conn.close()
            except OSError:
                pass
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        self.parked.clear()

    def __enter__(self) -> PrefixForks:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _as_connection(ready: Any) -> Connection:
    """A connection ``multiprocessing.connection.wait`` returned (it returns what it was given)."""
    assert isinstance(ready, Connection)
    return ready


def straight(scenario: Any, replication: int, seed: int) -> Callable[[], pd.DataFrame]:
    """Start a straight run in a forked child (this process stays free of threads and of the
    run's memory); the function returned waits for its weekly table."""
    from .runner import simulate

    ours, theirs = Pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child: never returns into the parent's code
        code = 0
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            ours.close()
            rec = simulate(scenario, replication, seed)
            theirs.send(rec.weekly if rec.weekly is not None else rec.error)
        except BaseException:
            code = 1
        os._exit(code)
    theirs.close()

    def table() -> pd.DataFrame:
        try:
            got = ours.recv()
        except (EOFError, OSError):
            got = "the straight run's process died"
        finally:
            os.waitpid(pid, 0)
        if not isinstance(got, pd.DataFrame):
            raise RuntimeError(f"replication {replication}: {got}")
        return got

    return table


def verified(forks: PrefixForks, scenario: Any, replication: int = 0) -> pd.DataFrame | None:
    """The continued run of ``replication`` at ``scenario`` (another value than the parked
    one) when its weekly table is bit-identical to a straight run's; None otherwise."""
    pending = straight(scenario, replication, forks.seed)  # alongside the prefix and its continuation
    try:
        cont = forks.run(scenario, [replication], table=True)[replication]
    finally:
        ref = pending()
    if cont.equals(ref):
        return cont
    log.warning("the run continued from the lever's date differs from a straight run (replication %d): "
                "something before the date depends on the lever's later values; running every "
                "replication from the start", replication)
    return None
