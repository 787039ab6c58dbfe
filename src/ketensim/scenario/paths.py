"""Dotted paths into raw scenario data: set and get a value, and a dated change's value
(``*x`` multiplies the value in force). Shared by the override grammar and phase resolution."""
from __future__ import annotations

import math
import re
from typing import Any, Mapping

from .errors import ScenarioError, short

FACTOR = re.compile(r"^\*\s*([0-9.eE+-]+)$")
"""A dated change's value ``*x``: a factor on the value the phases give."""

__all__ = ["FACTOR", "dated_value", "factor_of", "get_path", "set_path"]


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``a.b.0.c`` inside nested dicts/lists, creating mappings for missing keys so
    that the schema (not this function) reports unknown keys."""
    parts = path.split(".")
    node: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise ScenarioError("--set", path, f"{part!r} is not an index of a list of {len(node)}")
            if last:
                node[int(part)] = value
            else:
                node = node[int(part)]
        elif isinstance(node, dict):
            if last:
                node[part] = value
            else:
                if not isinstance(node.get(part), (dict, list)):
                    node[part] = {}
                node = node[part]
        else:
            raise ScenarioError("--set", path, f"{'.'.join(parts[:i])} is a value, not a section")


def get_path(data: Mapping[str, Any], path: str) -> Any:
    """The value at ``a.b.0.c`` (KeyError when absent)."""
    node: Any = data
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def factor_of(value: Any) -> float | None:
    """The x of a factor ``*x`` (None when ``value`` is no factor); ValueError when x is not
    a finite number (``*..``, ``*e``, ``*1e999``)."""
    if not isinstance(value, str):
        return None
    m = FACTOR.match(value.strip())
    if not m:
        return None
    try:
        x = float(m[1])
    except ValueError:
        x = math.nan
    if not math.isfinite(x):
        raise ValueError(f"a factor must be *x with x a finite number (e.g. *0.5), got {short(value)}")
    return x


def dated_value(value: Any, current: Any, source: str, path: str) -> Any:
    """A dated change's value in a segment: ``*x`` multiplies the value in force there."""
    try:
        x = factor_of(value)
    except ValueError as exc:
        raise ScenarioError(source, path, str(exc)) from None
    if x is None:
        return value
    if isinstance(current, bool) or not isinstance(current, (int, float)):
        raise ScenarioError(source, path, f"a factor {value!r} needs a number, the value is {short(current)}")
    out = current * x
    if not math.isfinite(out):
        raise ScenarioError(source, path, f"{short(value)} times the value in force ({current!r}) is not a "
                            "finite number; give a smaller factor")
    return int(round(out)) if isinstance(current, int) else out  # counts stay whole
