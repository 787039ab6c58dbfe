"""Analytic checks: the hearing queue against Erlang C, the IND part against Little's law."""
from __future__ import annotations

import math

import numpy as np
import pytest

from ketensim.analysis.targets import mean_ci
from ketensim.model.chain import Chain
from ketensim.scenario.schema import Scenario

from conftest import stationary

KIND = "statistical"


def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue of M/M/c: C(c, a) / (c mu - lam), a = lam / mu."""
    a = lam / mu
    rho = a / c
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam)


@pytest.mark.slow
def test_hearing_queue_matches_erlang_c():
    """5 rooms, mu = 1 hearing/room/day, lambda = 3.5/day (rho = 0.7): Wq = 0.2519 days.

    Registration delays are i.i.d., so hearing requests are still a Poisson stream
    (M/G/inf output theorem). The theoretical value must fall inside the 99% replication
    interval of the mean wait (fixed seeds)."""
    sc = Scenario.model_validate(stationary(rooms=5, slots_per_week=7, persons_per_week=24.5, cv=1.0,
                                            weeks=156))
    theory = erlang_c_wait(lam=3.5, mu=1.0, c=5)
    means = []
    for rep in range(12):
        rec = Chain(sc, rep).run()
        waits = [w for _, w in rec.samples["ind.hearing_wait_days"]]
        means.append(np.mean(waits))
    m, lo, hi = mean_ci(np.array(means))
    half99 = (hi - m) * 3.106 / 2.201  # t(0.995, 11) / t(0.975, 11)
    assert abs(theory - 0.2519) < 1e-3
    assert abs(m - theory) <= half99, (m, half99, theory)
    assert half99 < 0.2 * theory, half99  # the check has teeth: the interval is narrow


def test_erlang_c_check_detects_a_wrong_capacity():
    """The same measurement separates 5 rooms from 4 (guards against a test that cannot fail)."""
    sc = Scenario.model_validate(stationary(rooms=4, slots_per_week=7, persons_per_week=24.5, cv=1.0,
                                            weeks=156))
    means = [np.mean([w for _, w in Chain(sc, rep).run().samples["ind.hearing_wait_days"]])
             for rep in range(4)]
    assert np.mean(means) > 2 * erlang_c_wait(3.5, 1.0, 5)


def test_littles_law_on_the_ind_backlog():
    """Time-averaged backlog L = arrival rate x mean time from application to decision."""
    # 14 persons/week with 2 hearings each on 5 rooms at 1 hearing/day: rho = 0.8
    sc = Scenario.model_validate(stationary(rooms=5, slots_per_week=7, persons_per_week=14,
                                            cv=0.5, hearings=2, decision_days=20, weeks=104))
    ratios = []
    for rep in range(6):
        chain = Chain(sc, rep)
        rec = chain.run()
        L = np.mean(rec.levels["ind.backlog_avg"])
        lam = 14.0 / 7.0
        W = np.mean([w for _, w in rec.samples["ind.lead_time_days"]])
        ratios.append(L / (lam * W))
    m, lo, hi = mean_ci(np.array(ratios))
    assert lo - 0.01 <= 1.0 <= hi + 0.01, (m, lo, hi)
    assert hi - lo < 0.1
