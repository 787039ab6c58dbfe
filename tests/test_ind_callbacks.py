"""The IND procedure as callbacks: the shortcuts that save events or dispatches must not
change what happens (same hearings, same times, same weekly table)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ketensim.experiment.runner import simulate
from ketensim.model.chain import Chain
from ketensim.model.hearings import HearingRooms
from ketensim.scenario.loader import load_scenario
from ketensim.scenario.schema import Scenario

from conftest import stationary

KIND = "unit"

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline-2020.yaml"


def _weekly(monkeypatch: pytest.MonkeyPatch, full_dispatch: bool) -> tuple[pd.DataFrame, int]:
    calls = [0]
    dispatch = HearingRooms.dispatch

    def counted(self: HearingRooms) -> None:
        calls[0] += 1
        dispatch(self)

    with monkeypatch.context() as m:
        m.setattr(HearingRooms, "dispatch", counted)
        if full_dispatch:  # no shortcut: a dispatch after every change
            m.setattr(HearingRooms, "_grown", counted)
        sc = load_scenario(BASELINE, ["horizon.end=2020-W08-7"])
        return simulate(sc, 0).weekly, calls[0]


@pytest.mark.pure_python  # wraps a model method (tests/conftest.py)
def test_skipped_dispatches_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """While officers wait for rooms, persons joining or an officer coming free start no
    hearing: skipping those dispatches leaves the weekly table identical."""
    short, n_short = _weekly(monkeypatch, full_dispatch=False)
    full, n_full = _weekly(monkeypatch, full_dispatch=True)
    assert n_short < 0.8 * n_full  # the shortcut was taken (rooms bind in early 2020)
    pd.testing.assert_frame_equal(short, full)


def _stage_end(callback: bool) -> tuple[float, int]:
    """When a two-adult household's hearing stage ends with one room (hearings one after the
    other): through the stage's done event, or through ``hear_then``."""
    chain = Chain(Scenario.model_validate(stationary(rooms=1, persons_per_week=0.0, warmup_days=0, weeks=4)), 0)
    hh = chain.new_household("first", 2, 2, 0.0)
    rooms = chain.ind.rooms
    seen: list[float] = []
    if callback:
        rooms.hear_then(hh.adults, "first", lambda: seen.append(chain.env.now))
    else:
        rooms.request_all(hh.adults, "first").callbacks.append(lambda _e: seen.append(chain.env.now))
    chain.run()
    return (seen[0] if seen else float("nan")), len(seen)


def test_a_stage_goes_on_when_its_done_event_would_have() -> None:
    t_event, n_event = _stage_end(callback=False)
    t_call, n_call = _stage_end(callback=True)
    assert n_event == n_call == 1
    assert t_call == t_event > 0
