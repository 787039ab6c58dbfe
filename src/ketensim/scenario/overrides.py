"""The one override grammar (``--set`` on the command line, sweep files, the Python API).

* ``dotted.path=value``                 the base value (phases may still change it);
* ``dotted.path@phase=value``           the value inside the named scenario phase;
* ``dotted.path@DATE=value``            a dated change: from DATE to the horizon end;
* ``dotted.path@DATE..DATE=value``      a dated change with an end (inclusive).

DATE is an ISO date (``2020-11-01``) or an ISO week (``2020-W40``: its Monday as a start,
its Sunday as an end). A dated change takes precedence over the scenario's own phases for
that parameter while it holds (what a planner means by "from week 40 on"); when it ends the
parameter returns to what the phases say. A dated value ``*0.5`` multiplies the value the
phases give (so "halve from week 40" follows any later phase change of the base value;
a whole-number parameter is rounded).

Values are parsed as YAML scalars (``yaml.safe_load``) and typed by the schema; nothing is
ever evaluated as code. ``apply_overrides`` is the single entry point.
"""
from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, overload

import yaml

from ..clock import parse_end, parse_when
from .errors import ScenarioError, short
from .paths import FACTOR, dated_value, factor_of, get_path, set_path
from .strict_yaml import Refused, safe_load_strict

__all__ = ["Override", "apply_overrides", "dated_value", "get_path", "parse", "parse_dated", "parse_override",
           "set_path"]

if TYPE_CHECKING:
    from .root import Scenario

_DATE = r"\d{4}-(?:W\d{2}(?:-\d)?|\d{2}-\d{2})"
_DATED = re.compile(rf"^({_DATE})(?:\.\.({_DATE}))?$")

@dataclass(frozen=True)
class Override:
    """One parsed ``--set``: the path, where it applies and the typed value."""

    text: str
    path: str
    phase: str | None = None          # @phase
    start: dt.date | None = None      # @DATE[..DATE]
    end: dt.date | None = None        # inclusive last day; None = to the horizon end
    value: Any = None

    @property
    def dated(self) -> bool:
        return self.start is not None


def parse_dated(at: str) -> tuple[dt.date, dt.date | None] | None:
    """'2020-W40' -> (Monday of W40, None); '2020-11-01..2020-W53' -> (start, Sunday of W53);
    None when ``at`` is not a date form (then it names a phase). Bad dates raise ValueError."""
    m = _DATED.match(at.strip())
    if not m:
        return None
    start = parse_when(m[1])
    end = parse_end(m[2]) if m[2] else None
    if end is not None and end < start:
        raise ValueError(f"the range ends ({end}) before it starts ({start})")
    return start, end


def parse(text: str) -> Override:
    """'a.b@2020-W40=0.5' -> Override(path='a.b', start=..., value=0.5)."""
    src = f"--set {short(text, 80, quote=False)}"
    if "=" not in text:
        raise ScenarioError(src, "", "expected dotted.path=value, dotted.path@phase=value "
                            "or dotted.path@DATE[..DATE]=value")
    key, raw = text.split("=", 1)
    key = key.strip()
    at = None
    if "@" in key:
        key, at = key.split("@", 1)
        at = at.strip()
    if not key or any(not part for part in key.split(".")):
        raise ScenarioError(src, key, "expected dotted.path=value")
    if len(raw) > 10_000:
        raise ScenarioError(f"--set {short(text, 60, quote=False)}", key, "value longer than 10,000 characters")
    try:  # duplicate keys and alias bombs refused, as in files
        value = safe_load_strict(raw) if raw.strip() else ""
    except Refused as exc:
        raise ScenarioError(src, key, str(exc.problem)) from None
    except yaml.YAMLError:
        value = raw.strip()
    if at is None:
        return Override(text, key, value=value)
    if not at:
        raise ScenarioError(src, key, "nothing after '@': give a phase name, a date "
                            "(2020-11-01), an ISO week (2020-W40) or a range DATE..DATE")
    try:
        dated = parse_dated(at)
    except ValueError as exc:
        raise ScenarioError(src, f"@{at}", f"not a valid date or ISO week: {exc}") from None
    if dated is None:
        if ".." in at or re.match(r"^\d{4}-", at):
            raise ScenarioError(src, f"@{at}", "expected a date (2020-11-01), an ISO week "
                                "(2020-W40) or a range DATE..DATE")
        if isinstance(value, str) and FACTOR.match(value):
            raise ScenarioError(src, key, "a factor (*x) is allowed only in a dated change")
        return Override(text, key, phase=at, value=value)
    try:
        factor_of(value)
    except ValueError as exc:
        raise ScenarioError(src, key, str(exc)) from None
    return Override(text, key, start=dated[0], end=dated[1], value=value)


def parse_override(text: str) -> tuple[str, str | None, Any]:
    """'a.b@phase=value' -> ('a.b', 'phase' or the raw date text, typed YAML scalar)."""
    o = parse(text)
    at = o.phase
    if o.dated:
        at = text.split("=", 1)[0].split("@", 1)[1].strip()
    return o.path, at, o.value


def _apply(data: dict[str, Any], sets: Iterable[str]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    given: dict[tuple[str, str | None, dt.date | None, dt.date | None], Override] = {}
    for text in sets:
        o = parse(text)
        first = given.setdefault((o.path, o.phase, o.start, o.end), o)
        if first is not o and first.value != o.value:  # the same key twice: which one is meant?
            raise ScenarioError(f"--set {short(text, 80, quote=False)}", o.path,
                                f"also given as --set {short(first.text, 80, quote=False)}; "
                                "give each parameter once")
        if o.dated:
            out.setdefault("changes", []).append(
                {"path": o.path, "start": o.start, "end": o.end, "value": o.value, "source": o.text})
        elif o.phase is None:
            set_path(out, o.path, o.value)
        else:
            phases = out.get("phases") or []
            match = [p for p in phases if isinstance(p, dict) and p.get("name") == o.phase]
            if not match:
                names = ", ".join(str(p.get("name")) for p in phases if isinstance(p, dict))
                raise ScenarioError(f"--set {short(text, 80, quote=False)}", f"@{o.phase}",
                                    f"no phase named {o.phase!r}; phases: {names}; "
                                    "or give a date (2020-11-01) or ISO week (2020-W40)")
            match[0].setdefault("set", {})[o.path] = o.value
    return out


@overload
def apply_overrides(scenario: dict[str, Any], sets: Iterable[str], source: str = ...) -> dict[str, Any]: ...
@overload
def apply_overrides(scenario: "Scenario", sets: Iterable[str], source: str = ...) -> "Scenario": ...


def apply_overrides(scenario: "dict[str, Any] | Scenario", sets: Iterable[str],
                    source: str = "--set") -> "dict[str, Any] | Scenario":
    """The one entry point: apply ``--set`` texts to raw scenario data (a dict, returned as a
    new dict for the loader to validate) or to a validated ``Scenario`` (returned validated,
    its timeline checked, so a bad path or value is a ``ScenarioError``)."""
    sets = list(sets)
    if isinstance(scenario, dict):
        return _apply(scenario, sets)
    from pydantic import ValidationError

    from .errors import from_validation
    from .phases import build_timeline

    root = type(scenario)  # the root it was validated with (the model's, or a chain's with more parts)
    data = _apply(scenario.model_dump(mode="python"), sets)
    where = f"{source} {' '.join(sets)}"
    try:
        out = root.model_validate(data)
    except ValidationError as exc:
        raise from_validation(exc, where, root) from None
    build_timeline(out, source=where)
    return out
