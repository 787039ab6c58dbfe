"""`ketensim backtest`: forecasts from rolling origins, each started from the observed-matched
state of the scenario's own run at that origin, against every observed figure that followed."""
from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from ..experiment.state import match_observed, state_document, take_state
from ..scenario.errors import ScenarioError
from ..scenario.loader import load_scenario
from .run import run_replications
from .state import observed_near

if TYPE_CHECKING:
    import pandas as pd

    from ..observed.backtest import Backtest

log = logging.getLogger(__name__)


@dataclass
class OriginResult:
    origin: dt.date
    backtest: "Backtest"
    out: Path
    matched: list[str]


def origin_folder(scenario: str, origin: dt.date, out: str | os.PathLike[str] | None, several: bool) -> Path:
    """``results/backtest/<scenario>-<origin>/``, or ``--out`` (with one subfolder per origin
    when there are several)."""
    if out is None:
        return Path("results") / "backtest" / f"{scenario}-{origin.isoformat()}"
    return Path(out) / origin.isoformat() if several else Path(out)


def run_backtest(scenario_path: str | os.PathLike[str], origins: Sequence[dt.date], months: int, *,
                 reps: int = 10, workers: int = 1, overrides: Sequence[str] = (),
                 out: str | os.PathLike[str] | None = None, observed: "pd.DataFrame | None" = None) -> list[OriginResult]:
    """From each origin: the state of the scenario's run there (``reps`` replications), matched
    to the observed stocks near it; then ``months`` months with the scenario's inputs
    (``reps`` replications); every observed figure inside the window against the forecast.
    An origin at the scenario's own start runs the scenario as it is (the in-sample fit of a
    calibrated scenario: the same table, without a state)."""
    from ..model.chain import registry
    from ..observed import backtest, load_observed
    from ..observed.periods import window_weeks
    from .backtest_write import write_backtest

    path = Path(scenario_path)
    scenario = load_scenario(path, overrides)
    table = load_observed(registry()) if observed is None else observed
    results = []
    for origin in origins:
        weeks = window_weeks(origin, months)
        end = weeks[-1] + dt.timedelta(days=6)
        if end > scenario.horizon.end:
            raise ScenarioError(str(path), "horizon.end", f"ends {scenario.horizon.end}, before the end of the "
                                f"{months}-month window from {origin} ({end}): shorten --months")
        folder = origin_folder(scenario.name, origin, out, len(origins) > 1)
        folder.mkdir(parents=True, exist_ok=True)
        if origin == scenario.horizon.start:  # the scenario's own start: its start block, in sample
            started, text, matched = load_scenario(path, [*overrides, f"horizon.end={end.isoformat()}"]), None, []
        else:
            state = match_observed(take_state(scenario, origin, reps=reps, workers=workers),
                                   observed_near(origin, table))
            matched = [f"{m.metric} x{m.factor:.3f}" for m in state.matched]
            text = state_document(state, scenario, os.path.relpath(path.resolve(), folder.resolve()))
            state_file = folder / f".state-{os.getpid()}.yaml"  # `extends` resolves from its folder
            state_file.write_text(text, encoding="utf-8")
            try:
                started = load_scenario(state_file, [f"horizon.end={end.isoformat()}"])
            finally:
                state_file.unlink(missing_ok=True)
        res = run_replications(started, reps=reps, workers=workers)
        bt = backtest(res.weekly, table, origin, months)
        write_backtest(folder, bt, res.weekly, scenario=scenario.name, extra={"state.yaml": text} if text else None)
        results.append(OriginResult(origin, bt, folder, matched))
        log.info("backtest from %s: ARD %.3f over %d figures -> %s", origin, bt.ard, bt.ard_n, folder)
    return results
