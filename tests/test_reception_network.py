"""The reception network: conservation per stage, extreme values, the capacity rule's lead
time, crisis relief, and metamorphic checks with common random numbers."""
from __future__ import annotations

import numpy as np
import pytest

from ketensim.metrics.weekly import weekly_values
from ketensim.model.chain import Chain
from ketensim.model.locations import AZC, COL, CRISIS, EMERGENCY, POL
from ketensim.scenario.loader import load_scenario
from ketensim.scenario.schema import Scenario
from reception_helpers import network, run

from conftest import BASELINE

KIND = "unit"

STAGES = (COL, POL, AZC, EMERGENCY, CRISIS)


def _stage_levels(chain: Chain) -> dict[str, float]:
    r = chain.reception
    out = {f"coa.{s}_occupancy": float(r.pools[s].occupants) for s in (POL, AZC, EMERGENCY, CRISIS)}
    out["coa.col_occupancy"] = float(r.col.occupants)
    return out


def _balances(start: dict[str, float], v: dict[str, np.ndarray]) -> None:
    total = sum(v[f"coa.{s}_occupancy"] for s in STAGES)
    np.testing.assert_array_equal(total, v["coa.occupancy_entitled"])  # every stage
    np.testing.assert_array_equal(total - v["coa.crisis_occupancy"], v["coa.occupancy"])  # COA locations
    for s in STAGES:
        level = np.concatenate([[start[f"coa.{s}_occupancy"]], v[f"coa.{s}_occupancy"]])
        zero = np.zeros_like(level[1:])
        flow = v.get(f"coa.entered_{s}", zero) - v.get(f"coa.left_{s}", zero)
        np.testing.assert_array_equal(level[1:], level[:-1] + flow,
                                      err_msg=f"stage {s}")


def test_every_stage_balances_every_week_in_the_baseline():
    sc = load_scenario(BASELINE, ["horizon.end=2020-W22-7"])
    chain = Chain(sc, replication=1)
    start = _stage_levels(chain)
    v = weekly_values(chain.run(), sc.horizon.weeks)
    _balances(start, v)
    assert v["coa.entered_emergency"].sum() > 0 and v["coa.entered_pol"].sum() > 0  # not trivially 0 = 0
    assert v["coa.col_overflow"].max() == 0  # 2020: the registration centre does not overflow


def test_every_stage_balances_when_the_network_is_full():
    raw = network(persons_per_week=80, weeks=16, azc=(1, 300), pol=(1, 100), limit=100,
                  crisis={"locations": 2, "places": 40, "active": True})
    sc = Scenario.model_validate(raw)
    chain = Chain(sc, replication=0)
    start = _stage_levels(chain)
    v = weekly_values(chain.run(), sc.horizon.weeks)
    _balances(start, v)
    assert v["coa.col_overflow"][-1] > 0 and v["coa.crisis_occupancy"][-1] > 0


def test_no_azc_places_everyone_stays_at_the_col_and_overflow_grows_by_the_inflow():
    # no AZC places, no process reception, no hearings (so nobody leaves)
    _, v = run(network(persons_per_week=60, weeks=10, azc=(1, 0), pol=None, rooms=0, limit=50))
    assert v["coa.azc_occupancy"].max() == 0 and v["coa.pol_occupancy"].max() == 0
    assert v["coa.exits"].sum() == 0
    np.testing.assert_array_equal(v["coa.col_occupancy"], np.cumsum(v["coa.admissions"]))
    over = v["coa.col_overflow"]
    np.testing.assert_array_equal(over, np.maximum(v["coa.col_occupancy"] - 50, 0))
    above = v["coa.col_occupancy"][:-1] >= 50  # from the week after the limit was reached
    np.testing.assert_array_equal(np.diff(over)[above], v["coa.admissions"][1:][above])
    assert over[-1] > 400


def test_unlimited_places_no_overflow_and_no_crisis():
    _, v = run(network(persons_per_week=400, weeks=12, azc=(4, 100_000), pol=(1, 100_000), limit=2000,
                       crisis={"overflow_trigger": 1},
                       capacity={"enabled": True, "buffer": 1000, "lead_time_weeks": 4}))
    assert v["coa.col_overflow"].max() == 0 and v["coa.col_overflow_nights"].max() == 0
    assert v["coa.crisis_occupancy"].max() == 0 and v["coa.capacity_crisis"].max() == 0
    assert v["coa.places_ordered"].max() == 0


