"""What a scenario changes against a baseline: both resolved scenarios (from their
manifests) compared parameter by parameter, phase by phase and dated change by change."""
from __future__ import annotations

from typing import Any, Mapping


def flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    """Nested mappings and lists as dotted paths -> scalar values."""
    out: dict[str, Any] = {}
    if isinstance(obj, Mapping):
        for k, v in obj.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(obj, list) and obj and all(isinstance(v, (Mapping, list)) for v in obj):
        for i, v in enumerate(obj):
            out.update(flatten(v, f"{prefix}[{i}]"))
    else:
        out[prefix] = obj
    return out


def scenario_diff(scenario: Mapping[str, Any], baseline: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Differences between two resolved scenarios: base parameters (``parameters``) and the
    policy timeline matched by phase name (``phases``: start and overrides)."""
    skip = {"name", "description", "replications", "changes", "report"}
    a = flatten({k: v for k, v in baseline.items() if k not in skip | {"phases"}})
    b = flatten({k: v for k, v in scenario.items() if k not in skip | {"phases"}})
    params = [{"path": k, "baseline": a.get(k, "-"), "scenario": b.get(k, "-")}
              for k in sorted(set(a) | set(b)) if a.get(k, "-") != b.get(k, "-")]
    pa = {p["name"]: p for p in baseline.get("phases", [])}
    pb = {p["name"]: p for p in scenario.get("phases", [])}
    run_a, run_b = dict(a), dict(b)  # values in force, updated phase by phase
    phases = []
    for name in _phase_order(baseline, scenario):
        x, y = pa.get(name), pb.get(name)
        sx, sy = (x or {}).get("set") or {}, (y or {}).get("set") or {}
        run_a.update(sx)
        run_b.update(sy)
        if x is None or y is None:
            phases.append({"phase": name, "what": "phase only in " + ("scenario" if x is None else "baseline"),
                           "baseline": _phase_text(x), "scenario": _phase_text(y)})
            continue
        if x.get("start") != y.get("start"):
            phases.append({"phase": name, "what": "start", "baseline": x.get("start"), "scenario": y.get("start")})
        for key in list(dict.fromkeys(list(sx) + list(sy))):
            if sx.get(key, "-") != sy.get(key, "-"):
                phases.append({"phase": name, "what": key,
                               "baseline": _in_force(sx, run_a, key), "scenario": _in_force(sy, run_b, key)})
    return {"parameters": params, "phases": phases}


def _phase_order(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    starts = {p["name"]: str(p.get("start")) for p in list(a.get("phases", [])) + list(b.get("phases", []))}
    return sorted(starts, key=lambda n: starts[n])


def _in_force(phase_set: Mapping[str, Any], running: Mapping[str, Any], key: str) -> str:
    """The value set in the phase, or the value still in force (marked as unchanged)."""
    if key in phase_set:
        return str(phase_set[key])
    return f"{running.get(key, '-')} (unchanged)"


def _phase_text(p: Mapping[str, Any] | None) -> str:
    if p is None:
        return "-"
    sets = ", ".join(f"{k}={v}" for k, v in (p.get("set") or {}).items())
    return f"from {p.get('start')}" + (f": {sets}" if sets else "")




def dated_changes(scenario: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The dated changes of a resolved scenario as {source, path, start, end, value}."""
    return [dict(c) for c in scenario.get("changes") or []]


def changed_paths(scenario: Mapping[str, Any], baseline: Mapping[str, Any]) -> list[str]:
    """Dotted paths the scenario sets differently from the baseline (base values, phases,
    dated changes): the levers of a what-if."""
    d = scenario_diff(scenario, baseline)
    paths = [p["path"] for p in d["parameters"]] + [p["what"] for p in d["phases"] if "." in str(p["what"])]
    base_changes = {(c.get("path"), str(c.get("start")), str(c.get("end")), str(c.get("value")))
                    for c in dated_changes(baseline)}
    paths += [c["path"] for c in dated_changes(scenario)
              if (c.get("path"), str(c.get("start")), str(c.get("end")), str(c.get("value"))) not in base_changes]
    return list(dict.fromkeys(paths))
