"""YAML -> frozen Scenario: safe loading, ``extends:``, ``--set`` overrides, clear errors.

The override grammar is shared by the CLI, sweep files and the Python API:

* ``dotted.path=value`` sets a base value (before any phase overrides it);
* ``dotted.path@phase=value`` sets the value inside the named phase.

Values are parsed as YAML scalars (``yaml.safe_load``) and typed by the schema; nothing is
ever evaluated as code.
"""
from __future__ import annotations

import copy
import logging
from pathlib import Path
from typing import Any, Iterable

import yaml
from pydantic import ValidationError

from ..clock import parse_when
from .bounds import check_size
from .errors import ScenarioError, from_validation, short
from .schema import Scenario

log = logging.getLogger(__name__)


MAX_FILE_BYTES = 1_000_000
"""Largest scenario or sweep file read (the baseline is about 15 kB)."""
MAX_DEPTH = 32
"""Deepest nesting of mappings and lists (the baseline needs 5)."""
MAX_NODES = 200_000
"""Most YAML nodes after expanding aliases (an alias bomb is refused before it is built)."""


class _Refused(yaml.MarkedYAMLError):
    """Well-formed YAML that is refused (duplicate key, too deep, too many aliases)."""

    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(None, None, problem, mark)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys, deep nesting and alias bombs.

    Depth is counted while composing, and the expanded size of the node graph (aliases
    counted every time they are used) is checked before any Python object is built, so a
    hostile file costs milliseconds, not minutes."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: D102 - PyYAML hook
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused(f"nested deeper than {MAX_DEPTH} levels", self.peek_event().start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:  # noqa: D102
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node, yaml.ScalarNode):
                    continue
                key = self.construct_object(key_node, deep=True)
                line = key_node.start_mark.line + 1
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key: the constructor reports it
                    continue
                if first is not None:
                    raise _Refused(f"duplicate key {short(key)} (first at line {first}); remove one of them",
                                  key_node.start_mark)
                seen[key] = line
        return super().construct_mapping(node, deep=deep)


def _expanded_size(root: Any) -> int:
    """Nodes of the document with every alias expanded (memoised: linear in the file)."""
    memo: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in memo:
            continue
        kids: list[Any] = []
        if isinstance(node, yaml.SequenceNode):
            kids = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            kids = [n for kv in node.value for n in kv]
        if children_done or not kids:
            memo[id(node)] = min(1 + sum(memo.get(id(k), 1) for k in kids), 10 * MAX_NODES)
            continue
        stack.append((node, True))
        stack.extend((k, False) for k in kids if id(k) not in memo)
    return memo[id(root)]


def safe_load_strict(text: str) -> Any:
    """``yaml.safe_load`` with duplicate keys, deep nesting and alias bombs refused
    (``yaml.MarkedYAMLError`` with the position)."""
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        size = _expanded_size(node)
        if size > MAX_NODES:
            raise _Refused(f"expands to more than {MAX_NODES:,} values (aliases used too often)",
                           node.start_mark)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def read_text_checked(path: Path, what: str = "YAML file", limit: int = MAX_FILE_BYTES) -> str:
    """The text of a regular file of at most ``limit`` bytes (FIFOs, devices and folders are
    refused before they are opened, so nothing hangs)."""
    import stat

    try:
        st = path.stat()
    except FileNotFoundError:
        raise ScenarioError(str(path), "", "file not found") from None
    except OSError as exc:
        raise ScenarioError(str(path), "", f"cannot be read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise ScenarioError(str(path), "", f"is a folder, expected a {what}")
    if not stat.S_ISREG(st.st_mode):
        raise ScenarioError(str(path), "", f"is not a regular file (a pipe, socket or device); expected a {what}")
    if st.st_size > limit:
        raise ScenarioError(str(path), "", f"is {st.st_size:,} bytes; a {what} may have at most {limit:,}")
    try:
        with open(path, "rb") as fh:
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise ScenarioError(str(path), "", f"cannot be read: {exc.strerror or exc}") from None
    if len(raw) > limit:
        raise ScenarioError(str(path), "", f"is larger than {limit:,} bytes")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(str(path), "", f"is not UTF-8 text (byte {exc.start})") from None


def read_yaml(path: Path) -> dict[str, Any]:
    """Strictly load one YAML mapping, with file:line:column on syntax errors, duplicate
    keys, deep nesting and alias bombs."""
    text = read_text_checked(path)
    try:
        data = safe_load_strict(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        kind = "YAML error" if isinstance(exc, _Refused) else "YAML syntax error"
        raise ScenarioError(str(path), "", f"{kind} at {where}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(str(path), "", f"YAML error: {short(str(exc), 200)}") from None
    except RecursionError:
        raise ScenarioError(str(path), "", "nested too deeply") from None
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
    given = path
    try:
        path = path.resolve()
    except (RuntimeError, OSError):  # a symlink loop
        raise ScenarioError(str(given), "", "cannot be read: symbolic link loop") from None
    if path in _seen:
        chain = " -> ".join(p.name for p in (*_seen, path))
        raise ScenarioError(str(path), "extends", f"circular extends: {chain}")
    data = read_yaml(given)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(str(path), "extends", f"must be a file name, got {parent!r}")
    parent_path = (path.parent / parent).resolve()
    if not parent_path.exists():
        raise ScenarioError(str(path), "extends", f"file not found: {parent_path}")
    return merge(load_raw(parent_path, (*_seen, path)), data)


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
        raise ScenarioError(f"--set {short(text, 60)}", key, "value longer than 10,000 characters")
    try:
        value = safe_load_strict(raw) if raw.strip() else ""
    except _Refused as exc:
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


def _own_phases(path: Path) -> set[str]:
    """Names of the phases written in the file itself (not inherited through extends)."""
    try:
        raw = read_yaml(path.resolve())
    except ScenarioError:
        return set()
    phases = raw.get("phases") if isinstance(raw.get("phases"), list) else []
    return {p.get("name") for p in phases if isinstance(p, dict)}


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
    from ..policy.timeline import build_timeline

    path = Path(path)
    overrides = list(overrides)
    data = apply_overrides(load_raw(path), overrides)
    own = set() if any(o.startswith("horizon.") for o in overrides) else _own_phases(path)
    data = _drop_inherited_phases_after_end(data, own)
    data.setdefault("name", path.stem)
    source = str(path) + (f" (with --set {short(' '.join(overrides), 120, quote=False)})" if overrides else "")
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise from_validation(exc, source, Scenario) from None
    build_timeline(scenario, source=source)  # validates every phase's overrides
    check_size(scenario, scenario.replications, what=source)  # before anything can run
    log.debug("loaded scenario %s from %s", scenario.name, path)
    return scenario
