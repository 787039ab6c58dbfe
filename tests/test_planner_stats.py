"""The one statistics module: windows, the partial-window rule, statistics, t-intervals."""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from ketensim.analysis.stats import (
    Window,
    clip,
    fmt_ci,
    fmt_diff,
    generated_windows,
    mean_ci,
    parse_statistic,
    parse_window,
    resolve,
    t_quantile,
    window_values,
)

KIND = "unit"


def _weekly(values_by_rep: dict[int, list[float]], start="2020-09-28", metric="m") -> pd.DataFrame:
    rows = []
    for rep, values in values_by_rep.items():
        for i, v in enumerate(values):
            rows.append({"scenario": "s", "replication": rep, "metric": metric, "value": v,
                         "week_start": pd.Timestamp(start) + pd.Timedelta(weeks=i)})
    return pd.DataFrame(rows)


def test_parse_window_forms():
    w = parse_window("autumn=2020-W40..2020-W53")
    assert (w.name, w.start, w.end, w.weeks) == ("autumn", dt.date(2020, 9, 28), dt.date(2021, 1, 3), 14)
    w = parse_window("2020-11-01..2020-12-31")
    assert w.name == "2020-11-01..2020-12-31" and w.end == dt.date(2020, 12, 31)
    assert parse_window("2020-W45").weeks == 1
    for bad in ("2020-W60..2020-W61", "x=2020-W10..2020-W05", "soon"):
        with pytest.raises(ValueError):
            parse_window(bad)


@pytest.mark.parametrize("name, expected", [("mean", "mean"), ("weekly_mean", "mean"), ("snapshot", "end"),
                                            ("max", "max"), ("p90", "p90"), ("p2.5", "p2.5"), ("min", "min")])
def test_statistic_names(name, expected):
    assert parse_statistic(name) == expected


def test_unknown_statistic_names_what_is_allowed():
    with pytest.raises(ValueError, match="allowed: mean, sum, end, max, min"):
        parse_statistic("median-ish")


def test_window_statistics_by_hand():
    weekly = _weekly({0: [1, 5, 3, 2], 1: [2, 2, 8, 4]})
    w = Window.of("2020-W40", "2020-W43", "w")
    expect = {"mean": [2.75, 4.0], "sum": [11, 16], "end": [2, 4], "max": [5, 8], "min": [1, 2],
              "p50": [2.5, 3.0]}
    for stat, values in expect.items():
        got = window_values(weekly, ["m"], w, stat).to_numpy()
        assert got == pytest.approx(values), stat
    # two weeks of the window only
    got = window_values(weekly, ["m"], Window.of("2020-W41", "2020-W42"), "max").to_numpy()
    assert got == pytest.approx([5, 8])


def test_a_week_without_values_stays_out():
    weekly = _weekly({0: [1, np.nan, 3]})
    assert window_values(weekly, ["m"], Window.of("2020-W40", "2020-W42"), "mean").iloc[0] == 2


def test_partial_windows_are_clipped_and_marked_the_same_everywhere():
    first, last = dt.date(2020, 9, 28), dt.date(2020, 10, 19)  # W40..W43 simulated
    inside = Window.of("2020-W41", "2020-W42", "in")
    assert clip(inside, first, last) == inside
    part = clip(Window.of("2020-W40", "2020-W53", "autumn"), first, last)
    assert part.partial and part.label == "autumn (partial: W40-W43)" and part.weeks == 4
    assert clip(Window.of("2020-W01", "2020-W05", "x"), first, last) is None
    weekly = _weekly({0: [1, 2, 3, 4]})
    assert [w.label for w in resolve(weekly, [inside, Window.of("2020-W40", "2020-W53", "autumn")])] \
        == ["in", "autumn (partial: W40-W43)"]


def test_t_interval_uses_the_student_quantile():
    assert t_quantile(1) == pytest.approx(12.706, abs=1e-3)
    assert t_quantile(4) == pytest.approx(2.776, abs=1e-3)
    assert t_quantile(60) == pytest.approx(2.000, abs=1e-3)
    m, lo, hi = mean_ci([1.0, 2.0, 3.0])
    assert m == 2 and hi - m == pytest.approx(4.303 / math.sqrt(3), abs=1e-3)
    assert math.isnan(mean_ci([5.0])[1]) and math.isnan(mean_ci([])[0])


def test_generated_windows_for_a_multi_year_horizon():
    wins = generated_windows(dt.date(2019, 12, 30), dt.date(2023, 1, 1), yearly=True, half_yearly=True)
    names = [w.name for w in wins]
    assert names == ["2020", "2020-H1", "2020-H2", "2021", "2021-H1", "2021-H2", "2022", "2022-H1", "2022-H2"]
    y2020 = wins[0]
    assert y2020.weeks == 53 and wins[3].weeks == 52
    assert wins[2].start == dt.date(2020, 6, 29)  # W27


def test_formatting():
    assert fmt_ci(1234.4, 1200, 1268) == "1,234 ±34"
    assert fmt_ci(float("nan"), 0, 0) == "-"
    assert fmt_diff(12.0, 3.0, 21.0) == "+12 [+3, +21]"
    assert fmt_diff(-0.4, -1.1, 0.3) == "-0.4 [-1.1, +0.3]"


def test_windows_declared_in_the_scenario_and_the_targets_file(tmp_path):
    from ketensim.analysis.targets import Targets
    from ketensim.analysis.windows import declared_windows
    from ketensim.scenario.loader import load_scenario

    from conftest import BASELINE

    sc = load_scenario(BASELINE, ["report.yearly=true", "report.letter_windows=false",
                                  "report.windows=[{name: autumn, from: 2020-W40, to: 2020-W53}]"])
    tg = Targets(targets=[], windows=[Window.of("2020-11-02", "2020-11-29", "november")])
    assert [w.name for w in declared_windows(sc, tg)] == ["autumn", "2020", "november"]  # 2019-12-30 is 2020-W01
    assert [w.name for w in declared_windows(load_scenario(BASELINE))][:2] == ["W01-11 pre", "W12-17 lockdown"]
