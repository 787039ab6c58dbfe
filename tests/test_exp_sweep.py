"""The result store: one atomic Parquet file per run, resumable, failures recorded."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pyarrow.parquet as pq
import pytest

from ketensim.experiment.executors import SerialExecutor
from ketensim.experiment.store import RunStore
from ketensim.experiment.sweep import run_sweep
from ketensim.model.chain import Chain
from ketensim.scenario.errors import ScenarioError

from exp_helpers import tiny_sweep

KIND = "integration"


def test_sweep_writes_one_file_per_run_with_provenance(tmp_path):
    path = tiny_sweep(tmp_path, replications=2)
    res = run_sweep(path, tmp_path / "out", SerialExecutor())
    store = res.store
    assert (res.ran, res.skipped, res.failed) == (18, 0, 0)
    files = store.files()
    assert [f.relative_to(store.root).as_posix() for f in files[:3]] == [
        "runs/point=0000/rep=000.parquet", "runs/point=0000/rep=001.parquet", "runs/point=0001/rep=000.parquet"]
    meta = store.read_meta()
    assert len(meta) == 18 and meta.error.isna().all() and (meta.seed == 20201005).all()
    assert meta.groupby("point").scenario_hash.nunique().eq(1).all() and meta.scenario_hash.nunique() == 9
    manifest = json.loads((store.root / "manifest.json").read_text())
    assert manifest["replications"] == 2 and len(manifest["design"]) == 9
    assert manifest["design"][4]["levers"] == {"ind.video.coa_rooms@recovery": 20,
                                               "ind.physical.distancing_factor@recovery": 0.6}
    assert manifest["code"]["package"] and manifest["fingerprint"]
    s = res.summary
    assert list(s.runs_ok) == [2] * 9 and {"video hearings /wk", "backlog at end ±"} <= set(s.columns)
    assert (tmp_path / "out" / "summary.csv").exists()
    # common random numbers: the same replication of different points shares its inflow
    weekly = store.read_weekly()
    apps = weekly[weekly.metric == "ind.applications"].pivot_table(
        index=["replication", "week_start"], columns="point", values="value")
    assert apps.nunique(axis=1).eq(1).all()


def test_rerun_skips_finished_runs_and_more_replications_extend(tmp_path):
    path = tiny_sweep(tmp_path, replications=1)
    out = tmp_path / "out"
    run_sweep(path, out, SerialExecutor())
    before = {f: f.stat().st_mtime_ns for f in RunStore(out).files()}
    again = run_sweep(path, out, SerialExecutor())
    assert (again.ran, again.skipped) == (0, 9)
    assert {f: f.stat().st_mtime_ns for f in RunStore(out).files()} == before
    more = run_sweep(path, out, SerialExecutor(), replications=2)
    assert (more.ran, more.skipped) == (9, 9) and len(RunStore(out).files()) == 18


def test_store_of_another_sweep_is_refused(tmp_path):
    out = tmp_path / "out"
    run_sweep(tiny_sweep(tmp_path, replications=1), out, SerialExecutor())
    other = tiny_sweep(tmp_path, replications=1, seed=1)
    with pytest.raises(ScenarioError, match="holds a different sweep"):
        run_sweep(other, out, SerialExecutor())


def test_a_failing_run_is_recorded_with_its_error_and_the_rest_completes(tmp_path, monkeypatch):
    original = Chain.run

    def flaky(self):  # fails replication 1 of the points with the lever at 20 (the recovery phase)
        recovery = next(p for p in self.scenario.phases if p.name == "recovery")
        if self.replication == 1 and recovery.set.get("ind.video.coa_rooms") == 20:
            raise RuntimeError("boom in the model")
        return original(self)

    monkeypatch.setattr(Chain, "run", flaky)
    path = tiny_sweep(tmp_path, replications=2)
    res = run_sweep(path, tmp_path / "out", SerialExecutor())
    assert (res.ran, res.failed) == (18, 3)
    meta = res.store.read_meta().set_index(["point", "replication"])
    failed = meta[meta.error.notna()]
    assert list(failed.index) == [(3, 1), (4, 1), (5, 1)]
    assert all("RuntimeError: boom in the model" in e for e in failed.error)
    for p in (3, 4, 5):  # the failed run's file is readable and empty
        assert pd.read_parquet(res.store.path(p, 1)).empty
    assert list(res.summary.runs_failed) == [0, 0, 0, 1, 1, 1, 0, 0, 0]
    assert list(res.summary.runs_ok) == [2, 2, 2, 1, 1, 1, 2, 2, 2]
    # a rerun retries only the failed runs
    monkeypatch.setattr(Chain, "run", original)
    again = run_sweep(path, tmp_path / "out", SerialExecutor())
    assert (again.ran, again.skipped, again.failed) == (3, 15, 0)


@pytest.mark.slow
def test_sigkill_halfway_then_rerun_completes_without_loss_or_duplicates(tmp_path):
    path = tiny_sweep(tmp_path, replications=3)  # 27 runs
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "ketensim.cli", "sweep", str(path), "--out", str(out), "--workers", "2", "--quiet"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    store = RunStore(out)
    try:
        deadline = time.monotonic() + 60
        while len(store.files()) < 9 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its worker processes
        proc.wait()
    done_before = len(store.files())
    assert proc.returncode == -signal.SIGKILL and 9 <= done_before < 27
    for f in store.files():  # everything that is there is a complete run
        pq.read_table(f)

    rerun = subprocess.run(cmd, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert f"ran {27 - done_before}, skipped {done_before} finished, 0 failed" in rerun.stdout
    files = store.files()
    assert len(files) == 27 and not list(out.rglob("*.tmp"))
    weekly = store.read_weekly()
    assert not weekly.duplicated(["point", "replication", "week_start", "metric"]).any()
    assert sorted(set(zip(weekly.point, weekly.replication))) == [(p, r) for p in range(9) for r in range(3)]
    assert store.read_meta().error.isna().all()
