"""Replications: run the model, collect weekly tables with provenance.

Replication r of every scenario uses the streams derived from (seed, r), so scenarios are
compared with common random numbers, and results do not depend on which worker ran what.
"""
from __future__ import annotations

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

from .. import __version__
from ..results import Results
from ..scenario.schema import Scenario

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
    """Run one replication; an exception is caught and recorded with its traceback."""
    from ..metrics.weekly import tidy, weekly_values
    from ..model.chain import Chain

    t0 = time.perf_counter()
    try:
        chain = Chain(scenario, replication, seed)
        rec = chain.run()
        values = weekly_values(rec, scenario.horizon.weeks)
        frame = tidy(values, scenario.horizon.start, scenario.name, replication)
        return RunRecord(replication, frame, time.perf_counter() - t0, chain.events_processed)
    except Exception:  # recorded, not raised: one failing run must not sink a batch
        log.exception("replication %d of %s failed", replication, scenario.name)
        return RunRecord(replication, None, time.perf_counter() - t0, 0, traceback.format_exc())


def run_scenario(scenario: Scenario, reps: int | None = None, seed: int | None = None,
                 workers: int | None = None, progress: Any = None, executor: Any = None) -> Results:
    """Run ``reps`` replications with an executor (default: local processes, ``workers=1``:
    in this process); see ``experiment.executors``."""
    from .executors import ProcessExecutor, SerialExecutor

    reps = scenario.replications if reps is None else reps
    seed = scenario.seed if seed is None else seed
    t0 = time.time()
    own = executor is None
    if executor is None:
        workers = workers or min(reps, os.cpu_count() or 1)
        executor = SerialExecutor() if workers <= 1 or reps == 1 else ProcessExecutor(workers)
    jobs = ((r, simulate, (scenario, r, seed)) for r in range(reps))
    by_rep: dict[int, RunRecord] = {}
    try:
        for r, rec in executor.run(jobs):
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
    manifest = make_manifest(scenario, records, seed, t0, workers, executor.name)
    return Results(weekly, manifest, scenario)


def make_manifest(scenario: Scenario, records: list[RunRecord], seed: int, t0: float, workers: int,
                  executor: str) -> dict[str, Any]:
    """The provenance of one scenario's replications (what ``ketensim report`` shows)."""
    return {
        "scenario_name": scenario.name,
        "scenario_hash": scenario_hash(scenario),
        "scenario": scenario.model_dump(mode="json"),
        "seed": seed,
        "replications": [
            {"replication": r.replication, "runtime_s": round(r.runtime_s, 3), "events": r.events,
             "error": r.error}
            for r in records
        ],
        "package_version": __version__,
        "python": platform.python_version(),
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(t0)),
        "wall_time_s": round(time.time() - t0, 3),
        "workers": workers,
        "executor": executor,
    }
