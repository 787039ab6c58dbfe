"""The report's charts are SVG drawn from the summary numbers: a known series gives known
coordinates, gaps stay gaps, ticks are round and in the report's language, and the shared
weekly summaries equal what the matplotlib plots compute."""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

from ketensim.analysis.weekly_bands import WeeklyBands
from ketensim.report import plots
from ketensim.report.charts import part_charts, series_chart
from ketensim.report.svgchart import Chart, Series, line_path, month_ticks, nice_ticks, render, tick_text

KIND = "unit"

WEEKS = np.array(["2020-01-06", "2020-01-13", "2020-01-20", "2020-01-27"], dtype="datetime64[D]")


def _points(d: str) -> list[list[tuple[float, float]]]:
    """Absolute points of each sub-path of path data written as 'M x y' then 'l dx dy ...'."""
    out: list[list[tuple[float, float]]] = []
    for cmd, args in re.findall(r"([MLlZ])([^MLlZ]*)", d):
        nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", args)]
        if cmd == "M":
            out.append([(nums[0], nums[1])])
        elif cmd == "L":
            out[-1].append((nums[0], nums[1]))
        elif cmd == "l":
            for dx, dy in zip(nums[::2], nums[1::2]):
                x, y = out[-1][-1]
                out[-1].append((x + dx, y + dy))
    return out


def _axis(svg: str) -> dict[str, float]:
    """Value-axis tick text -> its y (px, inside the plot group)."""
    return {t: float(y) for y, t in re.findall(r'<line class="gr" x2="[\d.]+" y1="([-\d.]+)" y2="[-\d.]+"/>'
                                               r'<text x="-4" y="[-\d.]+" dy="3.5" text-anchor="end">([^<]*)</text>',
                                               svg)}


def test_a_series_is_drawn_at_its_values():
    values = np.array([0.0, 10.0, 20.0, 30.0])
    svg = render(Chart(["known"], [Series(WEEKS, values, "known", kind="line")], size=(400, 260), zero=True))
    axis = _axis(svg)
    assert set(axis) >= {"0", "30"}
    (line,) = re.findall(r'<path class="ln c0" d="([^"]*)"', svg)
    (points,) = _points(line)
    ys = np.array([y for _, y in points]) / 10  # data paths are in tenths of a pixel
    per_unit = (axis["0"] - axis["30"]) / 30
    assert (axis["0"] - ys) / per_unit == pytest.approx(values, abs=0.15)
    xs = np.array([x for x, _ in points]) / 10
    assert np.diff(xs) == pytest.approx([np.diff(xs)[0]] * 3, abs=0.15)  # one week apart, evenly


def test_the_band_encloses_its_low_and_high():
    low, mean, high = np.array([1.0, 2, 3, 4]), np.array([2.0, 3, 4, 5]), np.array([3.0, 4, 5, 8])
    svg = render(Chart(["band"], [Series(WEEKS, mean, "m", kind="band", low=low, high=high)], size=(400, 260)))
    axis = _axis(svg)
    (band,) = re.findall(r'<path class="bd f0" d="([^"]*)"', svg)
    (ring,) = _points(band)
    per_unit = (axis["0"] - axis["8"]) / 8
    vals = (axis["0"] - np.array([y for _, y in ring]) / 10) / per_unit
    assert vals[:4] == pytest.approx(high, abs=0.1) and vals[4:] == pytest.approx(low[::-1], abs=0.1)


def test_a_week_without_a_value_leaves_a_gap():
    assert line_path(np.array([0.0, 10, 20, 30, 40]), np.array([1.0, 2, np.nan, 4, 5])).count("M") == 2
    assert line_path(np.array([0.0, 10]), np.array([np.nan, np.nan])) == ""


def test_ticks_are_round_and_in_the_language():
    assert nice_ticks(0, 14_503) == [0, 5000, 10000, 15000]
    assert nice_ticks(0, 0) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(0, 9, 4) == [0, 2.5, 5, 7.5, 10]
    assert tick_text(12_500, 2500, "nl") == "12.500" and tick_text(0.25, 0.25, "en") == "0.25"
    months = month_ticks(np.datetime64("2020-01-01"), np.datetime64("2020-12-31"), 7)
    assert months == [dt.date(2020, m, 1) for m in (1, 3, 5, 7, 9, 11)]
    weeks = np.arange(np.datetime64("2020-02-24"), np.datetime64("2020-06-01"), 7)
    svg = render(Chart(["x"], [Series(weeks, np.ones(len(weeks)), "x")], lang="nl"))
    assert ">mrt<tspan" in svg and "2020</tspan>" in svg and ">mei<" in svg  # the first tick carries the year


