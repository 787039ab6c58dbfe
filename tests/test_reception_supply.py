"""Reception that cannot grow at will: the supply of places behind COA's capacity rule,
temporary locations, the registration centre overflowing behind a full chain, and COA
occupancy by its two definitions. Extreme values, metamorphic checks with common random
numbers, and a balance of every stage every week."""
from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from ketensim.model.chain import Chain
from ketensim.scenario.schema import Scenario
from reception_helpers import network, run
from test_reception_network import _balances, _stage_levels

KIND = "unit"


def _rule(places_per_month: float | None, **supply: object) -> dict:
    """The capacity rule with a large AZC buffer, 100-place locations after 2 weeks; the
    supply of places off (None) or at ``places_per_month``."""
    s = {"enabled": places_per_month is not None, "places_per_month": places_per_month or 0.0, **supply}
    return {"enabled": True, "buffer": 400, "pol_buffer": 0, "lead_time_weeks": 2,
            "location_places": 100, "location_isolation_places": 0, "close_surplus": 100_000,
            "supply": s}


def test_no_new_places_ever_occupancy_bounded_and_col_overflow_grows_by_the_inflow():
    """Nobody leaves (no hearings) and the supply yields nothing: the rule wants places and
    finds none, so AZC and process reception hold at most their places, and once both are
    full every newcomer stays in the registration centre: its overflow grows by the inflow."""
    _, v = run(network(persons_per_week=60, weeks=16, azc=(1, 300), pol=(1, 100), rooms=0, limit=100,
                       capacity=_rule(0.0)))
    assert v["coa.exits"].sum() == 0
    assert v["coa.azc_occupancy"].max() == 300 and v["coa.pol_occupancy"].max() == 100
    assert v["coa.capacity_azc"].max() == 300 and v["coa.capacity_pol"].max() == 100
    assert v["coa.locations_ordered"].sum() == 0 and v["coa.places_found"].sum() == 0
    assert v["coa.places_unfound"][-1] > 0  # the supply binds
    assert v["coa.binding_constraint"][-1] == 4 and v["coa.binding_constraint"][0] == 0
    assert v["coa.occupancy"][-1] == v["coa.admissions"].sum()
    over = v["coa.col_overflow"]
    full = (v["coa.azc_occupancy"] == 300) & (v["coa.pol_occupancy"] == 100) & (v["coa.col_occupancy"] >= 100)
    weeks = np.flatnonzero(full[:-1]) + 1  # weeks that start with the chain behind the COL full
    assert len(weeks) >= 5
    np.testing.assert_array_equal(np.diff(over)[weeks - 1], v["coa.admissions"][weeks])
    assert over[-1] > 300


def test_the_unlimited_rule_finds_what_the_limited_one_cannot():
    """The same run with the supply off: the rule orders its locations and the overflow stays
    below the run without new places (same arrivals: common random numbers)."""
    base = dict(persons_per_week=60, weeks=16, azc=(1, 300), pol=(1, 100), rooms=0, limit=100)
    _, off = run(network(**base, capacity=_rule(None)))
    _, none = run(network(**base, capacity=_rule(0.0)))
    np.testing.assert_array_equal(off["coa.admissions"], none["coa.admissions"])
    assert off["coa.locations_ordered"].sum() > 0 and off["coa.places_unfound"].max() == 0
    assert off["coa.col_overflow_nights"].sum() < none["coa.col_overflow_nights"].sum()
    assert 4 not in off["coa.binding_constraint"] and 4 in none["coa.binding_constraint"]  # supply binds only there


@pytest.mark.metamorphic
@pytest.mark.parametrize("replication", [0, 1])
def test_a_slower_supply_of_places_gives_no_less_overflow(replication):
    """Metamorphic, common random numbers: places found at 1,200, 600, 300 and 0 a month ->
    the places found never rise and the registration centre's overflow (person-nights) never
    falls as the supply slows."""
    base = dict(persons_per_week=80, weeks=20, azc=(1, 300), pol=(1, 100), rooms=0, limit=100)
    found, nights = [], []
    for rate in (1200.0, 600.0, 300.0, 0.0):
        _, v = run(network(**base, capacity=_rule(rate)), replication=replication)
        found.append(v["coa.places_found"].sum())
        nights.append(v["coa.col_overflow_nights"].sum())
    assert found == sorted(found, reverse=True) and found[0] > found[-2] > 0
    assert nights == sorted(nights) and nights[-1] > nights[0]


