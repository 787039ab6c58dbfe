"""Resettlement: extreme values, T12 (~570 waiting in autumn 2020), conservation, 2021 plan."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from ketensim.analysis.targets import load_targets, mean_ci

from conftest import SCENARIOS, TARGETS
from variants import ONLY_RESETTLEMENT, run, variant, week_index

KIND = "unit"

SUSPENDED = {"resettlement.missions_open": 0.0, "resettlement.seats_per_week": 0.0}


def test_missions_and_travel_suspended_all_year_zero_arrivals():
    sc = variant(until="2020-W26", force=SUSPENDED, base=ONLY_RESETTLEMENT)
    w = run(sc, reps=1)
    assert w["resettlement.arrivals"].sum() == 0
    waiting = np.concatenate([[sc.start.resettlement.waiting], w["resettlement.waiting"][0]])
    assert np.all(np.diff(waiting) >= 0)
    # only individual dossier cases are still selected
    assert waiting[-1] == sc.start.resettlement.waiting + w["resettlement.selected"].sum()


def test_no_missions_and_no_dossier_cases_selects_nobody():
    sc = variant(until="2020-W20", force={**SUSPENDED, "resettlement.mission_share": 1.0}, base=ONLY_RESETTLEMENT)
    w = run(sc, reps=1)
    assert w["resettlement.selected"].sum() == 0
    assert np.all(w["resettlement.waiting"] == sc.start.resettlement.waiting)


@pytest.mark.statistical
def test_T12_waiting_in_autumn_and_conservation():
    """T12: ~570 accepted refugees wait in autumn 2020 (end of week 40), within the
    targets file's tolerance; the waiting stock changes by exactly its flows every week."""
    target = next(t for t in load_targets(TARGETS).targets if t.id == "T12")
    sc = variant(until="2020-W40", base=ONLY_RESETTLEMENT)
    w = run(sc, reps=8)
    snap = w["resettlement.waiting"][:, week_index(sc, 40)]
    mean, lo, hi = mean_ci(snap)
    assert abs(mean - target.value) <= target.tolerance * target.value, (mean, lo, hi)
    for r in range(8):
        lv = np.concatenate([[sc.start.resettlement.waiting], w["resettlement.waiting"][r]])
        np.testing.assert_allclose(np.diff(lv), w["resettlement.selected"][r] - w["resettlement.arrivals"][r])
    # travel suspended from week 12 until week 40: nobody arrives in between
    assert w["resettlement.arrivals"][:, week_index(sc, 13): week_index(sc, 40) + 1].sum() == 0


def test_2021_plan_selects_the_quota():
    """resettlement-2021.yaml: 500 + 1,000 selected in 2021 (T13). Selection is a compound
    Poisson process, so the tolerance is 4 standard deviations of the selected persons."""
    sc = variant(base=ONLY_RESETTLEMENT, path=SCENARIOS / "resettlement-2021.yaml")
    assert sc.name == "resettlement-2021"
    w = run(sc, reps=1)
    first = (dt.date.fromisocalendar(2021, 1, 1) - sc.horizon.start).days // 7
    selected_2021 = w["resettlement.selected"][0, first:].sum()
    probs = sc.resettlement.household_size_probabilities
    mean_size = sum(s * p for s, p in probs.items())
    second_moment = sum(s * s * p for s, p in probs.items())
    expected = 1500.0 * 52 * 7 / 365.25
    sd = np.sqrt(expected / mean_size * second_moment)
    assert abs(selected_2021 - expected) <= 4 * sd, (selected_2021, expected, sd)
    arrivals_2021 = w["resettlement.arrivals"][0, first:].sum()
    assert arrivals_2021 > w["resettlement.arrivals"][0, :first].sum()
