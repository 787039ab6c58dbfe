"""The scenario root as the parts compose it: the parts' sections between the scenario's own
fields, so that adding a part is its module, not an edit here.

A part that owns a top-level section of the scenario declares it as a ``Section`` (its
parameter block, its starting state under ``start.<name>``, whether phases may change it and
its place in the file); ``compose`` builds the ``Scenario`` root model and its ``Start`` model
from those declarations (``scenario.schema`` does so for the model's ``PARTS``). The classes
``Scenario`` and ``Start`` here are their typed bases: the validators that need the whole
scenario, and, for the type checker only, the sections of the model's parts (a part added
later reads its section by name; ``tests/test_parts.py`` holds the two lists equal).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Iterable

from pydantic import BaseModel, Field, create_model, field_validator, model_validator

from ..clock import parse_end, parse_when
from ..weeks import WeekSpan
from .base import Label, NonNegInt, PosInt, Seed, Series, Strict, Text
from .markers import EXTENSIVE
from .series import extend_raw, last_period, series_paths

if TYPE_CHECKING:
    from ..model.departures_params import Dtv, StartDtv
    from ..model.detention_params import Detention, StartDetention
    from ..model.dublin_params import Dublin, StartDublin
    from ..model.epidemic_params import Health
    from ..model.ind_params import Ind, StartInd
    from ..model.inflow_params import Inflow
    from ..model.mvv_params import Mvv, StartMvv
    from ..model.nareis_params import Nareis, StartNareis
    from ..model.resettlement_params import Resettlement, StartResettlement
    from .reception_params import Reception, StartReception

__all__ = ["Change", "Horizon", "Phase", "Report", "ReportWindow", "Scenario", "Section", "Start", "compose"]


@dataclass(frozen=True)
class Section:
    """A top-level section of the scenario that one part owns: ``name:`` holds its parameter
    ``block``; ``start.<name>`` its starting state (``start``, None for a part without stock);
    ``phased``: phases and dated changes may change it (fields marked ``BUILD_TIME`` apart);
    ``order``: its place in the scenario file and its schema (ties keep the order of the parts);
    ``optional``: a scenario may leave it out (the block's defaults then hold, so a new part
    can leave the existing scenarios as they are)."""

    name: str
    block: type[BaseModel]
    start: type[BaseModel] | None = None
    phased: bool = True
    order: int = 1000
    optional: bool = False


# --------------------------------------------------------------------------- time


def _on_weekday(v: dt.date, weekday: int, name: str) -> dt.date:
    """``v`` if it is an ISO ``weekday`` (1 Monday, 7 Sunday); else the error names the day to use."""
    if v.isoweekday() != weekday:
        raise ValueError(
            f"must be a {name} (weekly results need whole ISO weeks), got {v} "
            f"({v.strftime('%A')}); use {v + dt.timedelta(days=weekday - v.isoweekday())}"
        )
    return v


class Horizon(Strict):
    """Simulated calendar window; weekly results need whole ISO weeks (Monday..Sunday)."""

    start: dt.date = Field(description="first simulated day, a Monday (date or 'YYYY-Www')")
    end: dt.date = Field(description="last simulated day, a Sunday (date or 'YYYY-Www-7')")
    warmup_days: NonNegInt = Field(0, description="days simulated before start, not reported")

    @field_validator("start", "end", mode="before")
    @classmethod
    def _when(cls, v: object) -> dt.date:
        return parse_when(v)

    @field_validator("start")
    @classmethod
    def _monday(cls, v: dt.date) -> dt.date:
        return _on_weekday(v, 1, "Monday")

    @field_validator("end")
    @classmethod
    def _sunday(cls, v: dt.date) -> dt.date:
        return _on_weekday(v, 7, "Sunday")

    @model_validator(mode="after")
    def _order(self) -> "Horizon":
        if self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be after start ({self.start})")
        return self

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def weeks(self) -> int:
        return self.days // 7


# --------------------------------------------------------------------------- phases, changes, report


class Phase(Strict):
    """A policy phase: from `start` on, these dotted-path overrides hold (cumulative)."""

    name: Label
    start: dt.date
    set: dict[str, object] = {}
    note: Text = ""

    @field_validator("start", mode="before")
    @classmethod
    def _when(cls, v: object) -> dt.date:
        return parse_when(v)


class ReportWindow(WeekSpan):
    """A named window of ISO weeks for tables, comparisons and the report."""

    name: str


class Report(Strict):
    """Windows the outputs summarise (``--window`` on the command line replaces them all)."""

    windows: list[ReportWindow] = Field(default_factory=list, description="named windows")
    yearly: bool = Field(False, description="add one window per ISO year of the horizon ('2021')")
    half_yearly: bool = Field(False, description="add half-year windows ('2021-H1': W01-W26, '2021-H2')")
    letter_windows: bool = Field(True, description="include the letter's 2020 windows (W01-11 pre, ...)")


class Change(Strict):
    """A dated change of one parameter (``--set path@DATE[..DATE]=value``): it holds from
    ``start`` to ``end`` (inclusive; none = the horizon end) and takes precedence over the
    phases for that parameter while it holds. A value ``*x`` multiplies the phases' value."""

    path: str = Field(description="dotted path of the parameter")
    start: dt.date = Field(description="first day it holds (date or 'YYYY-Www')")
    end: dt.date | None = Field(None, description="last day it holds, inclusive (none: to the end)")
    value: object = Field(description="the value, or '*x' for a factor on the phases' value")
    source: str = Field("", description="the override as written (shown by `ketensim check`)")

    @field_validator("start", mode="before")
    @classmethod
    def _when(cls, v: object) -> dt.date:
        return parse_when(v)

    @field_validator("end", mode="before")
    @classmethod
    def _until(cls, v: object) -> dt.date | None:
        return None if v is None else parse_end(v)

    @model_validator(mode="after")
    def _order(self) -> "Change":
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        return self


