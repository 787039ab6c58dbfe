"""Faults: nothing lost, nothing silent. Full disk (a patched writer), failed runs, Ctrl-C
and SIGKILL of a small run and sweep, corrupted and misplaced run files, two sweeps on one
store, workers that die, damaged results given to report/read, maths in names, umask."""
from __future__ import annotations

import errno
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from ketensim.cli import main
from ketensim.experiment.store import (
    RunStore,
    read_results,
    run_store_path,
    write_results,
)
from ketensim.scenario.errors import ResultsError

from exp_helpers import signal_mid_run, tiny_scenario, tiny_sweep

KIND = "integration"

SRC = Path(__file__).resolve().parents[1] / "src"


def _one_line(err: str, *needles: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("WARNING")]
    assert len(lines) == 1 and "Traceback" not in err, err
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _cli_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(SRC)}


@pytest.fixture
def good(tmp_path):
    """A tiny scenario and a good results folder of it (2 replications)."""
    sc = tiny_scenario(tmp_path)
    out = tmp_path / "res"
    assert main(["run", str(sc), "--reps", "2", "--workers", "1", "--quiet", "--out", str(out)]) == 0
    return sc, out


# ------------------------------------------------------------------ results as a set
def test_full_disk_while_writing_leaves_earlier_results_untouched(good, monkeypatch, capsys):
    sc, out = good
    before = _snapshot(out)

    def full(self, *a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)  # parquet written, then the disk is full
    rc = main(["run", str(sc), "--reps", "3", "--seed", "9", "--workers", "1", "--quiet", "--out", str(out)])
    line = _one_line(capsys.readouterr().err, "No space left", "untouched", "rerun")
    assert rc == 1 and "kept in" in line
    assert _snapshot(out) == before  # not a mixed folder
    assert sorted(p.name for p in out.parent.iterdir()) == [".res.runs", "res", "tiny.yaml"]
    monkeypatch.undo()
    assert main(["run", str(sc), "--reps", "3", "--seed", "9", "--workers", "1", "--quiet", "--out", str(out)]) == 0
    weekly, manifest = read_results(out)
    assert manifest["seed"] == 9 and manifest["resumed_replications"] == 3 and weekly.replication.nunique() == 3
    assert not run_store_path(out).exists()


def test_failed_replications_never_replace_good_results(good, monkeypatch, capsys):
    sc, out = good
    before = _snapshot(out)
    from ketensim.model import chain

    monkeypatch.setattr(chain.Chain, "run", lambda self: 1 / 0)
    rc = main(["run", str(sc), "--reps", "2", "--workers", "1", "--quiet", "--out", str(out)])
    _one_line(capsys.readouterr().err, "2 of 2 replications failed", "ZeroDivisionError", "not written")
    assert rc == 1 and _snapshot(out) == before
    meta = RunStore(run_store_path(out)).read_meta()
    assert len(meta) == 2 and meta.error.str.contains("ZeroDivisionError").all()  # the failure record


@pytest.mark.slow
def test_full_disk_during_report_leaves_no_tmp_file(good, monkeypatch, capsys):
    _, out = good
    from pathlib import Path as P

    real = P.write_text

    def full(self, data, *a, **k):
        if self.name.endswith(".tmp"):
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real(self, data, *a, **k)

    monkeypatch.setattr(P, "write_text", full)
    rc = main(["report", str(out)])
    _one_line(capsys.readouterr().err, "No space left")
    assert rc == 1 and not [p for p in out.iterdir() if p.name.startswith(".")]
    assert not (out / "report.html").exists()


@pytest.mark.parametrize("kind", ["is a file", "below a file", "name too long"])
def test_bad_out_is_refused_before_the_first_replication(tmp_path, monkeypatch, capsys, kind):
    sc = tiny_scenario(tmp_path)
    from ketensim.experiment import runner

    monkeypatch.setattr(runner, "simulate", lambda *a: (_ for _ in ()).throw(AssertionError("ran")))
    (tmp_path / "file").write_text("x")
    out = {"is a file": tmp_path / "file", "below a file": tmp_path / "file" / "sub",
           "name too long": tmp_path / ("x" * 300)}[kind]
    rc = main(["run", str(sc), "--workers", "1", "--quiet", "--out", str(out)])
    _one_line(capsys.readouterr().err, "--out")
    assert rc == 2


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_out_is_refused_first(tmp_path, capsys):
    sc = tiny_scenario(tmp_path)
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    rc = main(["run", str(sc), "--workers", "1", "--quiet", "--out", str(ro / "res")])
    _one_line(capsys.readouterr().err, "--out", "cannot be written")
    assert rc == 2


