"""Inflow bands: the draw per replication, reproducible, on its own stream (common random
numbers), and the split of the spread into band and replication noise."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ketensim.model.bands import banded, draw_band, sample_inflow
from ketensim.model.bands_params import InflowBands
from ketensim.model.streams import Streams
from ketensim.scenario.base import Series
from ketensim.scenario.errors import ScenarioError
from ketensim.scenario.loader import load_scenario

from conftest import BASELINE, SCENARIOS

KIND = "unit"

OUTLOOK = SCENARIOS / "outlook-2021-bands.yaml"
SHORT = "horizon.end=2020-W06-7"
BANDS3 = {"levels": {"low": {"weight": 1, "scale": 0.5}, "middle": {"weight": 2, "scale": 1.0},
                     "high": {"weight": 1, "scale": 2.0}}}


def _with_bands(bands: dict, *extra: str):
    import json

    return load_scenario(BASELINE, [SHORT, f"inflow.bands={json.dumps(bands)}", *extra])


def test_draw_by_weight_and_by_inverse_cdf():
    b = InflowBands.model_validate(BANDS3)
    assert [draw_band(b, u).name for u in (0.0, 0.24, 0.25, 0.74, 0.75, 0.999)] == [
        "low", "low", "middle", "middle", "high", "high"]
    tri = InflowBands.model_validate({"distribution": {"kind": "triangular", "low": 0.6, "mode": 1.0, "high": 1.6}})
    assert draw_band(tri, 0.0).scale == pytest.approx(0.6) and draw_band(tri, 1 - 1e-12).scale == pytest.approx(1.6)
    assert draw_band(tri, 0.4).scale == pytest.approx(1.0)  # F(mode) = (1 - 0.6) / (1.6 - 0.6)
    uni = InflowBands.model_validate({"distribution": {"kind": "uniform", "low": 1, "high": 3}})
    assert draw_band(uni, 0.5).scale == 2.0 and draw_band(uni, 0.5).index == 1


def test_band_changes_the_series_from_its_start():
    s = Series.model_validate({"per": "month", "values": {"2020-11": 100, "2020-12": 100, "2021-01": 100}})
    b = InflowBands.model_validate({"start": "2020-12-01", "levels": {
        "high": {"weight": 1, "scale": 2.0, "values": {"2021-01": 150}}}})
    out = banded(s, b, draw_band(b, 0.3))
    assert out.values == {"2020-11": 100, "2020-12": 200, "2021-01": 300}


@pytest.mark.statistical
def test_sampling_is_reproducible_stratified_and_near_the_weights():
    sc = _with_bands(BANDS3)
    names = [sample_inflow(sc.inflow, Streams(sc.seed, r))[1].name for r in range(200)]
    again = [sample_inflow(sc.inflow, Streams(sc.seed, r))[1].name for r in range(200)]
    assert names == again
    counts = pd.Series(names).value_counts()
    # stratified (Kronecker sequence): within a few draws of the expected counts, not only
    # within binomial noise (sd ~ 6-7 draws at n = 200)
    assert abs(counts["middle"] - 100) <= 3 and abs(counts["low"] - 50) <= 3 and abs(counts["high"] - 50) <= 3
    rnd = _with_bands({**BANDS3, "sampling": "random"})
    r_names = [sample_inflow(rnd.inflow, Streams(rnd.seed, r))[1].name for r in range(400)]
    assert abs(pd.Series(r_names).value_counts()["middle"] - 200) < 3 * 10  # binomial sd = 10
    other_seed = [sample_inflow(sc.inflow, Streams(sc.seed + 1, r))[1].name for r in range(200)]
    assert other_seed != names


def _weekly(sc, rep: int) -> pd.DataFrame:
    from ketensim.experiment.runner import simulate

    return simulate(sc, rep).weekly


def test_bands_keep_common_random_numbers():
    """(1) bands whose every level has scale 1 change nothing but the band metrics: the draw
    uses its own stream; (2) a lever elsewhere does not change which band a replication runs."""
    plain = load_scenario(BASELINE, [SHORT])
    ones = _with_bands({"levels": {"a": {"weight": 1}, "b": {"weight": 1}}})
    for rep in (0, 1):
        a, b = _weekly(plain, rep), _weekly(ones, rep)
        b_core = b[~b.metric.str.startswith("inflow.band")].reset_index(drop=True)
        pd.testing.assert_frame_equal(a.drop(columns="scenario"), b_core.drop(columns="scenario"))
        assert set(b.metric) - set(a.metric) == {"inflow.band", "inflow.band_scale"}
    banded_ = _with_bands(BANDS3)
    lever = _with_bands(BANDS3, "detention.places=100")
    for rep in range(6):
        assert (sample_inflow(banded_.inflow, Streams(banded_.seed, rep))[1]
                == sample_inflow(lever.inflow, Streams(lever.seed, rep))[1])
    w = _weekly(banded_, 2)
    scale = w[w.metric == "inflow.band_scale"].value.unique()
    assert len(scale) == 1 and scale[0] in (0.5, 1.0, 2.0)


@pytest.mark.metamorphic
def test_the_high_band_brings_more_applications():
    sc = _with_bands(BANDS3)
    draws = {r: sample_inflow(sc.inflow, Streams(sc.seed, r))[1].name for r in range(12)}
    lo = next(r for r, n in draws.items() if n == "low")
    hi = next(r for r, n in draws.items() if n == "high")
    apps = {r: _weekly(sc, r).query("metric == 'ind.applications'").value.sum() for r in (lo, hi)}
    assert apps[hi] > 2.5 * apps[lo]  # 4x the rate; Poisson noise is small over 6 weeks


def test_bad_bands_are_one_line_errors():
    with pytest.raises(ScenarioError, match="either levels"):
        _with_bands({**BANDS3, "distribution": {"kind": "uniform", "low": 1, "high": 2}})
    with pytest.raises(ScenarioError, match="does not match per"):
        _with_bands({"levels": {"a": {"weight": 1, "values": {"2021-W01": 5}}}})
    with pytest.raises(ScenarioError, match="mode"):
        _with_bands({"distribution": {"kind": "triangular", "low": 1, "high": 2}})


def test_band_split_separates_band_from_noise():
    from ketensim.report.fan import band_shares, band_split

    rows = []
    rng = np.random.default_rng(1)
    for r in range(40):
        band = r % 2
        for w in range(3):
            ws = pd.Timestamp("2021-01-04") + pd.Timedelta(days=7 * w)
            rows += [{"replication": r, "week_start": ws, "metric": "inflow.band_scale", "value": 1.0 + band},
                     {"replication": r, "week_start": ws, "metric": "coa.occupancy",
                      "value": 100 * band + rng.normal(0, 10)}]
    split = band_split(pd.DataFrame(rows), "coa.occupancy")
    assert np.allclose(split.band_var + split.noise_var, split.total_var)
    b, n = band_shares(split)
    assert 0.9 < b < 0.99 and n == pytest.approx(1 - b)  # 50^2 against 10^2
    assert band_split(pd.DataFrame(rows[1::2]), "coa.occupancy") is None  # no band metric


def test_outlook_scenario_states_its_bands():
    sc = load_scenario(OUTLOOK)
    b = sc.inflow.bands
    assert list(b.levels) == ["low", "middle", "high"] and all("assumption" in x.note for x in b.levels.values())
    assert sc.horizon.end.year == 2022 and b.start.year == 2021
