"""Editor support: the published JSON Schema of a scenario file is the one the model gives,
every shipped scenario carries the modeline and validates against it, and the schema refuses
what the loader refuses (an unknown key, a wrong type) while accepting ISO-week dates."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from ketensim.scenario.errors import ScenarioError
from ketensim.scenario.json_schema import MODELINE, SCHEMA_FILE, jsonable, scenario_json_schema, schema_text
from ketensim.scenario.loader import load_scenario

from conftest import SCENARIOS

KIND = "unit"

jsonschema = pytest.importorskip("jsonschema", reason="pip install -e '.[dev]' installs jsonschema")

PUBLISHED = SCENARIOS / SCHEMA_FILE


def _is_scenario(path: Path) -> bool:
    try:
        load_scenario(path)
    except ScenarioError:
        return False
    return True


SHIPPED = [p for p in sorted(SCENARIOS.glob("*.yaml")) if _is_scenario(p)]


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(PUBLISHED.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _data(path: Path) -> dict:
    return jsonable(yaml.safe_load(path.read_text(encoding="utf-8")))


def test_published_schema_is_the_models():
    assert PUBLISHED.read_text(encoding="utf-8") == schema_text(), (
        f"{PUBLISHED} is stale: regenerate it with `ketensim schema > {PUBLISHED.relative_to(SCENARIOS.parent)}`")


def test_the_shipped_scenarios_are_found():
    names = {p.name for p in SHIPPED}
    assert {"baseline-2020.yaml", "telehoren-permanent.yaml", "chain-2020-2022.yaml"} <= names
    assert "baseline-2020.calibration.yaml" not in names  # a calibration file is not a scenario


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenario_has_modeline_and_validates(path: Path, validator):
    assert path.read_text(encoding="utf-8").splitlines()[0] == MODELINE
    errors = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(_data(path))]
    assert not errors, f"{path.name} does not validate against {SCHEMA_FILE}: {errors[:5]}"


def test_schema_refuses_what_the_loader_refuses(validator):
    base = _data(SCENARIOS / "baseline-2020.yaml")
    unknown = {**base, "ind": {**base["ind"], "video_rooms": 12}}
    assert any("video_rooms" in e.message for e in validator.iter_errors(unknown))
    wrong = {**base, "seed": "twelve"}
    assert list(validator.iter_errors(wrong))
    negative = {**base, "replications": 0}
    assert list(validator.iter_errors(negative))
    bad_date = {**base, "horizon": {**base["horizon"], "end": "next spring"}}
    assert list(validator.iter_errors(bad_date))


def test_a_partial_file_needs_extends(validator):
    partial = {"extends": "baseline-2020.yaml", "ind": {"video": {"from_quarantine": True}}}
    assert not list(validator.iter_errors(partial))
    assert list(validator.iter_errors({k: v for k, v in partial.items() if k != "extends"}))  # horizon etc. required
    assert list(validator.iter_errors({**partial, "ind": {"video": {"from_quarantine": "yes"}}}))


def test_iso_weeks_are_dates(validator):
    base = _data(SCENARIOS / "baseline-2020.yaml")
    weeks = {**base, "horizon": {**base["horizon"], "start": "2020-W01", "end": "2020-W53-7"}}
    assert not list(validator.iter_errors(weeks))
    assert scenario_json_schema()["$defs"]["Scenario"]["properties"]["extends"]["type"] == "string"
