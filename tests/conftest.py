"""Shared fixtures: scenario paths and a helper to build small variants in a temp dir."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
BASELINE = SCENARIOS / "baseline-2020.yaml"
TARGETS = SCENARIOS / "targets" / "letter-2020-10-05.yaml"


@pytest.fixture
def write_scenario(tmp_path: Path):
    """write_scenario(dict_or_text, name) -> path of a YAML file in a temp folder.

    A dict is dumped as YAML; ``extends`` may name a file in scenarios/ by its stem
    (``extends: baseline-2020``).
    """

    def _write(content: dict | str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        if isinstance(content, dict):
            content = dict(content)
            ext = content.get("extends")
            if isinstance(ext, str) and not ext.endswith(".yaml"):
                content["extends"] = str(SCENARIOS / f"{ext}.yaml")
            content = yaml.safe_dump(content, sort_keys=False)
        path.write_text(content)
        return path

    return _write


PARTS_OFF = {
    "nareis": {"nareis.apply_share": 0.0, "nareis.background_applications.scale": 0.0,
               "start.nareis.open": 0, "start.nareis.approved": 0, "start.nareis.holding_mvv": 0},
    "resettlement": {"start.resettlement.waiting": 0, "resettlement.quotas": {}},
    "mvv": {"mvv.demand.scale": 0.0, "start.mvv.waiting_to_lodge": 0, "start.mvv.pending": 0,
            "start.mvv.issued": 0},
    "dublin": {"dublin.claim_share": 0.0, "dublin.incoming.scale": 0.0,
               "start.dublin.awaiting_transfer": 0},
    "detention": {"detention.placements_per_week": 0.0, "start.detention.population": 0},
    "health": {"health.imports.exposure_factor": 0.0, "health.imports.newcomer_infected_share": 0.0,
               "health.initial_infections": 0},
}
"""Levers that switch off a part of the chain a test does not look at."""


def parts_off(raw: dict, *parts: str) -> dict:
    """Switch off the named parts (all of PARTS_OFF when none are named) in a raw scenario,
    also inside its phases."""
    from ketensim.scenario.loader import set_path

    for part in parts or tuple(PARTS_OFF):
        for key, value in PARTS_OFF[part].items():
            set_path(raw, key, value)
            for ph in raw.get("phases", []):
                (ph.get("set") or {}).pop(key, None)
    return raw


def stationary(rooms: int = 5, slots_per_week: float = 7.0, persons_per_week: float = 28.0,
               cv: float = 1.0, weeks: int = 53, warmup_days: int = 150,
               hearings: int = 1, decision_days: float = 20.0) -> dict:
    """A stationary single-phase chain: single-person households arriving as a Poisson
    process into one hearing queue with ``rooms`` physical rooms (an M/G/c queue; M/M/c
    when ``cv`` = 1), empty at the start; the other parts of the chain switched off."""
    import datetime as dt

    from ketensim.scenario.loader import load_raw

    start = "2019-12-30"
    end = (dt.date(2019, 12, 30) + dt.timedelta(days=7 * weeks - 1)).isoformat()
    raw = parts_off(load_raw(BASELINE))
    raw.update({
        "name": "stationary",
        "seed": 7,
        "replications": 4,
        "horizon": {"start": start, "end": end, "warmup_days": warmup_days},
        "phases": [{"name": "steady", "start": start}],
    })
    raw["start"].update({
        "reception": {"in_procedure": 0, "permit_holders": 0, "rejected": 0},
        "ind": {"share_awaiting_first_hearing": 1.0, "share_awaiting_second_hearing": 0.0,
                "backlog_age_days": 0},
        "dtv": {"outside_reception": 0},
    })
    raw["inflow"] = {
        "first_applications": {"per": "month", "values": {"2020-01": persons_per_week * 31 / 7},
                               "extend": "hold"},
        "repeat_applications": {"per": "month", "values": {"2020-01": 0}, "extend": "hold"},
        "households": {"size_probabilities": {1: 1.0}, "second_adult_share": 0.0},
    }
    raw["reception"] = {
        "locations": [{"name": "azc", "count": 4, "places": 2000, "isolation_places": 4}],
        "housing": {"targets": {"2020-H1": 26000}, "matching_days": {"single": 5, "family": 5}},
        "capacity": {"enabled": False},
    }
    raw["ind"] = {
        "registration_days": 5, "hearings_per_adult": {"first": hearings, "repeat": 1},
        "days_between_hearings": 3, "decision_days": decision_days, "hearing_duration_cv": cv,
        "grant_share": {"first": 0.5, "repeat": 0.1},
        "physical": {"offices": {"Ter Apel": rooms}, "slots_per_room_per_week": slots_per_week,
                     "distancing_factor": 1.0},
        "video": {"ind_rooms": {"Zevenaar": 0}, "coa_rooms": 0, "slots_per_room_per_week": 10},
    }
    raw["dtv"] = {"travel_open": 1.0, "independent_weekly_hazard": 0.05, "removals_per_week": 2,
                  "removable_share": 0.3, "forced_origin_share": 0.5, "mob_weekly_hazard": 0.02,
                  "leave_reception_days": 30}
    return raw


# The fast inner loop (`make test-fast`, `pytest -m "not slow"`): unit, schema and small-model
# tests. Every other file runs full-year or many-replication models and is marked slow as a
# whole here; a single slow test elsewhere carries @pytest.mark.slow itself.
FAST_FILES = {
    "test_hazard.py", "test_sim.py", "test_parts.py", "test_phase_fields.py", "test_scenario_errors.py",
    "test_hearings_quarantine.py", "test_mvv.py", "test_exp_design.py", "test_planner_stats.py",
    "test_planner_overrides.py", "test_scenario_json_schema.py", "test_package.py", "test_docs.py",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name not in FAST_FILES:
            item.add_marker(pytest.mark.slow)
