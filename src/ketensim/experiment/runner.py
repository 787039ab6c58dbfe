"""Replications: run the model, collect weekly tables with provenance.

Replication r of every scenario uses the streams derived from (seed, r), so scenarios are
compared with common random numbers, and results do not depend on which worker ran what.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import platform
import time
import traceback
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .. import __version__, native
from ..scenario.schema import Scenario
from ..scenario.size import check_size, expected_size  # noqa: F401 - re-exported
from .results import Results

log = logging.getLogger(__name__)


def scenario_hash(scenario: Scenario) -> str:
    """Hash of what the results depend on: the report's windows do not change a run, and a
    scenario without dated changes hashes as before they existed (stores stay valid)."""
    data = scenario.model_dump(mode="json", exclude={"report"})
    if not data.get("changes"):
        data.pop("changes", None)
    blob = json.dumps(data, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


@dataclass
class RunRecord:
    """One replication's weekly table and how it came about."""

    replication: int
    weekly: pd.DataFrame | None
    runtime_s: float
    events: int
    error: str | None = None


def simulate(scenario: Scenario, replication: int, seed: int | None = None) -> RunRecord:
    """Run one replication; an exception is caught and recorded with its traceback.

    The cyclic collector stays paused until the weekly table is built: a collection in
    between would only rescan the live chain (and promote it to an older generation); the
    chain is dropped before the collector resumes, so its first collection frees it."""
    from ..metrics.weekly import tidy, weekly_values
    from ..model.chain import Chain, gc_paused

    t0 = time.perf_counter()
    try:
        with gc_paused():
            chain = Chain(scenario, replication, seed)
            rec = chain.run()
            values = weekly_values(rec, scenario.horizon.weeks)
            frame = tidy(values, scenario.horizon.start, scenario.name, replication)
            events = chain.events_processed
            chain.close()  # freed by reference counting, not by a collection of the whole chain
            del chain, rec  # unreachable before the collector resumes
        return RunRecord(replication, frame, time.perf_counter() - t0, events)
    except MemoryError:  # no traceback formatted: that would need memory there is none of
        error = (f"MemoryError: replication {replication} of {scenario.name} ran out of memory "
                 "(fewer persons: smaller stocks, inflow or scales; or fewer workers)")
        log.info("%s", error)  # the front end reports failed replications (one line)
        return RunRecord(replication, None, time.perf_counter() - t0, 0, error)
    except Exception as exc:  # recorded, not raised: one failing run must not sink a batch
        text = traceback.format_exc()  # kept with the run; on the terminal one line (-v: all)
        last = (str(exc).strip().splitlines() or [""])[-1]
        log.info("replication %d of %s failed: %s: %s", replication, scenario.name, type(exc).__name__, last)
        log.debug("%s", text)
        return RunRecord(replication, None, time.perf_counter() - t0, 0, text)


def lost_record(key: Any, args: tuple[Any, ...], error: str) -> RunRecord:
    """The record of a replication whose worker process died (``simulate`` job args)."""
    return RunRecord(int(args[1]), None, 0.0, 0, error)


simulate.on_worker_lost = lost_record  # type: ignore[attr-defined]  # read by the executors


def check_seed(seed: Any, what: str = "seed") -> int:
    from ..scenario.bounds import MAX_SEED
    from ..scenario.errors import ScenarioError

    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise ScenarioError(what, "", f"must be a whole number from 0 to {MAX_SEED}, got {seed!r}")
    return seed


def check_count(value: Any, what: str, minimum: int = 1) -> int:
    """A whole number of replications, workers or a point, checked as the CLI checks it:
    ``0``, ``-1``, ``True`` or ``2.5`` are a ``ScenarioError`` naming the argument."""
    from ..scenario.errors import ScenarioError

    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ScenarioError(what, "", f"must be a whole number >= {minimum}, got {value!r}")
    return value


