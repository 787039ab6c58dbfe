"""Dublin outgoing and incoming: extreme values, deadlines, hand-offs, conservation.

Runs use a scaled-down 2020 (a quarter of the stocks and the inflow) so that each test takes
a few seconds; the mechanisms and the policy timeline are the baseline's.
"""
from __future__ import annotations

import numpy as np
import pytest

from ketensim.metrics.weekly import weekly_values
from ketensim.model.chain import Chain
from ketensim.scenario.errors import ScenarioError
from ketensim.scenario.loader import load_scenario

from conftest import BASELINE, SCENARIOS

KIND = "unit"

SUSPENDED = SCENARIOS / "dublin-suspended-2020.yaml"
SMALL = [
    "start.reception.in_procedure=3000", "start.reception.permit_holders=1400",
    "start.reception.rejected=2000", "start.ind.appeals_open=2000", "start.dtv.outside_reception=600",
    "start.dublin.awaiting_transfer=300", "inflow.first_applications.scale=0.25",
    "inflow.repeat_applications.scale=0.25",
    "reception.locations.0.count=16",
    # no IND stock outside COA: the identity below counts COA, DT&V and Dublin only (the chain-level
    # identity with the outside stock is in test_conservation.py)
    "start.ind.outside_reception=0",
]
REPS = 2


def run(path, overrides=(), rep=0):
    sc = load_scenario(path, [*SMALL, *overrides])
    chain = Chain(sc, rep)
    rec = chain.run()
    return sc, chain, weekly_values(rec, sc.horizon.weeks)


def start_persons(sc) -> int:
    s = sc.start
    return (s.reception.in_procedure + s.reception.permit_holders + s.reception.rejected
            + s.dtv.outside_reception + s.dublin.awaiting_transfer + s.detention.population
            + s.ind.outside_reception)


def test_suspended_all_year_gives_no_transfers_and_more_lapses():
    lapsed = {"baseline": 0.0, "suspended": 0.0}
    for rep in range(REPS):
        _, _, base = run(BASELINE, rep=rep)
        _, chain, susp = run(SUSPENDED, rep=rep)
        assert base["dublin.transfers"].sum() > 0  # the comparison means something
        assert susp["dublin.transfers"].sum() == 0
        assert susp["dublin.transfers_forced"].sum() == 0
        assert susp["detention.transfers"].sum() == 0
        assert np.nansum(susp["detention.dublin"]) == 0  # no prospect, so no Dublin detainees
        assert susp["dublin.incoming"].sum() == 0
        lapsed["baseline"] += base["dublin.lapsed"].sum()
        lapsed["suspended"] += susp["dublin.lapsed"].sum()
    # common random numbers: the same claimants; every transfer not made can only lapse,
    # abscond or wait, so lapses must rise clearly
    assert lapsed["suspended"] > lapsed["baseline"] * 1.2


def test_transfers_only_while_the_phase_allows():
    _, _, v = run(BASELINE)
    weeks = np.arange(1, len(v["dublin.transfers"]) + 1)
    suspended = (weeks >= 12) & (weeks <= 26)  # from week 12 until 1 July (week 27)
    assert v["dublin.transfers"][suspended].sum() == 0
    assert v["dublin.transfers"][weeks < 12].sum() > 0
    assert v["dublin.transfers"][weeks >= 27].sum() > 0


def test_transfers_count_as_dtv_departures():
    _, _, v = run(BASELINE)
    forced_other = v["dtv.departures_forced"] - v["dublin.transfers_forced"] - v["detention.removals"]
    assert (forced_other >= 0).all()
    independent_dtv = v["dtv.departures_independent"] - (v["dublin.transfers"] - v["dublin.transfers_forced"])
    assert (independent_dtv >= 0).all()
    assert (v["dublin.transfers_forced"] <= v["dublin.transfers"]).all()
    assert v["dublin.transfers_forced"].sum() > 0


def test_every_lapse_enters_the_national_procedure():
    _, _, v = run(BASELINE)
    assert v["dublin.lapsed"].sum() > 0
    np.testing.assert_array_equal(v["ind.dublin_takeovers"], v["dublin.lapsed"])


@pytest.mark.pure_python  # wraps a model method (tests/conftest.py)
def test_no_transfer_after_the_deadline():
    sc = load_scenario(BASELINE, SMALL)
    chain = Chain(sc, 0)
    late: list[float] = []
    original = chain.dublin._transfer

    def transfer(case):
        p = sc.dublin
        limit = p.deadline_days if case.deadline - case.accepted_at <= p.deadline_days + 1e-9 \
            else p.deadline_absconded_days
        late.append(chain.env.now - case.accepted_at - limit)
        original(case)

    chain.dublin._transfer = transfer
    chain.run()
    assert late and max(late) <= 1e-9


def test_conservation_of_persons_every_week():
    sc, _, v = run(BASELINE)
    pop, entries, exits = v["chain.population"], v["chain.entries"], v["chain.exits"]
    prev = np.concatenate([[start_persons(sc)], pop[:-1]])
    np.testing.assert_allclose(pop, prev + entries - exits)
    # the Dublin queue on its own
    aw = v["dublin.awaiting_transfer"]
    prev = np.concatenate([[sc.start.dublin.awaiting_transfer], aw[:-1]])
    flows = (v["dublin.accepted"] + v["dublin.reappeared"] - v["dublin.transfers"]
             - v["dublin.lapsed"] - v["dublin.absconded"])
    np.testing.assert_allclose(aw, prev + flows)
    # and the parts add up to the chain: everyone is in COA, in the DT&V caseload outside COA
    # (detainees included) or awaiting a Dublin transfer outside COA (reappeared, detained)
    parts = (v["coa.occupancy"] + v["dtv.caseload"] - v["dtv.caseload_in_reception"]
             + v["dublin.awaiting_transfer"] - v["dublin.in_reception"])
    np.testing.assert_allclose(pop, parts)
    assert v["dublin.reappeared"].sum() > 0  # the re-entry hand-off was exercised


def test_deadline_validation_names_the_problem(write_scenario):
    path = write_scenario({"extends": "baseline-2020", "dublin": {"deadline_absconded_days": 30}})
    with pytest.raises(ScenarioError, match="deadline_absconded_days"):
        load_scenario(path)


def test_phases_may_change_dublin_and_detention():
    sc = load_scenario(BASELINE, ["dublin.transfers_per_week@lockdown=5",
                                  "detention.places@lockdown=100"])
    lock = next(p for p in sc.phases if p.name == "lockdown")
    assert lock.set["dublin.transfers_per_week"] == 5