def test_what_if_gets_its_own_folder_with_overrides_in_manifest(tmp_path, monkeypatch):
    sc = tiny_scenario(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(sc), "--reps", "1", "--workers", "1", "--quiet"]) == 0
    assert main(["run", str(sc), "--reps", "1", "--workers", "1", "--quiet", "--set", "ind.video.coa_rooms=5"]) == 0
    folders = sorted(p.name for p in (tmp_path / "results").iterdir() if not p.name.startswith("."))
    assert folders[0] == "tiny" and folders[1].startswith("tiny-set-") and len(folders) == 2
    base = json.loads((tmp_path / "results" / "tiny" / "manifest.json").read_text())
    what_if = json.loads((tmp_path / "results" / folders[1] / "manifest.json").read_text())
    assert base["overrides"] == [] and what_if["overrides"] == ["ind.video.coa_rooms=5"]


def test_files_respect_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        write_results(tmp_path / "r", pd.DataFrame({"replication": [0], "week_start": [pd.Timestamp("2020-01-06")],
                                                    "metric": ["m"], "value": [1.0]}), {"seed": 1})
        store = RunStore(tmp_path / "s")
        store.write_run(0, 0, None, {"error": "x"})
    finally:
        os.umask(old)
    for p in [*(tmp_path / "r").iterdir(), store.path(0, 0)]:
        assert stat.S_IMODE(p.stat().st_mode) == 0o640, p
    assert stat.S_IMODE((tmp_path / "r").stat().st_mode) == 0o750


# ------------------------------------------------------------------ damaged results
@pytest.mark.parametrize("damage", ["truncated parquet", "empty parquet", "damaged manifest", "manifest a list",
                                    "mixed folder", "missing manifest"])
def test_damaged_results_are_one_line_in_report_and_read(good, capsys, damage):
    _, out = good
    pq = out / "weekly.parquet"
    if damage == "truncated parquet":
        pq.write_bytes(pq.read_bytes()[:500])
    elif damage == "empty parquet":
        pq.write_bytes(b"")
    elif damage == "damaged manifest":
        (out / "manifest.json").write_text('{"seed": 1,')
    elif damage == "manifest a list":
        (out / "manifest.json").write_text("[]")
    elif damage == "mixed folder":  # a weekly.parquet of another run beside this manifest
        df = pd.read_parquet(pq)
        df.assign(value=df.value + 1).to_parquet(pq, index=False)
    else:
        (out / "manifest.json").unlink()
    rc = main(["report", str(out)])
    _one_line(capsys.readouterr().err, str(out))
    assert rc == 2
    import ketensim

    with pytest.raises(ResultsError):
        ketensim.read(out)


@pytest.mark.slow
def test_maths_in_a_scenario_name_reaches_the_report_as_text(tmp_path, capsys):
    sc = tiny_scenario(tmp_path, name="dollar", description="x")
    text = sc.read_text().replace("name: dollar", "name: '$\\frac{a$ ^_^ $x'")
    sc.write_text(text)
    out = tmp_path / "res"
    assert main(["run", str(sc), "--reps", "1", "--workers", "1", "--quiet", "--out", str(out)]) == 0
    assert main(["report", str(out)]) == 0, capsys.readouterr().err
    assert (out / "report.html").stat().st_size > 1000


# ------------------------------------------------------------------ interrupts and kills
def _wait_for(pred, timeout: float = 60.0) -> bool:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if pred():
            return True
        time.sleep(0.05)
    return False


def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if int((d / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(d.name))
            except (OSError, IndexError, ValueError):
                pass
    return out


def _alive(pid: int) -> bool:
    try:
        return (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]) != "Z"
    except OSError:
        return False


