"""The targets a run is compared with, by one rule for the CLI and the API: a file given
must exist; without one, the letter's targets file (``results.default_targets_path``:
the working directory's ``scenarios/``, else the source tree's) when it is there."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ..experiment.results import TARGETS_FILE, default_targets_path

if TYPE_CHECKING:
    from ..analysis.targets import Targets

DEFAULT_TARGETS = TARGETS_FILE.as_posix()
"""The default as the CLI names it (relative to the working directory)."""


def resolve_targets(value: "str | os.PathLike[str] | None") -> "Targets | None":
    """The targets of ``value``; None or the default name: the letter's file when found,
    else None."""
    from pathlib import Path

    from ..analysis.targets import load_targets

    if value is not None and Path(value).as_posix() != DEFAULT_TARGETS:
        return load_targets(Path(value))
    path = default_targets_path()
    return load_targets(path) if path is not None else None


def required_targets(value: "str | os.PathLike[str] | None") -> "Targets":
    """As ``resolve_targets``, where targets are needed: a missing default is an error."""
    from ..scenario.errors import ScenarioError

    targets = resolve_targets(value)
    if targets is None:
        raise ScenarioError(DEFAULT_TARGETS, "", "the letter's targets file is not here; give --targets FILE")
    return targets
