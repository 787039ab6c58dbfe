"""Phase resolution: every phase's overrides applied on top of the phase before it, each
resolved into one validated Scenario. Which parameters a phase may change follows from the
schema: the sections in ``PHASE_SECTIONS``, minus every field marked ``BUILD_TIME``.
"""
from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import ScenarioError, from_validation
from .markers import has_marker
from .overrides import set_path
from .schema import PHASE_SECTIONS, Scenario

__all__ = ["ResolvedPhase", "build_time_field", "build_timeline"]


@dataclass(frozen=True)
class ResolvedPhase:
    name: str
    start_day: float
    params: Scenario


def _submodel(annotation: Any) -> type[BaseModel] | None:
    """The schema block a field holds (through Optional/Annotated), or None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _submodel(arg)
        if found is not None:
            return found
    return None


def build_time_field(root: type[BaseModel], path: str) -> str | None:
    """The dotted path of the ``BUILD_TIME`` field on ``path`` (itself or a block holding
    it), or None when a phase may change it."""
    model: type[BaseModel] | None = root
    seen: list[str] = []
    for part in path.split("."):
        if model is None:
            return None
        field = model.model_fields.get(part)
        if field is None:
            return None
        seen.append(part)
        if has_marker(field, "build_time"):
            return ".".join(seen)
        model = _submodel(field.annotation)
    return None


def build_timeline(scenario: Scenario, source: str = "scenario") -> list[ResolvedPhase]:
    """Resolve every phase into a validated Scenario; errors name the phase and path."""
    root = type(scenario)
    running = scenario.model_dump(mode="python")
    out: list[ResolvedPhase] = []
    for i, phase in enumerate(scenario.phases):
        where = f"phases[{i}] ({phase.name}).set"
        for key, value in phase.set.items():
            section = key.split(".", 1)[0]
            if section not in PHASE_SECTIONS:
                raise ScenarioError(
                    source, f"{where}.{key}",
                    f"phases may only change {', '.join(PHASE_SECTIONS)}, got section {section!r}",
                )
            fixed = build_time_field(root, key)
            if fixed is not None:
                raise ScenarioError(
                    source, f"{where}.{key}",
                    f"{fixed} is read when the chain is built: it can only be set before the run "
                    f"(in the scenario or with --set {key}=...), not in a phase (got {value!r})",
                )
            try:
                set_path(running, key, value)
            except ScenarioError as exc:
                raise ScenarioError(source, f"{where}.{key}", exc.problem) from None
        try:
            params = root.model_validate(running)
        except ValidationError as exc:
            raise from_validation(exc, source, root, prefix=where) from None
        start_day = max(float((phase.start - scenario.horizon.start).days), -scenario.horizon.warmup_days)
        if out and out[-1].start_day >= start_day:
            out.pop()  # superseded before the run starts: its overrides live on in `running`
        out.append(ResolvedPhase(phase.name, start_day, params))
    return out
