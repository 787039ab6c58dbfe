"""Sweeps: design points x replications, run by any executor into a resumable run store.

Replication r of every design point uses the streams of (seed, r): points are compared with
common random numbers. Each run is written to the store the moment it finishes, so a killed
sweep loses at most the runs in flight, and a rerun does only what is missing.
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
import platform
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from .. import __version__
from ..analysis.stats import Window
from ..analysis.targets import mean_ci
from ..scenario.errors import ScenarioError
from ..scenario.loader import load_scenario
from ..scenario.schema import Scenario
from .design import DesignPoint, Outcome, SweepSpec, design_points, load_sweep
from .executors import Executor, SerialExecutor
from .figures import Figure, figure_values
from .runner import scenario_hash, simulate
from .store import RunStore

log = logging.getLogger(__name__)
Progress = Callable[..., None]


def code_version() -> dict[str, str]:
    """Package version and, when run from a git checkout, the commit (``+dirty`` if so)."""
    out = {"package": __version__, "python": platform.python_version()}
    try:
        here = Path(__file__).resolve().parent
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True,
                                text=True, timeout=5).stdout.strip()
        if commit:
            dirty = subprocess.run(["git", "status", "--porcelain", "--", "."], cwd=here.parent,
                                   capture_output=True, text=True, timeout=5).stdout.strip()
            out["git"] = commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        pass
    return out


@dataclass
class SweepPlan:
    spec: SweepSpec
    base_path: Path
    seed: int
    points: list[DesignPoint]
    scenarios: list[Scenario]

    @property
    def total(self) -> int:
        return len(self.points) * self.spec.replications

    def fingerprint(self) -> str:
        """What the stored runs depend on (not the number of replications, which may grow)."""
        blob = json.dumps({"seed": self.seed, "points": [p.model_dump(mode="json") for p in self.points],
                           "hashes": [scenario_hash(s) for s in self.scenarios]}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def manifest(self, sweep_file: str) -> dict[str, Any]:
        return {
            "kind": "sweep",
            "name": self.spec.name,
            "sweep_file": sweep_file,
            "sweep": self.spec.model_dump(mode="json", by_alias=True),
            "base": str(self.base_path),
            "seed": self.seed,
            "seeds": "run (point p, replication r) uses the named streams of (seed, r): common "
                     "random numbers across points",
            "replications": self.spec.replications,
            "fingerprint": self.fingerprint(),
            "design": [{**p.model_dump(), "scenario_hash": scenario_hash(s)}
                       for p, s in zip(self.points, self.scenarios)],
            "layout": "runs/point=PPPP/rep=RRR.parquet (run provenance in the Parquet metadata)",
            "code": code_version(),
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }


def plan_sweep(path: str | Path, replications: int | None = None) -> SweepPlan:
    """Validate the sweep file and every design point's scenario before anything runs."""
    spec, base = load_sweep(path)
    if replications is not None:
        spec = spec.model_copy(update={"replications": replications})
    from .checks import check_design_size

    check_design_size(spec, str(path))
    points = design_points(spec)
    scenarios = []
    for p in points:
        try:
            scenarios.append(load_scenario(base, [*spec.set, *p.overrides()]))
        except ScenarioError as exc:
            where = f"design point {p.point} ({' '.join(p.overrides())})"
            raise ScenarioError(str(path), where, f"{exc.path}: {exc.problem}" if exc.path
                                else exc.problem) from None
    seed = spec.seed if spec.seed is not None else scenarios[0].seed
    plan = SweepPlan(spec, base, seed, points, scenarios)
    from .checks import check_sweep

    check_sweep(plan, str(path))  # outcomes, windows, metrics and size, before the first run
    return plan