# --------------------------------------------------------------------------- the root


class Start(Strict):
    """Starting stocks: the chain never starts empty. Written by hand for a replay, or by
    ``ketensim state`` from a run (then with ``in_reception``, the total its parts must add up to)."""

    if TYPE_CHECKING:  # the parts' starting states (``compose`` adds them as fields)
        reception: StartReception
        ind: StartInd
        dtv: StartDtv
        nareis: StartNareis
        resettlement: StartResettlement
        mvv: StartMvv
        dublin: StartDublin
        detention: StartDetention
        in_reception: NonNegInt | None

    @model_validator(mode="after")
    def _adds_up(self) -> "Start":
        if self.in_reception is None:  # (a chain without these parts gives no total)
            return self
        r, d = self.reception, self.dublin  # (appeals beyond the rejected are capped at them, as before)
        parts = r.in_procedure + r.permit_holders + r.rejected + d.awaiting_transfer + d.claims_pending
        if parts != self.in_reception:
            raise ValueError(
                f"in_reception is {self.in_reception}, but its parts add up to {parts} (reception."
                f"in_procedure {r.in_procedure} + permit_holders {r.permit_holders} + rejected "
                f"{r.rejected} + dublin.awaiting_transfer {d.awaiting_transfer} + dublin."
                f"claims_pending {d.claims_pending})")
        return self


class _StartTail(Strict):
    """The fields of ``Start`` after the parts' starting states."""

    in_reception: NonNegInt | None = Field(
        None, description="persons in COA locations at the start (the occupancy): when given, "
        "reception.in_procedure + permit_holders + rejected + dublin.awaiting_transfer + "
        "dublin.claims_pending must add up to it", json_schema_extra=EXTENSIVE)


