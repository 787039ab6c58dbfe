"""The calibration machinery: objective, optimiser, resumption, backtest split, Morris.

The optimiser is checked on a cheap synthetic response with a known optimum, so the test
is about the fitting, not about the chain (the chain's fit is checked by the baseline
target test)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from ketensim.analysis.targets import load_targets
from ketensim.calibration.fit import calibrate
from ketensim.calibration.objective import score
from ketensim.calibration.sensitivity import morris, ranking
from ketensim.calibration.spec import CalibrationSpec, load_spec
from ketensim.scenario.loader import load_scenario

from conftest import BASELINE, SCENARIOS

KIND = "statistical"

TARGETS_YAML = """
targets:
  - {id: A, label: a, metrics: [m.a], window: {from: 2020-W01, to: 2020-W04}, statistic: weekly_mean,
     value: 40, tolerance: 0.1}
  - {id: B, label: b, metrics: [m.b], window: {from: 2020-W01, to: 2020-W04}, statistic: weekly_mean,
     value: 30, tolerance: 0.1}
"""


def synthetic_run(overrides):
    """m.a = 100 x, m.b = 50 y + noise-free: optimum x = 0.4, y = 0.6."""
    v = {o.split("=")[0]: float(o.split("=")[1]) for o in overrides}
    rows = []
    for rep in range(5):
        for w in range(4):
            ws = dt.date(2019, 12, 30) + dt.timedelta(days=7 * w)
            for m, val in (("m.a", 100 * v["x"]), ("m.b", 50 * v["y"])):
                rows.append(("s", rep, 2020, w + 1, pd.Timestamp(ws), m, val + 0.01 * rep))
    return pd.DataFrame(rows, columns=["scenario", "replication", "iso_year", "iso_week", "week_start",
                                       "metric", "value"])


@pytest.fixture
def setup(tmp_path):
    (tmp_path / "t.yaml").write_text(TARGETS_YAML)
    spec = CalibrationSpec.model_validate({
        "scenario": str(BASELINE), "targets": "t.yaml", "replications": 5, "seed": 3, "budget": 40,
        "parameters": [{"path": "x", "low": 0, "high": 1}, {"path": "y", "low": 0, "high": 1}],
    })
    return spec, tmp_path


def test_optimiser_finds_the_known_optimum_and_resumes(setup):
    spec, base = setup
    res = calibrate(spec, base, base / "out", budget=40, run=synthetic_run, fresh=True)
    assert abs(res.best["x"] - 0.4) < 0.03 and abs(res.best["y"] - 0.6) < 0.06
    assert res.score.table.ok.all()
    again = calibrate(spec, base, base / "out", budget=45, run=synthetic_run, fresh=True)
    assert len(again.trials) == 45  # continued the stored study, not a new one
    assert (base / "out" / "calibrated.yaml").read_text().count("=") == 2


def test_backtest_fits_only_the_chosen_targets(setup):
    spec, base = setup
    res = calibrate(spec, base, base / "bt", budget=25, run=synthetic_run, fit_ids=["A"], fresh=True)
    assert abs(res.best["x"] - 0.4) < 0.05
    assert set(res.score.table.id) == {"A", "B"}  # the report covers both, B out of sample


@pytest.mark.unit
def test_objective_weights_relative_errors(setup):
    _, base = setup
    targets = load_targets(base / "t.yaml")
    s = score(synthetic_run(["x=0.44", "y=0.6"]), targets)
    assert s.table.set_index("id").rel_error["A"] == pytest.approx(0.1 + 0.0002 / 0.4 * 0.5, abs=1e-3)
    assert s.loss == pytest.approx(((0.1 / 0.1) ** 2 + (0.0001 / 0.1) ** 2) / 2, rel=0.02)


def test_morris_ranks_the_parameter_that_matters(setup):
    spec, base = setup
    targets = load_targets(base / "t.yaml")
    table = morris(spec, targets, synthetic_run, trajectories=4, outcomes=["A"])
    assert ranking(table).parameter.iloc[0] == "x"
    assert table[table.parameter == "y"].mu_star.max() < 1e-9


@pytest.mark.unit
@pytest.mark.parametrize("name", ["baseline-2020.calibration.yaml", "baseline-2020.backtest.yaml"])
def test_baseline_calibration_spec_is_valid(name):
    spec, base = load_spec(SCENARIOS / name)
    ids = {t.id for t in load_targets(base / spec.targets).targets}
    assert set(spec.use_targets) <= ids
    for p in spec.parameters:  # every parameter is a valid override at both bounds
        for bound in (p.low, p.high):
            load_scenario(base / spec.scenario, [*spec.fixed, p.override(bound)])


def test_a_fresh_calibration_is_reproducible(setup):
    """Seeded sampler + deterministic runs: the same budget from a fresh start gives the same
    parameters, which is what lets the committed baseline be checked against a rerun."""
    spec, base = setup
    a = calibrate(spec, base, base / "a", budget=12, run=synthetic_run, fresh=True)
    b = calibrate(spec, base, base / "b", budget=12, run=synthetic_run, fresh=True)
    assert a.best == b.best


def test_least_squares_finds_the_optimum_within_its_budget(setup):
    spec, base = setup
    ls = CalibrationSpec.model_validate({**spec.model_dump(), "method": "least_squares", "budget": 30})
    res = calibrate(ls, base, base / "ls", run=synthetic_run, fresh=True)
    assert abs(res.best["x"] - 0.4) < 0.01 and abs(res.best["y"] - 0.6) < 0.01
    assert len(res.trials) <= 30
    cached = (base / "ls" / "evaluations.jsonl").read_text().count("\n")
    calls = []

    def counting_run(ov):
        calls.append(ov)
        return synthetic_run(ov)

    res2 = calibrate(ls, base, base / "ls", run=counting_run, fresh=True)
    assert res2.best == res.best and len(calls) == 1  # replayed from the cache; 1 = final run
    assert cached >= 3


@pytest.mark.unit
def test_committed_baseline_holds_the_calibrated_parameters():
    """The baseline is the calibration's result: its parameters equal those of the committed
    fit (results/validation/calibration/summary.json, from `ketensim calibrate --fresh`)."""
    import json

    from ketensim.calibration.fit import _current

    from conftest import ROOT

    summary = json.loads((ROOT / "results/validation/calibration/summary.json").read_text())
    spec, base = load_spec(SCENARIOS / "baseline-2020.calibration.yaml")
    for p in spec.parameters:
        fitted = summary["best"][p.path]
        fitted = round(fitted) if p.integer else fitted
        assert _current(base / spec.scenario, p) == pytest.approx(fitted, rel=1e-5, abs=1e-6), p.path