def _run_job(scenario: Scenario, point: int, replication: int, seed: int) -> tuple[Any, dict[str, Any]]:
    rec = simulate(scenario, replication, seed)
    meta = {"seed": seed, "scenario_hash": scenario_hash(scenario), "runtime_s": round(rec.runtime_s, 4),
            "events": rec.events, "error": rec.error,
            "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    return rec.weekly, meta


def _lost_job(key: Any, args: tuple[Any, ...], error: str) -> tuple[None, dict[str, Any]]:
    """A run whose worker process died repeatedly: recorded failed, the sweep goes on."""
    scenario, _, _, seed = args
    return None, {"seed": seed, "scenario_hash": scenario_hash(scenario), "runtime_s": 0.0, "events": 0,
                  "error": error, "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


_run_job.on_worker_lost = _lost_job  # type: ignore[attr-defined]  # read by the executors


@dataclass
class SweepResult:
    store: RunStore
    plan: SweepPlan
    ran: int
    skipped: int
    failed: int
    wall_s: float
    summary: pd.DataFrame


def run_sweep(path: str | Path, out: str | Path, executor: Executor | None = None,
              progress: Progress | None = None, replications: int | None = None,
              job: Callable[..., Any] = _run_job, select: Callable[[int, int], bool] | None = None,
              extra: dict[str, Any] | None = None) -> SweepResult:
    """Run the missing runs of a sweep into ``out`` and summarise it. Finished runs in the
    store are skipped; failed ones are retried; a store of a different sweep is refused.
    ``select(point, rep)`` restricts the runs (a shard, see ``experiment.shard``); ``extra``
    is added to the manifest."""
    plan = plan_sweep(path, replications)
    store = RunStore(out)
    _check_same_sweep(store, plan)  # before the lock creates anything: a refusal leaves nothing behind
    with store.lock():
        return _run_locked(path, plan, store, executor, progress, job, select, extra)


def _check_same_sweep(store: RunStore, plan: SweepPlan) -> dict[str, Any] | None:
    """The store's manifest, refused when it belongs to another sweep (or is no sweep's,
    such as a `ketensim run` results folder)."""
    old = store.read_manifest()
    if old is not None and old.get("fingerprint") != plan.fingerprint():
        what = "a different sweep (design, seed or scenarios differ)" if old.get("kind") == "sweep" \
            else "results that are not this sweep's"
        raise ScenarioError(str(store.root), "manifest.json", f"holds {what}; use another output folder")
    return old


def _run_locked(path: str | Path, plan: SweepPlan, store: RunStore, executor: Executor | None,
                progress: Progress | None, job: Callable[..., Any],
                select: Callable[[int, int], bool] | None = None,
                extra: dict[str, Any] | None = None) -> SweepResult:
    old = _check_same_sweep(store, plan)  # again under the lock: another sweep may have begun
    manifest = {**plan.manifest(str(path)), **(extra or {})}
    if old is not None:
        manifest["created_at"] = old.get("created_at", manifest["created_at"])
        manifest["resumed"] = [*old.get("resumed", []),
                               {"at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "code": code_version()}]
    store.write_manifest(manifest)
    if store.clean_partial():
        log.info("removed partial files of an interrupted sweep")
    status = store.status()
    mine = [(p, r) for p in range(len(plan.points)) for r in range(plan.spec.replications)
            if select is None or select(p, r)]
    todo = [(p, r) for p, r in mine if not status.get((p, r), False)]
    skipped = len(mine) - len(todo)
    executor = executor or SerialExecutor()
    jobs = (((p, r), job, (plan.scenarios[p], p, r, plan.seed)) for p, r in todo)
    t0 = time.monotonic()
    done = failed = 0
    if progress and todo:
        progress(0, len(todo))
    for (p, r), (weekly, meta) in executor.run(jobs):
        store.write_run(p, r, weekly, {**meta, "executor": executor.name})
        done += 1
        failed += bool(meta.get("error"))
        if progress:
            progress(done, len(todo), failed=failed)
    wall = time.monotonic() - t0
    summary = summarise(store, plan)
    from .store import atomic_write

    atomic_write(store.root / "summary.csv", lambda f: summary.to_csv(f, index=False))
    total_failed = sum(1 for ok in store.status().values() if not ok)
    return SweepResult(store, plan, done, skipped, total_failed, wall, summary)


def _outcome_figures(plan: SweepPlan) -> list[Figure]:
    h = plan.scenarios[0].horizon
    if not plan.spec.outcomes:
        return [Figure(label, metrics, Window.of(h.start, h.end, "horizon"), "weekly_mean")
                for label, metrics in _DEFAULT_OUTCOMES.items()]
    return [_figure(o, plan.scenarios[0]) for o in plan.spec.outcomes]


_DEFAULT_OUTCOMES = {
    "hearings physical /wk": ("ind.hearings_physical",),
    "hearings video /wk": ("ind.hearings_video",),
    "IND backlog": ("ind.backlog",),
    "departures /wk": ("dtv.departures_independent", "dtv.departures_forced"),
    "COA occupancy": ("coa.occupancy",),
}


def _figure(o: Outcome, sc: Scenario) -> Figure:
    return o.figure(sc.horizon.start, sc.horizon.end)


def summarise(store: RunStore, plan: SweepPlan) -> pd.DataFrame:
    """Per design point: levers, uncertainties, and each outcome's mean with a 95% interval
    over its successful replications. Reads one run file at a time (memory stays flat)."""
    figs = _outcome_figures(plan)
    values: dict[int, list[pd.Series]] = {}
    failed: dict[int, int] = {}
    for f in store.files():
        p, r = store.key_of(f)
        if p >= len(plan.points) or r >= plan.spec.replications:
            continue
        weekly = store.load(f)[0]  # verified: a damaged or misplaced file is a ResultsError
        if weekly.empty:
            failed[p] = failed.get(p, 0) + 1
            continue
        values.setdefault(p, []).append(figure_values(weekly, figs).iloc[0])
    rows = []
    for pt in plan.points:
        row: dict[str, Any] = {"point": pt.point}
        row.update({f"lever:{k}": v for k, v in pt.levers.items()})
        row.update({f"uncertainty:{k}": v for k, v in pt.uncertainties.items()})
        runs = pd.DataFrame(values.get(pt.point, []))
        row["runs_ok"], row["runs_failed"] = len(runs), failed.get(pt.point, 0)
        for fig in figs:
            col = (fig.label, fig.window.name)
            m, lo, hi = mean_ci(runs[col].values) if col in runs else (math.nan,) * 3
            row[f"{fig.label}"] = m
            row[f"{fig.label} ±"] = (hi - lo) / 2 if not math.isnan(lo) else math.nan
        rows.append(row)
    return pd.DataFrame(rows)
