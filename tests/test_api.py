"""The Python API: its docstring examples run as tests, results round-trip through the store."""
from __future__ import annotations

import doctest

import pandas as pd
import pytest

import ketensim

from conftest import ROOT
from frontend_support import short_dir, short_run

KIND = "integration"


def test_api_docstring_examples_run(monkeypatch):
    from ketensim import api, results

    monkeypatch.chdir(ROOT)
    attempted = 0
    for module in (api, results):
        result = doctest.testmod(module, extraglobs={"res": short_run()}, optionflags=doctest.ELLIPSIS,
                                 verbose=False)
        assert result.failed == 0
        attempted += result.attempted
    assert attempted >= 15


def test_package_exports_the_api_lazily():
    import subprocess
    import sys

    code = ("import sys, ketensim; assert 'pandas' not in sys.modules and 'matplotlib' not in sys.modules; "
            "assert callable(ketensim.run) and callable(ketensim.load) and callable(ketensim.html_report); "
            "print(sorted(set(ketensim.__all__)))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "RunResults" in proc.stdout


def test_read_gives_back_what_was_written():
    res = short_run()
    back = ketensim.read(short_dir())
    pd.testing.assert_frame_equal(back.weekly.reset_index(drop=True), res.weekly.reset_index(drop=True),
                                  check_dtype=False)
    assert back.manifest["scenario_hash"] == res.manifest["scenario_hash"]
    assert back.phases == res.phases and [p[0] for p in back.phases][:3] == ["pre-covid", "lockdown", "restart"]


def test_summary_marks_a_window_partly_outside_the_run_as_partial():
    s = short_run().summary()
    assert set(s.window) == {"W01-11 pre", "W12-17 lockdown", "W18-26 restart (partial: W18-W20)"}
    assert set(s[s.partial].window) == {"W18-26 restart (partial: W18-W20)"}  # only W18-20 simulated
    row = s[(s.figure == "hearings, physical /wk") & (s.window == "W12-17 lockdown")].iloc[0]
    assert row["mean"] == 0 and row.reps == 2          # no physical hearings in the lockdown
    pre = s[(s.figure == "hearings, physical /wk") & (s.window == "W01-11 pre")].iloc[0]
    assert pre.ci_low <= pre["mean"] <= pre.ci_high
    with pytest.raises(KeyError, match="unknown window"):
        short_run().summary(windows=["W99"])


def test_summary_of_a_metric_sum_equals_the_sum_of_the_summaries():
    res = short_run()
    a = res.summary(["W01-11 pre"], {"dep": ["dtv.departures_independent", "dtv.departures_forced"]})
    b = res.summary(["W01-11 pre"], ["dtv.departures_independent", "dtv.departures_forced"])
    assert a["mean"].iloc[0] == pytest.approx(b["mean"].sum())


def test_compare_puts_both_scenarios_side_by_side():
    base, tele = short_run(), short_run("telehoren-permanent")
    diff = tele.compare(base, windows={"May": ("2020-W19", "2020-W20")})
    assert diff.attrs["names"] == {"baseline": "baseline-2020", "scenario": "telehoren-permanent"}
    video = diff[diff.figure == "hearings, video /wk"].iloc[0]
    assert video.scenario_mean > video.baseline_mean
    assert video.difference == pytest.approx(video.scenario_mean - video.baseline_mean)
    # before the scenarios differ, common random numbers give identical results
    pre = tele.compare(base, windows=["W01-11 pre"])
    assert (pre.difference == 0).all()
    assert (pre.difference_ci_low == 0).all() and (pre.difference_ci_high == 0).all()
    # the paired interval of the difference lies around the difference of the means
    assert video.difference_ci_low <= video.difference <= video.difference_ci_high
