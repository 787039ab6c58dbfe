"""Writing a set of files as one set (``experiment.fileset``), as ``forecast`` and
``validate`` do: a failure or a kill at any point leaves the earlier set (after recovery)
and never touches the folder's other files."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ketensim.experiment import fileset
from ketensim.experiment.fileset import recover_set, write_set

KIND = "unit"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under the folder (hidden ones included) -> its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def write_version(tag: str, extra: bool = False):
    def write(folder: Path) -> None:
        (folder / "README.md").write_text(f"readme {tag}\n")
        (folder / "table.csv").write_text(f"a,b\n{tag},1\n")
        (folder / "plots").mkdir()
        (folder / "plots" / "one.png").write_bytes(tag.encode() * 10)
        if extra:
            (folder / "new.json").write_text("{}")
    return write


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "validation"
    out.mkdir()
    (out / "calibration").mkdir()
    (out / "calibration" / "fit.csv").write_text("kept\n")  # another command's output
    (out / "plots-of-others.png").write_bytes(b"other")
    write_set(out, write_version("old"))
    (out / "plots" / "stale.png").write_bytes(b"stale")  # a plot the next version no longer makes
    return out


def test_the_set_replaces_its_names_only(folder):
    assert write_set(folder, write_version("new", extra=True)) == ["README.md", "new.json", "plots", "table.csv"]
    files = snapshot(folder)
    assert files["README.md"] == b"readme new\n" and files["plots/one.png"] == b"new" * 10
    assert "plots/stale.png" not in files  # the subfolder is part of the set
    assert files["calibration/fit.csv"] == b"kept\n" and files["plots-of-others.png"] == b"other"
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no journal, no temporary


def test_a_failing_writer_leaves_the_earlier_set(folder):
    before = snapshot(folder)

    def fails(out: Path) -> None:
        write_version("new")(out)
        raise KeyboardInterrupt  # Ctrl-C while the last plot is drawn

    with pytest.raises(KeyboardInterrupt):
        write_set(folder, fails)
    assert snapshot(folder) == before


@pytest.mark.parametrize("at", range(1, 9))
def test_an_error_during_the_swap_puts_the_earlier_set_back(folder, monkeypatch, at):
    before = snapshot(folder)
    real, calls = fileset.os.rename, [0]

    def rename(a, b):
        calls[0] += 1
        if calls[0] == at:
            raise OSError(28, "No space left on device")
        return real(a, b)

    monkeypatch.setattr(fileset.os, "rename", rename)
    try:
        write_set(folder, write_version("new", extra=True))
    except OSError:
        pass
    monkeypatch.setattr(fileset.os, "rename", real)
    after = snapshot(folder)
    if calls[0] >= at:  # interrupted: exactly the earlier set
        assert after == before
    else:  # fewer renames than `at`: the write went through whole
        assert after["README.md"] == b"readme new\n"


@pytest.mark.parametrize("at", range(1, 9))
def test_a_kill_during_the_swap_is_undone_by_the_next_write(folder, at):
    """The process dies (no ``except``, no ``finally``) after ``at`` renames; the folder may
    be mixed until the next write or ``recover_set``, which restore the earlier set."""
    before = snapshot(folder)
    code = textwrap.dedent(f"""
        import os, sys
        from pathlib import Path
        from ketensim.experiment import fileset
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_fileset import write_version
        real, calls = os.rename, [0]
        def rename(a, b):
            calls[0] += 1
            if calls[0] == {at}:
                os._exit(9)
            return real(a, b)
        fileset.os.rename = rename
        fileset.write_set(Path({str(folder)!r}), write_version("new", extra=True))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if proc.returncode == 0:  # fewer renames than `at`: the write went through whole
        assert snapshot(folder)["README.md"] == b"readme new\n"
        return
    assert proc.returncode == 9, proc.stderr
    recover_set(folder)
    assert snapshot(folder) == before
    write_set(folder, write_version("newer"))
    assert snapshot(folder)["README.md"] == b"readme newer\n"
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]


@pytest.mark.integration
def test_forecast_interrupted_keeps_the_earlier_forecast(tmp_path, monkeypatch):
    from ketensim.report import forecast_write
    from ketensim.workflow.forecast import write_forecast
    from test_forecast import hand_made

    out = tmp_path / "fc"
    write_forecast(hand_made(), {"scenario_name": "t", "seed": 1}, out)
    before = snapshot(out)
    assert "README.md" in before and "plots/occupancy.png" in before

    def broken(*args, **kwargs):
        raise RuntimeError("plot failed")

    monkeypatch.setattr(forecast_write, "plot_group", broken)
    with pytest.raises(RuntimeError):
        write_forecast(hand_made(), {"scenario_name": "t2", "seed": 2}, out)
    assert snapshot(out) == before


@pytest.mark.integration
def test_validation_interrupted_keeps_the_earlier_report(tmp_path, monkeypatch, write_scenario):
    from ketensim.analysis.targets import load_targets
    from ketensim.calibration import validation
    from ketensim.experiment.runner import run_scenario
    from ketensim.scenario.loader import load_scenario

    from conftest import SCENARIOS

    sc = load_scenario(write_scenario({"extends": "baseline-2020", "name": "short",
                                       "horizon": {"end": "2020-W14-7"}}))
    res = run_scenario(sc, reps=1, workers=1)
    targets = load_targets(SCENARIOS / "targets" / "letter-2020-10-05.yaml")
    out = tmp_path / "validation"
    (out / "sensitivity").mkdir(parents=True)
    (out / "sensitivity" / "notes.txt").write_text("another command's output\n")
    validation.write_validation(res.weekly, res.manifest, targets, out, "ketensim validate short")
    before = snapshot(out)
    assert "README.md" in before and "targets.csv" in before and "sensitivity/notes.txt" in before

    def broken(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(validation, "write_plots", broken)
    with pytest.raises(KeyboardInterrupt):
        validation.write_validation(res.weekly, res.manifest, targets, out, "ketensim validate again")
    assert snapshot(out) == before
