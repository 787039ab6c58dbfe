"""Vaccination in COA: against theory with imports only (leaky protection), extreme values,
and exact checks with common random numbers (no coverage or no protection yet = no effect)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from ketensim.analysis.targets import mean_ci
from ketensim.scenario.schema import Scenario
from test_epidemic import closed, run

KIND = "unit"

N, WEEKS, INCIDENCE = 2000, 20, 3000.0


def imports_only(**vaccination) -> Scenario:
    """A closed reception where infections come only from the community (no transmission,
    no detection), with a vaccination campaign at the start of the run."""
    sc = closed(persons=N, weeks=WEEKS, singles_per_room=1,
                **{"transmission.location_r": 0.0, "transmission.household_sar": 0.0,
                   "transmission.room_sar": 0.0, "detection.symptomatic": 0.0,
                   "detection.asymptomatic": 0.0})
    h = sc.health
    inc = h.imports.incidence.model_copy(update={"values": {"2020-W01": INCIDENCE}})
    vac = h.vaccination.model_copy(update={"campaign_days": 0.0, "protection_days": 0.0, **vaccination})
    health = h.model_copy(update={"imports": h.imports.model_copy(update={"incidence": inc}),
                                  "vaccination": vac})
    return sc.model_copy(update={"health": health})


def cumulative_hazard(sc: Scenario) -> float:
    """Community hazard per susceptible resident over the horizon (imports pick a resident
    uniformly at rate hazard x residents)."""
    return WEEKS * INCIDENCE / 1e5 * sc.health.imports.exposure_factor


@pytest.mark.statistical
def test_leaky_protection_matches_theory():
    c, e = 0.5, 0.8
    sc = imports_only(coverage=c, efficacy=e)
    lam = cumulative_hazard(sc)
    expected = (1 - c) * (1 - math.exp(-lam)) + c * (1 - math.exp(-lam * (1 - e)))
    share, vaccinated = [], []
    for rep in range(6):
        chain, v = run(sc, rep)
        share.append(chain.epidemic.infections / N)
        vaccinated.append(v["health.vaccinated"][0] / N)
    m, lo, hi = mean_ci(np.array(share))
    half = (hi - lo) / 2
    assert abs(m - expected) <= max(half, 0.004), f"infected {m:.4f} ±{half:.4f} vs theory {expected:.4f}"
    unvaccinated = 1 - math.exp(-lam)
    assert abs(unvaccinated - m) > 5 * half  # the check can fail: no vaccine is far off
    mv, lov, hiv = mean_ci(np.array(vaccinated))
    assert lov - 0.01 <= c <= hiv + 0.01


def test_full_coverage_and_efficacy_stop_every_import():
    _, v = run(imports_only(coverage=1.0, efficacy=1.0), 0)
    assert v["health.new_infections"].sum() == 0
    assert v["health.vaccine_protected"].sum() > 50  # attempts happened and were stopped


def test_no_coverage_or_no_protection_yet_changes_nothing():
    _, none = run(imports_only(coverage=0.0, efficacy=0.9), 1)
    _, late = run(imports_only(coverage=0.8, efficacy=0.9, protection_days=10_000.0), 1)
    np.testing.assert_array_equal(none["health.new_infections"], late["health.new_infections"])
    assert none["health.new_infections"].sum() > 100
    assert late["health.vaccinated"][0] > 0.7 * N and none["health.vaccinated"].sum() == 0
