"""What binds: when a lever given with ``--set`` does not move its part's output because
another constraint limits it, find which one, with its value (``report.binding`` words it).

A ``Constraint`` declares a lever (a dotted path, or a path prefix), the output metric it
acts on, the capacity the lever buys (a function of the parameters in force) and the
constraints that cap that capacity. The check compares, at every step of the timeline
where the lever's value differs from the scenario without the override, the capacity with
and without it: unchanged capacity means another constraint binds, and the finding names
the one at its cap. A part may declare its own ``CONSTRAINTS`` tuple next to its
``METRICS``; ``CONSTRAINTS`` here holds today's: the video rooms (a video hearing needs a
room on the IND side and one on the COA side at once) and the physical rooms.

A run whose weekly table has a ``<part>.binding_constraint`` metric (a code per week; the
IND part records one, its codes named in the metric's registry meaning) is counted too:
how many weeks each constraint binds.
"""
from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

if TYPE_CHECKING:

    from ..scenario.schema import Scenario


@dataclass(frozen=True)
class Limit:
    """One constraint on a capacity: its name, unit and value under given parameters."""

    key: str                                  # label key (translated in the report)
    unit: str
    value: Callable[["Scenario"], float]
    detail: Callable[["Scenario"], str] = lambda p: ""


@dataclass(frozen=True)
class Constraint:
    lever: str                                 # path or path prefix ("ind.video.ind_rooms")
    output: str                                # metric the lever acts on
    capacity: Callable[["Scenario"], float]    # what is usable = min of the limits, usually
    limits: tuple[Limit, ...]
    why: str = ""                              # one line: how the limits combine


def _offices(rooms: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in rooms.items())


IND_VIDEO = Limit("binding.ind_video_rooms", "rooms", lambda p: sum(p.ind.video.ind_rooms.values()),
                  lambda p: _offices(p.ind.video.ind_rooms))
COA_VIDEO = Limit("binding.coa_video_rooms", "rooms", lambda p: p.ind.video.coa_rooms)
PHYSICAL = Limit("binding.physical_rooms", "rooms", lambda p: p.ind.physical.rooms,
                 lambda p: f"{sum(p.ind.physical.offices.values())} x distancing {p.ind.physical.distancing_factor:g}")

CONSTRAINTS: tuple[Constraint, ...] = (
    Constraint("ind.video.coa_rooms", "ind.hearings_video", lambda p: p.ind.video.rooms, (IND_VIDEO, COA_VIDEO),
               "binding.video_why"),
    Constraint("ind.video.ind_rooms", "ind.hearings_video", lambda p: p.ind.video.rooms, (COA_VIDEO, IND_VIDEO),
               "binding.video_why"),
    Constraint("ind.physical", "ind.hearings_physical", lambda p: p.ind.physical.rooms, (PHYSICAL,),
               "binding.physical_why"),
)


@dataclass(frozen=True)
class Finding:
    """A lever that did not move its output, from ``start``, and the limit that binds."""

    lever: str
    output: str
    start: dt.date
    limit: Limit
    value: float
    detail: str
    why: str


def _paths(overrides: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(o.split("=", 1)[0].split("@", 1)[0].strip() for o in overrides))


def _matches(path: str, c: Constraint) -> bool:
    return path == c.lever or path.startswith(c.lever + ".") or c.lever.startswith(path + ".")


def find_binding(scenario: "Scenario", base: "Scenario", levers: Sequence[str],
                 constraints: Sequence[Constraint] = CONSTRAINTS) -> list[Finding]:
    """Levers (``--set`` texts or dotted paths) whose capacity is unchanged against ``base``
    at a timeline step where the lever's own value changed: there another limit binds (the
    first at its cap is named)."""
    from ..scenario.overrides import get_path
    from ..scenario.phases import build_timeline

    alt_steps, base_steps = build_timeline(scenario), build_timeline(base)
    base_starts = [s.start_day for s in base_steps]
    out: list[Finding] = []
    for text in levers:
        path = _paths([text])[0]
        for c in (c for c in constraints if _matches(path, c)):
            for step in alt_steps:
                b = base_steps[max(bisect_right(base_starts, step.start_day) - 1, 0)]
                pa, pb = step.params, b.params
                try:
                    moved = get_path(pa.model_dump(), path) != get_path(pb.model_dump(), path)
                except (KeyError, IndexError, TypeError):
                    moved = False
                if not moved or c.capacity(pa) != c.capacity(pb):
                    continue
                cap = c.capacity(pa)
                limit = next((lim for lim in c.limits if lim.value(pa) == cap), c.limits[0])
                start = scenario.horizon.start + dt.timedelta(days=max(step.start_day, 0))
                out.append(Finding(text, c.output, start, limit, limit.value(pa), limit.detail(pa), c.why))
                break  # the first step says it; later steps repeat it
    return out


def constraint_codes(metric: str) -> dict[int, str]:
    """Code -> meaning of a ``*.binding_constraint`` metric, read from its registry meaning
    ('0 = none (...); 1 = hearing rooms; 2 = hearing staff')."""
    import re

    from .registry import registry

    reg = registry()
    entry = reg.get(metric) if reg is not None else None
    text = getattr(entry, "meaning", "") or ""
    return {int(k): v.strip().split(" (")[0] for k, v in re.findall(r"(\d+)\s*=\s*([^;]+)", text)}


def weekly_flags(weekly: Any) -> list[tuple[str, int]]:
    """(metric, weeks with a non-zero code) for every ``*.binding_constraint`` metric (the
    code of a week is its most frequent over replications)."""
    return [(m, sum(n for c, n in counts.items() if c != 0)) for m, counts in weekly_codes(weekly).items()]


def weekly_codes(weekly: Any) -> dict[str, dict[int, int]]:
    """Per ``*.binding_constraint`` metric: code -> number of weeks it binds (the week's most
    frequent code over replications)."""
    if weekly is None or weekly.empty:
        return {}
    out: dict[str, dict[int, int]] = {}
    for m in sorted(x for x in weekly.metric.unique() if str(x).endswith(".binding_constraint")):
        df = weekly[weekly.metric == m].dropna(subset=["value"])
        per_week = df.groupby("week_start").value.agg(lambda v: int(v.round().mode().iloc[0]))
        out[m] = {int(c): int(n) for c, n in per_week.value_counts().sort_index().items()}
    return out


def baseline_without(sc: "Scenario", overrides: Sequence[str]) -> "Scenario | None":
    """The scenario with the given overrides undone: from the file it came from, when the
    manifest says so; else with its dated changes dropped."""
    dated = [o for o in overrides if "@" in o.split("=", 1)[0]]
    if len(dated) == len(overrides) and sc.changes:
        texts = set(dated)
        return sc.model_copy(update={"changes": [c for c in sc.changes if c.source not in texts]})
    return None