def test_a_full_azc_keeps_people_in_pol_and_col():
    _, v = run(network(persons_per_week=60, weeks=14, azc=(1, 300), pol=(1, 100), rooms=0, limit=100))
    assert v["coa.azc_occupancy"][-1] == 300 and v["coa.pol_occupancy"][-1] == 100
    assert v["coa.col_occupancy"][-1] == v["coa.occupancy"][-1] - 400
    assert 0 < v["coa.waiting_azc"][-1] <= 100  # those in POL who have finished the stay wait
    assert v["coa.col_overflow"][-1] == v["coa.col_occupancy"][-1] - 100 > 0


def test_crisis_places_take_exactly_their_places_from_the_overfull_col():
    base = dict(persons_per_week=60, weeks=14, azc=(1, 300), pol=(1, 100), rooms=0, limit=100)
    _, off = run(network(**base))
    _, on = run(network(**base, crisis={"locations": 2, "places": 50, "active": True}))
    np.testing.assert_array_equal(on["coa.occupancy_entitled"], off["coa.occupancy_entitled"])  # same arrivals (CRN)
    assert on["coa.crisis_occupancy"][-1] == 100
    assert on["coa.occupancy"][-1] == off["coa.occupancy"][-1] - 100  # crisis places are not COA locations
    assert on["coa.col_occupancy"][-1] == off["coa.col_occupancy"][-1] - 100


def test_crisis_rule_activates_after_its_lead_time():
    _, v = run(network(persons_per_week=60, weeks=16, azc=(1, 300), pol=(1, 100), rooms=0, limit=100,
                       crisis={"locations": 4, "places": 50, "overflow_trigger": 30, "lead_time_days": 21}))
    over = v["coa.col_overflow"]
    first = int(np.argmax(over >= 30))  # the review at the end of this week sees the trigger
    assert over[first] >= 30 and over[:first].max() < 30
    # active 21 days after that review: after the snapshot at the end of week first + 3
    assert v["coa.capacity_crisis"][: first + 4].max() == 0
    assert v["coa.capacity_crisis"][first + 4] == 200


def _rule(buffer: int, lead: float = 3.0, persons: float = 60.0, weeks: int = 20) -> dict:
    return network(persons_per_week=persons, weeks=weeks, azc=(1, 300), pol=None, rooms=0, limit=100,
                   capacity={"enabled": True, "buffer": buffer, "lead_time_weeks": lead, "review_days": 7,
                             "location_places": 100, "min_open_weeks": 1, "close_surplus": 100_000,
                             "max_locations": 100})


def test_locations_open_exactly_after_the_lead_time():
    chain, v = run(_rule(buffer=100, lead=3.0))
    ordered = np.array(chain.rec.counts["coa.locations_ordered"])
    opened = np.array(chain.rec.counts["coa.locations_opened"])
    assert ordered.sum() >= 3
    lag = 21
    np.testing.assert_array_equal(opened[lag:], ordered[:-lag])
    assert opened[:lag].sum() == 0
    # places count only once open
    days = 7 * np.arange(1, len(v["coa.capacity_azc"]) + 1)
    opened_by = np.array([opened[:d].sum() for d in days])
    np.testing.assert_array_equal(v["coa.capacity_azc"], 300 + 100 * opened_by)


@pytest.mark.metamorphic
@pytest.mark.parametrize("replication", [0, 1, 2])
def test_a_larger_buffer_gives_no_more_overflow(replication):
    _, small = run(_rule(buffer=50, lead=6.0, persons=100), replication=replication)
    _, large = run(_rule(buffer=600, lead=6.0, persons=100), replication=replication)
    np.testing.assert_array_equal(small["coa.admissions"], large["coa.admissions"])  # CRN
    assert small["coa.col_overflow_nights"].sum() > 0
    assert np.all(large["coa.col_overflow"] <= small["coa.col_overflow"])
    assert large["coa.col_overflow_nights"].sum() < small["coa.col_overflow_nights"].sum()


def test_a_closing_location_takes_no_one_new_and_closes_when_empty():
    raw = network(persons_per_week=20, weeks=12, azc=(2, 400))
    raw["reception"]["planned"] = [{"name": "extra", "start": "2020-01-06", "until": "2020-02-03",
                                    "count": 1, "places": 100}]
    chain, v = run(raw)
    loc = next(l for l in chain.reception.pools[AZC].locations if l.name == "extra-1")
    assert not loc.accepting
    assert v["coa.capacity_azc"][0] == 800 and v["coa.capacity_azc"][1] == 900
    assert v["coa.capacity_azc"][-1] == (900 if loc.occupants else 800)


