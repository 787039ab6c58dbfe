"""Metamorphic checks: change a lever, the output must move the right way (paired, CRN)."""
from __future__ import annotations

import numpy as np
import pytest

from ketensim.analysis.targets import Target, Window, mean_ci, per_replication
from ketensim.experiment.runner import simulate
from ketensim.scenario.loader import load_scenario

from conftest import BASELINE

KIND = "metamorphic"

REPS = range(3)


def window_mean(weekly, metrics, start, end, stat="sum"):
    t = Target(id="x", label="x", metrics=metrics, window=Window.model_validate({"from": start, "to": end}),
               statistic=stat, value=1, tolerance=1)
    return per_replication(weekly, t).to_numpy()


@pytest.mark.slow
def test_more_video_rooms_no_fewer_video_hearings():
    base = load_scenario(BASELINE, ["horizon.end=2020-W37-7"])
    more = load_scenario(BASELINE, ["horizon.end=2020-W37-7", "ind.video.coa_rooms@recovery=40",
                                    "ind.video.ind_rooms.Zevenaar@recovery=20"])
    for r in REPS:
        a = window_mean(simulate(base, r).weekly, ["ind.hearings_video"], "2020-W27", "2020-W37")
        b = window_mean(simulate(more, r).weekly, ["ind.hearings_video"], "2020-W27", "2020-W37")
        assert b[0] >= a[0]
        assert b[0] > a[0] * 1.2  # 40 paired rooms instead of 24: clearly more


@pytest.mark.slow
def test_longer_lockdown_fewer_departures(write_scenario):
    base = load_scenario(BASELINE, ["horizon.end=2020-W37-7"])
    path = write_scenario({"extends": "baseline-2020", "name": "long-lockdown",
                           "horizon": {"end": "2020-W37-7"},
                           # the restrictions of the restart last six weeks longer
                           "phases": [{"name": "recovery", "start": "2020-W33"}]})
    longer = load_scenario(path)
    diffs = []
    for r in REPS:
        dep = ["dtv.departures_independent", "dtv.departures_forced"]
        a = window_mean(simulate(base, r).weekly, dep, "2020-W12", "2020-W37")
        b = window_mean(simulate(longer, r).weekly, dep, "2020-W12", "2020-W37")
        diffs.append(b[0] - a[0])
    m, lo, hi = mean_ci(np.array(diffs))
    assert hi < 0, (m, lo, hi)


def test_no_hearing_rooms_no_hearings_and_growing_backlog():
    sc = load_scenario(BASELINE, ["horizon.end=2020-W20-7", "ind.physical.distancing_factor=0"])
    w = simulate(sc, 0).weekly
    pre = w[(w.metric == "ind.hearings_physical") & (w.iso_week <= 11)].value
    assert pre.sum() == 0
    backlog = w[w.metric == "ind.backlog"].value.to_numpy()
    assert backlog[-1] > backlog[0]
