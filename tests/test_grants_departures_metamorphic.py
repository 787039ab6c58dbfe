"""Grant shares, departure propensities and the detention placement capacity: metamorphic
checks under common random numbers (paired replications, the same named streams) and
extreme values.

Runs use a quarter-scale 2020 (the stocks and the inflow of test_dublin), so that each takes
a few seconds; the mechanisms and the policy timeline are the baseline's.
"""
from __future__ import annotations

import numpy as np
import pytest

from ketensim.metrics.weekly import weekly_values
from ketensim.model.chain import Chain
from ketensim.scenario.loader import load_scenario
from test_dublin import SMALL

from conftest import BASELINE

KIND = "metamorphic"

REPS = range(2)


def run(overrides=(), rep=0):
    sc = load_scenario(BASELINE, [*SMALL, *overrides])
    return weekly_values(Chain(sc, rep).run(), sc.horizon.weeks)


@pytest.mark.slow  # full-year runs, paired
def test_higher_grant_share_no_fewer_permit_holders():
    """The first-application class's grant share from 0.5 to 0.7 (by the class table): the
    grant draws are the same uniforms (one per decision, ``u < p``), so every grant stays a
    grant and more persons get a permit; they wait in COA for housing."""
    for r in REPS:
        base = run(rep=r)
        high = run(["ind.grant_share_by_class.first=0.7"], rep=r)
        assert high["ind.grants"].sum() > base["ind.grants"].sum() * 1.1
        h2 = slice(26, None)
        assert high["coa.permit_holders"][h2].mean() >= base["coa.permit_holders"][h2].mean()
        assert high["coa.permit_holders"][-1] >= base["coa.permit_holders"][-1]


def test_class_table_at_the_kind_values_changes_nothing():
    """The per-class table given the values of ind.grant_share: the same run, week for week."""
    base = run(["horizon.end=2020-W20-7"])
    same = run(["horizon.end=2020-W20-7", "ind.grant_share_by_class.first=0.6",  # the baseline's (C1)
                "ind.grant_share_by_class.repeat=0.15"])
    for m in ("ind.grants", "ind.decisions", "coa.permit_holders", "dtv.intake"):
        assert np.array_equal(base[m], same[m], equal_nan=True), m


@pytest.mark.slow  # full-year runs, paired
def test_more_detention_placement_capacity_no_fewer_placements():
    """Placement opportunities doubled in every phase (a dated change on the phases' values),
    both at the quarter scale of the run's caseload (so that opportunities, not candidates,
    bind in the smaller run)."""
    for r in REPS:
        base = run(["detention.placements_per_week@2020-W01=*0.25"], rep=r)
        more = run(["detention.placements_per_week@2020-W01=*0.5"], rep=r)
        assert more["detention.placements"].sum() >= base["detention.placements"].sum()
        assert more["detention.placements"].sum() > base["detention.placements"].sum() * 1.3


@pytest.mark.slow  # full-year runs, paired
def test_placements_tied_to_travel_openness_are_fewer():
    """travel_elasticity 1: opportunities x dtv.travel_open (below 1 from the lockdown on)."""
    for r in REPS:
        base = run(rep=r)
        tied = run(["detention.travel_elasticity=1.0"], rep=r)
        assert base["detention.placements"][:10].sum() == tied["detention.placements"][:10].sum()  # travel open
        assert tied["detention.placements"].sum() < base["detention.placements"].sum()


@pytest.mark.slow  # full-year runs, paired
def test_departure_propensity_per_route():
    """Each route's propensity acts on its own route: a lower independent propensity gives
    fewer independent departures; zero closes the route (extreme value); zero forced
    propensity stops removals (slots and from detention) and the DT&V track's detention."""
    base = run()
    low = run(["dtv.propensity.independent=0.5"])
    assert low["dtv.caseload_independent"].sum() < base["dtv.caseload_independent"].sum() * 0.75
    none = run(["dtv.propensity.independent=0", "dtv.propensity.independent@second-wave=0",
                "dtv.propensity.forced=0", "dtv.propensity.unsupervised=0",
                "detention.release_mob_share=0"])
    assert none["dtv.caseload_independent"].sum() == 0
    assert none["dtv.caseload_forced"].sum() == 0
    assert none["detention.removals"].sum() == 0
    assert none["dtv.caseload_unsupervised"].sum() == 0
    assert base["dtv.caseload_unsupervised"].sum() > 0 and base["dtv.caseload_forced"].sum() > 0
    # Dublin claimants are outside the DT&V propensities: they still abscond and travel
    assert none["dublin.absconded"].sum() > 0 and none["dublin.transfers"].sum() > 0
