"""The Taskforce stock empties in 2021 under the three-year scenario's inputs once the
Taskforce officers keep their stock as first work (a priority order as scenario data).

The mechanism: on 1 July 2021 (assumption A9 of chain-2020-2022.yaml) the Taskforce pools
drop to 0 FTE and their officers join the regular pools, which serve the Taskforce class
last; with the inflow of the second half of 2021 those pools never run out of newer work, so
about 1,500 Taskforce cases wait for a decision officer until the 2022 plan adds staff. The
fix keeps the officers in their pool with the Taskforce stock first and newer work when none
of it waits (``ind.staff.pools.taskforce.serves``), the same FTE in total as A9.
"""
from __future__ import annotations

import pytest

from ketensim.metrics.weekly import weekly_values
from ketensim.model.chain import Chain
from ketensim.scenario.loader import load_raw
from ketensim.scenario.schema import Scenario

from conftest import SCENARIOS

KIND = "integration"
pytestmark = pytest.mark.slow  # a two-year run of the three-year scenario

END_2021 = "2022-01-02"  # Sunday of 2021-W52
A9_MOVES = ("ind.staff.pools.taskforce.decision_fte", "ind.staff.pools.decision.decision_fte",
            "ind.staff.pools.taskforce.hearing_fte", "ind.staff.pools.hearing.hearing_fte")
TASKFORCE_FIRST = ["taskforce", "dublin", "lapsed_dublin", "repeat", "first"]


def chain_2021(fix: bool) -> Scenario:
    raw = load_raw(SCENARIOS / "chain-2020-2022.yaml")
    raw.pop("extends", None)
    raw["horizon"]["end"] = END_2021
    raw["phases"] = [ph for ph in raw["phases"] if str(ph["start"]) <= END_2021]
    if fix:
        (summer,) = [ph for ph in raw["phases"] if ph["name"] == "reopening-summer"]
        for key in A9_MOVES:  # the shipped scenario already has the fix (C12): nothing to move
            summer["set"].pop(key, None)
        summer["set"]["ind.staff.pools.taskforce.serves"] = TASKFORCE_FIRST
    return Scenario.model_validate(raw)


def test_taskforce_stock_empties_in_2021_with_its_officers_serving_it_first():
    sc = chain_2021(fix=True)
    chain = Chain(sc, 0)
    v = weekly_values(chain.run(), sc.horizon.weeks)
    backlog = v["ind.backlog_taskforce"]
    end_2020 = backlog[52]  # 2020-W53, the week of 1-3 January 2021
    assert 5000 < end_2020 < 8500  # the published 6,880 left at the end of 2020: the run is the chain's
    assert backlog[-1] <= 0.01 * end_2020, backlog[-1]  # the rest is in its last steps, not waiting
    assert not chain.ind.queues["taskforce"]  # none waits for a decision officer
    assert not chain.rooms.queues["taskforce"]  # nor for a hearing
    # the officers still decide newer cases when the stock is done: decisions go on
    assert v["ind.decisions"][-13:].sum() > 0.8 * v["ind.decisions"][-26:-13].sum()
