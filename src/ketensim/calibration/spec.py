"""What a calibration fits: parameters with bounds, targets, replications, budget.

The calibration file sits next to the scenario (``baseline-2020.calibration.yaml``).
Parameters use the shared override grammar (``dotted.path`` or ``dotted.path@phase``), so
a fitted value is applied exactly like ``--set``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..scenario.errors import from_validation
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
    path = Path(path)
    try:
        return CalibrationSpec.model_validate(read_yaml(path)), path.parent
    except ValidationError as exc:
        raise from_validation(exc, str(path), CalibrationSpec) from None
