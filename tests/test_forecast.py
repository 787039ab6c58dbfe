"""The forecast tables on a hand-made weekly table (yearly/half-yearly windows, stocks at a
date, overflow weeks, absent metrics) and the forecast command end to end on a short run."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from ketensim.analysis.forecast import FIGURES, at_dates, overflow_weeks, window_stats, year_windows
from ketensim.cli import main
from ketensim.workflow.forecast import write_forecast

from conftest import SCENARIOS

KIND = "unit"

START = dt.date(2019, 12, 30)  # 2020-W01
WEEKS = 157                     # to 2022-W52
FIG = {f.key: f for f in FIGURES}


def hand_made() -> pd.DataFrame:
    """Two replications. coa.occupancy = week index (+1000 in replication 1); nareis.arrivals
    = 1 a week (2 in replication 1); coa.col_overflow > 0 in three weeks of 2021 (rep 0 only)."""
    rows = []
    for rep in (0, 1):
        for w in range(WEEKS):
            start = START + dt.timedelta(days=7 * w)
            y, k, _ = start.isocalendar()
            over = 50.0 if (rep == 0 and y == 2021 and k in (10, 11, 40)) else 0.0
            for metric, value in (("coa.occupancy", w + 1000 * rep), ("nareis.arrivals", 1 + rep),
                                  ("coa.col_overflow", over)):
                rows.append({"scenario": "t", "replication": rep, "iso_year": y, "iso_week": k,
                             "week_start": start, "metric": metric, "value": float(value)})
    return pd.DataFrame(rows)


def test_year_windows_follow_iso_years():
    w = year_windows(START, START + dt.timedelta(days=7 * (WEEKS - 1)))
    assert w["2020"] == ("2020-W01", "2020-W53") and w["2020-H2"] == ("2020-W27", "2020-W53")
    assert w["2021"] == ("2021-W01", "2021-W52") and w["2022-H1"] == ("2022-W01", "2022-W26")
    assert len(w) == 9
    # a horizon ending mid-year has no window for that year or its second half
    cut = year_windows(START, dt.date(2021, 6, 28))  # Monday of 2021-W26
    assert "2021-H1" in cut and "2021" not in cut and "2021-H2" not in cut


def test_yearly_windows_are_right_on_a_hand_made_table():
    weekly = hand_made()
    win = window_stats(weekly, {"2021": ("2021-W01", "2021-W52"), "2021-H1": ("2021-W01", "2021-W26")})
    arr = win[(win.figure == "nareis_arrivals") & (win.window == "2021")].iloc[0]
    assert arr["mean"] == pytest.approx((52 + 104) / 2)  # a flow: total over the window
    assert arr["p05"] == pytest.approx(52 + 0.05 * 52) and arr["p95"] == pytest.approx(52 + 0.95 * 52)
    occ = win[(win.figure == "occupancy") & (win.window == "2021-H1")].iloc[0]
    # a stock: mean of the week ends; 2021-W01 is week index 53, W26 index 78
    assert occ["mean"] == pytest.approx(np.mean(np.arange(53, 79)) + 500)
    assert set(win.figure) == {"occupancy", "nareis_arrivals", "col_overflow"}


def test_stock_at_a_date_takes_the_nearest_week_end_and_knows_the_horizon():
    t = at_dates(hand_made(), FIG["occupancy"], [dt.date(2021, 1, 1), dt.date(2021, 4, 1), dt.date(2023, 3, 1)])
    assert list(t.week_end[:2]) == [dt.date(2021, 1, 3), dt.date(2021, 4, 4)]
    assert t["mean"][0] == pytest.approx(52 + 500)  # 2020-W53 ends 3 January 2021
    assert t.outside.iloc[2] is True and t.reps.iloc[2] == 0


def test_overflow_weeks_are_counted_per_window():
    o = overflow_weeks(hand_made(), {"2021": ("2021-W01", "2021-W52"), "2022": ("2022-W01", "2022-W52")})
    by = o.set_index("window")
    assert by.loc["2021", "mean"] == pytest.approx(1.5) and by.loc["2022", "mean"] == 0


def test_write_forecast_reports_absent_metrics(tmp_path):
    write_forecast(hand_made(), {"scenario_name": "t", "seed": 1}, tmp_path)
    readme = (tmp_path / "README.md").read_text()
    assert "IND open cases" in readme and "absent" in readme
    summary = json.loads((tmp_path / "forecast.json").read_text())
    assert "ind_open" in summary["absent"] and "occupancy" not in summary["absent"]
    assert (tmp_path / "plots" / "occupancy.png").exists()
    assert not (tmp_path / "plots" / "ind_open.png").exists()  # nothing invented
    traj = pd.read_csv(tmp_path / "trajectories.csv")
    assert set(traj.figure) == {"occupancy", "nareis_arrivals", "col_overflow"}


@pytest.mark.integration
def test_forecast_command_on_a_short_run(tmp_path):
    out = tmp_path / "fc"
    rc = main(["forecast", str(SCENARIOS / "chain-2020-2022.yaml"), "--set", "horizon.end=2021-W04-7",
               "--reps", "1", "--workers", "1", "--quiet", "--out", str(out)])
    assert rc == 0
    traj = pd.read_csv(out / "trajectories.csv")
    assert traj.week_start.max() == "2021-01-25" and "occupancy" in set(traj.figure)
    assert json.loads((out / "manifest.json").read_text())["scenario_name"] == "chain-2020-2022"
