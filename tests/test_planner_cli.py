"""The planner's what-if on the command line, end to end on short horizons: windows and
statistics, the binding-constraint note, honest console output, compare --alt-set."""
from __future__ import annotations

import io
import subprocess
import sys

import pytest

from conftest import BASELINE, ROOT

KIND = "integration"

SHORT = "horizon.end=2020-W20-7"


def ketensim(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ketensim.cli", *args], capture_output=True, text=True, cwd=ROOT)


@pytest.fixture(scope="module")
def run_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    proc = ketensim("run", str(BASELINE), "--set", SHORT, "--set", "ind.video.ind_rooms.Zevenaar@2020-W19=12",
                    "--reps", "1", "--workers", "1", "--out", str(out),
                    "--window", "may=2020-W18..2020-W22", "--window", "2020-W10..2020-W14", "--stat", "max")
    assert proc.returncode == 0, proc.stderr
    return proc, out


def test_run_shows_the_chosen_windows_and_statistic_with_partial_marked(run_out):
    proc, _ = run_out
    out = proc.stdout
    assert "peak week ±95% half-width" in out
    assert "may (partial: W18-W20)" in out and "2020-W10..2020-W14" in out
    assert "W01-11 pre" not in out  # --window replaces the default windows
    assert "(partial: the window lies partly outside the simulated weeks" in out


def test_run_says_which_constraint_binds(run_out):
    proc, _ = run_out
    # more IND-side rooms from W19, but the COA side has 4 rooms (telehoren phase): nothing moves
    assert ("note: --set ind.video.ind_rooms.Zevenaar@2020-W19=12 does not change video hearings (telehoren) "
            "from 2020-05-04: the COA-side video rooms bind (4 rooms).") in proc.stdout


def test_console_output_is_honest_off_a_terminal(run_out):
    proc, _ = run_out
    assert "\r" not in proc.stderr and "\r" not in proc.stdout  # no bar drawn into a log
    assert "1/1 replication done" in proc.stderr
    assert "1 replication," in proc.stdout and "1 replications" not in proc.stdout
    assert "wall time" in proc.stdout and "CPU" in proc.stdout and "per replication" in proc.stdout


def test_progress_draws_a_bar_only_on_a_terminal():
    from ketensim.cli import Progress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty, log = Tty(), io.StringIO()
    for stream in (tty, log):
        p = Progress("x", stream=stream)
        for i in range(0, 21):
            p(i, 20)
    assert "\r" in tty.getvalue() and "#" in tty.getvalue()
    lines = log.getvalue().splitlines()
    assert "\r" not in log.getvalue() and 2 <= len(lines) <= 11 and lines[-1].startswith("x: 20/20 runs done")


def test_interrupted_says_what_was_kept_and_how_to_continue(tmp_path, monkeypatch, capsys):
    from ketensim import cli
    from ketensim.experiment import sweep as sweep_mod

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(sweep_mod, "run_sweep", boom)
    sweep = tmp_path / "s.yaml"
    sweep.write_text(f"name: s\nbase: {BASELINE}\nreplications: 2\nset: ['{SHORT}']\n"
                     "levers:\n  ind.video.coa_rooms@2020-W19: {values: [10, 20]}\n")
    rc = cli.main(["sweep", str(sweep), "--out", str(tmp_path / "store"), "--workers", "1", "--quiet"])
    err = capsys.readouterr().err
    assert rc == 130
    assert f"interrupted: 0 of 4 finished run(s) kept in {tmp_path / 'store'}; rerun the same command" in err


def test_plurals():
    from ketensim.cli import plural

    assert plural(1, "replication") == "1 replication" and plural(2, "replication") == "2 replications"
    assert plural(1, "design point") == "1 design point" and plural(0, "run") == "0 runs"


def test_bad_window_and_statistic_are_one_line_errors():
    for args in (["--window", "2020-W60..2020-W61"], ["--stat", "median-ish"]):
        proc = ketensim("run", str(BASELINE), "--set", SHORT, *args)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr
        assert proc.stderr.count("\n") == 1


def test_compare_alt_set_is_a_what_if_of_the_base_in_one_command(tmp_path):
    proc = ketensim("compare", str(BASELINE), "--set", "horizon.end=2020-W06-7",
                    "--alt-set", "ind.physical.distancing_factor@2020-W04=*0.5", "--reps", "2", "--workers", "1",
                    "--window", "late=2020-W04..2020-W06", "--metric", "ind.hearings_physical",
                    "--store", str(tmp_path / "s"), "--plot", str(tmp_path / "d.png"), "--quiet")
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in proc.stdout.splitlines() if x.strip().startswith("hearings, physical"))
    assert " late " in line and "*" in line  # a clear drop from W04 on
    diff = float(line.split("[")[0].split()[-1].replace(",", ""))
    assert diff < -200
    assert (tmp_path / "s" / "baseline-2020" / "weekly.parquet").exists()
    assert (tmp_path / "s" / "baseline-2020-what-if" / "manifest.json").exists()


def test_a_sweep_says_before_it_runs_which_points_a_binding_limit_makes_equal(tmp_path):
    from ketensim.experiment.sweep import plan_sweep
    from ketensim.report.binding import sweep_notes

    sweep = tmp_path / "s.yaml"
    sweep.write_text(f"name: s\nbase: {BASELINE}\nlevers:\n  ind.video.coa_rooms@recovery: {{values: [12, 30, 40]}}\n")
    plan = plan_sweep(sweep)
    notes = sweep_notes(plan.points, plan.scenarios)
    assert len(notes) == 1 and notes[0].startswith("design points 1 and 2 differ only in ind.video.coa_rooms@recovery")
    assert "IND-side video rooms bind (24 rooms" in notes[0]


def test_a_parts_weekly_binding_record_is_reported():
    import pandas as pd

    from ketensim.analysis.binding import weekly_flags

    weekly = pd.DataFrame({"metric": ["ind.binding_constraint"] * 3 + ["ind.decisions"] * 3,
                           "week_start": list(pd.date_range("2020-01-06", periods=3, freq="7D")) * 2,
                           "value": [0, 2, 1, 5, 5, 5], "replication": 0, "scenario": "s"})
    assert weekly_flags(weekly) == [("ind.binding_constraint", 2)]
