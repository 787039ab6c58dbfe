"""Phase resolution: every phase's overrides applied on top of the phase before it, each
resolved into one validated Scenario. Which parameters a phase may change follows from the
schema: the sections the root's parts declare phased (``Scenario.phase_sections``, the
``PHASE_SECTIONS`` of ``scenario.schema``), minus every field marked ``BUILD_TIME``.
"""
from __future__ import annotations

import copy
import datetime as dt
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import ScenarioError, from_validation, short
from .markers import has_marker
from .paths import dated_value, factor_of, get_path, set_path
from .root import Scenario

__all__ = ["ResolvedPhase", "build_time_field", "build_timeline"]


@dataclass(frozen=True)
class ResolvedPhase:
    """One step of the timeline: from ``start_day`` on, ``params`` hold. ``phase`` is the
    scenario phase in force and ``changes`` the dated changes in force (their ``--set``
    text); ``name`` is the phase's name, with the dated changes when there are any."""

    name: str
    start_day: float
    params: Scenario
    phase: str = ""
    changes: tuple[str, ...] = ()


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


def _check_key(root: type[BaseModel], source: str, where: str, key: str, value: Any) -> None:
    """Phases and dated changes may change only the chain sections, and no build-time field."""
    section = key.split(".", 1)[0]
    sections: tuple[str, ...] = getattr(root, "phase_sections", ())
    if section not in sections:
        raise ScenarioError(
            source, f"{where}.{key}",
            f"phases may only change {', '.join(sections)}, got section {section!r}",
        )
    fixed = build_time_field(root, key)
    if fixed is not None:
        raise ScenarioError(
            source, f"{where}.{key}",
            f"{fixed} is read when the chain is built: it can only be set before the run "
            f"(in the scenario or with --set {key}=...), not in a phase or from a date (got {value!r})",
        )


def _check_unambiguous(scenario: Scenario, source: str) -> None:
    """Refuse what would change nothing or mean two things: two phases of one name (then
    ``path@name=`` is ambiguous), a dated change that ends before the run starts (warm-up
    included), a factor that is not a finite number, and one parameter given two values
    for the same dates."""
    h = scenario.horizon
    seen: dict[str, int] = {}
    for i, ph in enumerate(scenario.phases):
        if ph.name in seen:
            raise ScenarioError(source, f"phases[{i}].name",
                                f"{ph.name!r} is also the name of phases[{seen[ph.name]}]; phase names "
                                f"must be unique (path@{ph.name}=... would be ambiguous)")
        seen[ph.name] = i
    first_day = h.start - dt.timedelta(days=min(h.warmup_days, (h.start - dt.date.min).days))
    dates: dict[tuple[str, dt.date, dt.date | None], int] = {}
    for i, ch in enumerate(scenario.changes):
        where = f"changes[{i}] ({ch.source or ch.path})"
        if ch.end is not None and ch.end < first_day:
            raise ScenarioError(source, where,
                                f"ends {ch.end}, before the run starts ({first_day}, warm-up included), "
                                f"so it would change nothing; pick dates inside the horizon "
                                f"{h.start}..{h.end}")
        try:
            factor_of(ch.value)
        except ValueError as exc:
            raise ScenarioError(source, where, str(exc)) from None
        key = (ch.path, ch.start, ch.end)
        if key in dates and scenario.changes[dates[key]].value != ch.value:
            j = dates[key]
            other = scenario.changes[j]
            raise ScenarioError(source, where,
                                f"{ch.path} from {ch.start} is also set by changes[{j}] "
                                f"({other.source or other.path}) to {short(other.value)}; give one value")
        dates.setdefault(key, i)


def build_timeline(scenario: Scenario, source: str = "scenario") -> list[ResolvedPhase]:
    """Resolve the phases, and the dated changes on top of them, into one validated Scenario
    per step; errors name the phase (or change) and path.

    Phases are cumulative. A dated change holds from its start to its end (inclusive) and
    wins over the phases for its path while it holds; a step begins at every phase start
    and at every start and end of a dated change. Without dated changes the steps are the
    phases, as before."""
    root = type(scenario)
    h = scenario.horizon
    running = scenario.model_dump(mode="python")
    changes = scenario.changes
    _check_unambiguous(scenario, source)
    for i, ch in enumerate(changes):
        _check_key(root, source, f"changes[{i}] ({ch.source or ch.path})", ch.path, ch.value)
    bounds = {p.start for p in scenario.phases} | {c.start for c in changes}
    bounds |= {c.end + dt.timedelta(days=1) for c in changes if c.end is not None and c.end < h.end}
    phases = scenario.phases
    applied = -1
    out: list[ResolvedPhase] = []
    for day in sorted(bounds):
        while applied + 1 < len(phases) and phases[applied + 1].start <= day:
            applied += 1
            phase = phases[applied]
            where = f"phases[{applied}] ({phase.name}).set"
            for key, value in phase.set.items():
                _check_key(root, source, where, key, value)
                try:
                    set_path(running, key, value)
                except ScenarioError as exc:
                    raise ScenarioError(source, f"{where}.{key}", exc.problem) from None
        if applied < 0:
            continue  # a change before the first phase: it is picked up at the first step
        phase = phases[applied]
        active = [(i, c) for i, c in enumerate(changes) if c.start <= day and (c.end is None or day <= c.end)]
        data, where = running, f"phases[{applied}] ({phase.name}).set"
        if active:
            data = copy.deepcopy(running)
            for i, c in active:
                where = f"changes[{i}] ({c.source or c.path})"
                try:
                    current = get_path(data, c.path)
                except (KeyError, IndexError, TypeError):
                    current = None
                try:
                    set_path(data, c.path, dated_value(c.value, current, source, where))
                except ScenarioError as exc:
                    raise ScenarioError(source, f"{where}.{c.path}", exc.problem) from None
        try:
            params = root.model_validate(data)
        except ValidationError as exc:
            raise from_validation(exc, source, root, prefix=where) from None
        start_day = max(float((day - h.start).days), -h.warmup_days)
        if out and out[-1].start_day >= start_day:
            out.pop()  # superseded before the run starts: its overrides live on in `running`
        texts = tuple(c.source or f"{c.path}@{c.start}={c.value}" for _, c in active)
        name = phase.name + "".join(f" + {t}" for t in texts)
        out.append(ResolvedPhase(name, start_day, params, phase.name, texts))
    return out
