"""YAML -> frozen Scenario: safe loading, ``extends:``, ``--set`` overrides, clear errors.

The override grammar (``scenario.overrides``) is shared by the CLI, sweep files and the
Python API; phases are resolved in ``scenario.phases``.
"""
from __future__ import annotations

import copy
import logging
from pathlib import Path
from typing import Any, Iterable

import yaml
from pydantic import ValidationError

from ..clock import parse_when
from .errors import ScenarioError, from_validation
from .overrides import apply_overrides, parse_override, set_path
from .phases import build_timeline
from .schema import Scenario

__all__ = ["apply_overrides", "load_raw", "load_scenario", "merge", "parse_override", "read_yaml", "set_path"]

log = logging.getLogger(__name__)


def read_yaml(path: Path) -> dict[str, Any]:
    """Safe-load one YAML mapping, with file:line:column on syntax errors."""
    if not path.exists():
        raise ScenarioError(str(path), "", "file not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        raise ScenarioError(str(path), "", f"YAML syntax error at {where}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(str(path), "", f"YAML error: {exc}") from None
    except IsADirectoryError:
        raise ScenarioError(str(path), "", "is a folder, expected a YAML file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(path), "", f"cannot be read: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError(str(path), "", f"must be a mapping of keys, got {type(data).__name__}")
    return data


def merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Child keys win; mappings merge recursively; ``phases`` merge by phase name."""
    out = copy.deepcopy(base)
    for key, value in child.items():
        if key == "phases" and isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = _merge_phases(out[key], value)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _merge_phases(base: list[Any], child: list[Any]) -> list[Any]:
    """A child phase with a parent's name amends it; new phases are inserted by start."""
    out = [copy.deepcopy(p) for p in base]
    index = {p.get("name"): i for i, p in enumerate(out) if isinstance(p, dict)}
    for phase in child:
        name = phase.get("name") if isinstance(phase, dict) else None
        if name in index:
            target = out[index[name]]
            for k, v in phase.items():
                target[k] = merge(target.get(k, {}), v) if k == "set" else copy.deepcopy(v)
        else:
            out.append(copy.deepcopy(phase))
    return sorted(out, key=_phase_start)


def _phase_start(phase: Any) -> str:
    """Sort key of a raw phase: its start as an ISO date (unparseable starts sort first and
    are reported by the schema)."""
    try:
        return parse_when(phase.get("start")).isoformat()
    except (ValueError, AttributeError, TypeError):
        return ""


def load_raw(path: Path, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """One file with its ``extends:`` chain resolved (relative to the file)."""
    path = path.resolve()
    if path in _seen:
        chain = " -> ".join(p.name for p in (*_seen, path))
        raise ScenarioError(str(path), "extends", f"circular extends: {chain}")
    data = read_yaml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(str(path), "extends", f"must be a file name, got {parent!r}")
    parent_path = (path.parent / parent).resolve()
    if not parent_path.exists():
        raise ScenarioError(str(path), "extends", f"file not found: {parent_path}")
    return merge(load_raw(parent_path, (*_seen, path)), data)


def _own_phases(path: Path) -> set[str]:
    """Names of the phases written in the file itself (not inherited through extends)."""
    try:
        raw = read_yaml(path.resolve())
    except ScenarioError:
        return set()
    phases = raw.get("phases")
    return {str(p.get("name")) for p in phases if isinstance(p, dict)} if isinstance(phases, list) else set()


def _drop_inherited_phases_after_end(data: dict[str, Any], own: set[str]) -> dict[str, Any]:
    """A variant with a shorter horizon does not use its parent's later phases; a phase
    written in the file itself after the horizon end is still an error (likely a typo)."""
    try:
        end = parse_when(data["horizon"]["end"])
    except (KeyError, TypeError, ValueError):
        return data
    phases = data.get("phases")
    if not isinstance(phases, list):
        return data
    keep = []
    for ph in phases:
        if isinstance(ph, dict) and ph.get("name") not in own and _phase_start(ph) > end.isoformat():
            log.info("phase %s starts after the horizon end %s: not used", ph.get("name"), end)
            continue
        keep.append(ph)
    return {**data, "phases": keep}


def load_scenario(path: str | Path, overrides: Iterable[str] = ()) -> Scenario:
    """Load, merge, override and validate a scenario (phases included)."""
    path = Path(path)
    overrides = list(overrides)
    data = apply_overrides(load_raw(path), overrides)
    own = set() if any(o.startswith("horizon.") for o in overrides) else _own_phases(path)
    data = _drop_inherited_phases_after_end(data, own)
    data.setdefault("name", path.stem)
    source = str(path) + (f" (with --set {' '.join(overrides)})" if overrides else "")
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise from_validation(exc, source, Scenario) from None
    build_timeline(scenario, source=source)  # validates every phase's overrides
    log.debug("loaded scenario %s from %s", scenario.name, path)
    return scenario
