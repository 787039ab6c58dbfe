"""What a calibration fits: parameters with bounds, targets, replications, budget.

The calibration file sits next to the scenario (``baseline-2020.calibration.yaml``).
Parameters use the shared override grammar (``dotted.path`` or ``dotted.path@phase``), so
a fitted value is applied exactly like ``--set``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..scenario.errors import ScenarioError, from_validation
from ..scenario.loader import read_yaml


class Parameter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    path: str = Field(description="override path: dotted.path or dotted.path@phase")
    low: float
    high: float
    scale: Literal["linear", "log"] = "linear"
    integer: bool = False
    note: str = ""

    @model_validator(mode="after")
    def _bounds(self) -> "Parameter":
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if self.scale == "log" and self.low <= 0:
            raise ValueError(f"a log-scale parameter needs low > 0, got {self.low}")
        return self

    def override(self, value: float) -> str:
        v = int(round(value)) if self.integer else float(value)
        return f"{self.path}={v}"


class CalibrationSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    scenario: str = Field(description="scenario file to calibrate (relative to this file)")
    targets: str = Field(description="targets file (relative to this file)")
    use_targets: list[str] = Field(default_factory=list, description="target ids to fit (empty = all)")
    weights: dict[str, float] = Field(default_factory=dict, description="weight per target id (default 1)")
    replications: int = Field(5, ge=5, description="replications per trial (common random numbers)")
    seed: int = Field(1, ge=0, description="root seed of the trials and of the optimiser")
    budget: int = Field(60, ge=1, description="default number of trials (simulation runs of the optimiser)")
    method: Literal["tpe", "least_squares"] = Field(
        "tpe", description="tpe: Optuna's sampler, global, resumable study; least_squares: "
        "scipy's bounded trust-region least squares on the targets' relative errors, for "
        "parameters that each drive mainly one target (evaluations cached, so resumable)")
    parameters: list[Parameter] = Field(min_length=1)
    fixed: list[str] = Field(default_factory=list, description=(
        "overrides applied to every run and not fitted (a backtest sets here, without looking "
        "at the later data, the parameters that only act after its fitting window)"))


def load_spec(path: str | Path) -> tuple[CalibrationSpec, Path]:
    """Validate a calibration file, including its names: phases in parameter paths must exist
    in the scenario and target ids in the targets file (one-line ScenarioError otherwise)."""
    path = Path(path)
    try:
        spec = CalibrationSpec.model_validate(read_yaml(path))
    except ValidationError as exc:
        raise from_validation(exc, str(path), CalibrationSpec) from None
    check_names(spec, path.parent, str(path))
    return spec, path.parent


def check_names(spec: CalibrationSpec, base: Path, source: str, fit_ids: list[str] | None = None) -> None:
    from ..analysis.targets import load_targets
    from ..scenario.loader import load_scenario

    scenario = load_scenario(base / spec.scenario, list(spec.fixed))
    phases = [p.name for p in scenario.phases]
    for i, p in enumerate(spec.parameters):
        _, _, phase = p.path.partition("@")
        if phase and phase not in phases:
            raise ScenarioError(source, f"parameters[{i}].path",
                                f"no phase named {phase!r} in {spec.scenario}; phases: {', '.join(phases)}")
    ids = [t.id for t in load_targets(base / spec.targets).targets]
    for where, chosen in (("use_targets", spec.use_targets), ("--fit-targets", fit_ids or [])):
        unknown = [i for i in chosen if i not in ids]
        if unknown:
            raise ScenarioError(source, where, f"unknown target id(s) {', '.join(unknown)}; targets: {', '.join(ids)}")
