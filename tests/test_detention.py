"""Immigration detention: extreme values, prospect of removal, maximum stay, Little's law,
conservation. Runs use a scaled-down 2020 so that each test takes a few seconds."""
from __future__ import annotations

import math

import numpy as np
import pytest

from ketensim.analysis.targets import t_quantile_975
from ketensim.metrics.weekly import weekly_values
from ketensim.model.chain import Chain
from ketensim.scenario.loader import apply_overrides, load_raw, load_scenario
from ketensim.scenario.schema import Scenario

from conftest import BASELINE

KIND = "unit"

SMALL = [
    "start.reception.in_procedure=3000", "start.reception.permit_holders=1400",
    "start.reception.rejected=2000", "start.ind.appeals_open=2000", "start.dtv.outside_reception=600",
    "start.dublin.awaiting_transfer=300", "inflow.first_applications.scale=0.25",
    "inflow.repeat_applications.scale=0.25", "reception.locations.0.count=16",
]


def run(overrides=(), rep=0, scenario: Scenario | None = None):
    sc = scenario or load_scenario(BASELINE, [*SMALL, *overrides])
    chain = Chain(sc, rep)
    rec = chain.run()
    return sc, chain, weekly_values(rec, sc.horizon.weeks)


def test_no_places_no_placements_and_no_departures_from_detention():
    sc, chain, v = run(["detention.places=0", "start.detention.population=0"])
    for m in ("detention.placements", "detention.removals", "detention.transfers", "detention.releases"):
        assert v[m].sum() == 0, m
    assert np.all(v["detention.population"] == 0)
    assert chain.detention.stays == []
    # the rest of the chain still removes people: the zero is detention's, not the run's
    assert v["dtv.departures_forced"].sum() > 0


def test_places_bound_the_population():
    places = 120
    sc, _, v = run([f"detention.places={places}", "start.detention.population=0"])
    assert v["detention.placements"].sum() > 0
    assert np.nanmax(v["detention.population"]) <= places


def test_conservation_of_detainees_every_week():
    sc, _, v = run()
    pop = v["detention.population"]
    prev = np.concatenate([[sc.start.detention.population], pop[:-1]])
    flows = v["detention.placements"] - v["detention.releases"] - v["detention.removals"] - v["detention.transfers"]
    np.testing.assert_allclose(pop, prev + flows)
    assert v["detention.removals"].sum() > 0 and v["detention.releases"].sum() > 0
    # removals from detention are DT&V forced departures
    assert (v["detention.removals"] <= v["dtv.departures_forced"]).all()


def test_no_prospect_no_detention():
    """Routes below the prospect threshold from week 12 (and Dublin suspended): everyone is
    released at the phase boundary and nobody is placed until the routes reopen."""
    sc, _, v = run(["detention.min_travel_open=0.5"])  # lockdown 0.34, restart 0.17, recovery 0.50
    weeks = np.arange(1, len(v["detention.population"]) + 1)
    closed = (weeks >= 12) & (weeks <= 26)
    assert v["detention.placements"][closed].sum() == 0
    assert np.all(v["detention.population"][closed] == 0)
    assert v["detention.releases_prospect"][weeks == 12].sum() >= v["detention.population"][weeks == 11][0]
    assert v["detention.placements"][weeks >= 27].sum() > 0


def test_stay_never_exceeds_the_maximum():
    max_stay = 21.0
    _, chain, v = run([f"detention.max_stay_days={max_stay}"])
    stays = [s for _, s in chain.detention.stays]
    assert stays and max(stays) <= max_stay + 1e-9
    assert v["detention.releases_max_stay"].sum() > 0


def _stationary() -> Scenario:
    """The pre-COVID parameters held for two years, constant inflow, no phases; a small
    chain (but a large caseload) so that the run is quick and detention stationary."""
    own = ["start.reception.in_procedure=800", "start.reception.permit_holders=300",
           "start.reception.rejected=500", "start.ind.appeals_open=500", "inflow.first_applications.scale=0.1",
           # a caseload large enough that candidates never run out: placements then come at a
           # constant rate and the detention population is stationary after a short burn-in
           "start.dtv.outside_reception=8000", "dtv.removable_share=1.0",
           "detention.placements_per_week=30", "start.detention.population=240"]
    paths = {o.split("=")[0] for o in own}  # each parameter once: these replace SMALL's
    raw = apply_overrides(load_raw(BASELINE), [*(o for o in SMALL if o.split("=")[0] not in paths), *own])
    raw["horizon"] = {"start": "2020-W01", "end": "2021-W52-7", "warmup_days": 0}
    raw["phases"] = [raw["phases"][0]]
    for series in (raw["inflow"]["first_applications"], raw["inflow"]["repeat_applications"],
                   raw["dublin"]["incoming"]):
        first = next(iter(series["values"].items()))
        series["values"] = dict([first])
    return Scenario.model_validate(raw)


@pytest.mark.statistical
def test_littles_law_in_a_stationary_run():
    """Time-averaged population = placement rate x mean stay, over a window that starts
    after a burn-in and ends at least one maximum stay before the horizon (so every stay
    begun in the window is complete). The tolerance is the 95% t-interval of the relative
    difference over replications."""
    sc = _stationary()
    weeks = sc.horizon.weeks
    burn = 26  # the starting stock settles to the stationary level within half a year
    end = weeks - math.ceil(sc.detention.max_stay_days / 7) - 1
    rel = []
    for rep in range(4):
        _, chain, v = run(scenario=sc, rep=rep)
        a, b = 7.0 * burn, 7.0 * end
        mean_pop = float(np.mean(v["detention.population_avg"][burn:end]))
        stays = [s for since, s in chain.detention.stays if a <= since < b]
        placed = float(v["detention.placements"][burn:end].sum())
        assert placed == len(stays) and placed > 0  # every stay begun in the window ended
        lam = placed / (b - a)
        rel.append((mean_pop - lam * float(np.mean(stays))) / mean_pop)
    rel = np.asarray(rel)
    half = t_quantile_975(len(rel) - 1) * rel.std(ddof=1) / math.sqrt(len(rel))
    assert abs(rel.mean()) <= half, (rel, half)


def test_dtv_candidate_is_the_longest_waiting_free_single_throughout_a_run():
    """DT&V keeps its one-person removable cases as a heap with detainees out until released:
    at every check the candidate is the first such case of the caseload (intake order) that is
    neither detained nor in isolation/quarantine, as a scan of the whole caseload finds it."""
    sc = load_scenario(BASELINE, SMALL)
    chain = Chain(sc, 0)
    dtv, checked = chain.dtv, 0
    for week in range(1, 40):
        chain.env.run(until=7.0 * week)
        now = chain.env.now
        expected = next((hh for hh in dtv.caseload.values() if hh.removable and hh.size == 1
                         and not hh.detained and not hh.blocked(now)), None)
        assert dtv.detention_candidate(now) is expected, week
        checked += expected is not None
    assert checked > 20
