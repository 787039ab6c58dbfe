"""The IND's production plan in persons (its own unit) converted into the model's decision FTE,
and the grant shares by case class.

The conversion is checked against a hand computation on a mix chosen for easy arithmetic,
then in a run: the staffed pool, the plan metrics, and the validation of the pool's name.
"""
from __future__ import annotations

import copy
import math

import numpy as np
import pytest

from ketensim.metrics.weekly import weekly_values
from ketensim.model.chain import Chain
from ketensim.model.ind_plan import persons_per_unit, plan_fte, series_mass
from ketensim.scenario.errors import ScenarioError
from ketensim.scenario.loader import load_raw, load_scenario
from ketensim.scenario.overrides import set_path
from ketensim.scenario.schema import Scenario

from conftest import BASELINE

KIND = "unit"

# households: half single adults, half three persons of whom 1.6 adults on average
# (second_adult_share 0.6); 20% of first applications in the extended procedure at twice the
# work; first 900 and repeat 100 persons a month all year (weights 0.9 / 0.1)
MIX = [
    "inflow.households.size_probabilities={1: 0.5, 3: 0.5}",
    "inflow.households.second_adult_share=0.6",
    "ind.tracks.va_share.first=0.2", "ind.tracks.va_share.repeat=0.0", "ind.tracks.va_work_factor=2.0",
    "inflow.first_applications.values={2020-01: 900}", "inflow.repeat_applications.values={2020-01: 100}",
    "ind.staff.decisions_per_fte_week=2.5", "ind.staff.hearings_per_fte_week=4.0",
    "ind.hearings_per_adult.first=2", "ind.hearings_per_adult.repeat=1",
]
PLAN = ["ind.staff.plan.decisions_persons_per_year=26000", "ind.staff.plan.realisation=0.75",
        "ind.staff.plan.pool=decision", "ind.staff.plan.hearing_pool=hearing"]


def test_series_mass_spreads_each_month_over_its_days():
    sc = load_scenario(BASELINE)
    import datetime as dt
    jan = series_mass(sc.inflow.first_applications, dt.date(2020, 1, 1), dt.date(2020, 2, 1))
    assert jan == pytest.approx(1970.0)  # CBS January 2020
    half = series_mass(sc.inflow.first_applications, dt.date(2020, 2, 1), dt.date(2020, 2, 16))
    assert half == pytest.approx(1515.0 * 15 / 29)  # 2020 is a leap year


def test_plan_converts_persons_into_fte_by_hand():
    sc = load_scenario(BASELINE, [*MIX, *PLAN])
    # persons per household 0.5 x 1 + 0.5 x 3 = 2; adults 0.5 x 1 + 0.5 x 1.6 = 1.3
    # work of a decision: first 1 + 0.2 x (2 - 1) = 1.2, repeat 1.0; weighted 0.9 x 1.2 + 0.1 = 1.18
    # persons per unit of work = 2 / (1.3 x 1.18) = 1.303781...
    assert persons_per_unit(sc, 2020) == pytest.approx(2.0 / (1.3 * 1.18), rel=1e-12)
    persons_week = 26000 * 0.75 / (365.25 / 7)  # 373.7166 persons a week staffed
    fte = plan_fte(sc, day=100.0)
    assert fte["decision"] == {"decision": pytest.approx(persons_week * 1.3 * 1.18 / 2.0 / 2.5, rel=1e-12)}
    assert fte["decision"]["decision"] == pytest.approx(114.6563, abs=1e-3)
    # hearings: 373.72 / 2 households x 1.3 adults x (0.9 x 2 + 0.1 x 1) hearings / 4 per FTE
    assert fte["hearing"] == {"hearing": pytest.approx(persons_week / 2.0 * 1.3 * 1.9 / 4.0, rel=1e-12)}
    assert fte["hearing"]["hearing"] == pytest.approx(115.3850, abs=1e-3)


def test_plan_in_adult_decisions_would_overstate_production():
    """The baseline's mix: reading the plan as adult decisions (as the 2022 assumption A9 did:
    536.6 a week x 1.15 / 2.0 = 309 FTE for 28,000) overstates the IND by the persons per
    adult, 1.67 / 1.21 = 1.38 (the issue's "about 1.4 times as productive as planned")."""
    sc = load_scenario(BASELINE, ["ind.staff.plan.decisions_persons_per_year=28000",
                                  "ind.staff.plan.pool=decision"])
    ratio = persons_per_unit(sc, 2020)
    persons, adults = 1.67, 1.21  # 0.7 x 1 + 0.1 x 2 + 0.08 x 3 + 0.07 x 4 + 0.05 x 5; 1 + 0.3 x 0.7
    work_first, work_repeat = 1.15, 1.05  # 30% / 10% extended procedure at 1.5x the work
    w_first = 13295.0 / (13295.0 + 1471.0)  # persons applying in 2020 (series sums; W53 excluded)
    assert ratio == pytest.approx(persons / (adults * (w_first * work_first + (1 - w_first) * work_repeat)),
                                  rel=1e-3)
    fte = plan_fte(sc, day=0.0)["decision"]["decision"]
    work = w_first * work_first + (1 - w_first) * work_repeat
    assert fte == pytest.approx(28000 / (365.25 / 7) / ratio / 2.0, rel=1e-12)
    assert 309.0 / fte == pytest.approx(persons / adults * 1.15 / work, rel=2e-3)  # ~1.39


