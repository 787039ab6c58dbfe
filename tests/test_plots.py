"""Plots take results and never run a simulation; metrics added later just appear."""
from __future__ import annotations

import matplotlib.text
import pandas as pd
import pytest

from ketensim.analysis.targets import load_targets
from ketensim.report import plots

from conftest import TARGETS
from frontend_support import short_run

KIND = "unit"


@pytest.fixture(scope="module")
def weekly():
    return short_run().weekly


@pytest.fixture(scope="module")
def targets():
    return load_targets(TARGETS)


def _texts(ax) -> list[str]:
    return [t.get_text() for t in ax.findobj(matplotlib.text.Text)]


def test_series_has_mean_band_letter_and_phases(weekly, targets):
    res = short_run()
    metric = ["dtv.departures_independent", "dtv.departures_forced"]
    ax = plots.plot_series(weekly, metric, targets=targets, phases=res.phases)
    mean = ax.get_lines()[0]
    expected = plots.series(weekly, metric).mean(axis=1).to_numpy()
    assert list(mean.get_ydata()) == pytest.approx(list(expected))
    assert len(ax.collections) >= 2                            # band + letter segments
    texts = _texts(ax)
    assert {"T4 140", "T5 40"} <= set(texts)                  # the letter's values in their windows
    assert {"2", "3"} <= set(texts)                            # phases numbered (names never collide)
    key = {n: names for n, _, names in plots.phase_key(res.phases)}
    assert "lockdown" in key[2] and "restart" in key[3]
    ax.figure.savefig(pd.io.common.BytesIO(), format="png")    # renders with Agg


def test_letter_sums_and_snapshots_become_weekly_levels(targets):
    from ketensim.analysis.targets import Targets

    t = Targets.model_validate({"targets": [
        {"id": "T8", "label": "Dublin", "metrics": ["dublin.transfers"], "window": {"from": "2020-W27", "to": "2020-W37"},
         "statistic": "sum", "value": 280, "tolerance": 0.2},
        {"id": "T9", "label": "det", "metrics": ["detention.population"], "window": {"from": "2020-W37", "to": "2020-W37"},
         "statistic": "snapshot", "value": 210, "tolerance": 0.2}]})
    (seg,) = plots.letter_segments(t, "dublin.transfers")
    assert seg["value"] == pytest.approx(280 / 11) and seg["kind"] == "level"
    (point,) = plots.letter_segments(t, ["detention.population"])
    assert point["kind"] == "point" and point["value"] == 210


def test_compare_draws_each_scenario(weekly):
    tele = short_run("telehoren-permanent").weekly
    ax = plots.plot_compare({"baseline": weekly, "telehoren": tele}, "ind.hearings_video")
    labels = [l.get_label() for l in ax.get_lines()]
    assert labels == ["baseline (mean, 90% band)", "telehoren (mean, 90% band)"]
    assert max(ax.get_lines()[1].get_ydata()) > max(ax.get_lines()[0].get_ydata())


def test_occupancy_against_places(weekly):
    ax = plots.plot_occupancy(weekly)
    labels = [l.get_label() for l in ax.get_lines()]
    assert "occupancy (mean)" in labels and "places" in labels
    places = ax.get_lines()[labels.index("places")].get_ydata()
    assert min(places) > 0


def test_chain_overview_draws_the_flows_present(weekly):
    flows = plots.chain_flows(weekly, ("2020-W01", "2020-W11"))
    assert {"applications", "grants", "rejections", "housed", "independent", "forced", "MOB"} <= set(flows.flow)
    rej = flows[flows.flow == "rejections"].iloc[0]
    dec = plots.window_mean(weekly, ["ind.decisions"], [], ("2020-W01", "2020-W11"))[0]
    grants = plots.window_mean(weekly, ["ind.grants"], [], ("2020-W01", "2020-W11"))[0]
    assert rej["mean"] == pytest.approx(dec - grants)
    ax = plots.plot_chain(weekly, ("2020-W01", "2020-W11"))
    texts = " ".join(_texts(ax))
    assert "IND procedure" in texts and "Housed in municipalities" in texts and "2020-W01" in ax.get_title(loc="left")


def test_metrics_added_later_just_appear(weekly):
    """A part a model does not have (Dublin, removed here) shows up in the chain and the part
    plots as soon as its metrics are in the results."""
    weekly = weekly[~weekly.metric.str.startswith("dublin.")]
    fake = weekly[weekly.metric == "dtv.departures_forced"].assign(metric="dublin.transfers")
    fake2 = weekly[weekly.metric == "dtv.departures_forced"].assign(metric="dublin.claims", value=lambda d: d.value * 2)
    more = pd.concat([weekly, fake, fake2], ignore_index=True)
    assert "dublin" in plots.parts(more) and "dublin" not in plots.parts(weekly)
    flows = plots.chain_flows(more)
    assert {"Dublin claims", "transfers"} <= set(flows.flow)
    fig = plots.plot_part(more, "dublin")
    assert sum(ax.axison for ax in fig.axes) == 2
    plots.plot_chain(more)


def test_missing_metric_names_what_is_there(weekly):
    with pytest.raises(KeyError, match="present: .*coa.occupancy"):
        plots.series(weekly, "nareis.no_such_metric")


def test_the_chain_overview_svg_has_a_band_per_flow_proportional_to_it(weekly):
    """The report's chain overview (inline SVG) and the matplotlib one share their layout:
    one band per flow, its width proportional to the flow, each flow labelled with its mean."""
    import re

    from ketensim.report.chain import chain_layout
    from ketensim.report.svgchart import chain_svg

    window = ("2020-W01", "2020-W11")
    flows = plots.chain_flows(weekly, window)
    flows = flows[flows["mean"] > 0]
    layout = chain_layout(weekly, window)
    widths = [t0 - b0 for _, (b0, t0), _, _, _ in layout.bands]
    assert len(widths) == len(flows)
    ratio = [w / m for w, m in zip(widths, flows["mean"])]
    assert max(ratio) == pytest.approx(min(ratio), rel=1e-9)  # one scale for every band
    svg = chain_svg(layout)
    assert svg.count('<path class="fl ') == len(flows)
    for r in flows.itertuples():
        assert f"{r.mean:,.0f} ±" in svg
    assert re.search(r"<title>The chain: mean persons per week over weeks 2020-W01 to 2020-W11", svg)
