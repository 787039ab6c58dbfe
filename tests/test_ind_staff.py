"""IND staff as servers: queueing theory, priorities, extreme values, metamorphic checks."""
from __future__ import annotations

import numpy as np
import pytest

from ketensim.analysis.targets import mean_ci
from ketensim.metrics.weekly import weekly_values
from ketensim.model.chain import Chain
from ketensim.scenario.loader import load_scenario
from ketensim.scenario.schema import Scenario
from test_queueing import erlang_c_wait

from conftest import BASELINE, stationary

KIND = "unit"

T995_OVER_T975_11 = 3.106 / 2.201  # widen a 95% t-interval (11 df) to 99%


def staffed(hearing_fte=None, decision_fte=None, serves=None, **kw) -> dict:
    """The stationary chain with plenty of near-instant rooms, so only staff can bind."""
    raw = stationary(rooms=60, slots_per_week=7000.0, **kw)
    pool = {"hearing_fte": hearing_fte, "decision_fte": decision_fte}
    if serves:
        pool["serves"] = serves
    raw["ind"]["staff"] = {"pools": {"regular": pool}, "hearings_per_fte_week": 7.0,
                           "decisions_per_fte_week": 7.0, "work_cv": 1.0}
    return raw


def _check_erlang(waits_of, theory: float) -> None:
    means = np.array([waits_of(rep) for rep in range(12)])
    m, _, hi = mean_ci(means)
    half99 = (hi - m) * T995_OVER_T975_11
    assert abs(m - theory) <= half99, (m, half99, theory)
    assert half99 < 0.25 * theory, half99  # narrow enough to tell 5 officers from 4


@pytest.mark.slow
@pytest.mark.statistical
def test_hearing_staff_as_servers_matches_erlang_c():
    """5 hearing officers at 1 hearing a day each, 3.5 requests a day (rho = 0.7): the mean
    wait for a hearing is Erlang C's 0.2519 days (rooms never bind)."""
    sc = Scenario.model_validate(staffed(hearing_fte=5, persons_per_week=24.5, weeks=156))
    _check_erlang(lambda rep: _hearing_wait(sc, rep), erlang_c_wait(3.5, 1.0, 5))


def _hearing_wait(sc: Scenario, rep: int) -> float:
    chain = Chain(sc, rep)
    chain.run()
    return float(np.mean(chain.rooms.waits[200:]))  # drop the first hearings (empty start)


@pytest.mark.slow
@pytest.mark.statistical
def test_decision_staff_as_servers_matches_erlang_c():
    """5 decision officers at 1 decision a day, 3.5 cases a day: Erlang C again. Cases reach
    the decision queue after i.i.d. delays, so arrivals are still Poisson (M/G/inf output)."""
    sc = Scenario.model_validate(staffed(decision_fte=5, persons_per_week=24.5, weeks=156))

    def wait(rep: int) -> float:
        chain = Chain(sc, rep)
        chain.run()
        return float(np.mean(chain.ind.decision_waits["first"][200:]))

    _check_erlang(wait, erlang_c_wait(3.5, 1.0, 5))


@pytest.mark.statistical
def test_erlang_check_separates_five_officers_from_four():
    sc = Scenario.model_validate(staffed(decision_fte=4, persons_per_week=24.5, weeks=156))
    waits = []
    for rep in range(3):
        chain = Chain(sc, rep)
        chain.run()
        waits.append(np.mean(chain.ind.decision_waits["first"][200:]))
    assert np.mean(waits) > 2 * erlang_c_wait(3.5, 1.0, 5)


def test_higher_priority_class_never_waits_longer():
    """Repeat applications served before first ones by the same 4 decision officers
    (rho = 0.8): in every replication the repeat cases wait less on average."""
    raw = staffed(decision_fte=4, serves=["repeat", "first", "dublin", "lapsed_dublin", "taskforce"], persons_per_week=11.2, weeks=104)
    raw["inflow"]["repeat_applications"] = {"per": "month", "values": {"2020-01": 11.2 * 31 / 7}, "extend": "hold"}
    sc = Scenario.model_validate(raw)
    for rep in range(3):
        chain = Chain(sc, rep)
        chain.run()
        first, repeat = chain.ind.decision_waits["first"], chain.ind.decision_waits["repeat"]
        assert len(first) > 500 and len(repeat) > 500
        assert np.mean(repeat) < np.mean(first), (np.mean(repeat), np.mean(first))


