"""YAML -> frozen Scenario: safe loading, ``extends:``, ``--set`` overrides, clear errors.

The override grammar (``scenario.overrides``) is shared by the CLI, sweep files and the
Python API; phases are resolved in ``scenario.phases``.
"""
from __future__ import annotations

import copy
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..clock import parse_when
from .errors import ScenarioError, from_validation, short
from .overrides import apply_overrides, parse_override, set_path
from .phases import build_timeline
from .schema import Scenario
from .size import check_size
from .strict_yaml import Refused, safe_load_strict

__all__ = ["apply_overrides", "load_raw", "load_scenario", "merge", "parse_override", "read_yaml", "set_path"]

log = logging.getLogger(__name__)


MAX_FILE_BYTES = 1_000_000
"""Largest scenario or sweep file read (the baseline is about 15 kB)."""
READ_SECONDS = 10.0
"""Longest an input file may take to read (a local file takes milliseconds)."""


class _WouldBlock(Exception):
    """The file has no data now and would make the reader wait (a special file)."""


def _read_prefix(path: Path, what: str, limit: int) -> bytes:
    """Up to ``limit + 1`` bytes of a regular file, opened without waiting: FIFOs, devices and
    folders are refused from their status, and a file that reports itself regular but would
    block on read (some files under /proc and /sys) ends the read instead of waiting."""
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
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise ScenarioError(str(path), "", f"cannot be read: {exc.strerror or exc}") from None
    chunks: list[bytes] = []
    size = 0
    try:
        while size <= limit:
            try:
                chunk = os.read(fd, min(1 << 16, limit + 1 - size))
            except BlockingIOError:
                raise _WouldBlock() from None
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise ScenarioError(str(path), "", f"cannot be read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    return b"".join(chunks)


def read_text_checked(path: Path, what: str = "YAML file", limit: int = MAX_FILE_BYTES) -> str:
    """The text of a regular file of at most ``limit`` bytes, read within ``READ_SECONDS``:
    reading an input is bounded in size and time, so no file makes a command hang."""
    import threading

    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["raw"] = _read_prefix(path, what, limit)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            box["error"] = exc

    reader = threading.Thread(target=work, name=f"ketensim-read {path.name}", daemon=True)
    reader.start()
    reader.join(READ_SECONDS)
    blocked = f"blocks when read (a special file, e.g. under /proc); expected a regular {what}"
    if reader.is_alive():  # left behind: a daemon thread does not keep the process alive
        raise ScenarioError(str(path), "", f"gave no data within {READ_SECONDS:g} s: {blocked}")
    if isinstance(box.get("error"), _WouldBlock):
        raise ScenarioError(str(path), "", blocked)
    if "error" in box:
        raise box["error"]
    raw: bytes = box["raw"]
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
        kind = "YAML error" if isinstance(exc, Refused) else "YAML syntax error"
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


def _is_distribution(value: dict[Any, Any]) -> bool:
    """A mapping keyed by numbers (household sizes, age bands: {upper bound: share}) is one
    value, not a block of named settings: a child's replaces the parent's whole, since merging
    the bands of two distributions would give neither."""
    return bool(value) and all(isinstance(k, (int, float)) and not isinstance(k, bool) for k in value)


def merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Child keys win; mappings merge recursively (a distribution, keyed by numbers, is
    replaced whole); ``phases`` merge by phase name."""
    out = copy.deepcopy(base)
    for key, value in child.items():
        if key == "phases" and isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = _merge_phases(out[key], value)
        elif isinstance(value, dict) and isinstance(out.get(key), dict) and not _is_distribution(value):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _merge_phases(base: list[Any], child: list[Any]) -> list[Any]:
    """A child phase with a parent's name amends it; new phases are inserted by start."""
    out = [copy.deepcopy(p) for p in base]
    index = {p["name"]: i for i, p in enumerate(out) if isinstance(p, dict) and isinstance(p.get("name"), str)}
    for phase in child:
        name = phase.get("name") if isinstance(phase, dict) else None
        if isinstance(name, str) and name in index:  # a name that is not text: the schema reports it
            target = out[index[name]]
            for k, v in phase.items():
                both = k == "set" and isinstance(v, dict) and isinstance(target.get(k, {}), dict)
                target[k] = merge(target.get(k, {}), v) if both else copy.deepcopy(v)
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
    return _load_raw(path, _seen)[0]


def _load_raw(path: Path, _seen: tuple[Path, ...] = ()) -> tuple[dict[str, Any], set[str]]:
    """``load_raw`` and the names of the phases written in the file itself (not inherited
    through extends), from one reading of the file."""
    given = path
    try:
        path = path.resolve()
    except (RuntimeError, OSError):  # a symlink loop
        raise ScenarioError(str(given), "", "cannot be read: symbolic link loop") from None
    if path in _seen:
        chain = " -> ".join(p.name for p in (*_seen, path))
        raise ScenarioError(str(path), "extends", f"circular extends: {chain}")
    data = read_yaml(given)
    own = _phase_names(data)
    parent = data.pop("extends", None)
    if parent is None:
        return data, own
    if not isinstance(parent, str):
        raise ScenarioError(str(path), "extends", f"must be a file name, got {parent!r}")
    parent_path = (path.parent / parent).resolve()
    if not parent_path.exists():
        raise ScenarioError(str(path), "extends", f"file not found: {parent_path}")
    return merge(load_raw(parent_path, (*_seen, path)), data), own


def _phase_names(raw: dict[str, Any]) -> set[str]:
    phases = raw.get("phases")
    if not isinstance(phases, list):
        return set()
    return {p["name"] for p in phases if isinstance(p, dict) and isinstance(p.get("name"), str)}


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
        if isinstance(ph, dict) and isinstance(ph.get("name"), str) and ph["name"] not in own \
                and _phase_start(ph) > end.isoformat():
            log.info("phase %s starts after the horizon end %s: not used", ph.get("name"), end)
            continue
        keep.append(ph)
    return {**data, "phases": keep}


def load_scenario(path: str | Path, overrides: Iterable[str] = (), *, root: type[Scenario] | None = None) -> Scenario:
    """Load, merge, override and validate a scenario (phases included). ``root``: the root
    model to validate with; default the model's, composed from its parts (a chain of other
    parts passes ``scenario.root.compose(parts)``)."""
    root = Scenario if root is None else root
    path = Path(path)
    overrides = list(overrides)
    raw, own = _load_raw(path)  # the file is read once
    data = apply_overrides(raw, overrides)
    if any(o.startswith("horizon.") for o in overrides):
        own = set()
    data = _drop_inherited_phases_after_end(data, own)
    data.setdefault("name", path.stem)
    source = str(path) + (f" (with --set {short(' '.join(overrides), 120, quote=False)})" if overrides else "")
    try:
        scenario = root.model_validate(data)
    except ValidationError as exc:
        raise from_validation(exc, source, root) from None
    timeline = build_timeline(scenario, source=source)  # validates every phase's overrides
    check_size(scenario, scenario.replications, what=source, timeline=timeline)  # before anything can run
    log.debug("loaded scenario %s from %s", scenario.name, path)
    return scenario
