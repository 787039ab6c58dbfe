"""Dated changes (`--set path@DATE[..DATE]=value`) in the one override grammar."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from ketensim.scenario.errors import ScenarioError
from ketensim.scenario.loader import load_scenario
from ketensim.scenario.overrides import apply_overrides, parse
from ketensim.scenario.phases import build_timeline

from conftest import BASELINE, ROOT

KIND = "unit"


def _value_on(sc, day: dt.date, get):
    steps = build_timeline(sc)
    t = (day - sc.horizon.start).days
    step = [s for s in steps if s.start_day <= t][-1]
    return get(step.params)


def _phase_set(sc, phase: str, path: str):
    """The value a phase of the scenario sets (the expectations follow the calibrated file)."""
    return next(p for p in sc.phases if p.name == phase).set[path]


def test_parse_forms():
    o = parse("dublin.transfers_per_week@2020-11-01=0")
    assert (o.path, o.start, o.end, o.value) == ("dublin.transfers_per_week", dt.date(2020, 11, 1), None, 0)
    o = parse("ind.video.coa_rooms@2020-W40..2020-W45=40")
    assert (o.start, o.end) == (dt.date(2020, 9, 28), dt.date(2020, 11, 8))  # Monday .. Sunday
    o = parse("ind.video.coa_rooms@recovery=40")
    assert (o.phase, o.start) == ("recovery", None)
    assert parse("a.b=3").phase is None and parse("a.b=3").value == 3


@pytest.mark.parametrize("text, fragment", [
    ("a.b@2020-W99=1", "not a valid date"),
    ("a.b@2020-W10..2020-W05=1", "ends"),
    ("a.b@2020-13-01=1", "not a valid date"),
    ("a.b@=1", "nothing after"),
    ("a.b@recovery=*0.5", "only in a dated change"),
])
def test_parse_errors(text, fragment):
    with pytest.raises(ScenarioError, match=fragment):
        parse(text)


def test_dated_change_wins_over_later_phases_while_it_holds_then_phases_resume():
    # travel_open is set by the phases at W38 (second-wave: 0.42); a change W36..W40 holds it
    sc = load_scenario(BASELINE, ["dtv.travel_open@2020-W36..2020-W40=0.1"])
    travel = lambda p: p.dtv.travel_open  # noqa: E731
    recovery = _phase_set(sc, "recovery", "dtv.travel_open")
    second_wave = _phase_set(sc, "second-wave", "dtv.travel_open")
    assert 0.1 not in (recovery, second_wave)  # the held value is distinguishable from both
    assert _value_on(sc, dt.date(2020, 8, 30), travel) == pytest.approx(recovery)  # before: recovery
    assert _value_on(sc, dt.date(2020, 9, 20), travel) == 0.1  # second-wave started, held back
    assert _value_on(sc, dt.date(2020, 10, 4), travel) == 0.1  # Sunday of W40: still holds
    assert _value_on(sc, dt.date(2020, 10, 5), travel) == pytest.approx(second_wave)  # ended: the phases' value again
    # other parameters keep following the phases
    assert _value_on(sc, dt.date(2020, 9, 20), lambda p: p.nareis.travel_open) == pytest.approx(
        _phase_set(sc, "second-wave", "nareis.travel_open"))


def test_factor_follows_the_phase_value_and_open_end_runs_to_horizon():
    sc = load_scenario(BASELINE, ["ind.physical.distancing_factor@2020-W20=*0.5"])
    dist = lambda p: p.ind.physical.distancing_factor  # noqa: E731
    restart = _phase_set(sc, "restart", "ind.physical.distancing_factor")
    recovery = _phase_set(sc, "recovery", "ind.physical.distancing_factor")
    assert _value_on(sc, dt.date(2020, 5, 20), dist) == pytest.approx(restart / 2)    # restart
    assert _value_on(sc, dt.date(2020, 12, 31), dist) == pytest.approx(recovery / 2)  # recovery on
    assert _value_on(sc, dt.date(2020, 5, 1), dist) == pytest.approx(restart)         # before W20


def test_no_dated_change_leaves_the_timeline_unchanged():
    sc = load_scenario(BASELINE)
    steps = build_timeline(sc)
    assert [s.name for s in steps] == [p.name for p in sc.phases]
    assert all(s.changes == () for s in steps)


def test_apply_overrides_on_a_validated_scenario_is_the_single_entry_point():
    base = load_scenario(BASELINE)
    sc = apply_overrides(base, ["dublin.transfers_per_week@2020-11-01=0", "dtv.travel_open=0.9"])
    assert sc.dtv.travel_open == 0.9 and len(sc.changes) == 1
    assert _value_on(sc, dt.date(2020, 11, 10), lambda p: p.dublin.transfers_per_week) == 0
    assert base.changes == []  # the input is not changed
    with pytest.raises(ScenarioError, match="can only be set before the run"):
        apply_overrides(base, ["reception.locations@2020-W40=[]"])
    with pytest.raises(ScenarioError, match="after the horizon end"):
        apply_overrides(base, ["dtv.travel_open@2021-W10=0.1"])


def test_dated_change_in_a_sweep_file_and_the_api(tmp_path):
    import ketensim
    from ketensim.experiment.design import design_points, load_sweep

    sc = ketensim.load(BASELINE, "dublin.transfers_per_week@2020-11-01=0")
    assert sc.changes[0].start == dt.date(2020, 11, 1)
    sweep = tmp_path / "s.yaml"
    sweep.write_text(f"name: s\nbase: {BASELINE}\nlevers:\n  ind.video.coa_rooms@2020-W40: {{values: [30, 40]}}\n")
    spec, _ = load_sweep(sweep)
    point = design_points(spec)[1]
    sc = load_scenario(BASELINE, point.overrides())
    assert _value_on(sc, dt.date(2020, 10, 1), lambda p: p.ind.video.coa_rooms) == 40


def test_dated_change_changes_the_run_only_from_its_date():
    from ketensim.experiment.runner import run_scenario

    short = ["horizon.end=2020-W08-7"]
    base = run_scenario(load_scenario(BASELINE, short), reps=1, workers=1).weekly
    alt = run_scenario(load_scenario(BASELINE, [*short, "ind.physical.distancing_factor@2020-W06=0"]),
                       reps=1, workers=1).weekly
    def weekly(df):
        return df[df.metric == "ind.hearings_physical"].set_index("iso_week").value
    b, a = weekly(base), weekly(alt)
    assert (a.loc[1:5] == b.loc[1:5]).all()        # identical before week 6 (same seed)
    assert (a.loc[6:8] == 0).all() and (b.loc[6:8] > 0).all()


@pytest.mark.integration
def test_check_shows_the_timeline():
    out = subprocess.run([sys.executable, "-m", "ketensim.cli", "check", str(BASELINE),
                          "--set", "dtv.travel_open@2020-W36..2020-W40=0.1"],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "2020-08-31  quarantine-10-days (+1 dated)" in out.stdout
    assert "dtv.travel_open=0.42 (held back by a dated change)" in out.stdout
    assert "ended: dtv.travel_open@2020-W36..2020-W40=0.1 -> dtv.travel_open=0.42" in out.stdout
    bad = subprocess.run([sys.executable, "-m", "ketensim.cli", "check", str(BASELINE),
                          "--set", "dtv.travel_open@2020-W99=0.1"], capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "2020-W99" in bad.stderr


def test_the_docs_extends_example_loads(tmp_path):
    import re

    from conftest import SCENARIOS

    readme = (ROOT / "docs/howto/scenario.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(# scenarios/my-second-wave-halved.yaml\n.*?)```", readme, flags=re.S).group(1)
    path = tmp_path / "my-second-wave-halved.yaml"
    path.write_text(block.replace("extends: second-wave-2020.yaml", f"extends: {SCENARIOS / 'second-wave-2020.yaml'}"))
    sc = load_scenario(path)
    assert sc.name == "second-wave-halved" and sc.report.windows[0].name == "autumn"
    assert next(p for p in sc.phases if p.name == "second-wave").set["health.transmission.prevention"] == 0.35
    recovery = _phase_set(sc, "recovery", "ind.physical.distancing_factor")  # inherited from the baseline
    assert _value_on(sc, dt.date(2020, 10, 5), lambda p: p.ind.physical.distancing_factor) == pytest.approx(recovery / 2)