@pytest.mark.metamorphic
def test_baseline_higher_housing_realisation_no_more_permit_holders_waiting():
    def variant(r: float) -> Scenario:
        sets = [f"reception.housing.realisation{at}={r}" for at in ("", "@lockdown", "@restart", "@recovery")]
        return load_scenario(BASELINE, ["horizon.end=2020-W20-7", *sets])

    low, high = variant(0.3), variant(0.7)
    for rep in (0, 1):
        vl = weekly_values(Chain(low, replication=rep).run(), low.horizon.weeks)
        vh = weekly_values(Chain(high, replication=rep).run(), high.horizon.weeks)
        assert vh["coa.housed"].sum() > vl["coa.housed"].sum()
        assert vh["coa.permit_holders"].mean() <= vl["coa.permit_holders"].mean()
        assert vh["coa.permit_holders_waiting_14w"].mean() <= vl["coa.permit_holders_waiting_14w"].mean()


def test_zoutkamp_fact_needs_newcomers_only_in_the_first_wave():
    from ketensim.calibration.validation import _coa, _zoutkamp
    from test_validation_facts import synthetic

    first_wave = [0.0] * 12 + [200.0] * 8 + [0.0] * 33
    all_year = [0.0] * 12 + [200.0] * 41
    assert _zoutkamp(synthetic("coa.emergency_occupancy", first_wave, noise=0.0))[0]
    assert not _zoutkamp(synthetic("coa.emergency_occupancy", all_year, noise=0.0))[0]
    assert _coa(synthetic("coa.occupancy", [27_500.0] * 53))[0]
    assert not _coa(synthetic("coa.occupancy", [25_000.0] * 53))[0]  # 7% below: outside 5%


def _pressured() -> dict:
    """A small network under pressure and then relief: inflow above what AZC and POL hold
    for three months, then none; the rule, crisis reception and a half-year close all act."""
    raw = network(persons_per_week=120, weeks=30, azc=(1, 300), pol=(1, 100), limit=100,
                  crisis={"locations": 2, "places": 50, "overflow_trigger": 30, "lead_time_days": 14},
                  capacity={"enabled": True, "buffer": 100, "pol_buffer": 20, "lead_time_weeks": 3,
                            "location_places": 100, "min_open_weeks": 4, "close_surplus": 50,
                            "max_locations": 30})
    raw["inflow"]["first_applications"] = {"per": "month", "values": {"2020-01": 520, "2020-04": 0},
                                           "extend": "hold"}
    raw["reception"]["housing"].update({"targets": {"2020-H1": 800, "2020-H2": 800}, "realisation": 0.8})
    return raw


PROBES = {
    "reception.col.night_shelter": 0, "reception.crisis.overflow_trigger": 10**6,
    "reception.crisis.lead_time_days": 1, "reception.capacity.enabled": False,
    "reception.capacity.review_days": 3, "reception.capacity.buffer": 400,
    "reception.capacity.pol_buffer": 300, "reception.capacity.lead_time_weeks": 1,
    "reception.capacity.min_open_weeks": 20, "reception.capacity.close_surplus": 5000,
    "reception.capacity.location_places": 30,  # (location_isolation_places acts only with an epidemic)
    "reception.capacity.max_locations": 1, "reception.housing.carry_over": 0.0,
}


@pytest.fixture(scope="module")
def pressured_reference() -> tuple[dict, dict[str, np.ndarray]]:
    raw = _pressured()
    raw["phases"].append({"name": "probe", "start": "2020-W03", "set": {}})
    return raw, run(raw)[1]


@pytest.mark.parametrize("path", sorted(PROBES))
def test_a_phase_changing_a_reception_lever_changes_the_run(pressured_reference, path):
    """The reception levers that only act under pressure (the general walk of phase fields
    runs without it): set from week 3 by a phase, each changes the weekly table (CRN)."""
    raw, ref = pressured_reference
    raw = {**raw, "phases": [*raw["phases"][:-1], {"name": "probe", "start": "2020-W03", "set": {path: PROBES[path]}}]}
    _, out = run(raw)
    assert any(not np.array_equal(out[k], ref[k]) for k in ref), f"{path} set by a phase changed nothing"
