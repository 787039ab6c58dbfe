"""The backtest on a hand-made observed table and a hand-made weekly table: errors, band,
ARD and the officials' forecast computed by hand; the calibration targets read the same
weeks as the backtest."""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest

from ketensim.analysis.targets import Targets, compare
from ketensim.metrics.registry import Metric, Registry
from ketensim.observed import backtest, calibration_targets, load_observed

KIND = "unit"

D = dt.date
HEAD = "figure,kind,date,from,to,made,value,low,high,qualifier,unit,source,note,definition\n"
REG_HEAD = "figure,metrics,statistic,per,use,tolerance,weight,judged_by,mapping\n"
TOY = Registry([Metric("x.stock", "x", "level", "persons", "stock", "a stock", "voorraad", group="chain"),
                Metric("x.flow", "x", "count", "persons/week", "flow", "a flow", "stroom", group="chain"),
                Metric("x.flow2", "x", "count", "persons/week", "flow 2", "another flow", "stroom 2", group="chain")])

DATA = """\
x.s.1,outcome,2021-01-20,,,,135,,,about,persons,src,,d
x.f.1,outcome,,2021-01-01,2021-01-31,,25,,,exact,persons,src,,d
x.b.below,outcome,2021-02-28,,,,180,180,,more_than,persons,src,,d
x.b.above,outcome,2021-03-01,,,,150,150,,more_than,persons,src,,d
x.c.1,outcome,,2021-01-04,2021-03-07,,100,,,about,persons,src,,d
x.m.1,outcome,,2021-W01,2021-W04,,6.5,,,about,persons/week,src,,d
x.zero,outcome,2021-03-10,,,,0,,,exact,persons,src,,d
x.r.1,outcome,,2021-01-01,2021-01-31,,0.5,,,about,share,src,,d
x.before,outcome,2020-12-31,,,,90,,,exact,persons,src,,d
x.after,outcome,,2021-03-15,2021-04-30,,40,,,exact,persons,src,,d
x.never,outcome,,2021-01-01,2021-01-31,,1,,,exact,persons,src,,d
x.fc.1,forecast,,2021-01-01,2021-12-31,2020-12,150,,,about,persons,src,,d
x.fc.old,forecast,,2021-01-01,2021-12-31,2020-06,150,,,about,persons,src,,d
"""
REG = """\
x.s.1,x.stock,stock,,target,0.1,1,,
x.f.1,x.flow,flow,,target,0.05,2,,
x.b.below,x.stock,stock,,bound,0.1,1,,
x.b.above,x.stock,stock,,bound,0.1,1,,
x.c.1,x.stock,change,,target,0.15,1,,
x.m.1,x.flow,flow_mean,,target,0.1,1,,
x.zero,x.stock,stock,,check,0.05,1,,
x.r.1,x.flow,ratio,x.flow2,target,0.25,1,,
x.before,x.stock,stock,,target,0.05,1,,
x.after,x.flow,flow,,target,0.05,1,,
x.never,x.flow,flow,,none,0.05,1,,
x.fc.1,x.stock,stock_max,,forecast,0.1,1,x.s.1,
x.fc.old,x.stock,stock_max,,forecast,0.1,1,x.s.1,
"""


@pytest.fixture
def observed(tmp_path: Path) -> pd.DataFrame:
    (tmp_path / "a.csv").write_text(HEAD + DATA)
    (tmp_path / "registry.csv").write_text(REG_HEAD + REG)
    return load_observed(TOY, tmp_path)


@pytest.fixture
def weekly() -> pd.DataFrame:
    """13 weeks from Monday 4 January 2021, 4 replications: the stock is 100 + 10 k + r in
    week k, the flow 5 + r a week, flow2 10 a week."""
    rows = []
    for r in range(4):
        for k in range(13):
            ws = D(2021, 1, 4) + dt.timedelta(weeks=k)
            iso = ws.isocalendar()
            for metric, v in (("x.stock", 100 + 10 * k + r), ("x.flow", 5 + r), ("x.flow2", 10)):
                rows.append(("s", r, iso.year, iso.week, ws, metric, float(v)))
    return pd.DataFrame(rows, columns=["scenario", "replication", "iso_year", "iso_week", "week_start", "metric", "value"])


def p(lo: float, step: float, q: float) -> float:
    """The q-quantile of 4 equally spaced values lo, lo+step, ... (linear interpolation)."""
    return lo + q * 3 * step