class Scenario(Strict):
    """One complete, validated, frozen scenario."""

    phase_sections: ClassVar[tuple[str, ...]] = ()
    """Top-level sections that phases (and sweeps) may override by dotted path."""

    if TYPE_CHECKING:  # the scenario's own fields and the parts' sections (``compose`` adds them)
        name: Label
        description: Text
        seed: Seed
        replications: PosInt
        horizon: Horizon
        start: Start
        inflow: Inflow
        reception: Reception
        ind: Ind
        dtv: Dtv
        nareis: Nareis
        resettlement: Resettlement
        mvv: Mvv
        dublin: Dublin
        detention: Detention
        health: Health
        phases: list[Phase]
        changes: list[Change]
        report: Report

    @model_validator(mode="before")
    @classmethod
    def _extend_series(cls, data: object) -> object:
        """Write out ``zero``/``repeat_last_year`` series up to the horizon end."""
        return extend_raw(data, list(series_paths(cls, Series)))

    @model_validator(mode="after")
    def _series_reach_horizon(self) -> "Scenario":
        end = self.horizon.end
        for path in series_paths(type(self), Series):
            node: object = self
            for part in path.split("."):
                node = getattr(node, part)
            assert isinstance(node, Series)
            key, stop = last_period(node.values)
            if node.extend is None and stop <= end:
                raise ValueError(
                    f"{path}: the series ends with {key} (last day {stop - dt.timedelta(days=1)}), "
                    f"before the horizon end {end}; give values up to {end} or set "
                    f"{path}.extend: hold | zero | repeat_last_year")
        return self

    @model_validator(mode="after")
    def _phases(self) -> "Scenario":
        for i, ch in enumerate(self.changes):
            if ch.start > self.horizon.end:
                raise ValueError(
                    f"changes[{i}] ({ch.source or ch.path}): starts {ch.start}, after the horizon end "
                    f"{self.horizon.end}; extend horizon.end or pick a date inside the horizon"
                )
        first = self.phases[0].start
        if first > self.horizon.start:
            raise ValueError(
                f"phases: the first phase ({self.phases[0].name!r}) starts {first}, after the "
                f"horizon start {self.horizon.start}; the first phase must cover the start"
            )
        for prev, cur in zip(self.phases, self.phases[1:]):
            if cur.start <= prev.start:
                raise ValueError(
                    f"phases: {cur.name!r} starts {cur.start}, not after {prev.name!r} "
                    f"({prev.start}); phases must be in order and may not overlap"
                )
        for ph in self.phases[1:]:
            if ph.start > self.horizon.end:
                raise ValueError(
                    f"phases: {ph.name!r} starts {ph.start}, outside the horizon "
                    f"{self.horizon.start}..{self.horizon.end}"
                )
        return self


class _Head(Strict):
    """The fields of ``Scenario`` before the parts' sections."""

    name: Label
    description: Text = ""
    seed: Seed = Field(20201005, description="root seed of the named random streams")
    replications: PosInt = Field(20, description="default number of replications")
    horizon: Horizon


class _Tail(Strict):
    """The fields of ``Scenario`` after the parts' sections."""

    phases: list[Phase] = Field(min_length=1)
    changes: list[Change] = Field(default_factory=list,
                                  description="dated changes, ahead of the phases while they hold")
    report: Report = Field(default_factory=lambda: Report.model_validate({}), description="windows of the outputs")


def _fields(model: type[BaseModel]) -> dict[str, Any]:
    return {name: (f.annotation, f) for name, f in model.model_fields.items()}


def _section_field(block: type[BaseModel], optional: bool) -> Any:
    if optional:
        return (block, Field(default_factory=lambda: block.model_validate({})))
    return (block, ...)


def sections_of(parts: Iterable[Any]) -> list[Section]:
    """The sections the parts declare (``Part.section``), in their file order; two parts
    declaring one section name is an error naming both."""
    found: dict[str, tuple[Section, str]] = {}
    for part in parts:
        sec: Section | None = getattr(part, "section", None)
        if sec is None:
            continue
        if sec.name in found:
            raise ValueError(f"section {sec.name!r} of the scenario is declared by part {found[sec.name][1]!r} "
                             f"and by part {getattr(part, 'name', part)!r}; one part owns a section")
        found[sec.name] = (sec, str(getattr(part, "name", part)))
    return sorted((s for s, _ in found.values()), key=lambda s: s.order)


def compose(parts: Iterable[Any], module: str = __name__) -> type[Scenario]:
    """The ``Scenario`` root model of a chain of ``parts``: the scenario's own fields, the
    ``start`` of every part with a starting state, and every part's section, in the declared
    order; ``phase_sections`` names the sections phases may change. ``module``: the module
    that holds the result as ``Scenario`` and its start model as ``Start``, so that scenarios
    pickle (to worker processes) by reference."""
    sections = sections_of(parts)
    start = create_model(  # type: ignore[call-overload]
        "Start", __base__=Start, __doc__=Start.__doc__, __module__=module,
        **{s.name: (s.start, ...) for s in sections if s.start is not None}, **_fields(_StartTail))
    head = _fields(_Head)
    root: type[Scenario] = create_model(
        "Scenario", __base__=Scenario, __doc__=Scenario.__doc__, __module__=module,
        **head, start=(start, ...), **{s.name: _section_field(s.block, s.optional) for s in sections},
        **_fields(_Tail))
    root.phase_sections = tuple(s.name for s in sections if s.phased)
    return root
