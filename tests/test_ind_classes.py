"""Case classes: conservation per class every week, the Taskforce stock, the starting stock."""
from __future__ import annotations

import numpy as np
import pytest

from ketensim.metrics.weekly import weekly_values as _weekly_values
from ketensim.model.chain import Chain
from ketensim.scenario.ind_schema import CLASSES
from ketensim.scenario.loader import load_scenario

from conftest import BASELINE

KIND = "unit"


def weekly_values(rec, n_weeks):  # type: ignore[no-untyped-def]
    """Weekly values; a count that never happened is a week of zeros (not missing)."""
    from collections import defaultdict

    out = defaultdict(lambda: np.zeros(n_weeks))
    out.update(_weekly_values(rec, n_weeks))
    return out


@pytest.fixture(scope="module")
def run():
    sc = load_scenario(BASELINE, ["horizon.end=2020-W30-7"])
    chain = Chain(sc, replication=1)
    start = dict(chain.ind.by_class)
    open_at_start = dict(chain.ind.open)
    values = weekly_values(chain.run(), sc.horizon.weeks)
    return sc, chain, start, open_at_start, values


@pytest.mark.parametrize("cls", CLASSES)
def test_every_class_balances_every_week(run, cls):
    _, _, start, _, v = run
    stock = np.concatenate([[start[cls]], v[f"ind.backlog_{cls}"]])
    np.testing.assert_array_equal(stock[1:], stock[:-1] + v[f"ind.entries_{cls}"] - v[f"ind.exits_{cls}"])


def test_classes_add_up_to_the_backlog(run):
    *_, v = run
    np.testing.assert_array_equal(sum(v[f"ind.backlog_{c}"] for c in CLASSES), v["ind.backlog"])


def test_the_taskforce_class_is_the_open_stock_lodged_before_the_cutoff(run):
    sc, chain, _, _, v = run
    cutoff = (sc.ind.taskforce_cutoff - sc.horizon.start).days
    week = cutoff // 7  # the week of the cutoff (0-based)
    assert (v["ind.backlog_taskforce"][:week] == 0).all()
    assert v["ind.entries_taskforce"][week] == v["ind.backlog_taskforce"][week] + v["ind.exits_taskforce"][week]
    # no case lodged on or after the cutoff is ever a Taskforce case
    assert all(chain.ind.open[h].applied_at < cutoff for h, c in chain.ind.cls.items() if c == "taskforce")
    # the Taskforce pool decides only Taskforce cases, from 1 May on
    assert v["ind.decisions_taskforce"][week + 4:].min() > 0
    assert v["ind.backlog_taskforce"][-1] < v["ind.backlog_taskforce"][week]


def test_decisions_by_class_and_track_add_up(run):
    *_, v = run
    np.testing.assert_array_equal(sum(v[f"ind.decisions_{c}"] for c in CLASSES), v["ind.decisions"])
    np.testing.assert_array_equal(v["ind.decisions_aa"] + v["ind.decisions_va"], v["ind.decisions"])


def test_starting_stock_has_old_cases_and_no_first_week_spike(run):
    _, _, _, open_at_start, v = run
    ages = np.array([-hh.applied_at for hh in open_at_start.values()])
    assert ages.max() > 730 and 0.03 < (ages > 730).mean() < 0.08  # 5% over two years
    assert abs(np.median(ages) - 180) < 25  # the median of the bands {90: .30, 180: .22, ...}
    assert len(open_at_start) > 0
    kinds = [hh.kind for hh in open_at_start.values()]
    assert 0.05 < kinds.count("repeat") / len(kinds) < 0.11
    assert v["ind.decisions"][0] <= 1.2 * np.median(v["ind.decisions"][1:11])


def test_past_term_and_late_decisions_are_consistent(run):
    *_, v = run
    assert v["ind.open_past_term"].min() > 0
    assert (v["ind.decisions_late"] <= v["ind.decisions"]).all()
    longer = load_scenario(BASELINE, ["horizon.end=2020-W30-7", "ind.decision_term_days=456"])
    vl = weekly_values(Chain(longer, replication=1).run(), longer.horizon.weeks)
    assert (vl["ind.open_past_term"] <= v["ind.open_past_term"]).all()
    assert vl["ind.decisions_late"].sum() < v["ind.decisions_late"].sum()
    np.testing.assert_array_equal(vl["ind.decisions"], v["ind.decisions"])  # the term changes no decision


def test_waiting_taskforce_cases_wait_in_the_taskforce_queues(run):
    """Reclassified at the cutoff, a case waiting for a hearing or a decision moves to the
    Taskforce queue (its priority changes where it waits, not only at its next stage)."""
    _, chain, *_ = run
    tf = {h for h, c in chain.ind.cls.items() if c == "taskforce"}
    for cls, q in chain.rooms.queues.items():
        assert cls == "taskforce" or not any(e[0].household.hid in tf for e in q), cls
    for cls, q in chain.ind.queues.items():
        assert cls == "taskforce" or not any(e[0].hid in tf for e in q), cls
    waits = [e[2] for e in chain.rooms.queues["taskforce"]]
    assert waits == sorted(waits)  # still first come, first served