def test_the_supply_accrues_at_its_rate_while_the_rule_is_short():
    """Always short (nobody leaves, a buffer larger than the inflow can fill): the places
    found over the run are the rate x the months, less what is still accruing (less than one
    location)."""
    rate, weeks = 1000.0, 20
    _, v = run(network(persons_per_week=80, weeks=weeks, azc=(1, 300), pol=(1, 100), rooms=0, limit=100,
                       capacity={**_rule(rate), "buffer": 100_000, "max_locations": 1000}))
    months = 7.0 * (weeks - 1) / (365.25 / 12)  # reviews at days 7, 14, ..., 7 x (weeks - 1)
    assert rate * months - 100 < v["coa.places_found"].sum() <= rate * months


def test_temporary_locations_open_sooner_close_after_their_term_and_their_residents_move():
    """Every location found is temporary, opens after 1 week and closes after 4 weeks: the
    places come and go, the residents of a closed location wait first in line and move to
    AZC places elsewhere, and every stage balances every week."""
    raw = network(persons_per_week=80, weeks=24, azc=(1, 300), pol=(1, 100), rooms=0, limit=100,
                  capacity=_rule(800.0, temporary_share=1.0, temporary_lead_time_weeks=1,
                                 temporary_min_weeks=4, temporary_max_weeks=4))
    sc = Scenario.model_validate(raw)
    chain = Chain(sc, replication=0)
    start = _stage_levels(chain)
    from ketensim.metrics.weekly import weekly_values
    v = weekly_values(chain.run(), sc.horizon.weeks)
    _balances(start, v)
    assert v["coa.places_temporary"].max() > 0 and v["coa.places_closed"].sum() > 0
    assert v["coa.relocations"].sum() > 0
    # the first orders (day 7) open on day 14 and close on day 42: gone from the capacity
    # (or closing with residents) and their places counted closed in week 7 (days 42-48)
    assert v["coa.places_closed"][6] > 0
    assert v["coa.places_temporary"][4] > 0
    # closed locations hold no one new: the AZC capacity never exceeds the places ever found
    assert v["coa.capacity_azc"].max() <= 300 + v["coa.places_found"].sum()
    # residents of closed locations went on to other AZC places
    assert v["coa.left_azc"].sum() > 0 and v["coa.exits"].sum() == 0


def test_temporary_terms_must_be_ordered():
    raw = network(capacity=_rule(100.0, temporary_min_weeks=10, temporary_max_weeks=4))
    with pytest.raises(ValidationError, match="temporary_max_weeks: must be >= temporary_min_weeks"):
        Scenario.model_validate(raw)


def test_occupancy_entitled_counts_crisis_reception_and_occupancy_does_not():
    """A hand-made case: 60 single newcomers a week, nobody leaves, a COL of 100, POL 100,
    AZC 300, and two crisis locations of 50 places switched on. After 14 weeks the crisis
    places are full (100). COA's 2022 counting (entitled) = everyone admitted; the earlier
    counting (residents of COA locations) = the same less the 100 in crisis reception."""
    _, v = run(network(persons_per_week=60, weeks=14, azc=(1, 300), pol=(1, 100), rooms=0, limit=100,
                       crisis={"locations": 2, "places": 50, "active": True}))
    admitted = np.cumsum(v["coa.admissions"])
    np.testing.assert_array_equal(v["coa.occupancy_entitled"], admitted)
    np.testing.assert_array_equal(v["coa.occupancy"], admitted - v["coa.crisis_occupancy"])
    assert v["coa.crisis_occupancy"][-1] == 100
    assert v["coa.occupancy"][-1] == admitted[-1] - 100
    stages = ("col", "pol", "azc", "emergency")
    np.testing.assert_array_equal(v["coa.occupancy"], sum(v[f"coa.{s}_occupancy"] for s in stages))



