"""Bad input gives one clear line (file, path, bad value, what is allowed) and exit code 2."""
from __future__ import annotations

import subprocess
import sys

import pytest

from ketensim.cli import main
from ketensim.scenario.errors import ScenarioError
from ketensim.scenario.loader import load_scenario

from conftest import BASELINE

KIND = "unit"


def run_check(capsys, *args: str) -> tuple[int, str]:
    rc = main(["check", *map(str, args)])
    err = capsys.readouterr().err.strip()
    return rc, err


@pytest.mark.parametrize(
    "content, expect",
    [
        ({"ind": {"vidoe": {"coa_rooms": 3}}}, ["ind.vidoe", "unknown key", "did you mean 'video'", "allowed:"]),
        ({"ind": {"video": {"coa_rooms": -5}}}, ["ind.video.coa_rooms", "must be >= 0", "got -5"]),
        ({"ind": {"video": {"coa_rooms": "lots"}}}, ["ind.video.coa_rooms", "whole number", "'lots'"]),
        ({"dtv": {"removable_share": 1.5}}, ["dtv.removable_share", "must be <= 1", "got 1.5"]),
        ({"horizon": {"start": "2020-01-01"}}, ["horizon.start", "must be a Monday", "2019-12-30"]),
        ({"phases": [{"name": "future", "start": "2022-03-01"}]}, ["phases", "future", "outside the horizon"]),
        ({"phases": [{"name": "lockdown", "set": {"ind.physical.distancing_factr": 0.5}}]},
         ["phases[1] (lockdown).set.ind.physical.distancing_factr", "did you mean 'distancing_factor'"]),
        ({"phases": [{"name": "lockdown", "set": {"horizon.end": "2020-06-28"}}]},
         ["lockdown", "horizon.end", "phases may only change"]),
        ({"phases": [{"name": "lockdown", "set": {"dtv.travel_open": 2}}]},
         ["phases[1] (lockdown).set.dtv.travel_open", "must be <= 1", "got 2"]),
        ({"inflow": {"households": {"size_probabilities": {1: 0.5, 2: 0.2}}}},
         ["inflow.households", "sum to 1", "got 0.7"]),  # a distribution replaces the parent's whole
    ],
)
def test_bad_values_give_one_line_and_exit_2(capsys, write_scenario, content, expect):
    path = write_scenario({"extends": "baseline-2020", **content})
    rc, err = run_check(capsys, path)
    assert rc == 2
    assert err.count("\n") == 0, err
    assert str(path) in err
    for piece in expect:
        assert piece in err, (piece, err)


def test_phases_out_of_order_in_one_file(capsys, write_scenario):
    raw = BASELINE.read_text().replace("start: 2020-W12", "start: 2020-W30")
    rc, err = run_check(capsys, write_scenario(raw))
    assert rc == 2 and "must be in order and may not overlap" in err and "'restart'" in err


def test_two_phases_with_one_start_overlap(capsys, write_scenario):
    raw = BASELINE.read_text().replace("start: 2020-04-28", "start: 2020-W12")
    rc, err = run_check(capsys, write_scenario(raw))
    assert rc == 2 and "may not overlap" in err


def test_yaml_syntax_error_names_line(capsys, write_scenario):
    rc, err = run_check(capsys, write_scenario("name: x\nind: [a\n"))
    assert rc == 2 and "YAML syntax error at line 3" in err


def test_missing_file_and_missing_parent(capsys, tmp_path, write_scenario):
    rc, err = run_check(capsys, tmp_path / "nope.yaml")
    assert rc == 2 and "nope.yaml: file not found" in err
    rc, err = run_check(capsys, write_scenario({"extends": str(tmp_path / "gone.yaml")}))
    assert rc == 2 and "extends" in err and "file not found" in err


def test_yaml_cannot_execute_code(capsys, write_scenario):
    path = write_scenario("name: !!python/object/apply:os.system ['echo pwned']\n")
    rc, err = run_check(capsys, path)
    assert rc == 2 and "YAML" in err


def test_bad_override(capsys):
    rc, err = run_check(capsys, BASELINE, "--set", "ind.video.coa_rooms=-1")
    assert rc == 2 and "ind.video.coa_rooms: must be >= 0, got -1" in err and "--set" in err
    rc, err = run_check(capsys, BASELINE, "--set", "dtv.travel_open@nophase=0.5")
    assert rc == 2 and "no phase named 'nophase'" in err and "lockdown" in err
    rc, err = run_check(capsys, BASELINE, "--set", "noequals")
    assert rc == 2 and "dotted.path=value" in err


