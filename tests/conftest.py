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


# Tests by kind. Every test has exactly one kind, a marker registered in pyproject.toml:
#   unit         a function or one part, on a hand-made table or a small model, with exact
#                expectations (worked by hand, extreme values, conservation, one-line errors);
#   statistical  simulation output against theory (Erlang C, Little's law, SIR final size) or
#                the letter, with tolerances from theory or the replication spread, fixed seeds;
#   metamorphic  change a lever, the output moves the right way (paired, common random numbers);
#   integration  the CLI, the API, the store, the report and the workflow end to end (files,
#                processes, faults, notebooks, the README's examples);
#   browser      the HTML report opened in headless Chromium.
# A file states the kind of its tests with a module-level ``KIND = "unit"``; a test of another
# kind in that file carries its own marker (``@pytest.mark.statistical``), which wins.
# Independently, ``@pytest.mark.slow`` (or ``pytestmark = pytest.mark.slow`` for a whole file)
# puts a test in the long target: `make test` runs ``-m "not slow"``, `make test-long` runs
# ``-m slow``, and CI (.ci/run) runs both. A new test is in `make test` unless marked slow.
KINDS = ("unit", "statistical", "metamorphic", "integration", "browser")


def _kind(item) -> str | None:
    own = [m.name for m in item.own_markers if m.name in KINDS]
    if len(own) > 1:
        raise pytest.UsageError(f"{item.nodeid}: more than one kind marker ({', '.join(own)}); a test has one kind")
    if own:
        return own[0]
    kind = getattr(item.module, "KIND", None)
    if kind is not None and kind not in KINDS:
        raise pytest.UsageError(f"{item.path.name}: KIND = {kind!r} is not a kind; allowed: {', '.join(KINDS)}")
    return kind


def pytest_collection_modifyitems(config, items):
    missing = []
    for item in items:
        kind = _kind(item)
        if kind is None:
            missing.append(item.nodeid)
        elif not any(m.name == kind for m in item.own_markers):
            item.add_marker(getattr(pytest.mark, kind))
    _skip_instrumenting_when_compiled(items)
    if missing:
        raise pytest.UsageError(
            f"{len(missing)} test(s) without a kind, first {missing[0]}: set KIND = 'unit' (or "
            f"{', '.join(repr(k) for k in KINDS[1:])}) at the top of the file, or mark the test "
            "(tests/conftest.py says what each kind is)")


def _skip_instrumenting_when_compiled(items) -> None:
    """A test marked ``pure_python`` replaces or wraps the model's own methods to watch them;
    compiled classes (ketensim.native) do not allow that, so it runs on the pure-Python path
    (``make test-pure``, which CI runs) and is skipped where the model is compiled, whose
    results tests/test_native.py checks are identical to the pure path's."""
    import ketensim.native

    if ketensim.native.running() != ketensim.native.COMPILED:
        return
    skip = pytest.mark.skip(reason="instruments the model's internals: runs in `make test-pure` (KETENSIM_PURE=1)")
    for item in items:
        if item.get_closest_marker("pure_python"):
            item.add_marker(skip)


def stall_reads(monkeypatch, path: Path):
    """Make ``os.read`` of the file at ``path`` block (as some files under /proc do) until the
    returned event is set, 60 s at most, and the loader's read limit 1 s: an unbounded reader
    then fails the test on time. Set the event when done."""
    import os
    import threading

    from ketensim.scenario import loader

    ino = path.stat().st_ino
    real_read, release = os.read, threading.Event()

    def read(fd: int, n: int) -> bytes:
        if os.fstat(fd).st_ino == ino:
            release.wait(60)
        return real_read(fd, n)

    monkeypatch.setattr(os, "read", read)
    monkeypatch.setattr(loader, "READ_SECONDS", 1.0)
    return release
