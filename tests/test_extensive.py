"""The benchmark's 'k times the persons' scales every field marked EXTENSIVE, no hand list."""
from __future__ import annotations

from pathlib import Path

from ketensim.scenario.extensive import extensive_paths, scale_persons
from ketensim.scenario.loader import load_scenario

KIND = "unit"

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline-2020.yaml"


def test_marked_fields_cover_stocks_capacities_and_inflow():
    paths = set(extensive_paths())
    for p in ("start.reception.in_procedure", "start.mvv.pending", "inflow.first_applications",
              "reception.locations[].count", "ind.physical.offices", "dtv.removals_per_week",
              "resettlement.quotas", "detention.places", "mvv.demand"):
        assert p in paths
    # intensive quantities are not marked
    for p in ("reception.locations[].places", "dtv.mob_weekly_hazard", "ind.decision_days",
              "health.imports.incidence"):
        assert p not in paths


def test_scaling_doubles_extensive_values_and_phase_overrides_only():
    sc = load_scenario(BASELINE)
    s2 = scale_persons(sc, 2)
    assert s2.start.reception.in_procedure == 2 * sc.start.reception.in_procedure
    assert s2.inflow.first_applications.scale == 2 * sc.inflow.first_applications.scale
    assert s2.inflow.first_applications.values == sc.inflow.first_applications.values
    assert s2.reception.regular_places == 2 * sc.reception.regular_places
    assert s2.ind.physical.rooms == 2 * sc.ind.physical.rooms
    assert s2.dtv.mob_weekly_hazard == sc.dtv.mob_weekly_hazard
    assert s2.ind.decision_days == sc.ind.decision_days
    for p1, p2 in zip(sc.phases, s2.phases):
        for key, v in p1.set.items():
            if key == "reception.housing.persons_per_week":
                assert p2.set[key] == 2 * v
            if key.endswith("_days") or key.endswith("_share") or key.endswith("hazard"):
                assert p2.set[key] == v
    assert scale_persons(sc, 1) is sc


def test_phase_overrides_inside_a_map_of_blocks_scale_too():
    """The IND's staff pools are a map of blocks: a phase sets ``ind.staff.pools.<pool>.<fte>``.
    Those overrides must scale with the base, or a k-times chain loses its officers on the
    phase date (the defect: at 2x the hearing pool fell from 480 to 180 FTE on 1 May)."""
    sc = load_scenario(BASELINE)
    s2 = scale_persons(sc, 2)
    checked = 0
    for p1, p2 in zip(sc.phases, s2.phases):
        for key, v in p1.set.items():
            if key.startswith("ind.staff.pools.") and key.endswith("_fte"):
                assert p2.set[key] == 2 * v, key
                checked += 1
    assert checked >= 3
    assert s2.ind.staff.pools["hearing"].hearing_fte == 2 * sc.ind.staff.pools["hearing"].hearing_fte