@pytest.mark.integration
def test_cli_prints_no_traceback(write_scenario):
    path = write_scenario({"extends": "baseline-2020", "ind": {"decision_days": -1}})
    proc = subprocess.run([sys.executable, "-m", "ketensim.cli", "check", str(path)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert proc.stderr.startswith("ketensim: error: ") and "ind.decision_days" in proc.stderr


def test_overrides_are_typed_by_the_schema():
    sc = load_scenario(BASELINE, ["ind.video.coa_rooms@lockdown=44", "dtv.travel_open=0.9",
                                  "horizon.end=2020-W20-7"])
    assert sc.dtv.travel_open == 0.9
    assert str(sc.horizon.end) == "2020-05-17"
    rec = next(p for p in sc.phases if p.name == "lockdown")
    assert [p.name for p in sc.phases][-1] == "zoutkamp-closed"  # later inherited phases dropped
    assert rec.set["ind.video.coa_rooms"] == 44


def test_extends_merges_phases_by_name(write_scenario):
    path = write_scenario({"extends": "baseline-2020", "name": "v",
                           "phases": [{"name": "lockdown", "set": {"dtv.travel_open": 0.1}},
                                      {"name": "extra", "start": "2020-W47", "set": {"dtv.travel_open": 0.2}}]})
    sc = load_scenario(path)
    names = [p.name for p in sc.phases]
    assert names[-1] == "extra" and names.count("lockdown") == 1
    lock = next(p for p in sc.phases if p.name == "lockdown")
    assert lock.set["dtv.travel_open"] == 0.1
    assert lock.set["ind.physical.distancing_factor"] == 0.0  # the parent's overrides stay


def test_scenario_is_frozen():
    sc = load_scenario(BASELINE)
    with pytest.raises(Exception):
        sc.dtv.travel_open = 0.1  # type: ignore[misc]


def test_error_is_a_scenario_error_in_python(write_scenario):
    with pytest.raises(ScenarioError) as info:
        load_scenario(write_scenario({"extends": "baseline-2020", "seed": -3}))
    assert info.value.path == "seed"


def test_both_application_kinds_are_required(capsys):
    rc, err = run_check(capsys, BASELINE, "--set", "ind.grant_share={first: 0.5}")
    assert rc == 2 and "ind.grant_share" in err and "repeat" in err


def test_a_folder_is_not_a_scenario(capsys, tmp_path):
    rc, err = run_check(capsys, tmp_path)
    assert rc == 2 and "is a folder" in err


def test_calibration_spec_names_are_checked(tmp_path):
    from ketensim.calibration.spec import load_spec

    spec = tmp_path / "c.yaml"
    spec.write_text(f"scenario: {BASELINE}\ntargets: {BASELINE.parent / 'targets/letter-2020-10-05.yaml'}\n"
                    "parameters:\n  - {path: dtv.travel_open@lockdwon, low: 0.1, high: 0.5}\n")
    with pytest.raises(ScenarioError, match="no phase named 'lockdwon'"):
        load_spec(spec)
    spec.write_text(f"scenario: {BASELINE}\ntargets: {BASELINE.parent / 'targets/letter-2020-10-05.yaml'}\n"
                    "use_targets: [T99]\nparameters:\n  - {path: dtv.travel_open@lockdown, low: 0.1, high: 0.5}\n")
    with pytest.raises(ScenarioError, match="unknown target id"):
        load_spec(spec)


def test_a_later_start_begins_in_the_phase_then_in_force():
    """Phases that ended before the run starts are folded into the one in force at the start
    (their overrides kept): one phase per start day, and the right one first."""
    from ketensim.policy.timeline import build_timeline

    sc = load_scenario(BASELINE, ["horizon.start=2020-06-01"])
    phases = build_timeline(sc)
    assert phases[0].name == "telehoren-scale-up" and phases[0].start_day == 0
    assert len({p.start_day for p in phases}) == len(phases)
    restart = next(p for p in sc.phases if p.name == "restart")
    assert phases[0].params.dtv.travel_open == restart.set["dtv.travel_open"]  # kept cumulatively
