"""The IND's capacity rule (model/ind_capacity.py): arithmetic, lead time, extremes, levers.

The pressured IND is the 2020 baseline with 2.5 times the first applications (the what-if of
issue 17), cut after week 30: the hearing queue passes 13 weeks of the officers' capacity in
spring, so the rule orders, and its order works from the lead time on.
"""
from __future__ import annotations

import copy
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
import simpy

from ketensim.metrics.weekly import weekly_values
from ketensim.model.chain import Chain
from ketensim.model.ind_capacity import IndCapacity
from ketensim.model.ind_staff import StaffPools
from ketensim.scenario.loader import load_raw, load_scenario
from ketensim.scenario.overrides import set_path
from ketensim.scenario.phases import build_timeline
from ketensim.scenario.schema import Scenario

from conftest import BASELINE

KIND = "unit"

PRESSURE = ["inflow.first_applications.scale=2.5", "horizon.end=2020-W30-7"]


def _weekly(sets: list[str], rep: int = 0) -> dict[str, np.ndarray]:
    given = {s.split("=", 1)[0] for s in sets}  # a test's own horizon replaces PRESSURE's (one value a key)
    sc = load_scenario(BASELINE, [*(p for p in PRESSURE if p.split("=", 1)[0] not in given), *sets])
    return weekly_values(Chain(sc, replication=rep).run(), sc.horizon.weeks)


@pytest.fixture(scope="module")
def pressured() -> dict[str, np.ndarray]:
    return _weekly([])


# --------------------------------------------------------------------------- arithmetic
class _Rec:
    def __init__(self) -> None:
        self.counts: list[tuple[str, float]] = []

    def add_source(self, fn: Any) -> None:
        pass

    def count(self, name: str, t: float, n: float = 1.0) -> None:
        self.counts.append((name, t))


@pytest.mark.pure_python  # stand-ins for the recorder and parts (tests/conftest.py)
def test_an_order_is_the_stock_management_rule_worked_by_hand():
    """Hearing officers 100 (300 hearings a week), decision officers 50, 20 rooms x 10 slots, no
    video. Over the four weeks since the last review the hearing queue grew from 4,000 to 5,000
    adults and 1,200 hearings started: demand = (1,000 + 1,200) / 4 = 550 a week. The queue is
    16.7 weeks of capacity (> 13), so the IND wants 550 + (5,000 - 8 x 550) / 26 = 573.08 a week
    (below 2.5 x 300 = 750). Hence ceil(573.08 / 3 - 100) = 92 hearing officers,
    ceil((573.08 - 200) / 10) = 38 rooms, and ceil(0.5 x 273.08 / 3) = 46 decision officers in
    the data's ratio of 50 decision to 100 hearing officers; at work 13 weeks later. A second
    review four weeks on, with the queue unchanged, orders nothing more (the order counts)."""
    sc = load_scenario(BASELINE, ["ind.staff.pools.hearing.hearing_fte=100", "ind.staff.pools.decision.decision_fte=50",
                                  "ind.staff.pools.taskforce.decision_fte=0", "ind.physical.distancing_factor=0.2857",
                                  "ind.video.coa_rooms=0"])
    assert sc.ind.physical.rooms == 20
    env = simpy.Environment()
    policy = SimpleNamespace(params=sc, params_at=lambda t: sc)
    hearing, decision = StaffPools("hearing", 0.0), StaffPools("decision", 0.0)
    hearing.on_phase(sc.ind.staff, 0.0)
    decision.on_phase(sc.ind.staff, 0.0)
    grown: list[int] = []
    rooms = SimpleNamespace(queue_length=4000, staff=hearing, add_rooms=lambda r: grown.append(r))
    ind = SimpleNamespace(queues={"first": []}, staff=decision, on_phase=lambda p: None)
    rec = _Rec()
    rule = IndCapacity(env, rec, policy, rooms, ind)  # type: ignore[arg-type]  # sees 4,000 at day 0
    rooms.queue_length, hearing.started = 5000, 1200  # by the first review, on day 28
    env.run(until=28.5)
    assert [n for n, _ in rec.counts] == ["ind.capacity_orders"]
    assert rule.ordered == {"hearing": 92, "decision": 46, "rooms": 38}
    env.run(until=28.0 + 7 * 13 - 0.5)
    assert grown == [] and hearing.added == {} and decision.added == {}
    env.run(until=28.0 + 7 * 13 + 0.5)
    assert grown == [38] and hearing.added == {"hearing": 92.0}
    assert decision.added == {"decision": 46.0}
    assert len(rec.counts) == 1  # the reviews of days 56, 84 and 112 ordered nothing more
    assert rule.ordered == {"hearing": 0, "decision": 0, "rooms": 0}


