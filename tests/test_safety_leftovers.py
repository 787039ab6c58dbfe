"""Leftovers, signals and terminals: a refused command leaves nothing behind that blocks the
next one (checked before working); SIGTERM is handled like Ctrl-C; more workers than cores
are capped with a warning; an interrupted process pool never prints a traceback at exit."""
from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ketensim.cli import main
from ketensim.experiment.store import RunStore, run_store_path

from exp_helpers import signal_mid_run, tiny_scenario, tiny_sweep

KIND = "integration"

SRC = Path(__file__).resolve().parents[1] / "src"


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(SRC)}


def _one_line(err: str, *needles: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


def _tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.fixture
def results(tmp_path):
    """A tiny scenario and a `ketensim run` results folder of it."""
    sc = tiny_scenario(tmp_path)
    out = tmp_path / "res"
    assert main(["run", str(sc), "--reps", "1", "--workers", "1", "--quiet", "--out", str(out)]) == 0
    return sc, out


# ------------------------------------------------------------------ 6. leftovers


def test_a_sweep_refused_on_a_run_folder_leaves_nothing_and_the_run_can_be_redone(results, tmp_path, capsys):
    sc, out = results
    before = _tree(tmp_path)
    path = tiny_sweep(tmp_path, replications=1)
    before |= {path.name}
    capsys.readouterr()
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 2
    _one_line(capsys.readouterr().err, str(out), "manifest.json", "another output folder")
    assert _tree(tmp_path) == before, _tree(tmp_path) ^ before  # no store.lock, no runs/
    assert main(["run", str(sc), "--reps", "1", "--workers", "1", "--quiet", "--out", str(out)]) == 0


def test_a_sweep_refused_on_another_sweeps_store_adds_nothing(tmp_path, capsys):
    a = tiny_sweep(tmp_path, replications=1, name="a")
    out = tmp_path / "store"
    assert main(["sweep", str(a), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    b = tiny_sweep(tmp_path, replications=1, name="b", levers={"ind.video.coa_rooms@recovery": {"values": [5]}})
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    capsys.readouterr()
    assert main(["sweep", str(b), "--out", str(out), "--workers", "1", "--quiet"]) == 2
    _one_line(capsys.readouterr().err, "different sweep")
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before


@pytest.mark.parametrize("where", [".", "..", "./"])
def test_run_into_the_current_folder_is_refused_before_working(tmp_path, monkeypatch, capsys, where):
    sc = tiny_scenario(tmp_path)
    work = tmp_path / "work" / "here"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    before = _tree(tmp_path)
    from ketensim.experiment import runner

    monkeypatch.setattr(runner, "simulate", lambda *a, **k: (_ for _ in ()).throw(AssertionError("ran")))
    assert main(["run", str(sc), "--reps", "1", "--workers", "1", "--quiet", "--out", where]) == 2
    _one_line(capsys.readouterr().err, "--out", "current folder")
    assert _tree(tmp_path) == before


def test_the_run_store_is_beside_the_output_folder_never_inside(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for out in (".", "./", "res", "res/", str(tmp_path / "res")):
        store = run_store_path(out).resolve()
        target = Path(os.path.abspath(out)).resolve()
        assert target not in store.parents and store != target, (out, store)


def test_report_into_a_folder_is_refused_before_the_work(results, monkeypatch, capsys, tmp_path):
    _, out = results
    from ketensim.report import html

    monkeypatch.setattr(html, "build_report", lambda *a, **k: (_ for _ in ()).throw(AssertionError("rendered")))
    folder = tmp_path / "reports"
    folder.mkdir()
    assert main(["report", str(out), "--out", str(folder)]) == 2
    _one_line(capsys.readouterr().err, "--out", "is a folder")
    assert list(folder.iterdir()) == []


@pytest.mark.slow
def test_report_into_a_new_folder_still_works(results, tmp_path):
    _, out = results
    target = tmp_path / "new" / "r.html"
    assert main(["report", str(out), "--out", str(target)]) == 0 and target.is_file()


# ------------------------------------------------------------------ 8. signals, workers, pool exit


def test_sigterm_of_a_run_is_handled_like_ctrl_c(tmp_path):
    sc = tiny_scenario(tmp_path, small=False)
    out = tmp_path / "res"
    cmd = [sys.executable, "-m", "ketensim.cli", "run", str(sc), "--reps", "6", "--workers", "2", "--quiet",
           "--out", str(out)]
    store = RunStore(run_store_path(out))
    proc, err = signal_mid_run(cmd, _env(), store, 6, signal.SIGTERM, clean=[out, store.root])
    assert proc.returncode == 143, err
    _one_line(err, "interrupted", "kept in", "rerun the same command")
    assert not out.exists() and json.loads(store.manifest_path.read_text())["status"] == "partial"


def test_sigterm_handler_is_installed_only_while_a_command_runs():
    from ketensim.scenario.errors import Terminated, sigterm_as_interrupt

    before = signal.getsignal(signal.SIGTERM)
    with sigterm_as_interrupt():
        with pytest.raises(Terminated) as exc:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)
        assert isinstance(exc.value, KeyboardInterrupt) and exc.value.exit_code == 143
    assert signal.getsignal(signal.SIGTERM) == before


def test_run_fault_raised_while_handling_sigterm_exits_143():
    from ketensim.scenario.errors import RunFault, Terminated

    try:
        raise Terminated()
    except KeyboardInterrupt:
        assert RunFault("interrupted", 130).exit_code == 143
    try:
        raise KeyboardInterrupt()
    except KeyboardInterrupt:
        assert RunFault("interrupted", 130).exit_code == 130


def test_more_workers_than_cores_are_capped_with_a_warning(caplog):
    from ketensim.experiment.executors import ProcessExecutor

    cores = os.cpu_count() or 1
    with caplog.at_level(logging.WARNING):
        ex = ProcessExecutor(cores + 7)
    assert ex.workers == cores
    assert any(f"--workers {cores + 7}" in r.getMessage() for r in caplog.records)
    caplog.clear()
    assert ProcessExecutor(1).workers == 1 and not caplog.records


def test_a_killed_pool_leaves_no_exit_hook_behind():
    """The interpreter's exit hook wakes every registered pool manager; one whose pipe is
    closed raised EBADF there (a 17-line traceback after Ctrl-C). After _kill the pool's
    manager is joined and unregistered, whatever moment it was interrupted at."""
    import concurrent.futures.process as cfp

    from ketensim.experiment.executors import ProcessExecutor

    for stop_after in (0, 1, 3):
        ex = ProcessExecutor(2)
        with pytest.raises(KeyboardInterrupt):
            for n, _ in enumerate(ex.run(((i, time.sleep, (0.01 * (i % 3),)) for i in range(40)))):
                if n >= stop_after:
                    raise KeyboardInterrupt
        assert ex._pool is None
        alive = [t for t in list(cfp._threads_wakeups) if t.is_alive()]
        assert not alive, alive
        assert not list(cfp._threads_wakeups), "a dead manager is still registered for the exit hook"


_RACE = textwrap.dedent("""
    import os, signal, sys, time
    from ketensim.experiment.executors import ProcessExecutor

    def job(x):
        time.sleep(0.01 * (x % 4))
        return x

    if __name__ == "__main__":
        stop_after, mode = int(sys.argv[1]), sys.argv[2]
        ex = ProcessExecutor(2)
        try:
            for n, _ in enumerate(ex.run(((i, job, (i,)) for i in range(200)))):
                if n >= stop_after:
                    if mode == "group":
                        os.killpg(0, signal.SIGINT)
                        time.sleep(1)
                    raise KeyboardInterrupt
        except KeyboardInterrupt:
            pass
        finally:
            ex.close()
""")


def test_interrupting_a_pool_at_several_moments_never_prints(tmp_path):
    script = tmp_path / "race.py"
    script.write_text(_RACE)
    for stop_after in (0, 3):
        for mode in ("raise", "group"):
            done = subprocess.run([sys.executable, str(script), str(stop_after), mode], env=_env(),
                                  capture_output=True, text=True, timeout=120, start_new_session=True)
            assert done.returncode == 0 and done.stderr == "", (stop_after, mode, done.stderr)


# ------------------------------------------------------------------ 8. control characters

EVIL = ["\x1b[2J\x1b[H", "\x1b]0;title\x07", "a\rb", "\x9b31m", "right\u202eleft", "nul\x00", "bell\x07\x08"]


@pytest.mark.parametrize("bad", EVIL, ids=[repr(e) for e in EVIL])
def test_control_characters_reach_terminal_and_csv_escaped(tmp_path, capfd, bad):
    import yaml

    sc = tiny_scenario(tmp_path, name="evil")
    data = yaml.safe_load(sc.read_text())
    data.update(name=f"n{bad}x", description=f"first line\nsecond{bad}")
    data["phases"] = [{"name": f"p{bad}", "start": "2020-01-06", "note": f"note{bad}"}]
    sc.write_text(yaml.safe_dump(data, allow_unicode=False))
    out = tmp_path / "res"
    assert main(["check", str(sc)]) == 0
    assert main(["run", str(sc), "--reps", "1", "--workers", "1", "--out", str(out)]) == 0
    printed = "".join(capfd.readouterr())
    csv = (out / "weekly.csv").read_text(encoding="utf-8") + (out / "manifest.json").read_text(encoding="utf-8")
    from ketensim.scenario.base import escape_controls

    controls = [ch for ch in bad if escape_controls(ch) != ch]
    assert controls
    for text in (printed, csv):
        assert not any(ch in text for ch in controls), repr(text[:300])
    import ketensim

    loaded = ketensim.load(sc)
    assert loaded.description.startswith("first line\nsecond")  # a line break in free text is kept
    assert "\\x" in loaded.name or "\\u" in loaded.name


def test_plain_names_are_unchanged():
    import ketensim

    from conftest import BASELINE

    sc = ketensim.load(BASELINE)
    assert sc.name == "baseline-2020" and [p.name for p in sc.phases][:2] == ["pre-covid", "lockdown"]
    from ketensim.scenario.base import escape_controls

    text = "Ter Apel – Zoutkamp, 2020: 1.5 m\nnext line\tcolumn é ü"
    assert escape_controls(text, keep="\n\t") == text
