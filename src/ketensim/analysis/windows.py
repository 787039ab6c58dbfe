"""Which windows the outputs summarise: the letter's 2020 windows, those a scenario or
targets file declares (``report.windows``, ``yearly``, ``half_yearly``), or those chosen
with ``--window`` (which replace the rest). Clipping and the partial-window rule are in
``ketensim.analysis.stats``."""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Mapping

from .stats import Window, generated_windows, parse_window

LETTER_WINDOWS: dict[str, tuple[str, str]] = {
    "W01-11 pre": ("2020-W01", "2020-W11"),
    "W12-17 lockdown": ("2020-W12", "2020-W17"),
    "W18-26 restart": ("2020-W18", "2020-W26"),
    "W27-37 recovery": ("2020-W27", "2020-W37"),
    "W38-53 2nd wave": ("2020-W38", "2020-W53"),
}
"""The windows of the letter of 5 October 2020 (its phases of the year)."""


def letter_windows(names: Iterable[str] | None = None) -> list[Window]:
    """The letter's windows (all, or those named; KeyError names the known ones)."""
    chosen = list(LETTER_WINDOWS) if names is None else list(names)
    unknown = [n for n in chosen if n not in LETTER_WINDOWS]
    if unknown:
        raise KeyError(f"unknown window(s) {unknown}; known: {list(LETTER_WINDOWS)} "
                       "(or pass a mapping name -> (from, to), or 'name=2020-W40..2020-W53')")
    return [Window.of(LETTER_WINDOWS[n][0], LETTER_WINDOWS[n][1], n) for n in chosen]


def declared_windows(scenario: Mapping[str, Any] | Any | None, targets: Any = None) -> list[Window]:
    """The windows a scenario (validated, or the resolved dict of a manifest) and a targets
    file declare, the letter's first unless the scenario turns them off."""
    if scenario is not None and not isinstance(scenario, Mapping):
        scenario = scenario.model_dump(mode="json")
    rep = (scenario or {}).get("report") or {}
    out = letter_windows() if rep.get("letter_windows", True) else []
    for w in rep.get("windows") or []:
        out.append(Window.of(w.get("from", w.get("start")), w.get("to", w.get("end")), w["name"]))
    horizon = (scenario or {}).get("horizon")
    if horizon and (rep.get("yearly") or rep.get("half_yearly")):
        start = dt.date.fromisoformat(str(horizon["start"])[:10])
        end = dt.date.fromisoformat(str(horizon["end"])[:10])
        out += generated_windows(start, end, bool(rep.get("yearly")), bool(rep.get("half_yearly")))
    if targets is not None:
        out += list(getattr(targets, "windows", []) or [])
    seen: dict[str, Window] = {}
    for w in out:
        seen.setdefault(w.name, w)
    return list(seen.values())


def choose_windows(spec: Mapping[str, tuple[object, object]] | Iterable[Window | str] | None,
                   scenario: Any = None, targets: Any = None) -> list[Window]:
    """The windows to summarise: ``spec`` when given (a mapping name -> (from, to), Window
    objects, ``--window`` texts or names of the letter's windows), else the declared ones."""
    if spec is None:
        return declared_windows(scenario, targets)
    if isinstance(spec, Mapping):
        return [Window.of(a, b, k) for k, (a, b) in spec.items()]
    out = []
    for w in spec:
        if isinstance(w, Window):
            out.append(w)
        elif w in LETTER_WINDOWS:
            out += letter_windows([w])
        elif any(c.isdigit() for c in w) and ("-W" in w or "-" in w):
            out.append(parse_window(w))
        else:
            out += letter_windows([w])  # raises naming the known windows
    return out
