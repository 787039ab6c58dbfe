"""Executors behind one interface: identical results whatever runs them; Dask retries."""
from __future__ import annotations

import math
import os
import signal
import threading
import time

import pandas as pd
import pytest

from ketensim.experiment.executors import ProcessExecutor, SerialExecutor, make_executor
from ketensim.experiment.runner import run_scenario
from ketensim.experiment.store import RunStore
from ketensim.experiment.sweep import run_sweep
from ketensim.scenario.loader import load_scenario

from exp_helpers import tiny_scenario, tiny_sweep

KIND = "integration"

distributed = pytest.importorskip("distributed")


def _stored(out) -> tuple[pd.DataFrame, pd.DataFrame]:
    store = RunStore(out)
    meta = store.read_meta().sort_values(["point", "replication"], ignore_index=True)
    return store.read_weekly(), meta[["point", "replication", "seed", "scenario_hash", "events", "error"]]


@pytest.mark.slow
def test_sweep_results_identical_serial_processes_and_dask_local_cluster(tmp_path):
    path = tiny_sweep(tmp_path, replications=2)  # 2 levers x 3 levels x 2 replications
    run_sweep(path, tmp_path / "serial", SerialExecutor())
    with ProcessExecutor(2) as ex:
        run_sweep(path, tmp_path / "processes", ex)
    with make_executor(dask_workers=2) as ex:
        assert ex.name == "dask" and ex.workers == 2
        assert all(a.startswith("tcp://127.0.0.1:") for a in ex.client.scheduler_info()["workers"])
        assert ex.client.scheduler.address.startswith("tcp://127.0.0.1:")
        run_sweep(path, tmp_path / "dask", ex)
    w0, m0 = _stored(tmp_path / "serial")
    assert len(m0) == 18
    for other in ("processes", "dask"):
        w, m = _stored(tmp_path / other)
        pd.testing.assert_frame_equal(w, w0)
        pd.testing.assert_frame_equal(m, m0)


def test_run_scenario_same_for_one_and_two_workers(tmp_path):
    sc = load_scenario(tiny_scenario(tmp_path))
    one = run_scenario(sc, reps=3, workers=1)
    two = run_scenario(sc, reps=3, workers=2)
    assert one.manifest["executor"] == "serial" and two.manifest["executor"] == "processes"
    pd.testing.assert_frame_equal(one.weekly, two.weekly)


def test_process_executor_keeps_few_jobs_in_flight():
    pulled = []

    def jobs():
        for i in range(40):
            pulled.append(i)
            yield i, math.sqrt, (float(i),)

    got = {}
    with ProcessExecutor(2) as ex:
        for k, v in ex.run(jobs()):
            assert len(pulled) <= len(got) + 1 + 2 * ex.workers  # memory flat: a window, not all jobs
            got[k] = v
    assert got == {i: math.sqrt(i) for i in range(40)}


def test_dask_worker_killed_mid_task_is_retried_and_sweep_completes(tmp_path):
    # the tiny scenario with full starting stocks: runs of about a second, easy to hit mid-task
    path = tiny_sweep(tmp_path, replications=1, small=False,
                      levers={"ind.video.coa_rooms@recovery": {"values": [10, 20, 30, 40]}})
    out = tmp_path / "out"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        pids = client.run(os.getpid)
        result: dict = {}

        def sweep() -> None:
            with make_executor(scheduler=cluster.scheduler_address) as ex:
                result["res"] = run_sweep(path, out, ex)

        t = threading.Thread(target=sweep)
        t.start()
        killed = None
        deadline = time.monotonic() + 60
        while killed is None and time.monotonic() < deadline:
            busy = {w: keys for w, keys in client.processing().items() if keys}
            if busy and len(RunStore(out).files()) >= 1:
                worker = sorted(busy)[0]
                os.kill(pids[worker], signal.SIGKILL)
                killed = worker
            time.sleep(0.05)
        t.join(timeout=120)
        assert killed is not None and not t.is_alive()
        res = result["res"]
        assert res.failed == 0 and res.ran + res.skipped == 4
        assert len(RunStore(out).files()) == 4
        client.wait_for_workers(2, timeout=30)
        assert pids[killed] not in client.run(os.getpid).values()  # the nanny restarted it