def _bypass(raw: dict) -> dict:
    raw["reception"]["pol"]["bypass_to_azc"] = True
    return raw


def test_process_reception_full_with_azc_room_the_bypass_moves_newcomers_on():
    """Process reception (100 places, 14-day stay) passes ~50 a week; 80 arrive. Without the
    bypass the registration centre overflows although the AZC has room; with it the newcomers
    go straight to the AZC and the centre stays below its limit (same arrivals: CRN)."""
    base = dict(persons_per_week=80, weeks=16, azc=(1, 3000), pol=(1, 100), rooms=0, limit=100)
    _, wait = run(network(**base))
    _, bypass = run(_bypass(network(**base)))
    np.testing.assert_array_equal(wait["coa.admissions"], bypass["coa.admissions"])
    assert wait["coa.col_overflow"][-1] > 200
    assert wait["coa.binding_constraint"][-1] == 2  # process reception places bind
    assert bypass["coa.binding_constraint"][-1] == 0
    assert wait.get("coa.pol_bypassed", np.zeros(1)).sum() == 0
    assert bypass["coa.pol_bypassed"].sum() > 0
    assert bypass["coa.col_overflow"].max() < 0.25 * wait["coa.col_overflow"][-1]
    assert bypass["coa.azc_occupancy"][-1] > wait["coa.azc_occupancy"][-1]


def test_the_bypass_cannot_help_when_the_azc_is_full_too():
    """Extreme: AZC and process reception full, nobody leaves: with the bypass on, the
    registration centre's overflow still grows by the inflow."""
    _, v = run(_bypass(network(persons_per_week=60, weeks=16, azc=(1, 300), pol=(1, 100), rooms=0, limit=100)))
    assert v["coa.azc_occupancy"].max() == 300 and v["coa.pol_occupancy"].max() == 100
    assert v["coa.pol_bypassed"].sum() > 0  # while the AZC had room
    over = v["coa.col_overflow"]
    late = np.arange(len(over))[-5:]
    np.testing.assert_array_equal(np.diff(over)[late - 1], v["coa.admissions"][late])
    assert over[-1] > 300


# levers of the supply and the bypass, each probed by a phase in a pressured network with the
# supply on (the general walk of phase fields, tests/test_phase_fields.py, runs without pressure)
PROBES = {
    "reception.capacity.supply.enabled": False, "reception.capacity.supply.places_per_month": 3000.0,
    "reception.capacity.supply.temporary_share": 1.0, "reception.capacity.supply.temporary_lead_time_weeks": 5.0,
    "reception.capacity.supply.temporary_min_weeks": 1.0, "reception.capacity.supply.temporary_max_weeks": 3.0,
    "reception.pol.bypass_to_azc": True,
}


def _supplied() -> dict:
    from test_reception_network import _pressured

    raw = _pressured()
    raw["reception"]["capacity"]["supply"] = {
        "enabled": True, "places_per_month": 300.0, "temporary_share": 0.5,
        "temporary_lead_time_weeks": 1.0, "temporary_min_weeks": 2.0, "temporary_max_weeks": 6.0}
    return raw


@pytest.fixture(scope="module")
def supplied_reference() -> tuple[dict, dict[str, np.ndarray]]:
    raw = _supplied()
    raw["phases"].append({"name": "probe", "start": "2020-W03", "set": {}})
    return raw, run(raw)[1]


@pytest.mark.parametrize("path", sorted(PROBES))
def test_a_phase_changing_a_supply_lever_changes_the_run(supplied_reference, path):
    """Set from week 3 by a phase, each supply lever changes the weekly table (CRN)."""
    raw, ref = supplied_reference
    raw = {**raw, "phases": [*raw["phases"][:-1], {"name": "probe", "start": "2020-W03", "set": {path: PROBES[path]}}]}
    _, out = run(raw)
    assert any(not np.array_equal(out.get(k), ref[k]) for k in ref), f"{path} set by a phase changed nothing"
