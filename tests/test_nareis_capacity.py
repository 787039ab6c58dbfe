"""Nareis capacities: the IND's decision capacity as a queue, and the interview/DNA capacity
(metamorphic, with common random numbers). The asylum chain is emptied (QUIET_CHAIN): the
background applications and the starting pipeline exercise the part alone."""
from __future__ import annotations

import math

import numpy as np
import pytest

from variants import QUIET_CHAIN, run, variant

KIND = "unit"

SINGLES = {"nareis.family_size_probabilities": {1: 1.0}}  # persons = applications


def test_no_decision_capacity_decides_nothing_after_the_start():
    """Decisions suspended (0 a week): every file that becomes ready waits; open applications
    only grow, and only the approved and MVV holders of the start can arrive."""
    sc = variant(until="2020-W30", force={"nareis.decisions_per_week": 0.0}, base=QUIET_CHAIN)
    w = run(sc, reps=1)
    assert w["nareis.decisions"].sum() == 0 and w["nareis.approvals"].sum() == 0
    assert np.all(np.diff(w["nareis.open"][0]) >= 0)
    assert w["nareis.awaiting_decision"][0, -1] > 0
    assert np.all(np.diff(w["nareis.awaiting_decision"][0]) >= 0)
    assert w["nareis.arrivals"].sum() <= sc.start.nareis.approved + sc.start.nareis.holding_mvv


def test_a_binding_decision_capacity_decides_at_its_rate():
    """With a long queue (every file ready at once: no assessment delay, no investigation)
    the decisions per week are a Poisson process at the capacity: over 20 weeks the count
    lies within 3.5 standard deviations of rate x 20."""
    rate = 40.0
    sc = variant(until="2020-W30", base={**QUIET_CHAIN, **SINGLES},
                 force={"nareis.decisions_per_week": rate, "nareis.assessment_days": 0.0,
                        "nareis.investigation_share": 0.0, "start.nareis.open": 3000,
                        "start.nareis.awaiting_investigation_share": 0.0})
    w = run(sc, reps=1)
    queue = w["nareis.awaiting_decision"][0]
    assert queue[20] > 0  # the queue never empties in the window
    decided = w["nareis.decisions"][0, 1:21].sum()
    assert abs(decided - 20 * rate) <= 3.5 * math.sqrt(20 * rate), decided
    # open = open a week before + applied - decided, every week
    open_ = np.concatenate([[sc.start.nareis.open], w["nareis.open"][0]])
    np.testing.assert_array_equal(np.diff(open_), w["nareis.applications"][0] - w["nareis.decisions"][0])


def test_no_decision_capacity_is_the_model_without_one():
    """decisions_per_week None (the default) changes nothing: the draws and the weekly
    values are those of a scenario that never had the field."""
    a = run(variant(until="2020-W20", base=QUIET_CHAIN), reps=1)
    b = run(variant(until="2020-W20", base={**QUIET_CHAIN, "nareis.decisions_per_week": None}), reps=1)
    for m in ("nareis.decisions", "nareis.arrivals", "nareis.open", "nareis.approvals"):
        np.testing.assert_array_equal(a[m], b[m])
    assert a["nareis.awaiting_decision"].max() == 0


@pytest.mark.metamorphic
def test_more_investigation_capacity_no_fewer_arrivals():
    """Metamorphic, common random numbers: interviews/DNA tests at 5, 15, 40 a week all year
    (no suspension) -> arrivals and investigations never fall as the capacity rises, in every
    replication."""
    out = []
    for cap in (5.0, 15.0, 40.0):
        sc = variant(until="2020-W40", base=QUIET_CHAIN,
                     force={"nareis.investigations_per_week": cap, "nareis.investigation_share": 0.8})
        w = run(sc, reps=2)
        out.append((w["nareis.arrivals"].sum(axis=1), w["nareis.investigations"].sum(axis=1)))
    for (arr_lo, inv_lo), (arr_hi, inv_hi) in zip(out, out[1:]):
        assert np.all(inv_hi >= inv_lo), (inv_lo, inv_hi)
        assert np.all(arr_hi >= arr_lo), (arr_lo, arr_hi)
    assert np.all(out[-1][0] > out[0][0])  # and the capacity matters here


def test_a_decision_capacity_lifted_by_a_phase_decides_the_queue_at_once():
    """A phase that lifts the decision capacity (None) decides every waiting file at its start."""
    from ketensim.scenario.schema import Scenario

    sc = variant(until="2020-W26", base={**QUIET_CHAIN, "nareis.decisions_per_week": 0.0})
    raw = sc.model_dump(mode="json")
    phase = next(p for p in raw["phases"] if p["name"] == "telehoren-scale-up")  # 1 June 2020
    phase["set"]["nareis.decisions_per_week"] = None
    w = run(Scenario.model_validate(raw), reps=1)
    i = 22  # 2020-W23 (Monday 1 June): the horizon starts in 2020-W01
    assert w["nareis.awaiting_decision"][0, i - 1] > 0 and w["nareis.awaiting_decision"][0, i] == 0
    assert w["nareis.decisions"][0, :i].sum() == 0
    assert w["nareis.decisions"][0, i] >= w["nareis.awaiting_decision"][0, i - 1]
