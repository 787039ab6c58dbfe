"""`ketensim state`: the state of a scenario's run at a date, optionally matched to the observed
stocks near that date, written as a scenario file that starts there."""
from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from ..experiment.state import ChainState, match_observed, state_document, take_state
from ..experiment.store import atomic_write
from ..scenario.errors import ScenarioError
from ..scenario.loader import load_scenario

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

MATCHED_METRICS = ("ind.backlog", "coa.permit_holders", "coa.occupancy", "detention.population",
                   "housing.arrears")
"""The observed aggregates a state can be matched to (see ``experiment.state.match_observed``)."""


def observed_near(at: dt.date, observed: "pd.DataFrame | None" = None,
                  max_days: int = 31) -> dict[str, tuple[float, str]]:
    """The observed stocks within ``max_days`` of ``at`` that a state is matched to, by metric:
    (value, where it comes from). A figure measured by a sum of metrics is not used."""
    from ..model.chain import registry
    from ..observed import load_observed, stocks_near

    table = load_observed(registry()) if observed is None else observed
    near = stocks_near(table, at, max_days=max_days)
    out: dict[str, tuple[float, str]] = {}
    for r in near.to_dict("records"):
        metrics = tuple(r["metrics"])
        if len(metrics) == 1 and metrics[0] in MATCHED_METRICS and not r.get("per"):
            out[metrics[0]] = (float(r["value"]), f"{r['figure']} ({r['source']}; {r['days']} days from {at})")
    return out


def take_and_write(scenario_path: str | os.PathLike[str], at: dt.date, *, overrides: Sequence[str] = (),
                   reps: int = 10, workers: int = 1, match: bool = False, out: str | os.PathLike[str] | None = None,
                   observed: "pd.DataFrame | None" = None) -> tuple[ChainState, Path]:
    """Take the state (mean of ``reps`` replications), match it if asked, write the scenario
    file (default: next to the scenario, ``<name>.state-<date>.yaml``) atomically."""
    path = Path(scenario_path)
    scenario = load_scenario(path, overrides)
    state = take_state(scenario, at, reps=reps, workers=workers)
    if match:
        near = observed_near(at, observed)
        if not near:
            raise ScenarioError("--match-observed", "", f"no observed stock within a month of {at} "
                                f"(see `ketensim observed`); run without --match-observed")
        state = match_observed(state, near)
    target = Path(out) if out is not None else path.with_name(f"{path.stem}.state-{at.isoformat()}.yaml")
    try:
        extends = os.path.relpath(path.resolve(), target.resolve().parent)
    except ValueError:  # another drive (Windows)
        extends = str(path.resolve())
    text = state_document(state, scenario, extends)
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return state, target