class StoredRuns:
    """An executor wrapper that keeps every finished ``simulate`` job in a ``RunStore``
    (point i, replication r for job key (i, r)) and, on a rerun, yields the verified stored
    ones instead of running them again: ``run`` and ``compare`` resume after Ctrl-C or a
    kill. A stored run is reused only when its seed and scenario hash match the job."""

    def __init__(self, inner: Any, store: Any) -> None:
        self.inner, self.store = inner, store
        self.name, self.workers = inner.name, inner.workers
        self.reused = 0

    def run(self, jobs: Any, on_lost: Any = None) -> Any:
        status = self.store.status()
        todo: dict[Any, tuple[Any, Any, Any]] = {}
        for key, fn, args in jobs:
            point, rep = key if isinstance(key, tuple) else (0, key)
            rec = self._stored(point, rep, args) if status.get((point, rep)) else None
            if rec is not None:
                self.reused += 1
                yield key, rec
            else:
                todo[key] = (key, fn, args)
        pending = iter(todo.values())
        results = self.inner.run(pending, on_lost=on_lost) if on_lost else self.inner.run(pending)
        for key, rec in results:
            point, rep = key if isinstance(key, tuple) else (0, key)
            args = todo[key][2]
            self.store.write_run(point, rep, rec.weekly, {
                "seed": args[2], "scenario_hash": scenario_hash(args[0]), "runtime_s": round(rec.runtime_s, 4),
                "events": rec.events, "error": rec.error, "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
            yield key, rec

    def _stored(self, point: int, rep: int, args: tuple[Any, ...]) -> RunRecord | None:
        path = self.store.path(point, rep)
        meta = self.store.run_meta(path)
        if meta.get("seed") != args[2] or meta.get("scenario_hash") != scenario_hash(args[0]):
            return None
        weekly = pd.read_parquet(path).drop(columns=["point"])
        weekly["week_start"] = weekly["week_start"].astype("datetime64[s]")
        for col, dtype in (("replication", "int32"), ("iso_year", "int16"), ("iso_week", "int8")):
            weekly[col] = weekly[col].astype(dtype)
        return RunRecord(rep, weekly, float(meta.get("runtime_s", 0.0)), int(meta.get("events", 0)))

    def close(self) -> None:
        self.inner.close()


def run_scenario(scenario: Scenario, reps: int | None = None, seed: int | None = None,
                 workers: int | None = None, progress: Any = None, executor: Any = None,
                 store: str | os.PathLike[str] | None = None, overrides: Any = ()) -> Results:
    """Run ``reps`` replications with an executor (default: local processes, ``workers=1``:
    in this process); see ``experiment.executors``. With a ``store`` folder every finished
    replication is kept there as it finishes, and a rerun reuses them (resume). The
    expected size is checked before the first replication."""
    from .executors import ProcessExecutor, SerialExecutor
    from .store import RunStore

    reps = scenario.replications if reps is None else check_count(reps, "reps")
    if workers is not None:
        check_count(workers, "workers")
    seed = check_seed(scenario.seed if seed is None else seed)
    check_size(scenario, reps)
    t0 = time.time()
    own = executor is None
    if executor is None:
        workers = workers or min(reps, os.cpu_count() or 1)
        executor = SerialExecutor() if workers <= 1 or reps == 1 else ProcessExecutor(workers)
    runs = RunStore(store) if store is not None else None
    jobs = ((r, simulate, (scenario, r, seed)) for r in range(reps))
    by_rep: dict[int, RunRecord] = {}
    with runs.lock() if runs is not None else contextlib.nullcontext():
        ex = StoredRuns(executor, runs) if runs is not None else executor
        if runs is not None:
            runs.write_manifest({"kind": "run", "status": "partial", "scenario_name": scenario.name,
                                 "scenario_hash": scenario_hash(scenario), "seed": seed, "replications": reps,
                                 "note": "finished replications of an unfinished run; rerun the same "
                                         "command to resume"})
        try:
            for r, rec in ex.run(jobs):  # a lost worker: simulate.on_worker_lost records it
                by_rep[r] = rec
                if progress:
                    progress(len(by_rep), reps)
        finally:
            if own:
                executor.close()
    records = [by_rep[r] for r in sorted(by_rep)]
    workers = executor.workers
    frames = [r.weekly for r in records if r.weekly is not None]
    weekly = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    manifest = make_manifest(scenario, records, seed, t0, workers, executor.name, overrides)
    manifest["resumed_replications"] = ex.reused if isinstance(ex, StoredRuns) else 0
    return Results(weekly, manifest, scenario)


def make_manifest(scenario: Scenario, records: list[RunRecord], seed: int, t0: float, workers: int,
                  executor: str, overrides: Any = ()) -> dict[str, Any]:
    """The provenance of one scenario's replications (what ``ketensim report`` shows)."""
    return {
        "scenario_name": scenario.name,
        "scenario_hash": scenario_hash(scenario),
        "scenario": scenario.model_dump(mode="json"),
        "overrides": list(overrides),
        "seed": seed,
        "replications": [
            {"replication": r.replication, "runtime_s": round(r.runtime_s, 3), "events": r.events,
             "error": r.error}
            for r in records
        ],
        "package_version": __version__,
        "python": platform.python_version(),
        "model_build": native.running(),  # compiled or pure Python (same results)
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(t0)),
        "wall_time_s": round(time.time() - t0, 3),
        "workers": workers,
        "executor": executor,
    }