def test_ctrl_c_keeps_finished_replications_and_rerun_resumes(tmp_path):
    sc = tiny_scenario(tmp_path, small=False)
    out = tmp_path / "res"
    cmd = [sys.executable, "-m", "ketensim.cli", "run", str(sc), "--reps", "6", "--workers", "2", "--quiet",
           "--out", str(out)]
    store = RunStore(run_store_path(out))
    proc, err = signal_mid_run(cmd, _cli_env(), store, 6, signal.SIGINT, clean=[out, store.root])
    assert proc.returncode == 130, err
    line = _one_line(err, "interrupted", "kept in", "rerun the same command")
    kept = len(store.files())
    assert 1 <= kept < 6 and f"{kept} of 6" in line and not out.exists()
    assert json.loads(store.manifest_path.read_text())["status"] == "partial"
    done = subprocess.run(cmd, env=_cli_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    weekly, manifest = read_results(out)
    assert manifest["resumed_replications"] == kept
    import ketensim

    fresh = ketensim.run(ketensim.load(sc), reps=6, workers=1).weekly
    pd.testing.assert_frame_equal(weekly, fresh, check_dtype=False)  # resumed == fresh, same values


@pytest.mark.slow
def test_sigkill_of_a_sweep_takes_its_workers_along_and_rerun_completes(tmp_path):
    path = tiny_sweep(tmp_path, replications=2, small=False)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "ketensim.cli", "sweep", str(path), "--out", str(out), "--workers", "2", "--quiet"]
    store = RunStore(out)
    workers: list[int] = []
    proc, _ = signal_mid_run(cmd, _cli_env(), store, 18, signal.SIGKILL, clean=[out], stdout=subprocess.DEVNULL,
                             on_frozen=lambda pid: workers.extend(_children(pid)))
    assert proc.returncode == -signal.SIGKILL and len(workers) >= 2
    assert _wait_for(lambda: not any(_alive(w) for w in workers), timeout=5), "orphaned workers"
    done = subprocess.run(cmd, env=_cli_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert len(store.files()) == 18 and all(store.status().values())


def test_corrupted_and_misplaced_run_files_are_redone(tmp_path, capsys):
    path = tiny_sweep(tmp_path, replications=1)
    out = tmp_path / "out"
    argv = ["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"]
    assert main(argv) == 0
    store = RunStore(out)
    first = pd.read_csv(out / "summary.csv")
    files = store.files()
    files[0].write_bytes(files[0].read_bytes()[:300])  # truncated
    files[1].write_bytes(b"")  # empty
    files[3].write_bytes(files[2].read_bytes())  # a valid file of another point in this slot
    capsys.readouterr()
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "3 damaged or misplaced run file(s)" in err and "Traceback" not in err
    assert all(store.status().values()) and len(store.files()) == 9
    pd.testing.assert_frame_equal(pd.read_csv(out / "summary.csv"), first)


def test_two_sweeps_on_one_store_the_second_is_refused_naming_the_holder(tmp_path, capsys):
    path = tiny_sweep(tmp_path, replications=1)
    out = tmp_path / "out"
    cmd = [sys.executable, "-c", "import sys, time; from ketensim.experiment.store import RunStore\n"
           f"with RunStore({str(out)!r}).lock():\n    print('held', flush=True); time.sleep(60)"]
    holder = subprocess.Popen(cmd, env=_cli_env(), stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        rc = main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"])
        _one_line(capsys.readouterr().err, "in use by pid", str(holder.pid))
        assert rc == 2 and not store_has_runs(out)
    finally:
        holder.kill()
        holder.wait()
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0  # lock freed by the kill


def store_has_runs(out: Path) -> bool:
    return bool(RunStore(out).files())


# ------------------------------------------------------------------ workers that die
def _job(i: int) -> int:
    if i == 3:
        os._exit(9)  # kills its worker process every time
    return i * i


def _lost(key, args, error):
    return f"lost: {error}"


def test_a_job_that_kills_its_worker_is_recorded_failed_and_the_rest_go_on():
    from ketensim.experiment.executors import MAX_DEATHS, ProcessExecutor

    with ProcessExecutor(2) as ex:
        got = dict(ex.run(((i, _job, (i,)) for i in range(8)), on_lost=_lost))
    assert {k: v for k, v in got.items() if k != 3} == {i: i * i for i in range(8) if i != 3}
    assert got[3].startswith("lost:") and f"died {MAX_DEATHS} times" in got[3]


def test_a_replication_that_kills_its_worker_fails_alone_in_a_sweep(tmp_path, monkeypatch):
    from ketensim.experiment import sweep
    from ketensim.experiment.executors import ProcessExecutor

    path = tiny_sweep(tmp_path, replications=1)
    with ProcessExecutor(2) as ex:
        res = sweep.run_sweep(path, tmp_path / "out", executor=ex, job=_killer_job)
    assert res.failed == 1 and res.ran == 9
    meta = res.store.read_meta().set_index("point")
    assert "died" in meta.loc[4, "error"] and meta.drop(index=4).error.isna().all()


def _killer_job(scenario, point, replication, seed):
    from ketensim.experiment.sweep import _run_job

    if point == 4:
        os._exit(9)
    return _run_job(scenario, point, replication, seed)


_killer_job.on_worker_lost = __import__("ketensim.experiment.sweep", fromlist=["_lost_job"])._lost_job


@pytest.mark.slow
def test_on_dask_a_job_that_kills_its_worker_is_recorded_failed_and_the_rest_go_on():
    dask = pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    from ketensim.experiment.executors import DaskExecutor

    with dask.config.set({"distributed.scheduler.allowed-failures": 1}), \
            distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                                     dashboard_address=None) as cluster, \
            DaskExecutor(scheduler=cluster.scheduler_address) as ex:
        got = dict(ex.run(((i, _job, (i,)) for i in range(5)), on_lost=_lost))
    assert {k: v for k, v in got.items() if k != 3} == {i: i * i for i in range(5) if i != 3}
    assert got[3].startswith("lost:") and "Dask worker" in got[3] and "alone" in got[3]


@pytest.mark.slow
def test_ctrl_c_of_a_sweep_keeps_finished_runs_and_rerun_completes(tmp_path):
    path = tiny_sweep(tmp_path, replications=2, small=False)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "ketensim.cli", "sweep", str(path), "--out", str(out), "--workers", "2", "--quiet"]
    store = RunStore(out)
    workers: list[int] = []
    proc, err = signal_mid_run(cmd, _cli_env(), store, 18, signal.SIGINT, clean=[out], stdout=subprocess.DEVNULL,
                               on_frozen=lambda pid: workers.extend(_children(pid)))
    assert proc.returncode == 130, err
    _one_line(err, "interrupted", "kept in", "rerun the same command")
    assert _wait_for(lambda: not any(_alive(w) for w in workers), timeout=5)
    kept = len(store.files())
    done = subprocess.run(cmd, env=_cli_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"skipped {kept} finished" in done.stdout and len(store.files()) == 18


@pytest.mark.slow
def test_sigkill_of_a_run_keeps_finished_replications_and_takes_its_workers_along(tmp_path):
    sc = tiny_scenario(tmp_path, small=False)
    out = tmp_path / "res"
    cmd = [sys.executable, "-m", "ketensim.cli", "run", str(sc), "--reps", "6", "--workers", "2", "--quiet",
           "--out", str(out)]
    store = RunStore(run_store_path(out))
    workers: list[int] = []
    proc, _ = signal_mid_run(cmd, _cli_env(), store, 6, signal.SIGKILL, clean=[out, store.root],
                             stdout=subprocess.DEVNULL, on_frozen=lambda pid: workers.extend(_children(pid)))
    assert proc.returncode == -signal.SIGKILL and len(workers) >= 2
    assert _wait_for(lambda: not any(_alive(w) for w in workers), timeout=5), "orphaned workers"
    kept = len(store.files())
    done = subprocess.run(cmd, env=_cli_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert read_results(out)[1]["resumed_replications"] == kept >= 1


def test_full_disk_in_the_middle_of_a_sweep_keeps_what_was_stored(tmp_path, monkeypatch, capsys):
    path = tiny_sweep(tmp_path, replications=1)
    out = tmp_path / "out"
    real = RunStore.write_run
    calls = {"n": 0}

    def filling(self, *a, **k):
        calls["n"] += 1
        if calls["n"] > 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(self.root))
        return real(self, *a, **k)

    monkeypatch.setattr(RunStore, "write_run", filling)
    argv = ["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"]
    rc = main(argv)
    _one_line(capsys.readouterr().err, "No space left", "3 of 9 finished run(s) kept", "rerun")
    assert rc == 1 and not [p for p in (out / "runs").rglob(".*.tmp")]
    monkeypatch.undo()
    assert main(argv) == 0 and len(RunStore(out).files()) == 9


def test_a_folder_with_other_files_is_never_replaced_by_results(tmp_path, capsys):
    sc = tiny_scenario(tmp_path)
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "thesis.tex").write_text("precious")
    rc = main(["run", str(sc), "--reps", "1", "--workers", "1", "--quiet", "--out", str(tmp_path / "notes")])
    _one_line(capsys.readouterr().err, "holds other files than results", "thesis.tex")
    assert rc == 2 and (tmp_path / "notes" / "thesis.tex").read_text() == "precious"


