"""The committed baseline reproduces the letter's figures (20 replications, fixed seed)."""
from __future__ import annotations

import pytest

from ketensim.analysis.targets import compare, load_targets
from ketensim.experiment.runner import run_scenario
from ketensim.scenario.loader import load_scenario

from conftest import BASELINE, TARGETS

KIND = "statistical"
pytestmark = pytest.mark.slow  # 20 full-year replications of the baseline


@pytest.fixture(scope="session")
def baseline_results():
    sc = load_scenario(BASELINE)
    res = run_scenario(sc, reps=20, workers=2)
    assert all(r["error"] is None for r in res.manifest["replications"])
    return res


@pytest.fixture(scope="session")
def target_check(baseline_results):
    return compare(baseline_results.weekly, load_targets(TARGETS)).set_index("id")


@pytest.mark.parametrize("tid", ["T1", "T2", "T4", "T5", "T6", "T7"])
def test_letter_target_within_tolerance(target_check, tid):
    row = target_check.loc[tid]
    assert row.tolerance <= 0.15
    assert abs(row.rel_error) <= row.tolerance, row.to_dict()


def test_t3_hearings_almost_back_to_pre_covid(baseline_results):
    """T3: 410 + 240 in weeks 27-37 is 'almost back to the pre-COVID level'."""
    w = baseline_results.weekly
    h = w[w.metric.isin(["ind.hearings_physical", "ind.hearings_video"])]
    per_week = h.groupby(["replication", "iso_week"]).value.sum().groupby("iso_week").mean()
    pre, rec = per_week.loc[1:11].mean(), per_week.loc[27:37].mean()
    assert 0.8 * pre <= rec <= pre


def test_qualitative_facts_of_the_letter_hold(baseline_results):
    from ketensim.calibration.validation import check_facts

    facts = check_facts(baseline_results.weekly)
    assert len(facts) >= 10
    failed = facts[~facts.ok]
    assert failed.empty, failed[["id", "statement", "evidence"]].to_string()


def test_validation_report_is_written(baseline_results, tmp_path):
    from ketensim.calibration.validation import write_validation

    summary = write_validation(baseline_results.weekly, baseline_results.manifest, load_targets(TARGETS),
                               tmp_path, "ketensim validate scenarios/baseline-2020.yaml")
    text = (tmp_path / "README.md").read_text()
    assert "| T1 |" in text and "| Q3 |" in text and "![" in text
    assert summary["targets_ok"] == summary["targets"]
    assert len(list(tmp_path.glob("*.png"))) >= 10