def test_every_figure_of_the_window_against_hand_computed_errors(observed: pd.DataFrame, weekly: pd.DataFrame) -> None:
    bt = backtest(weekly, observed, "2021-01-04", 3)
    t = bt.table.set_index("figure")
    # in the window: not the stock at the end of 2020 (the origin's state), not a period
    # running past the window, not a figure with use none
    assert set(t.index) == {"x.s.1", "x.f.1", "x.b.below", "x.b.above", "x.c.1", "x.m.1", "x.zero", "x.r.1"}
    # stock on Wednesday 20 January: the end of week 3 (k = 2): 120 + r
    s = t.loc["x.s.1"]
    assert s["mean"] == pytest.approx(121.5) and s["rel_error"] == pytest.approx(121.5 / 135 - 1)
    assert (s["p05"], s["p95"]) == (pytest.approx(p(120, 1, 0.05)), pytest.approx(p(120, 1, 0.95)))
    assert not s["inside_band"] and s["weeks"] == "2021-W03"
    # January: the weeks whose Thursday is in it, W01-W04 (not 2020-W53, not W05): 4 (5 + r)
    f = t.loc["x.f.1"]
    assert f["mean"] == pytest.approx(26.0) and f["rel_error"] == pytest.approx(0.04)
    assert f["inside_band"] and f["within_tolerance"] and f["weeks"] == "2021-W01..2021-W04"
    # more than 180 on Sunday 28 February (k = 7: 170 + r): the shortfall counts
    b = t.loc["x.b.below"]
    assert b["rel_error"] == pytest.approx(171.5 / 180 - 1) and b["ard_error"] == pytest.approx(1 - 171.5 / 180)
    assert not b["inside_band"]
    # more than 150 on 1 March (k = 8: 180 + r): satisfied, no error for the ARD
    a = t.loc["x.b.above"]
    assert a["rel_error"] == pytest.approx(181.5 / 150 - 1) and a["ard_error"] == 0 and a["inside_band"]
    # change from the week of 4 January (k = 0) to the week of Sunday 7 March (k = 8): 80
    assert t.loc["x.c.1", "mean"] == pytest.approx(80) and t.loc["x.c.1", "rel_error"] == pytest.approx(-0.2)
    assert t.loc["x.m.1", "mean"] == pytest.approx(6.5) and t.loc["x.m.1", "rel_error"] == pytest.approx(0)
    # a ratio of January sums: (20 + 4 r) / 40
    assert t.loc["x.r.1", "mean"] == pytest.approx(0.65) and t.loc["x.r.1", "rel_error"] == pytest.approx(0.3)
    # observed zero: no relative error, judged by the band only (and out of the ARD)
    assert math.isnan(t.loc["x.zero", "rel_error"]) and not t.loc["x.zero", "inside_band"]
    errors = [0.1, 0.04, 1 - 171.5 / 180, 0.0, 0.2, 0.0, 0.3]
    assert bt.ard == pytest.approx(sum(errors) / 7) and bt.ard_n == 7
    assert bt.ard_targets == pytest.approx((0.1 + 0.04 + 0.2 + 0.0 + 0.3) / 5) and bt.ard_targets_n == 5
    assert (bt.first_week, bt.last_week, bt.replications) == (D(2021, 1, 4), D(2021, 3, 29), 4)


def test_the_officials_forecast_of_the_origin_beside_the_model(observed: pd.DataFrame, weekly: pd.DataFrame) -> None:
    bt = backtest(weekly, observed, "2021-01-04", 3)
    o = bt.officials.set_index("figure")
    assert list(o.index) == ["x.fc.1"]            # made in December 2020; the one of June is too old
    row = o.loc["x.fc.1"]
    assert row["official_rel_error"] == pytest.approx(150 / 135 - 1)
    assert row["model_rel_error"] == pytest.approx(121.5 / 135 - 1)
    # the model's own forecast of the official quantity (the highest stock of 2021), over
    # the window's weeks only: 220 + r in the last week
    assert row["model_mean"] == pytest.approx(221.5) and row["partial"]


def test_a_figure_whose_weeks_the_run_lacks_is_listed_not_guessed(observed: pd.DataFrame, weekly: pd.DataFrame) -> None:
    short = weekly[pd.to_datetime(weekly.week_start) < pd.Timestamp("2021-03-01")]
    bt = backtest(short, observed, "2021-01-04", 3)
    assert set(bt.skipped.figure) == {"x.b.above", "x.c.1", "x.zero"}
    assert "outside the results" in bt.skipped.set_index("figure").loc["x.c.1", "reason"]


