"""Markers on schema fields, read by the loader, the policy timeline and the benchmark.

Use as ``Field(..., json_schema_extra=BUILD_TIME)`` (or ``{**BUILD_TIME, **EXTENSIVE}``):
- ``BUILD_TIME``: read once when the chain is built; a phase or ``@`` override of it is
  refused ("can only be set before the run").
- ``EXTENSIVE``: scales with the number of persons (stocks, capacities, inflow); the
  benchmark's "2x the persons" multiplies every field so marked.
"""
from __future__ import annotations

from pydantic.json_schema import JsonDict

BUILD_TIME: JsonDict = {"build_time": True}
EXTENSIVE: JsonDict = {"extensive": True}


def has_marker(field_info: object, key: str) -> bool:
    extra = getattr(field_info, "json_schema_extra", None)
    return isinstance(extra, dict) and bool(extra.get(key))