# --------------------------------------------------------------------------- the chain
def test_under_pressure_the_rule_orders_and_its_order_works_after_the_lead_time(pressured):
    orders = pressured["ind.capacity_orders"]
    assert orders.sum() >= 1
    first = int(np.argmax(orders > 0))
    working = pressured["ind.added_hearing_officers"]
    arrived = int(np.argmax(working > 0))
    assert working[:arrived].sum() == 0 and working[-1] > 0
    # ordered in week `first`, at work 13 weeks later: the arrival falls in that week or the next
    assert arrived - first in (13, 14)
    assert pressured["ind.ordered_officers"][first] > 0


def test_max_factor_one_never_orders_and_changes_nothing(pressured):
    """max_factor = 1: the capacity may not exceed the data's, so the run is the rule switched off."""
    capped, off = _weekly(["ind.capacity_rule.max_factor=1.0"]), _weekly(["ind.capacity_rule.enabled=false"])
    assert capped["ind.capacity_orders"].sum() == 0
    for m in off:
        np.testing.assert_array_equal(capped[m], off[m], err_msg=m)
    assert not np.array_equal(pressured["ind.hearings_physical"], off["ind.hearings_physical"])


@pytest.mark.metamorphic
@pytest.mark.slow
@pytest.mark.parametrize("rep", [0, 1])
def test_the_rule_under_pressure_decides_more_and_grants_more_permits(rep):
    """Common random numbers: the same persons arrive with and without the rule; with it the
    IND decides more, its backlog ends no larger and more permits reach reception."""
    sets = ["horizon.end=2020-W45-7"]
    on, off = _weekly(sets, rep), _weekly([*sets, "ind.capacity_rule.enabled=false"], rep)
    assert on["ind.decisions"].sum() > off["ind.decisions"].sum()
    assert on["ind.grants"].sum() > off["ind.grants"].sum()
    assert on["ind.backlog"][-1] <= off["ind.backlog"][-1]
    assert on["coa.permit_holders"][-8:].mean() > off["coa.permit_holders"][-8:].mean()


def test_the_binding_code_names_decision_staff_only_when_they_were_busy(pressured):
    """Under 2.5x the inflow the Taskforce's decision officers idle while its cases wait for
    hearings: those weeks the binding constraint is upstream (rooms or hearing staff)."""
    code, util = pressured["ind.binding_constraint"], pressured["ind.utilisation_pct_decision_staff"]
    assert (util[code == 3] >= 90.0).all()
    assert ((code == 1) | (code == 2)).any()


# --------------------------------------------------------------------------- the levers
PROBES: dict[str, Any] = {
    "ind.capacity_rule.enabled": False, "ind.capacity_rule.review_days": 7.0,
    "ind.capacity_rule.max_queue_weeks": {"hearing": 30.0, "decision": 30.0},
    "ind.capacity_rule.target_queue_weeks": 1.0, "ind.capacity_rule.clearance_weeks": 2.0,
    "ind.capacity_rule.lead_time_weeks": 4.0, "ind.capacity_rule.min_step": 0.9,
    "ind.capacity_rule.max_factor": 1.2, "ind.capacity_rule.hearing_pool": "taskforce",
    "ind.capacity_rule.decision_pool": "taskforce",
}


def _run_raw(raw: dict[str, Any]) -> dict[str, np.ndarray]:
    sc = Scenario.model_validate(raw)
    build_timeline(sc)
    return weekly_values(Chain(sc, 0).run(), sc.horizon.weeks)


@pytest.fixture(scope="module")
def probe_reference() -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    raw = load_raw(BASELINE)
    for item in PRESSURE:
        path, value = item.split("=")
        set_path(raw, path, float(value) if path.endswith("scale") else value)
    raw["phases"] = [ph for ph in raw["phases"] if str(ph["start"]) <= "2020-07-26"]
    raw["phases"].insert(1, {"name": "probe", "start": "2020-W03", "set": {}})
    return raw, _run_raw(raw)


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(PROBES))
def test_a_phase_changing_a_capacity_rule_lever_changes_the_run(probe_reference, path):
    """The rule acts only under pressure (the general walk of phase fields runs without it):
    set from week 3 by a phase, each of its levers changes the weekly table (CRN)."""
    raw, ref = probe_reference
    probe = copy.deepcopy(raw)
    probe["phases"][1]["set"] = {path: PROBES[path]}
    out = _run_raw(probe)
    assert any(not np.array_equal(out[k], ref[k], equal_nan=True) for k in ref), f"{path} set by a phase changed nothing"


def test_an_unknown_pool_is_refused_with_the_path():
    from ketensim.scenario.errors import ScenarioError

    with pytest.raises(ScenarioError, match=r"capacity_rule.decision_pool: no staff pool 'nobody'"):
        load_scenario(BASELINE, ["ind.capacity_rule.decision_pool=nobody"])
