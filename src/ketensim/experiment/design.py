"""Sweep files: a base scenario, levers and uncertainties by dotted path, a design, outcomes.

Levers are what policy controls (video rooms, distancing, housing quota); uncertainties are
what it does not (departure hazards, inflow). They are kept apart in the file and in the
results, as in exploratory modelling, but both become overrides in the one grammar that
``--set`` uses (``dotted.path=value``, ``dotted.path@phase=value`` or a dated change
``dotted.path@2020-W40=value``).
"""
from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..analysis.stats import Window, WindowFigure
from ..scenario.errors import ScenarioError, from_validation
from ..scenario.loader import parse_override, read_yaml


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Parameter(_Strict):
    """Either discrete ``values`` or a range ``low``..``high`` (``levels`` points for a full
    factorial; sampled for a Latin hypercube; ``integer`` rounds)."""

    values: list[Any] | None = Field(None, min_length=1)
    low: float | None = None
    high: float | None = None
    levels: int | None = Field(None, ge=2)
    integer: bool = False

    @model_validator(mode="after")
    def _one_kind(self) -> "Parameter":
        rng = self.low is not None or self.high is not None
        if self.values is not None and rng:
            raise ValueError("give either values: [...] or low/high, not both")
        if self.values is None and not rng:
            raise ValueError("give values: [...] or low: and high:")
        if rng and (self.low is None or self.high is None):
            raise ValueError("a range needs both low and high")
        if rng and self.high <= self.low:  # type: ignore[operator]
            raise ValueError(f"high must be > low, got low={self.low}, high={self.high}")
        return self

    def grid(self) -> list[Any]:
        if self.values is not None:
            return list(self.values)
        if self.levels is None:
            raise ValueError("a range in a full factorial needs levels: N (or give values: [...])")
        return [self._cast(x) for x in np.linspace(self.low, self.high, self.levels)]  # type: ignore[arg-type]

    def sample(self, u: float) -> Any:
        """The value at quantile u in [0, 1)."""
        if self.values is not None:
            return self.values[min(int(u * len(self.values)), len(self.values) - 1)]
        return self._cast(self.low + u * (self.high - self.low))  # type: ignore[operator]

    def _cast(self, x: float) -> Any:
        return int(round(x)) if self.integer else round(float(x), 12)


class Design(_Strict):
    kind: Literal["full_factorial", "latin_hypercube"] = "full_factorial"
    samples: int | None = Field(None, ge=1, description="points of a Latin hypercube")
    seed: int = Field(0, ge=0, description="seed of the Latin hypercube sample")

    @model_validator(mode="after")
    def _samples(self) -> "Design":
        if self.kind == "latin_hypercube" and self.samples is None:
            raise ValueError("a latin_hypercube design needs samples: N")
        return self


class Outcome(_Strict):
    """A figure summarised per design point: a statistic of the sum of ``metrics`` over a
    window of ISO weeks (the whole horizon when ``from``/``to`` are omitted); statistics as
    in ``ketensim.analysis.stats`` (``mean``, ``sum``, ``end``, ``max``, ``min``, ``p90``)."""

    name: str
    metrics: list[str] = Field(min_length=1)
    start: dt.date | None = Field(None, alias="from")
    end: dt.date | None = Field(None, alias="to")
    statistic: str = Field("mean", description="mean (weekly), sum, end, max, min or a quantile pNN")

    @field_validator("statistic")
    @classmethod
    def _stat(cls, v: str) -> str:
        from ..analysis.stats import parse_statistic

        return parse_statistic(v)

    @field_validator("start", "end", mode="before")
    @classmethod
    def _when(cls, v: object) -> dt.date | None:
        from ..clock import parse_when

        return None if v is None else parse_when(v)


    def figure(self, start: dt.date, end: dt.date) -> WindowFigure:
        """The outcome as a figure, over the horizon [start, end] where it names no window."""
        return WindowFigure(self.name, tuple(self.metrics), Window.of(self.start or start, self.end or end),
                            self.statistic)

class SweepSpec(_Strict):
    name: str
    base: str = Field(description="base scenario YAML, relative to the sweep file")
    set: list[str] = Field(default_factory=list, description="fixed overrides for every point")
    seed: int | None = Field(None, ge=0, description="root seed (default: the base scenario's)")
    replications: int = Field(10, ge=1)
    levers: dict[str, Parameter] = Field(default_factory=dict)
    uncertainties: dict[str, Parameter] = Field(default_factory=dict)
    design: Design = Design.model_validate({})
    outcomes: list[Outcome] = Field(default_factory=list)

    @field_validator("levers", "uncertainties")
    @classmethod
    def _paths(cls, v: dict[str, Parameter]) -> dict[str, Parameter]:
        for key in v:
            try:
                parse_override(f"{key}=0")
            except ScenarioError:
                raise ValueError(f"{key!r} is not a dotted.path, dotted.path@phase or dotted.path@DATE") from None
        return v

    @model_validator(mode="after")
    def _disjoint(self) -> "SweepSpec":
        both = set(self.levers) & set(self.uncertainties)
        if both:
            raise ValueError(f"{sorted(both)[0]!r} is both a lever and an uncertainty")
        if not self.levers and not self.uncertainties:
            raise ValueError("a sweep needs at least one lever or uncertainty")
        return self


class DesignPoint(BaseModel):
    point: int
    levers: dict[str, Any]
    uncertainties: dict[str, Any]

    def overrides(self) -> list[str]:
        """The point as ``--set`` overrides (values JSON-encoded: valid YAML scalars)."""
        return [f"{k}={json.dumps(v, default=str)}" for k, v in {**self.levers, **self.uncertainties}.items()]


def load_sweep(path: str | Path) -> tuple[SweepSpec, Path]:
    """A validated sweep file and the resolved path of its base scenario."""
    path = Path(path)
    try:
        spec = SweepSpec.model_validate(read_yaml(path))
    except ValidationError as exc:
        raise from_validation(exc, str(path), SweepSpec) from None
    base = (path.parent / spec.base).resolve()
    if not base.exists():
        raise ScenarioError(str(path), "base", f"file not found: {base}")
    if spec.design.kind == "full_factorial":
        for section, params in (("levers", spec.levers), ("uncertainties", spec.uncertainties)):
            for key, p in params.items():
                if p.values is None and p.levels is None:
                    raise ScenarioError(str(path), f"{section}.{key}",
                                        "a range in a full factorial needs levels: N (or values: [...])")
    return spec, base


def design_points(spec: SweepSpec) -> list[DesignPoint]:
    """Full factorial (levers vary slowest, in file order) or a seeded Latin hypercube."""
    names = [*spec.levers, *spec.uncertainties]
    params = [*spec.levers.values(), *spec.uncertainties.values()]
    if spec.design.kind == "full_factorial":
        rows = list(itertools.product(*(p.grid() for p in params)))
    else:
        n = spec.design.samples or 1
        rng = np.random.default_rng(np.random.SeedSequence(spec.design.seed))
        cols = []
        for p in params:
            u = (rng.permutation(n) + rng.random(n)) / n  # one draw in each of n strata
            cols.append([p.sample(float(x)) for x in u])
        rows = list(zip(*cols))
    nl = len(spec.levers)
    return [DesignPoint(point=i, levers=dict(zip(names[:nl], row[:nl])),
                        uncertainties=dict(zip(names[nl:], row[nl:])))
            for i, row in enumerate(rows)]