def test_targets_read_the_weeks_the_backtest_reads(observed: pd.DataFrame, weekly: pd.DataFrame) -> None:
    ts = calibration_targets(observed, "2021-01-01", "2021-03-31", uses=("target", "bound"))
    targets = Targets.model_validate(ts.doc)
    assert set(ts.ids) == {"x.s.1", "x.f.1", "x.b.below", "x.b.above", "x.m.1"}  # x.after runs past March
    assert dict(ts.skipped).keys() == {"x.c.1", "x.r.1"}    # a change and a ratio: backtest only
    assert ts.weights["x.f.1"] == 2.0
    means = compare(weekly, targets).set_index("id")["mean"]
    bt = backtest(weekly, observed, "2021-01-04", 3).table.set_index("figure")["mean"]
    for fid in ts.ids:
        assert means[fid] == pytest.approx(bt[fid]), fid


def test_the_backtest_folder_is_written_as_a_set(observed: pd.DataFrame, weekly: pd.DataFrame, tmp_path: Path) -> None:
    from ketensim.workflow.backtest_write import write_backtest

    bt = backtest(weekly, observed, "2021-01-04", 3)
    out = tmp_path / "bt"
    out.mkdir()
    (out / "keep.txt").write_text("other output")
    names = write_backtest(out, bt, weekly, "toy")
    assert set(names) == {"table.csv", "officials.csv", "README.md", "stock-x_stock.png", "report.html"}
    html = (out / "report.html").read_text()
    assert "<b>ARD " in html and "x.f.1" in html and "data:image/png;base64" in html
    assert (out / "keep.txt").exists() and not [p for p in out.iterdir() if p.name.startswith(".")]
    table = pd.read_csv(out / "table.csv").set_index("figure")
    assert table.loc["x.f.1", "rel_error"] == pytest.approx(0.04)
    readme = (out / "README.md").read_text()
    assert f"**{bt.ard:,.3f}**" in readme and "| `x.s.1` | 2021-01-20 | ~135 | 122 |" in readme
    assert "![stock-x_stock.png](stock-x_stock.png)" in readme
    assert (out / "stock-x_stock.png").read_bytes()[:4] == b"\x89PNG"


def test_the_observed_stocks_near_an_origin(observed: pd.DataFrame) -> None:
    from ketensim.observed import stocks_near

    near = stocks_near(observed, "2021-02-26", max_days=5)
    # one per metric sum, the nearest first: Sunday 28 February (2 days) before 1 March (3)
    assert list(near.figure) == ["x.b.below"] and near.loc[0, "days"] == 2
    assert stocks_near(observed, "2021-01-25", max_days=4).empty     # 20 January is 5 days away


def test_the_printed_table_ends_with_the_ard(observed: pd.DataFrame, weekly: pd.DataFrame) -> None:
    from ketensim.report.backtest import backtest_text

    text = backtest_text(backtest(weekly, observed, "2021-01-04", 3))
    lines = text.splitlines()
    assert lines[-1] == f"ARD {sum([0.1, 0.04, 1 - 171.5 / 180, 0.0, 0.2, 0.0, 0.3]) / 7:.3f} over 7 figures " \
                        "(calibration targets: 0.128 over 5)"
    assert any(line.startswith("official forecast x.fc.1 (made 2020-12): 150 persons; judged by x.s.1 (135): "
                               "official +11.1%, model -10.0%") for line in lines)


def test_the_html_section_of_a_backtest(observed: pd.DataFrame, weekly: pd.DataFrame) -> None:
    from ketensim.report.backtest import backtest_section

    key, title, html = backtest_section(backtest(weekly, observed, "2021-01-04", 3), weekly)
    assert (key, title) == ("backtest-2021-01-04", "Backtest from 2021-01-04")
    assert "<b>ARD 0.098</b> over 7 observed figures" in html and html.count("<img") == 1
    assert "<code>x.b.below</code>" in html and "&gt;180" in html


def test_stock_statistics_over_a_period_read_its_weeks(weekly: pd.DataFrame) -> None:
    from ketensim.observed.measure import WeeklyTable, measure

    table = WeeklyTable(weekly)
    feb = {"metrics": ("x.stock",), "per": (), "from": D(2021, 2, 1), "to": D(2021, 2, 28), "date": None}
    # February's weeks by their Thursday: k = 4..7, stocks 140..170 + r
    mean, _ = measure(table, {**feb, "statistic": "stock_mean"})
    top, _ = measure(table, {**feb, "statistic": "stock_max"})
    assert list(mean) == [155.0, 156.0, 157.0, 158.0] and list(top) == [170.0, 171.0, 172.0, 173.0]
    late, why = measure(table, {**feb, "to": D(2021, 4, 30), "statistic": "stock_mean"})
    assert late is None and why == "4 of its 13 week(s) outside the results"   # 26 April-2 May is the last
