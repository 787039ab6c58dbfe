"""Housing by the municipal half-year target: arrears carried over exactly (a hand-computed
two-half-year example), the realisation share, matching by household type, the fast track."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from ketensim.model.housing import close_half, half_years
from ketensim.scenario.schema import Scenario
from reception_helpers import network, run

KIND = "unit"

H1, H2 = 181, 365  # 2018: 1 July is day 181 and 1 January 2019 day 365 from Monday 1 January 2018


def test_close_half_by_hand():
    # H1: target 1,000, 600 housed -> 400 arrears; H2: 1,000 + 400 = 1,400
    assert close_half(1000, 600, 1000, 1.0) == (400, 1400)
    # H2: 1,400 effective, 840 housed -> 560 arrears; next: 1,000 + 560
    assert close_half(1400, 840, 1000, 1.0) == (560, 1560)
    assert close_half(1000, 600, 1000, 0.5) == (400, 1200)  # half the arrears carried
    assert close_half(1000, 1200, 900, 1.0) == (0, 900)  # more housed than asked: no credit


def _stock(targets: dict[str, float], realisation: float, persons: int = 5000, weeks: int = 53,
           **housing) -> dict:
    """Only a stock of single permit holders (no inflow), housed against the targets, from
    Monday 1 January 2018 (a half-year starts on the run's first day)."""
    raw = network(persons_per_week=0.0, weeks=weeks)
    start = dt.date(2018, 1, 1)
    raw["horizon"] = {"start": start.isoformat(),
                      "end": (start + dt.timedelta(days=7 * weeks - 1)).isoformat(), "warmup_days": 0}
    raw["phases"] = [{"name": "steady", "start": start.isoformat()}]
    raw["start"]["reception"]["permit_holders"] = persons
    raw["reception"]["housing"] = {"targets": targets, "realisation": realisation,
                                   "matching_days": {"single": 0, "family": 0}, **housing}
    return raw


def test_arrears_carried_over_exactly_over_two_half_years():
    # rate 1,000 x 0.6005 / 181 days: 600.5 offered in H1 -> 600 housed, 400 arrears;
    # H2: 1,400 x 0.6005 = 840.7 offered -> 840 housed, 560 arrears; 2019-H1: 1,000 + 560
    chain, v = run(_stock({"2018-H1": 1000, "2018-H2": 1000}, realisation=0.6005))
    daily = np.array(chain.rec.counts["coa.housed"])
    assert daily[:H1].sum() == 600
    assert daily[H1:H2].sum() == 840
    week27 = 26  # the week of 2 July 2018: first snapshot after the H1 close
    assert v["housing.target"][week27] == 1400 and v["housing.arrears"][week27] == 400
    assert v["housing.target"][-1] == 1560 and v["housing.arrears"][-1] == 560
    assert v["housing.target"][0] == 1000 and v["housing.arrears"][0] == 0


def test_offers_that_find_no_one_add_to_the_arrears():
    chain, v = run(_stock({"2018-H1": 1000}, realisation=1.0, persons=300, weeks=30))
    assert np.array(chain.rec.counts["coa.housed"]).sum() == 300
    assert v["housing.arrears"][-1] == 700


def test_a_half_year_begun_before_the_run_counts_only_its_simulated_days():
    raw = network(persons_per_week=0.0, weeks=5)  # starts Monday 30 December 2019
    raw["reception"]["housing"]["targets"] = {"2019-H2": 1840, "2020-H1": 1000}
    halves = half_years(Scenario.model_validate(raw))
    assert halves[0].start == 0 and halves[0].end == 2 and halves[0].target == pytest.approx(1840 * 2 / 184)
    assert (halves[1].start, halves[1].target) == (2, 1000)


def test_fast_track_houses_its_persons_within_its_window():
    chain, _ = run(_stock({"2018-H1": 0}, realisation=1.0, weeks=12,
                          fast_track=[{"start": "2018-02-05", "persons": 120.5, "weeks": 2}]))
    daily = np.array(chain.rec.counts.get("coa.housed", [0.0] * 84))
    assert daily[35:49].sum() == 120 and daily.sum() == 120


def test_singles_wait_longer_than_families_for_the_match():
    raw = _stock({"2018-H1": 100_000}, realisation=1.0, persons=4000, weeks=8,
                 matching_days={"single": 60, "family": 10})
    raw["inflow"]["households"] = {"size_probabilities": {1: 0.5, 3: 0.5}, "second_adult_share": 0.5}
    _, v = run(raw)
    single, family = v["coa.housed_single"], v["coa.housed_family"]
    # families are matched sooner: a larger share of them is housed in the first weeks
    total_s, total_f = single.sum(), family.sum()
    assert family[:2].sum() / total_f > single[:2].sum() / total_s


def test_permit_holders_waiting_more_than_14_weeks():
    # permits all granted on day 0, no houses: counted from the snapshot after day 98
    _, v = run(_stock({"2018-H1": 0}, realisation=1.0, persons=500, weeks=18, stock_waiting_days=0))
    w = v["coa.permit_holders_waiting_14w"]
    assert w[:14].max() == 0 and w[14:].min() == 500 == v["coa.permit_holders"][-1]


@pytest.mark.parametrize("counted", [1.0, 0.5])
def test_family_joining_a_housed_sponsor_counts_against_the_target_by_hand(counted):
    """Two half-years of 1,000 (realisation 0.6005, as above: 600 and 840 offered). Family members
    join a sponsor in a municipality: 100 on day 50 (H1), 60 on day 250 (H2). The share
    ``family_counted`` of them counts against the target and takes offers from COA's queue:
    H1: realised 600 = COA 600 - 100c + family 100c; arrears 1,000 - 600 = 400 (as without
    family); H2: effective 1,400, realised 840 = COA 840 - 60c + 60c; arrears 560."""
    from ketensim.metrics.weekly import weekly_values
    from ketensim.model.chain import Chain

    raw = _stock({"2018-H1": 1000, "2018-H2": 1000}, realisation=0.6005, family_counted=counted)
    sc = Scenario.model_validate(raw)
    chain = Chain(sc, replication=0)
    for day, n in ((50.0, 100), (250.0, 60)):
        chain.env.timeout(day).callbacks.append(lambda _e, n=n: chain.reception.housing.family_joined(n))
    v = weekly_values(chain.run(), sc.horizon.weeks)
    coa = np.array(chain.rec.counts["coa.housed"])
    realised = np.array(chain.rec.counts["housing.realised"])
    assert coa[:H1].sum() == 600 - 100 * counted
    assert coa[H1:H2].sum() == 840 - 60 * counted
    assert realised[:H1].sum() == pytest.approx(600) and realised[H1:H2].sum() == pytest.approx(840)
    assert np.array(chain.rec.counts["housing.realised_family"]).sum() == pytest.approx(160 * counted)
    assert v["housing.arrears"][26] == pytest.approx(400) and v["housing.arrears"][-1] == pytest.approx(560)


def test_lower_housing_realisation_leaves_no_fewer_permit_holders_in_coa():
    """Metamorphic, common random numbers: the same stock and seed, a lower realisation share."""
    high = run(_stock({"2018-H1": 1000, "2018-H2": 1000}, realisation=0.8, family_counted=1.0))[1]
    low = run(_stock({"2018-H1": 1000, "2018-H2": 1000}, realisation=0.5, family_counted=1.0))[1]
    assert np.all(low["coa.permit_holders"] >= high["coa.permit_holders"])
    assert low["coa.permit_holders"][-1] > high["coa.permit_holders"][-1]
