"""A scenario with k times the persons: every field marked ``EXTENSIVE`` times k.

Extensive quantities (stocks, capacities, places, quotas, inflow series) scale with the
number of persons; everything else (durations, shares, per-person hazards, places per
location) stays, so a k-times chain has comparable queues and stays and only more persons.
The list is not kept by hand: it is read from the schema's markers, so a new part's field
scales as soon as it is marked. A marked ``Series`` scales through its ``scale``; a marked
dict scales every value; integers are rounded (at least 1 where they were at least 1).
Phase overrides of a marked field (or of a marked series' ``scale``) are scaled too, also
inside a map of blocks (``ind.staff.pools.taskforce.decision_fte``).
"""
from __future__ import annotations

import re
import types
import typing
from typing import Any

from pydantic import BaseModel

from .markers import has_marker
from .schema import Scenario, Series


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation (``X``, ``list[X]``, ``X | None``), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, dict, typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            m = _model_of(arg)
            if m is not None:
                return m
    return None


def extensive_paths(model: type[BaseModel] = Scenario, prefix: str = "") -> list[str]:
    """Dotted paths of every marked field (``[]`` marks a list of models)."""
    out: list[str] = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        if has_marker(info, "extensive"):
            out.append(path)
            continue
        sub = _model_of(info.annotation)
        if sub is not None:
            origin = typing.get_origin(info.annotation)
            out += extensive_paths(sub, path + ("[]." if origin is list else "{}." if origin is dict else "."))
    return out


def _times(value: Any, k: float, annotation: Any = None, like: Any = None) -> Any:
    """value times k; an integer field (``like``: the base value, for phase overrides) is
    rounded, and stays at least 1 where it was at least 1."""
    if value is None or isinstance(value, bool):
        return value  # None: unlimited
    if isinstance(value, dict):
        if _model_of(annotation) is Series or ("scale" in value and "values" in value):
            return {**value, "scale": value.get("scale", 1.0) * k}
        base = like if isinstance(like, dict) else {}
        return {key: _times(v, k, like=base.get(key, v)) for key, v in value.items()}
    if isinstance(value, (int, float)):
        integer = isinstance(like if like is not None else value, int) and not isinstance(like, bool)
        if not integer:
            return float(value) * k
        scaled = int(round(value * k))
        return max(scaled, 1) if value >= 1 else scaled
    raise TypeError(f"cannot scale {value!r}")


def _scale_data(data: Any, model: type[BaseModel], k: float) -> None:
    for name, info in model.model_fields.items():
        if name not in data:
            continue
        if has_marker(info, "extensive"):
            data[name] = _times(data[name], k, info.annotation)
            continue
        sub = _model_of(info.annotation)
        if sub is None:
            continue
        if isinstance(data[name], list):
            for item in data[name]:
                _scale_data(item, sub, k)
        elif isinstance(data[name], dict) and typing.get_origin(info.annotation) is dict:
            for item in data[name].values():
                _scale_data(item, sub, k)
        elif isinstance(data[name], dict):
            _scale_data(data[name], sub, k)


def _override_scales(key: str, paths: list[str]) -> str | None:
    """How a phase override ``key`` scales: 'value', 'scale' (a marked series' scale) or None."""
    for p in paths:
        # a map of blocks (the IND's staff pools) is addressed by its keys in a phase; a list by
        # its indices (none is phase-changeable now, but the match is the same)
        pattern = re.escape(p).replace(re.escape("[]."), r"\.\d+\.").replace(re.escape("{}."), r"\.[^.]+\.")
        m = re.match(pattern + r"(?:\.(?P<rest>.*))?$", key)
        if m:
            rest = m.group("rest") or ""
            field = _field_at(p)
            if _model_of(field) is Series:
                return "value" if rest == "scale" else None
            return "value"
    return None


def _field_at(path: str) -> Any:
    model: type[BaseModel] | None = Scenario
    annotation: Any = None
    for part in path.replace("[]", "").replace("{}", "").split("."):
        assert model is not None
        annotation = model.model_fields[part].annotation
        model = _model_of(annotation)
    return annotation


def _value_at(data: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def scale_persons(scenario: Scenario, k: float) -> Scenario:
    """The scenario with k times every extensive quantity, in the base and in every phase."""
    if k == 1:
        return scenario
    data = scenario.model_dump(mode="python")
    _scale_data(data, Scenario, k)
    paths = extensive_paths()
    for phase in data["phases"]:
        for key, value in list(phase["set"].items()):
            if _override_scales(key, paths) and isinstance(value, (int, float, dict)):
                phase["set"][key] = _times(value, k, like=_value_at(data, key))
    data["name"] = f"{scenario.name}-x{k:g}"
    return Scenario.model_validate(data)