def test_run_staffs_the_plan_and_reports_plan_and_realisation():
    sc = load_scenario(BASELINE, [*MIX, *PLAN, "horizon.end=2020-W08-7", "ind.capacity_rule.enabled=false"])
    chain = Chain(sc, 0)
    values = weekly_values(chain.run(), sc.horizon.weeks)
    expected = plan_fte(sc, 0.0)
    assert chain.ind.staff.capacity["decision"] == round(expected["decision"]["decision"])
    assert chain.rooms.staff.capacity["hearing"] == round(expected["hearing"]["hearing"])
    assert chain.ind.staff.capacity["taskforce"] == 0  # other pools keep their data
    planned = 26000 / (365.25 / 7)
    assert values["ind.plan_decisions"] == pytest.approx([planned] * sc.horizon.weeks)
    assert values["ind.plan_staffed"] == pytest.approx([planned * 0.75] * sc.horizon.weeks)
    first = values["ind.decisions_first_applications"].sum()
    assert 0 < first <= values["ind.decisions"].sum()


def test_without_plan_the_metrics_say_so_and_pools_keep_their_data():
    sc = load_scenario(BASELINE, ["horizon.end=2020-W02-7"])
    assert plan_fte(sc, 0.0) == {"decision": {}, "hearing": {}}
    chain = Chain(sc, 0)
    values = weekly_values(chain.run(), sc.horizon.weeks)
    assert all(math.isnan(v) for v in values["ind.plan_decisions"])
    assert chain.ind.staff.capacity["decision"] == round(sc.ind.staff.pools["decision"].decision_fte or 0)


def test_plan_pool_must_exist():
    with pytest.raises(ScenarioError, match="plan.pool"):
        load_scenario(BASELINE, ["ind.staff.plan.decisions_persons_per_year=28000", "ind.staff.plan.pool=nobody"])


def test_grant_share_by_class_overrides_the_kind_only_for_its_class():
    sc = load_scenario(BASELINE, ["horizon.end=2020-W02-7", "ind.grant_share_by_class.taskforce=0.9"])
    ind = Chain(sc, 0).ind
    from ketensim.model.entities import Household
    hh = Household(1, "first", -100.0)
    ind.cls[1] = "taskforce"
    assert ind.grant_share(hh) == 0.9
    ind.cls[1] = "first"
    assert ind.grant_share(hh) == sc.ind.grant_share["first"]
    repeat = Household(2, "repeat", -100.0)
    assert ind.grant_share(repeat) == sc.ind.grant_share["repeat"]


# phase probes of the plan and the class table (tests/test_phase_fields.py leaves them to this
# file: they act only with a plan, or with a class given)
PROBES: dict[str, object] = {
    "ind.staff.plan.decisions_persons_per_year": 40000.0, "ind.staff.plan.realisation": 0.5,
    "ind.staff.plan.pool": "taskforce", "ind.staff.plan.hearing_pool": "hearing",
    "ind.grant_share_by_class": {"first": 0.9},
}


def _probe_run(raw: dict) -> np.ndarray:
    sc = Scenario.model_validate(raw)
    values = weekly_values(Chain(sc, 0).run(), sc.horizon.weeks)
    return np.concatenate([np.nan_to_num(values[k], nan=-1.0) for k in sorted(values)])


@pytest.fixture(scope="module")
def planned_raw() -> tuple[dict, np.ndarray]:
    raw = load_raw(BASELINE)
    for key, value in {"horizon.end": "2020-W10-7", "ind.staff.plan.decisions_persons_per_year": 28000.0,
                       "ind.staff.plan.pool": "decision", "ind.capacity_rule.enabled": False}.items():
        set_path(raw, key, value)
    raw["phases"] = [ph for ph in raw["phases"] if str(ph["start"]) <= "2020-03-08"]
    raw["phases"].insert(1, {"name": "probe", "start": "2020-W03", "set": {}})
    return raw, _probe_run(raw)


@pytest.mark.parametrize("path", sorted(PROBES))
def test_a_phase_changing_the_plan_changes_the_run(path, planned_raw):
    raw, ref = planned_raw
    probe = copy.deepcopy(raw)
    probe["phases"][1]["set"] = {path: PROBES[path]}
    out = _probe_run(probe)
    assert out.shape != ref.shape or not np.array_equal(out, ref), path