def test_weekly_bands_equal_the_plots_numbers():
    rng = np.random.default_rng(1)
    weeks = pd.date_range("2020-01-06", periods=6, freq="7D")
    rows = [{"scenario": "s", "replication": r, "week_start": w, "metric": m, "value": float(rng.integers(0, 50))}
            for m in ("a.x", "a.y") for r in range(5) for w in weeks]
    weekly = pd.DataFrame(rows)
    weekly.loc[(weekly.metric == "a.x") & (weekly.week_start == weeks[2]), "value"] = np.nan
    wb = WeeklyBands(weekly)
    for figure in ("a.x", ["a.x", "a.y"]):
        expected = plots.band_stats(plots.series(weekly, figure))
        band = wb.band(figure)
        assert list(band.weeks) == list(expected.index.to_numpy().astype("datetime64[D]"))
        for col in ("mean", "low", "high"):
            np.testing.assert_allclose(getattr(band, col), expected[col].to_numpy(), equal_nan=True)
    assert np.isnan(wb.band("a.x").mean[2]) and not np.isnan(wb.band(["a.x", "a.y"]).mean[2])
    with pytest.raises(KeyError, match="present: .*a.x"):
        wb.band("b.z")


def test_a_comparison_draws_each_run_and_the_letter():
    from ketensim.analysis.targets import Targets

    weekly = pd.DataFrame([{"scenario": "s", "replication": r, "week_start": w, "metric": "dublin.transfers",
                            "value": 10.0 + r} for r in range(3) for w in pd.date_range("2020-06-01", periods=20,
                                                                                             freq="7D")])
    t = Targets.model_validate({"targets": [
        {"id": "T8", "label": "Dublin", "metrics": ["dublin.transfers"], "window": {"from": "2020-W27", "to": "2020-W37"},
         "statistic": "sum", "value": 280, "tolerance": 0.2}]})
    runs = {"base": WeeklyBands(weekly), "what-if": WeeklyBands(weekly.assign(value=weekly.value * 2))}
    svg = render(series_chart(runs, "dublin.transfers", targets=t, lang="en"))
    assert svg.count('<path class="bd ') == 2 and 'class="ln c0 da"' in svg and 'class="ln c1"' in svg
    assert "base (mean, 90% band)" in svg and "what-if (mean, 90% band)" in svg and ">T8 280 in 11 wk<" in svg


def test_every_metric_of_a_part_gets_a_small_multiple():
    weekly = pd.DataFrame([{"scenario": "s", "replication": 0, "week_start": pd.Timestamp("2020-01-06"),
                            "metric": m, "value": 1.0} for m in ("dublin.transfers", "dublin.claims", "ind.backlog")])
    charts = part_charts({"s": WeeklyBands(weekly)}, "dublin")
    assert [c.title[-1] for c in charts] == ["dublin.claims", "dublin.transfers"]
    assert charts[0].legend and not charts[1].legend


def test_a_metric_without_values_says_so_instead_of_an_empty_frame():
    svg = render(Chart(["plan"], [Series(WEEKS, np.full(4, np.nan), "plan", kind="band", low=np.full(4, np.nan),
                                         high=np.full(4, np.nan))], lang="nl"))
    assert "<path" not in svg and '<text class="nv"' in svg and "in geen enkele week een waarde" in svg


def test_inflow_bands_get_a_line_and_band_each():
    from ketensim.report.charts import inflow_band_chart
    from ketensim.report.fan import BAND_METRIC

    weeks = pd.date_range("2020-01-06", periods=8, freq="7D")
    rows = []
    for r in range(6):
        scale = 0.8 if r % 2 else 1.2
        rows += [{"scenario": "s", "replication": r, "week_start": w, "metric": BAND_METRIC, "value": scale}
                 for w in weeks]
        rows += [{"scenario": "s", "replication": r, "week_start": w, "metric": "coa.occupancy",
                  "value": 1000 * scale + r} for w in weeks]
    chart = inflow_band_chart(pd.DataFrame(rows), "coa.occupancy", BAND_METRIC, labels={0.8: "low", 1.2: "high"})
    assert [s.label for s in chart.series] == ["low (3)", "high (3)"]
    assert chart.series[0].values == pytest.approx([1000 * 0.8 + 3] * 8)  # replications 1, 3, 5
    assert chart.series[1].values == pytest.approx([1000 * 1.2 + 2] * 8)  # replications 0, 2, 4
    assert render(chart).count('<path class="bd ') == 2