def _short(extra: list[str], end: str = "2020-W20-7"):
    return load_scenario(BASELINE, [f"horizon.end={end}", *extra])


def test_zero_decision_staff_means_no_decisions_and_the_backlog_grows_by_the_inflow():
    sc = _short(["ind.staff.pools.decision.decision_fte=0", "ind.staff.pools.taskforce.decision_fte=0",
                 "ind.staff.pools.taskforce.decision_fte@telehoren=0"])
    chain = Chain(sc, 0)
    b0 = chain.ind.backlog.value
    v = weekly_values(chain.run(), sc.horizon.weeks)
    assert v["ind.decisions"].sum() == 0
    growth = np.cumsum(v["ind.applications"] + v["ind.dublin_takeovers"] - v["ind.dublin_decisions"])
    np.testing.assert_array_equal(v["ind.backlog"], b0 + growth)
    assert (v["ind.binding_constraint"][2:] == 3).all()  # decision staff bind every week


def test_unlimited_staff_lets_the_rooms_bind():
    sc = _short(["ind.staff.pools.decision.decision_fte=null", "ind.staff.pools.hearing.hearing_fte=null"],
                end="2020-W10-7")
    v = weekly_values(Chain(sc, 0).run(), sc.horizon.weeks)
    assert (v["ind.binding_hearings"] == 1).all()
    assert (v["ind.binding_constraint"] == 1).all()
    assert np.isnan(v["ind.utilisation_pct_decision_staff"]).all()


def test_baseline_decision_staff_bind_and_the_rooms_bind_the_hearings():
    sc = _short([], end="2020-W37-7")
    v = weekly_values(Chain(sc, 0).run(), sc.horizon.weeks)
    weeks = slice(26, 37)  # W27-W37
    assert (v["ind.binding_constraint"][weeks] == 3).all()
    assert (v["ind.binding_hearings"][weeks] == 1).all()
    assert (v["ind.utilisation_pct_decision_staff"][weeks] > 95).all()


def test_telehoren_permanent_reports_what_binds():
    """More video rooms (73 rooms x 10 slots against 240 officers x 3 hearings): hearing staff
    bind about as often as the rooms, and the decisions stay bound by decision staff, so the
    extra hearings do not add decisions."""
    base = _short([], end="2020-W37-7")
    tele = load_scenario(BASELINE.parent / "telehoren-permanent.yaml", ["horizon.end=2020-W37-7"])
    vb = weekly_values(Chain(base, 0).run(), base.horizon.weeks)
    vt = weekly_values(Chain(tele, 0).run(), tele.horizon.weeks)
    weeks = slice(26, 37)
    assert (vb["ind.binding_hearings"][weeks] == 1).all()
    assert set(vt["ind.binding_hearings"][weeks]) <= {1.0, 2.0} and 2.0 in set(vt["ind.binding_hearings"][weeks])
    staff_share = lambda v: v["ind.binding_pct_hearing_staff"][weeks].mean()  # noqa: E731
    assert staff_share(vt) > staff_share(vb) + 20, (staff_share(vt), staff_share(vb))
    assert (vt["ind.binding_constraint"][weeks] == 3).all()
    hearings = lambda v: (v["ind.hearings_physical"] + v["ind.hearings_video"])[weeks].sum()  # noqa: E731
    assert hearings(vt) > hearings(vb)
    assert abs(vt["ind.decisions"][weeks].sum() / vb["ind.decisions"][weeks].sum() - 1) < 0.05


@pytest.mark.metamorphic
@pytest.mark.parametrize("rep", [0, 1])
def test_more_decision_staff_never_gives_a_larger_backlog(rep):
    """Metamorphic, common random numbers: 75 -> 100 regular decision FTE."""
    a = _short([], end="2020-W30-7")
    b = _short(["ind.staff.pools.decision.decision_fte=100"], end="2020-W30-7")
    va = weekly_values(Chain(a, rep).run(), a.horizon.weeks)
    vb = weekly_values(Chain(b, rep).run(), b.horizon.weeks)
    assert vb["ind.backlog"][-1] < va["ind.backlog"][-1]
    assert vb["ind.decisions"].sum() > va["ind.decisions"].sum()
