"""The three-year chain (2020-2022): calendar 2020 is the 2020 baseline, nothing looks
ahead in time, and persons are conserved every week over the three years."""
from __future__ import annotations

import numpy as np
import pytest

from ketensim.metrics.weekly import weekly_values
from ketensim.model.chain import Chain
from ketensim.scenario.loader import load_scenario
from test_conservation import IDENTITIES, assert_balances

from conftest import BASELINE, SCENARIOS

KIND = "integration"

YEARS = SCENARIOS / "chain-2020-2022.yaml"
WEEKS_2020 = 52  # 2020-W53 runs to 3 January 2021, where the 2021 inputs start


def _run(sc, replication: int = 0):
    chain = Chain(sc, replication=replication)
    start = {"chain.population": chain.population, "coa.occupancy_entitled": chain.reception.occupancy.value,
             "ind.backlog": chain.ind.backlog.value,
             # as in test_conservation: rejected in COA but those still in appeal, outside COA,
             # and the detainees
             "dtv.caseload": sc.start.reception.rejected - sc.start.ind.appeals_open
             + sc.start.dtv.outside_reception + sc.start.detention.population}
    return start, weekly_values(chain.run(), sc.horizon.weeks)


@pytest.fixture(scope="module")
def three_years():
    sc = load_scenario(YEARS)
    assert sc.horizon.weeks == 157 and str(sc.horizon.end) == "2023-01-01"
    return sc, *_run(sc)


@pytest.fixture(scope="module")
def first_weeks():
    """The three-year scenario cut after 2021-W02: the same inputs up to then."""
    return _run(load_scenario(YEARS, ["horizon.end=2021-W02-7"]))[1]


@pytest.mark.slow
def test_2020_is_bit_identical_to_the_baseline(first_weeks):
    base = _run(load_scenario(BASELINE))[1]
    common = sorted(set(base) & set(first_weeks))
    assert len(common) > 80
    for m in common:
        np.testing.assert_array_equal(first_weeks[m][:WEEKS_2020], base[m][:WEEKS_2020], err_msg=m)
    # the 2021 inputs do act from 1 January 2021 (W53): the test is not trivially true
    assert any(not np.array_equal(first_weeks[m][:53], base[m][:53], equal_nan=True) for m in common)


@pytest.mark.slow
def test_nothing_looks_ahead(three_years, first_weeks):
    """Cutting the horizon changes no week before the cut: no part uses later inputs early."""
    _, _, full = three_years
    for m, cut in first_weeks.items():
        np.testing.assert_array_equal(full[m][: len(cut)], cut, err_msg=m)


@pytest.mark.slow
@pytest.mark.parametrize("part", sorted(IDENTITIES))
def test_three_years_conserve_persons_every_week(three_years, part):
    _, start, values = three_years
    flow_in, flow_out = assert_balances(start, values, part)
    assert flow_in[-52:].sum() > 0 and flow_out[-52:].sum() > 0  # 2022 is not empty


@pytest.mark.slow
def test_vaccination_campaign_runs_in_2021(three_years):
    sc, _, values = three_years
    weeks = np.arange(sc.horizon.weeks)
    june_21 = 77  # 2021-W25 (21 June 2021) is week index 52 + 1 + 24
    assert values["health.vaccinations"][weeks < june_21].sum() == 0
    assert values["health.vaccinated"][june_21 + 8] > 0.2 * values["coa.occupancy"][june_21 + 8]
