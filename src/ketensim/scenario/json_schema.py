"""The scenario file's JSON Schema, for editors (``ketensim schema``) and the documentation.

Generated from the pydantic models, so it never drifts from what the loader accepts. Two
things a file may hold that the model does not: ``extends:`` (the file is then a partial
scenario merged onto its parent, so nothing in it is required) and dates written as ISO
weeks (``2020-W12``), which the model's ``date`` fields accept. The shipped scenarios carry
``MODELINE`` as their first line, so YAML editors with the yaml-language-server (VS Code's
YAML extension, and others) validate and complete them against ``scenario.schema.json``.
"""
from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

from .schema import Scenario

__all__ = ["MODELINE", "SCHEMA_FILE", "jsonable", "scenario_json_schema", "schema_text"]

SCHEMA_FILE = "scenario.schema.json"
"""The published schema's file name, next to the shipped scenarios."""

MODELINE = f"# yaml-language-server: $schema={SCHEMA_FILE}"
"""First line of a shipped scenario: the editor resolves the path relative to the file."""

DATE_PATTERN = r"^\d{4}-(\d{2}-\d{2}|W\d{2}(-[1-7])?)$"
"""A date (2020-03-16) or an ISO week (2020-W12, 2020-W12-3), as ``clock.parse_when`` reads."""

_PARTIAL = "__partial"


def _dates_as_weeks_too(node: Any) -> None:
    """Replace ``format: date`` by a pattern that also admits ISO weeks (in place)."""
    if isinstance(node, dict):
        if node.get("format") == "date" and node.get("type") == "string":
            del node["format"]
            node["pattern"] = DATE_PATTERN
        for value in node.values():
            _dates_as_weeks_too(value)
    elif isinstance(node, list):
        for value in node:
            _dates_as_weeks_too(value)


def _partial(node: Any) -> Any:
    """A copy with every ``required`` and ``minItems`` dropped and references pointing to
    the partial definitions: what a file with ``extends:`` may hold."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in ("required", "minItems"):
                continue
            if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
                out[key] = value + _PARTIAL
            else:
                out[key] = _partial(value)
        return out
    if isinstance(node, list):
        return [_partial(v) for v in node]
    return node


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file: a complete scenario, or with
    ``extends:`` a partial one whose keys still must exist and whose values must be valid."""
    model = Scenario.model_json_schema(mode="validation")
    _dates_as_weeks_too(model)
    defs: dict[str, Any] = model.pop("$defs", {})
    full = copy.deepcopy(model)
    # ``name`` defaults to the file's stem in the loader, so a file need not give it.
    full["required"] = [r for r in full.get("required", []) if r != "name"]
    extends = {"type": "string", "description": "parent scenario file (relative to this file); this file's keys "
               "are merged onto it (mappings recursively, phases by name)"}
    full["properties"] = {"extends": extends, **full["properties"]}
    partial = _partial(copy.deepcopy(full))
    all_defs = {**defs, **{name + _PARTIAL: _partial(d) for name, d in defs.items()}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "ketensim scenario",
        "description": "A ketensim scenario file (YAML). Generated from the scenario model by `ketensim schema`.",
        "$defs": {**all_defs, "Scenario": full, "Scenario" + _PARTIAL: partial},
        "if": {"type": "object", "required": ["extends"]},
        "then": {"$ref": "#/$defs/Scenario" + _PARTIAL},
        "else": {"$ref": "#/$defs/Scenario"},
    }


def schema_text() -> str:
    """The schema as the text ``ketensim schema`` prints and ``scenarios/scenario.schema.json``
    holds (stable key order, so a change of the model shows as a diff)."""
    return json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"


def jsonable(node: Any) -> Any:
    """YAML data as JSON sees it: dates become ISO strings, keys strings (YAML reads an
    unquoted 2020-03-16 as a date)."""
    if isinstance(node, dict):
        return {str(k.isoformat() if isinstance(k, dt.date) else k): jsonable(v) for k, v in node.items()}
    if isinstance(node, list):
        return [jsonable(v) for v in node]
    if isinstance(node, dt.date):
        return node.isoformat()
    return node
