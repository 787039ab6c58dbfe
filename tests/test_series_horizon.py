"""Input series that know their horizon: a series ending early is an error unless the
scenario says how to extend it (hold, zero, repeat_last_year)."""
from __future__ import annotations

import datetime as dt

import pytest

from ketensim.cli import main
from ketensim.scenario.errors import ScenarioError
from ketensim.scenario.loader import load_scenario
from ketensim.scenario.series import extend_values

from conftest import BASELINE

KIND = "unit"


def test_series_ending_early_without_extend_fails_with_one_line(write_scenario, capsys):
    path = write_scenario({"extends": "baseline-2020", "horizon": {"end": "2021-W10-7"},
                           "inflow": {"repeat_applications": {"extend": None}}})
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    msg = str(err.value)
    assert "inflow.repeat_applications" in msg and "2020-12" in msg and "2021-03-14" in msg
    assert "hold | zero | repeat_last_year" in msg
    assert main(["check", str(path)]) == 2
    out = capsys.readouterr()
    assert out.err.count("\n") == 1 and "Traceback" not in out.err


def test_hold_keeps_the_series_as_given():
    sc = load_scenario(BASELINE, ["horizon.end=2021-W10-7"])
    assert sc.inflow.first_applications.extend == "hold"
    assert max(sc.inflow.first_applications.values) == "2020-12"


def test_zero_and_repeat_last_year_are_written_out_to_the_horizon(write_scenario):
    path = write_scenario({"extends": "baseline-2020", "horizon": {"end": "2021-W10-7"},
                           "inflow": {"first_applications": {"extend": "repeat_last_year"},
                                      "repeat_applications": {"extend": "zero"}}})
    sc = load_scenario(path)
    first, repeat = sc.inflow.first_applications.values, sc.inflow.repeat_applications.values
    assert first["2021-01"] == first["2020-01"] == 1970 and first["2021-03"] == 1025
    assert max(first) == "2021-03" and max(repeat) == "2021-03"  # 14 March lies in March
    assert repeat["2021-01"] == repeat["2021-03"] == 0 and repeat["2020-12"] == 140
    # a phase rebuilds the scenario from its dump: writing out again changes nothing
    from ketensim.policy.timeline import build_timeline
    assert build_timeline(sc)[-1].params.inflow.first_applications.values == first


def test_weekly_repeat_takes_the_week_52_weeks_earlier():
    values = {f"2020-W{w:02d}": float(w) for w in range(1, 54)}  # 2020 has 53 ISO weeks
    out = extend_values(values, "week", "repeat_last_year", dt.date(2021, 1, 17))
    assert out["2021-W01"] == 2.0  # 2021-W01 starts 4 Jan 2021; 364 days earlier is 2020-W02
    assert out["2021-W02"] == 3.0
    assert extend_values(values, "week", "hold", dt.date(2022, 1, 1)) == values


def test_repeat_without_a_whole_year_fails():
    with pytest.raises(ValueError, match="2019-07 is missing"):
        extend_values({"2020-06": 1.0}, "month", "repeat_last_year", dt.date(2021, 2, 1), name="x")
