"""Bad input: a corpus of hostile or mistaken scenario, sweep and option values generated
here. Each must give one line on stderr naming the file or option, exit 2, no traceback,
and quickly (no hang, no memory blow-up)."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import yaml

from ketensim.cli import main

from conftest import BASELINE, SCENARIOS

KIND = "integration"

BASE = BASELINE.read_text()


def _cli(capsys, *argv: str) -> tuple[int, str]:
    t0 = time.monotonic()
    rc = main(list(argv))
    elapsed = time.monotonic() - t0
    err = capsys.readouterr().err
    assert elapsed < 10, f"took {elapsed:.1f}s"
    return rc, err


def _assert_one_line(rc: int, err: str, *needles: str, code: int = 2) -> None:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert rc == code, err
    assert len(lines) == 1 and lines[0].startswith("ketensim: error: "), err
    assert "Traceback" not in err and len(lines[0]) <= 420, err
    for n in needles:
        assert n in lines[0], (n, lines[0])


def _child(text: str) -> str:
    return f"extends: {BASELINE}\n" + text


def _bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + f"\nname: *a{levels - 1}\n"


# (case id, file text, words the error line must contain)
CORPUS: list[tuple[str, str, tuple[str, ...]]] = [
    ("duplicate top-level key", _child("seed: 1\nname: x\nseed: 2\n"), ("duplicate key 'seed'", "line 4", "first at line 2")),
    ("duplicate nested key", _child("ind:\n  decision_days: 3\n  decision_days: 4\n"), ("duplicate key 'decision_days'", "line 4")),
    ("duplicate in the base file", BASE + "\nseed: 5\n", ("duplicate key 'seed'",)),
    ("inf in a rate", _child("ind:\n  decision_days: .inf\n"), ("ind.decision_days", "finite")),
    ("nan in a probability", _child("dtv:\n  travel_open: .nan\n"), ("dtv.travel_open", "finite")),
    ("overflowing literal", _child("ind:\n  decision_days: 1.0e400\n"), ("ind.decision_days", "finite")),
    ("inf in an inflow series", _child("inflow:\n  first_applications:\n    per: month\n    values: {2020-01: .inf}\n"),
     ("inflow.first_applications.values", "finite")),
    ("-inf scale", _child("inflow:\n  first_applications:\n    scale: -.inf\n"), ("scale",)),
    ("boolean for a count", _child("start:\n  reception:\n    in_procedure: true\n"), ("in_procedure", "boolean")),
    ("boolean for a rate", _child("ind:\n  decision_days: yes\n"), ("ind.decision_days", "boolean")),
    ("boolean seed", _child("seed: false\n"), ("seed", "boolean")),
    ("1e12 persons in a stock", _child("start:\n  reception:\n    in_procedure: 1000000000000\n"),
     ("in_procedure", "plausibility bound", "--no-limits")),
    ("1e12 places", _child("detention:\n  places: 1000000000000\n"), ("detention.places", "plausibility")),
    ("huge rate", _child("ind:\n  physical:\n    slots_per_room_per_week: 1.0e15\n"), ("slots_per_room_per_week", "plausibility")),
    ("huge inflow (expected size)", _child("inflow:\n  first_applications:\n    scale: 100000\n"), ("persons per replication", "--no-limits")),  # noqa: E501
    ("alias bomb", _bomb(), ("aliases",)),
    ("small alias bomb in a value", _bomb(5).replace("name:", "description:"), ()),
    ("deep nesting", "name: " + "[" * 20000 + "]" * 20000 + "\n", ("nested deeper",)),
    ("deep mappings", "a:\n" + "".join("  " * i + "b:\n" for i in range(1, 60)), ("nested deeper",)),
    ("not a mapping", "- 1\n- 2\n", ("must be a mapping",)),
    ("syntax error", "name: x\nind: [a\n", ("YAML syntax error", "line 3")),
    ("tab indentation", "name: x\n\tseed: 1\n", ("YAML",)),
    ("not UTF-8", "name: \xff\xfe\n", ("UTF-8",)),
    ("missing extends", "extends: nowhere.yaml\nname: x\n", ("extends", "file not found")),
    ("circular extends", "extends: self.yaml\nname: x\n", ("circular extends",)),
    ("huge value truncated", _child("name: " + "x" * 5000 + "\nseed: [" + ",".join(["1"] * 5000) + "]\n"), ("seed",)),
    ("unknown key, long", _child("y" * 900 + ": 1\n"), ("unknown key",)),
    ("negative seed", _child("seed: -1\n"), ("seed",)),
    ("string for a number", _child("ind:\n  decision_days: lots\n"), ("ind.decision_days", "number")),
    ("python object tag", _child("name: !!python/object/apply:os.system ['true']\n"), ("YAML",)),
]


@pytest.mark.parametrize("case,text,needles", CORPUS, ids=[c[0] for c in CORPUS])
def test_bad_scenario_file_is_one_clean_line(capsys, tmp_path, case, text, needles):
    path = tmp_path / ("self.yaml" if case == "circular extends" else "bad.yaml")
    if case == "not UTF-8":
        path.write_bytes(text.encode("latin-1"))
    else:
        path.write_text(text)
    rc, err = _cli(capsys, "check", str(path))
    if case == "small alias bomb in a value":  # 9**4 values: expands fine, then fails as text
        _assert_one_line(rc, err, "description")
        return
    _assert_one_line(rc, err, *needles)
    assert str(path) in err or "extends" in err


def test_limits_can_be_lifted_explicitly(capsys, tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text(_child("start:\n  reception:\n    in_procedure: 3000000\n"))
    rc, err = _cli(capsys, "check", str(path))
    _assert_one_line(rc, err, "plausibility")
    assert main(["--no-limits", "check", str(path)]) == 0


SPECIAL_FILES = ["fifo", "dev-zero", "folder", "too large", "symlink loop", "missing", "dangling symlink"]


@pytest.mark.parametrize("kind", SPECIAL_FILES)
def test_only_regular_files_are_read(capsys, tmp_path, kind):
    path = tmp_path / "scenario.yaml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path = Path("/dev/zero")
    elif kind == "folder":
        path.mkdir()
    elif kind == "too large":
        path.write_text("name: x\n" + "# padding\n" * 200_000)
    elif kind == "symlink loop":
        os.symlink(tmp_path / "b.yaml", path)
        os.symlink(path, tmp_path / "b.yaml")
    elif kind == "dangling symlink":
        os.symlink(tmp_path / "gone.yaml", path)
    rc, err = _cli(capsys, "check", str(path))
    _assert_one_line(rc, err, str(path))


OVERRIDES = [
    ("seed=true", ("seed", "boolean")),
    ("ind.decision_days=.inf", ("finite",)),
    ("ind.physical.offices={a: 1, a: 2}", ("duplicate key",)),
    ("start.reception.in_procedure=999999999999", ("plausibility",)),
    ("ind.decision_days=" + "9" * 20000, ("longer than",)),
    ("nonsense", ("expected dotted.path=value",)),
]


@pytest.mark.parametrize("override,needles", OVERRIDES, ids=[o[0][:30] for o in OVERRIDES])
def test_bad_override_is_one_clean_line(capsys, override, needles):
    rc, err = _cli(capsys, "check", str(BASELINE), "--set", override)
    _assert_one_line(rc, err, *needles)


def _no_simulation(monkeypatch):
    """Fail the test if a replication starts: these errors must come before any work."""
    from ketensim.experiment import runner

    def boom(*a, **k):
        raise AssertionError("a replication ran before the error")

    monkeypatch.setattr(runner, "simulate", boom)


OPTIONS = [
    (["run", str(BASELINE), "--seed", "-1", "--workers", "1"], ("--seed",)),
    (["run", str(BASELINE), "--seed", str(2**70), "--workers", "1"], ("--seed",)),
    (["run", str(BASELINE), "--targets", "no/such/targets.yaml", "--workers", "1"], ("--targets", "not found")),
    (["advise", str(BASELINE), "--precision", "-1", "--workers", "1"], ("--precision",)),
    (["advise", str(BASELINE), "--precision", "nan", "--workers", "1"], ("--precision",)),
    (["advise", str(BASELINE), "--precision", "0", "--workers", "1"], ("--precision",)),
    (["compare", str(BASELINE), str(SCENARIOS / "telehoren-permanent.yaml"), "--seed", "-5"], ("--seed",)),
    (["report", "no/such/folder"], ("no results here",)),
    (["calibrate", str(BASELINE), "--spec", "no/such/spec.yaml"], ("--spec", "not found")),
]


@pytest.mark.parametrize("argv,needles", OPTIONS, ids=[" ".join(o[0][:1] + o[0][2:4]) for o in OPTIONS])
def test_bad_option_is_one_clean_line_before_any_run(capsys, monkeypatch, argv, needles):
    _no_simulation(monkeypatch)
    rc, err = _cli(capsys, *argv)
    _assert_one_line(rc, err, *needles)


def _sweep(tmp_path: Path, **changes) -> Path:
    base = tmp_path / "tiny.yaml"
    base.write_text(yaml.safe_dump({"extends": str(BASELINE), "name": "tiny",
                                    "horizon": {"start": "2020-W49", "end": "2021-01-03"}}))
    spec = {"name": "s", "base": "tiny.yaml", "replications": 1,
            "levers": {"ind.video.coa_rooms": {"values": [10, 20]}},
            "outcomes": [{"name": "video", "metrics": ["ind.hearings_video"]}], **changes}
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


SWEEPS = [
    ("misspelt metric", {"outcomes": [{"name": "v", "metrics": ["ind.hearings_vidoe"]}]}, ("unknown metric", "ind.hearings_video")),
    ("window outside horizon", {"outcomes": [{"name": "v", "metrics": ["ind.hearings_video"], "from": "2019-W01"}]},
     ("outside the horizon",)),
    ("window ends before start", {"outcomes": [{"name": "v", "metrics": ["ind.hearings_video"], "from": "2020-W52", "to": "2020-W50"}]},
     ("before it starts",)),
    ("10 x 20-level factorial", {"levers": {f"ind.video.coa_rooms@p{i}": {"low": 0, "high": 10, "levels": 20} for i in range(10)}},
     ("design points",)),
    ("too many runs", {"replications": 10_000_000}, ("--no-limits",)),
    ("lever value inf", {"levers": {"ind.decision_days": {"values": [float("inf")]}}}, ("finite",)),
]


@pytest.mark.parametrize("case,changes,needles", SWEEPS, ids=[s[0] for s in SWEEPS])
def test_bad_sweep_is_refused_before_the_first_run(capsys, monkeypatch, tmp_path, case, changes, needles):
    from ketensim.experiment import sweep

    monkeypatch.setattr(sweep, "_run_job", lambda *a: (_ for _ in ()).throw(AssertionError("ran")))
    path = _sweep(tmp_path, **changes)
    rc, err = _cli(capsys, "sweep", str(path), "--out", str(tmp_path / "out"), "--workers", "1")
    _assert_one_line(rc, err, *needles)
    assert not (tmp_path / "out" / "runs").exists()


def test_duplicate_key_in_sweep_file(capsys, tmp_path):
    path = _sweep(tmp_path)
    path.write_text(path.read_text() + "replications: 3\n")
    rc, err = _cli(capsys, "sweep", str(path), "--out", str(tmp_path / "out"))
    _assert_one_line(rc, err, "duplicate key 'replications'")


def test_scenario_name_cannot_escape_results_folder(tmp_path):
    from ketensim.experiment.store import default_out, safe_name

    assert safe_name("../../x") == "x"
    assert safe_name("") == "unnamed" and safe_name("..") == "unnamed"
    assert safe_name("a/b\\c $x$") == "a_b_c_x"
    assert default_out("../../etc", base=tmp_path).parent == tmp_path
    assert default_out("base", ["a=1"]) != default_out("base") != default_out("base", ["a=2"])


PHASE_VALUES = [
    ("ind.decision_days@lockdown=.inf", ("finite",)),
    ("ind.physical.distancing_factor@lockdown=true", ("boolean",)),
    ("detention.places@lockdown=100000000000", ("plausibility",)),
]


@pytest.mark.parametrize("override,needles", PHASE_VALUES, ids=[o[0][:40] for o in PHASE_VALUES])
def test_bad_phase_value_is_one_clean_line(capsys, override, needles):
    rc, err = _cli(capsys, "check", str(BASELINE), "--set", override)
    _assert_one_line(rc, err, *needles)


def test_explicit_missing_input_options_are_errors(capsys, tmp_path):
    rc, err = _cli(capsys, "report", str(tmp_path), "--baseline", str(tmp_path / "nowhere"))
    _assert_one_line(rc, err, "--baseline", "not found")
    rc, err = _cli(capsys, "validate", str(BASELINE), "--backtest", str(tmp_path / "nowhere"))
    _assert_one_line(rc, err, "--backtest", "not found")