def test_a_write_killed_between_the_two_renames_is_recovered(good, monkeypatch):
    sc, out = good
    before = _snapshot(out)
    real = os.rename
    calls = {"n": 0}

    def dies_after_first(src, dst):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # as if killed between moving the old folder aside and the new in
        return real(src, dst)

    monkeypatch.setattr(os, "rename", dies_after_first)
    weekly, manifest = read_results(out)
    with pytest.raises(KeyboardInterrupt):
        write_results(out, weekly.assign(value=0.0), manifest)
    monkeypatch.undo()
    assert _snapshot(out) == before  # the except branch put the old folder back
    aside = out.parent / f".{out.name}.old-1"
    os.rename(out, aside)  # the state a SIGKILL at that moment leaves
    with pytest.raises(ResultsError, match="interrupted write"):
        read_results(out)
    write_results(out, weekly, manifest)
    assert not aside.exists() and read_results(out)[1]["seed"] == manifest["seed"]


def test_need_csv_is_part_of_the_results_set_and_a_rerun_replaces_it(tmp_path):
    sc = tiny_scenario(tmp_path)
    out = tmp_path / "res"
    argv = ["run", str(sc), "--reps", "2", "--workers", "1", "--quiet", "--out", str(out), "--need", "0.9"]
    assert main(argv) == 0 and main(argv) == 0  # need.csv belongs to the set: no "other files" refusal
    manifest = json.loads((out / "manifest.json").read_text())
    assert "need.csv" in manifest["files"] and (out / "need.csv").exists()
