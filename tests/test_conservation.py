"""Conservation of persons, every week: stock(w) = stock(w-1) + inflow(w) - outflow(w),
for the whole chain and for each part. Levels are counted from the parts' containers,
flows from the events, so a person lost or counted twice breaks an identity."""
from __future__ import annotations

import numpy as np
import pytest

from ketensim.metrics.weekly import weekly_values
from ketensim.model.chain import Chain
from ketensim.scenario.loader import load_scenario

from conftest import BASELINE

KIND = "unit"

# part: (level, inflows, outflows)
IDENTITIES = {
    "chain": ("chain.population", ["chain.entries"], ["chain.exits"]),
    "coa": ("coa.occupancy_entitled", ["coa.admissions"], ["coa.exits"]),  # every stage, crisis included
    "ind": ("ind.backlog", ["ind.applications", "ind.dublin_takeovers"],
            ["ind.decisions", "ind.dublin_decisions"]),
    "dtv": ("dtv.caseload", ["dtv.intake"], ["dtv.exits"]),
}


@pytest.fixture(scope="module")
def baseline_run():
    sc = load_scenario(BASELINE, ["horizon.end=2020-W30-7"])
    chain = Chain(sc, replication=3)
    start = {
        "chain.population": chain.population,
        "coa.occupancy_entitled": chain.reception.occupancy.value,
        "ind.backlog": chain.ind.backlog.value,
        # the starting caseload: rejected in COA (but those still in appeal), outside COA,
        # and the detainees
        "dtv.caseload": sc.start.reception.rejected - sc.start.ind.appeals_open
        + sc.start.dtv.outside_reception + sc.start.detention.population,
    }
    rec = chain.run()
    return start, weekly_values(rec, sc.horizon.weeks), sc


def assert_balances(start: dict, values: dict, part: str) -> tuple[np.ndarray, np.ndarray]:
    """Every week: stock = stock a week before + inflows - outflows (exactly, in persons).
    Returns the weekly inflow and outflow, for checks that the identity is not 0 = 0."""
    level, ins, outs = IDENTITIES[part]
    stock = np.concatenate([[start[level]], values[level]])
    flow_in = sum(values[m] for m in ins)
    flow_out = sum(values[m] for m in outs)
    np.testing.assert_array_equal(stock[1:], stock[:-1] + flow_in - flow_out, err_msg=part)
    return flow_in, flow_out


@pytest.mark.parametrize("part", sorted(IDENTITIES))
def test_every_week_balances(baseline_run, part):
    start, values, sc = baseline_run
    flow_in, flow_out = assert_balances(start, values, part)
    assert flow_in.sum() > 0 and flow_out.sum() > 0  # the identity is not trivially 0 = 0


def test_starting_stocks_come_from_the_scenario(baseline_run):
    start, _, sc = baseline_run
    s = sc.start
    assert start["coa.occupancy_entitled"] == (s.reception.in_procedure + s.reception.permit_holders
                                      + s.reception.rejected + s.dublin.awaiting_transfer)
    assert start["chain.population"] == (start["coa.occupancy_entitled"] + s.dtv.outside_reception
                                         + s.detention.population + s.ind.outside_reception)
    assert start["ind.backlog"] == s.reception.in_procedure + s.ind.outside_reception


def test_coa_status_adds_up(baseline_run):
    _, values, _ = baseline_run
    parts = (values["coa.in_procedure"] + values["coa.permit_holders"] + values["coa.rejected"]
             + values["coa.dublin_claimants"])
    np.testing.assert_array_equal(parts, values["coa.occupancy"])
