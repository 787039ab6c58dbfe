"""Bad input, round three: the ways around the earlier checks. Size bounds walked around
(dated changes, phase values, bands, household sizes), impossible values that reached
Python's own errors (non-calendar dates, non-finite factors, phase names that are no text),
changes that do nothing or mean two things, and input files that block when read. Each is
one line naming the file or option, exit 2, no traceback, before anything runs."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from ketensim.cli import main

from conftest import BASELINE, stall_reads

KIND = "integration"

B = str(BASELINE)


def _cli(capsys, *argv: str, limit: float = 10.0) -> tuple[int, str]:
    t0 = time.monotonic()
    rc = main(list(argv))
    elapsed = time.monotonic() - t0
    err = capsys.readouterr().err
    assert elapsed < limit, f"took {elapsed:.1f}s"
    return rc, err


def _assert_one_line(rc: int, err: str, *needles: str, code: int = 2) -> None:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert rc == code, err
    assert len(lines) == 1 and lines[0].startswith("ketensim: error: "), err
    assert "Traceback" not in err and "internal error" not in err and len(lines[0]) <= 420, err
    for n in needles:
        assert n in lines[0], (n, lines[0])


def _child(tmp_path: Path, text: str, name: str = "child.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f"extends: {B}\n" + text)
    return path


@pytest.fixture
def no_simulation(monkeypatch):
    """Fail the test if a replication starts: these errors must come before any work."""
    from ketensim.experiment import runner

    def boom(*a, **k):
        raise AssertionError("a replication ran before the error")

    monkeypatch.setattr(runner, "simulate", boom)


# ---------------------------------------------------------------- 1. size bounds walked around

SIZE_OVERRIDES = [
    ("dated scale", ["inflow.first_applications.scale@2020-06-01=100000"]),
    ("dated factor", ["inflow.first_applications.scale@2020-06-01=*100000"]),
    ("dated scale with an end", ["dublin.incoming.scale@2020-W20..2020-W30=50000"]),
    ("phase values of a series", ["inflow.first_applications.values@lockdown={2020-01: 900000}"]),
    ("phase scale of another series", ["mvv.demand.scale@restart=10000"]),
    ("phase scale of the background", ["nareis.background_applications.scale@restart=100000"]),
    ("dated series values", ["mvv.demand.values@2020-07-01={2020-01: 900000}"]),
    ("a long warm-up", ["horizon.warmup_days=2000000"]),
    ("a far horizon", ["horizon.end=9999-12-26"]),
]


@pytest.mark.parametrize("case,sets", SIZE_OVERRIDES, ids=[c[0] for c in SIZE_OVERRIDES])
def test_every_way_of_growing_the_chain_meets_the_size_estimate(capsys, tmp_path, no_simulation, case, sets):
    argv = [a for s in sets for a in ("--set", s)]
    rc, err = _cli(capsys, "run", B, "--reps", "1", "--workers", "1", "--out", str(tmp_path / "o"), *argv)
    _assert_one_line(rc, err, "persons per replication", "--no-limits")
    assert not (tmp_path / "o").exists() and not list(tmp_path.glob(".o*"))


SIZE_FILES = [
    ("changes in the file", "changes:\n  - {path: inflow.repeat_applications.scale, start: 2020-03-01, value: 200000}\n"),
    ("a phase's series", "phases:\n  - name: surge\n    start: 2020-08-03\n    set:\n"
                         "      dublin.incoming.scale: 100000\n"),
    ("an inflow band", "inflow:\n  bands:\n    levels:\n      low: {weight: 1, scale: 1}\n"
                       "      high: {weight: 1, scale: 50000}\n"),
    ("a band's own values", "inflow:\n  bands:\n    levels:\n      low: {weight: 1}\n"
                            "      high: {weight: 1, values: {2020-06: 900000}}\n"),
    ("a band distribution", "inflow:\n  bands:\n    distribution: {kind: uniform, low: 1, high: 90000}\n"),
]


@pytest.mark.parametrize("case,text", SIZE_FILES, ids=[c[0] for c in SIZE_FILES])
def test_size_from_a_file_is_refused_and_no_limits_lets_it_through(capsys, tmp_path, case, text):
    path = _child(tmp_path, text)
    rc, err = _cli(capsys, "check", str(path))
    _assert_one_line(rc, err, str(path), "persons per replication", "--no-limits")
    rc, err = _cli(capsys, "--no-limits", "check", str(path))
    assert rc == 0, err


HOUSEHOLDS = ["inflow.households.size_probabilities", "nareis.family_size_probabilities",
              "resettlement.household_size_probabilities"]


@pytest.mark.parametrize("path", HOUSEHOLDS)
def test_a_huge_household_is_refused_in_the_base_a_phase_and_a_dated_change(capsys, path):
    forms = [f"{path}={{1000000: 1.0}}", f"{path}={{1: 0.5, 100000: 0.5}}"]
    if not path.startswith("inflow."):  # the inflow's mix is read once, at build time
        forms += [f"{path}@restart={{5000: 1.0}}", f"{path}@2020-06-01={{5000: 1.0}}"]
    for form in forms:
        rc, err = _cli(capsys, "check", B, "--set", form)
        _assert_one_line(rc, err, path, "plausibility bound", "--no-limits")


def test_family_size_counts_in_the_estimate():
    """The family members a granted household brings are persons the run creates: a larger
    family (within the household bound) raises the estimate in proportion."""
    from ketensim.scenario.loader import load_scenario
    from ketensim.scenario.size import expected_size

    base = expected_size(load_scenario(B))[0]  # families of 2.6 persons on average
    small = expected_size(load_scenario(B, ["nareis.family_size_probabilities={1: 1.0}"]))[0]
    big = expected_size(load_scenario(B, ["nareis.family_size_probabilities={91: 1.0}"]))[0]
    assert (big - small) / (base - small) == pytest.approx(90 / 1.6, rel=1e-6)
    assert big > 4 * base


def test_a_phase_value_counts_like_the_same_base_value():
    """Metamorphic: a scale set in the first phase (which holds all run) and the same scale
    as a base value give the same estimate; a dated change from the start likewise."""
    from ketensim.scenario.loader import load_scenario
    from ketensim.scenario.size import expected_size

    def size(*sets: str) -> float:
        return expected_size(load_scenario(B, list(sets)))[0]

    base = size("inflow.first_applications.scale=3")
    assert base > size() * 1.2
    assert size("inflow.first_applications.scale@pre-covid=3") == pytest.approx(base)
    assert size("inflow.first_applications.scale@2019-12-30=3") == pytest.approx(base)
    half = size("inflow.first_applications.scale@2020-07-01=3")
    assert size() < half < base


def test_a_replication_out_of_memory_is_one_line(capsys, tmp_path, monkeypatch):
    from ketensim.model import chain

    def no_memory(self):
        raise MemoryError()

    monkeypatch.setattr(chain.Chain, "run", no_memory)
    rc, err = _cli(capsys, "run", B, "--reps", "2", "--workers", "1", "--quiet",
                   "--set", "horizon.end=2020-01-12", "--out", str(tmp_path / "o"), limit=60)
    _assert_one_line(rc, err, "out of memory", "kept in", code=1)


def test_a_failed_replication_logs_no_traceback(caplog, monkeypatch):
    """The traceback is kept with the run (its store, the manifest); the log gets one line,
    and nothing at warning level (the front end says what failed and where it is kept)."""
    import logging

    from ketensim.experiment.runner import simulate
    from ketensim.model import chain
    from ketensim.scenario.loader import load_scenario

    def fails(self):
        raise RuntimeError("first line\nlast line")

    monkeypatch.setattr(chain.Chain, "run", fails)
    sc = load_scenario(B, ["horizon.end=2020-01-12"])
    with caplog.at_level(logging.DEBUG, logger="ketensim.experiment.runner"):
        rec = simulate(sc, 0, 1)
    assert rec.error is not None and "Traceback" in rec.error and "last line" in rec.error
    info = [r for r in caplog.records if r.levelno == logging.INFO]
    assert len(info) == 1 and "RuntimeError: last line" in info[0].getMessage()
    assert "\n" not in info[0].getMessage() and info[0].exc_info is None
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


# ---------------------------------------------------------------- 2. impossible values

IMPOSSIBLE_FILES = [
    ("phase start 30 February", "phases:\n  - name: late\n    start: 2020-02-30\n", ("phases[", ".start", "2020-02-30", "YYYY-MM-DD")),
    ("phase start week 60", "phases:\n  - name: late\n    start: 2020-W60\n", ("phases[", "2020-W60", "YYYY-Www")),
    ("change start 31 April", "changes:\n  - {path: ind.decision_days, start: 2020-04-31, value: 3}\n",
     ("changes[0].start", "2020-04-31", "YYYY-MM-DD")),
    ("change end month 13", "changes:\n  - {path: ind.decision_days, start: 2020-02-01, end: 2020-13-01, value: 3}\n",
     ("changes[0].end", "2020-13-01")),
    ("horizon start 30 February", "horizon: {start: 2020-02-30}\n", ("horizon.start", "2020-02-30")),
    ("series month 13", "inflow: {first_applications: {values: {2020-13: 5}}}\n", ("inflow.first_applications", "2020-13", "YYYY-MM")),
    ("report window 29 February 2021", "report: {windows: [{name: a, from: 2021-02-29, to: 2021-W10}]}\n",
     ("report.windows[0]", "2021-02-29")),
    ("factor '*..'", "changes:\n  - {path: ind.decision_days, start: 2020-02-01, value: '*..'}\n",
     ("changes[0]", "'*..'", "finite number")),
    ("factor '*e'", "changes:\n  - {path: ind.decision_days, start: 2020-02-01, value: '*e'}\n", ("changes[0]", "'*e'", "finite number")),
    ("factor '*1e999'", "changes:\n  - {path: detention.places, start: 2020-02-01, value: '*1e999'}\n", ("'*1e999'", "finite")),
    ("factor overflowing a count", "changes:\n  - {path: detention.places, start: 2020-02-01, value: '*1e307'}\n",
     ("detention.places", "not a finite number")),
    ("phase set a list", "phases:\n  - name: lockdown\n    start: 2020-03-16\n    set: [1, 2]\n", ("phases[", ".set", "mapping")),
    ("phase set a number", "phases:\n  - name: later\n    start: 2020-06-03\n    set: 5\n", ("phases[", ".set", "mapping")),
    ("phase set a string over a parent's", "phases:\n  - name: restart\n    set: abc\n", ("phases[", ".set", "mapping")),
    ("phase name a list", "phases:\n  - name: [a, b]\n    start: 2020-06-03\n", ("phases[", ".name", "text", "['a', 'b']")),
    ("phase name a mapping", "phases:\n  - name: {a: 1}\n    start: 2020-06-03\n", ("phases[", ".name", "text")),
    ("phase name a number", "phases:\n  - name: 5\n    start: 2020-06-03\n", ("phases[", ".name", "text")),
    ("phase name missing", "phases:\n  - start: 2020-06-03\n", ("phases[", ".name", "missing")),
]


@pytest.mark.parametrize("case,text,needles", IMPOSSIBLE_FILES, ids=[c[0] for c in IMPOSSIBLE_FILES])
def test_an_impossible_value_in_a_file_is_one_line(capsys, tmp_path, case, text, needles):
    path = _child(tmp_path, text)
    rc, err = _cli(capsys, "check", str(path))
    _assert_one_line(rc, err, str(path), *needles)


IMPOSSIBLE_SETS = [
    ("ind.decision_days@2020-02-30=3", ("2020-02-30", "YYYY-MM-DD")),
    ("ind.decision_days@2020-02-01..2020-W60=3", ("2020-W60", "ISO week")),
    ("ind.decision_days@2021-W53=3", ("2021-W53",)),
    ("horizon.end=2020-02-30", ("horizon.end", "2020-02-30")),
    ("ind.decision_days@2020-02-01=*1e999", ("ind.decision_days", "'*1e999'", "finite number")),
    ("ind.decision_days@2020-02-01=*..", ("ind.decision_days", "'*..'", "finite number")),
    ("ind.decision_days@2020-02-01=*e", ("ind.decision_days", "'*e'", "finite number")),
    ("ind.decision_days@2020-02-01=*1e-", ("ind.decision_days", "finite number")),
    ("detention.places@2020-02-01=*1e999", ("detention.places", "finite number")),
    ("detention.places@2020-02-01=*1e300", ("detention.places", "plausibility", "--no-limits")),
    ("ind.decision_days@2020-02-01=*1e308", ("ind.decision_days", "finite")),
]


@pytest.mark.parametrize("override,needles", IMPOSSIBLE_SETS, ids=[o[0] for o in IMPOSSIBLE_SETS])
def test_an_impossible_set_is_one_line(capsys, override, needles):
    rc, err = _cli(capsys, "check", B, "--set", override)
    _assert_one_line(rc, err, "--set", *needles)


def test_impossible_values_raise_the_package_error_in_python():
    from ketensim.scenario.errors import ScenarioError
    from ketensim.scenario.loader import load_scenario

    for sets in (["ind.decision_days@2020-02-01=*.."], ["horizon.end=2020-02-31"],
                 ["ind.decision_days@2020-02-30=1"]):
        with pytest.raises(ScenarioError):
            load_scenario(B, sets)


# ---------------------------------------------------------------- 3. changes that do nothing or mean two things

AMBIGUOUS_SETS = [
    (["ind.decision_days@2019-01-01..2019-02-01=3"], ("before the run starts", "change nothing")),
    (["ind.decision_days@2019-W01..2019-W52=*2"], ("before the run starts",)),
    (["ind.decision_days=3", "ind.decision_days=4"], ("ind.decision_days", "also given", "once")),
    (["ind.decision_days@lockdown=3", "ind.decision_days@lockdown=4"], ("also given",)),
    (["ind.decision_days@2020-W10=3", "ind.decision_days@2020-W10=*2"], ("also given",)),
    (["ind.decision_days@2020-W10..2020-W12=3", "ind.decision_days@2020-W10..2020-W12=4"], ("also given",)),
]


@pytest.mark.parametrize("sets,needles", AMBIGUOUS_SETS, ids=[" ".join(s[0]) for s in AMBIGUOUS_SETS])
def test_a_change_that_does_nothing_or_means_two_things_is_refused(capsys, sets, needles):
    argv = [a for s in sets for a in ("--set", s)]
    rc, err = _cli(capsys, "check", B, *argv)
    _assert_one_line(rc, err, *needles)


def test_the_same_set_twice_with_one_value_is_harmless(capsys):
    rc, err = _cli(capsys, "check", B, "--set", "ind.decision_days=3", "--set", "ind.decision_days=3")
    assert rc == 0, err
    rc, err = _cli(capsys, "check", B, "--set", "ind.decision_days=3", "--set", "ind.decision_days@lockdown=4",
                   "--set", "ind.decision_days@2020-W30=5")  # three places, three meanings: fine
    assert rc == 0, err


AMBIGUOUS_FILES = [
    ("two phases of one name", "phases:\n  - name: dup\n    start: 2020-06-03\n  - name: dup\n    start: 2020-07-03\n",
     ("phases[", ".name", "'dup'", "unique")),
    ("a new phase named like another new one", "phases:\n  - name: a\n    start: 2020-06-03\n"
     "    set: {ind.decision_days: 3}\n  - name: a\n    start: 2020-08-03\n", ("'a'", "unique")),
    ("a change wholly before the horizon", "changes:\n  - {path: ind.decision_days, start: 2019-01-07, end: 2019-06-30, value: 3}\n",
     ("changes[0]", "before the run starts")),
    ("two values for one change", "changes:\n  - {path: ind.decision_days, start: 2020-03-02, value: 3}\n"
     "  - {path: ind.decision_days, start: 2020-03-02, value: 4}\n", ("changes[1]", "changes[0]", "one value")),
]


@pytest.mark.parametrize("case,text,needles", AMBIGUOUS_FILES, ids=[c[0] for c in AMBIGUOUS_FILES])
def test_an_ambiguous_file_is_refused(capsys, tmp_path, case, text, needles):
    path = _child(tmp_path, text)
    rc, err = _cli(capsys, "check", str(path))
    _assert_one_line(rc, err, str(path), *needles)


def test_two_phases_of_one_name_in_a_standalone_file(capsys, tmp_path):
    path = tmp_path / "own.yaml"
    path.write_text(BASELINE.read_text().replace("name: restart", "name: lockdown"))
    rc, err = _cli(capsys, "check", str(path))
    _assert_one_line(rc, err, "'lockdown'", "unique")


def test_a_change_inside_the_warm_up_still_counts(capsys, tmp_path):
    """Before the horizon start but inside the warm-up the change acts: accepted."""
    path = _child(tmp_path, "horizon: {warmup_days: 70}\n"
                            "changes:\n  - {path: ind.decision_days, start: 2019-11-04, end: 2019-11-30, value: 3}\n")
    rc, err = _cli(capsys, "check", str(path))
    assert rc == 0, err


# ---------------------------------------------------------------- 4. files that block when read


@pytest.fixture
def blocking_file(tmp_path, monkeypatch):
    """A regular file whose reads block (as some files under /proc do): os.read on it waits
    up to 60 s, so an unbounded reader makes the test fail on time."""
    path = tmp_path / "blocks.yaml"
    path.write_text(f"extends: {B}\n")
    release = stall_reads(monkeypatch, path)
    yield path
    release.set()


def test_a_blocking_scenario_file_is_refused_in_time(capsys, blocking_file):
    rc, err = _cli(capsys, "check", str(blocking_file), limit=5)
    _assert_one_line(rc, err, str(blocking_file), "blocks when read")


def test_a_blocking_extends_is_refused_in_time(capsys, tmp_path, blocking_file):
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {blocking_file}\nname: c\n")
    rc, err = _cli(capsys, "check", str(child), limit=5)
    _assert_one_line(rc, err, "blocks.yaml", "blocks when read")


def test_blocking_targets_are_refused_before_any_run(capsys, tmp_path, blocking_file, no_simulation):
    rc, err = _cli(capsys, "run", B, "--targets", str(blocking_file), "--workers", "1",
                   "--out", str(tmp_path / "o"), limit=8)
    _assert_one_line(rc, err, "blocks.yaml", "blocks when read")


def test_a_file_that_would_block_is_refused_at_once(capsys, tmp_path, monkeypatch):
    """A special file opened without waiting says so (EAGAIN): refused without the timeout."""
    path = tmp_path / "kmsg.yaml"
    path.write_text("name: x\n")
    ino = path.stat().st_ino
    real_read = os.read

    def read(fd: int, n: int) -> bytes:
        if os.fstat(fd).st_ino == ino:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        return real_read(fd, n)

    monkeypatch.setattr(os, "read", read)
    rc, err = _cli(capsys, "check", str(path), limit=2)
    _assert_one_line(rc, err, str(path), "blocks when read")


@pytest.mark.parametrize("special", ["/proc/self/status", "/proc/self/environ", "/proc/self/mountinfo"])
def test_proc_files_are_read_bounded_as_text(capsys, special):
    if not Path(special).exists():
        pytest.skip(f"no {special} here")
    rc, err = _cli(capsys, "check", special)
    _assert_one_line(rc, err, special)
