"""The qualitative checks of the validation report can fail: they are run on synthetic
weekly tables with and without the shape the letter describes."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ketensim.calibration.validation import _nareis_dip, _telehoren, check_facts

KIND = "unit"


def synthetic(metric: str, weekly: list[float], reps: int = 4, noise: float = 1.0) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    rows = []
    for r in range(reps):
        for w, v in enumerate(weekly):
            ws = dt.date(2019, 12, 30) + dt.timedelta(days=7 * w)
            rows.append(("s", r, 2020, w + 1, pd.Timestamp(ws), metric, v + noise * rng.standard_normal()))
    return pd.DataFrame(rows, columns=["scenario", "replication", "iso_year", "iso_week", "week_start",
                                       "metric", "value"])


def test_nareis_dip_detected_only_when_there_is_one():
    dip = [100.0] * 11 + [50.0] * 14 + [100.0] * 15
    flat = [100.0] * 40
    assert _nareis_dip(synthetic("nareis.applications", dip))[0]
    assert not _nareis_dip(synthetic("nareis.applications", flat))[0]
    no_recovery = [100.0] * 11 + [50.0] * 29
    assert not _nareis_dip(synthetic("nareis.applications", no_recovery))[0]


def test_telehoren_needs_zero_before_and_some_after():
    good = [0.0] * 18 + [40.0] * 22
    early = [5.0] * 40
    assert _telehoren(synthetic("ind.hearings_video", good, noise=0.0))[0]
    assert not _telehoren(synthetic("ind.hearings_video", early, noise=0.0))[0]


def test_missing_metrics_are_reported_not_passed():
    facts = check_facts(synthetic("ind.hearings_physical", [400.0] * 40))
    assert not facts.ok.any()
    assert (facts.evidence == "metric missing").sum() == len(facts)


def test_a_fact_whose_weeks_the_run_did_not_simulate_is_not_checked_rather_than_judged_on_nothing():
    import warnings

    short = pd.concat([synthetic("nareis.applications", [100.0] * 14),
                       synthetic("nareis.open", [10.0 * w for w in range(14)])])  # weeks 1-14 of 2020
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no mean of an empty window
        facts = check_facts(short).set_index("id")
    assert not facts.loc["Q3", "ok"]  # W01-11 is there; W12-25 is not whole
    assert facts.loc["Q3", "evidence"] == "not checked: it reads weeks 2020-W12..2020-W25 that the run did not simulate"
    assert facts.loc["Q4", "evidence"].startswith("not checked: it reads weeks 2020-W26..2020-W26")
    whole = synthetic("nareis.open", [10.0 * w for w in range(30)])
    assert "not checked" not in check_facts(whole).set_index("id").loc["Q4", "evidence"]  # the same fact, checked
