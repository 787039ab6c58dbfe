"""The override grammar, shared by the CLI, sweep files and the Python API:

* ``dotted.path=value`` sets a base value (before any phase overrides it);
* ``dotted.path@phase=value`` sets the value inside the named phase.

Values are parsed as YAML scalars (``yaml.safe_load``) and typed by the schema; nothing is
ever evaluated as code.
"""
from __future__ import annotations

import copy
from typing import Any, Iterable

import yaml

from .errors import ScenarioError, short
from .strict_yaml import Refused, safe_load_strict

__all__ = ["apply_overrides", "parse_override", "set_path"]


def parse_override(text: str) -> tuple[str, str | None, Any]:
    """'a.b@phase=value' -> ('a.b', 'phase', typed YAML scalar)."""
    if "=" not in text:
        raise ScenarioError(f"--set {short(text, 80, quote=False)}", "", "expected dotted.path=value")
    key, raw = text.split("=", 1)
    key = key.strip()
    phase = None
    if "@" in key:
        key, phase = key.split("@", 1)
    if not key or any(not part for part in key.split(".")):
        raise ScenarioError(f"--set {short(text, 80, quote=False)}", key, "expected dotted.path=value")
    if len(raw) > 10_000:
        raise ScenarioError(f"--set {short(text, 60, quote=False)}", key, "value longer than 10,000 characters")
    try:  # duplicate keys and alias bombs refused, as in files
        value = safe_load_strict(raw) if raw.strip() else ""
    except Refused as exc:
        raise ScenarioError(f"--set {short(text, 80, quote=False)}", key, str(exc.problem)) from None
    except yaml.YAMLError:
        value = raw
    return key, phase, value


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


def apply_overrides(data: dict[str, Any], overrides: Iterable[str]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    for text in overrides:
        key, phase, value = parse_override(text)
        if phase is None:
            set_path(out, key, value)
            continue
        phases = out.get("phases") or []
        match = [p for p in phases if isinstance(p, dict) and p.get("name") == phase]
        if not match:
            names = ", ".join(str(p.get("name")) for p in phases if isinstance(p, dict))
            raise ScenarioError(f"--set {short(text, 80, quote=False)}", f"@{phase}", f"no phase named {phase!r}; phases: {names}")
        match[0].setdefault("set", {})[key] = value
    return out
