"""Exact event times under piecewise-constant rates (property tests)."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketensim.model.hazard import PiecewiseRate

KIND = "unit"


def integral(rate: PiecewiseRate, a: float, b: float) -> float:
    pts = sorted({a, b, *[s for s in rate.starts if a < s < b]})
    return sum(rate.at(x) * (y - x) for x, y in zip(pts, pts[1:]))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    steps=st.lists(st.tuples(st.floats(0, 300), st.one_of(st.just(0.0), st.floats(1e-6, 5))),
                   min_size=1, max_size=6),
    t=st.floats(0, 400),
    e=st.floats(0.001, 20),
)
def test_next_time_integrates_to_e(steps, t, e):
    rate = PiecewiseRate([(0.0, steps[0][1])] + steps[1:])
    t_next = rate.next_time(t, e)
    if t_next == math.inf:
        assert rate.rates[-1] == 0 or rate.at(max(rate.starts[-1], t)) == 0
    else:
        assert t_next >= t
        assert math.isclose(integral(rate, t, t_next), e, rel_tol=1e-6, abs_tol=1e-6)


def test_zero_rate_then_positive():
    rate = PiecewiseRate([(0.0, 0.0), (10.0, 2.0)])
    assert rate.next_time(0.0, 4.0) == 12.0
    assert rate.next_time(11.0, 1.0) == 11.5


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    steps=st.lists(st.tuples(st.floats(0, 300), st.one_of(st.just(0.0), st.floats(1e-3, 5))),
                   min_size=1, max_size=6),
    t=st.floats(-50, 400),
    e=st.floats(0.001, 20),
    first_from_minus_inf=st.booleans(),
)
def test_next_times_many_at_once_equal_next_time(steps, t, e, first_from_minus_inf):
    first = -math.inf if first_from_minus_inf else -100.0
    rate = PiecewiseRate([(first, steps[0][1])] + steps[1:])
    one = rate.next_time(t, e)
    many = float(rate.next_times([t], [e])[0])
    if one == math.inf:
        assert many == math.inf
    else:
        assert math.isclose(many, one, rel_tol=1e-9, abs_tol=1e-7)


@pytest.mark.statistical
def test_arrivals_are_a_poisson_process_at_the_rate():
    """Counts per segment match the integrated rate (mean and Poisson variance)."""
    import numpy as np

    rate = PiecewiseRate([(-math.inf, 2.0), (10.0, 0.0), (20.0, 5.0)])
    rng = np.random.default_rng(1)
    n = [rate.arrivals(0.0, 30.0, rng) for _ in range(400)]
    in_first = np.array([np.sum(a < 10) for a in n])
    in_gap = np.array([np.sum((a >= 10) & (a < 20)) for a in n])
    in_last = np.array([np.sum(a >= 20) for a in n])
    assert in_gap.sum() == 0
    # mean 20 and 50; 400 samples: standard error sqrt(mean/400)
    assert abs(in_first.mean() - 20) < 4 * math.sqrt(20 / 400)
    assert abs(in_last.mean() - 50) < 4 * math.sqrt(50 / 400)
    assert abs(in_last.var() / 50 - 1) < 0.25
    assert all(np.all(np.diff(a) >= 0) for a in n)


def test_slots_follow_the_phase_rate_and_idle_without_work():
    """Policy slots: Poisson at the phase's rate (none while it is 0), idle when on_slot says
    so, and drawn again from now when woken."""
    import numpy as np
    import simpy

    from ketensim.model.streams import Streams
    from ketensim.policy.timeline import PolicyProcess, ResolvedPhase

    class P:  # the parameters a slot's rate reads
        def __init__(self, rate: float) -> None:
            self.rate = rate

    env = simpy.Environment()
    phases = [ResolvedPhase("a", 0.0, P(2.0)), ResolvedPhase("b", 100.0, P(0.0)),
              ResolvedPhase("c", 200.0, P(5.0))]
    policy = PolicyProcess(env, phases)  # type: ignore[arg-type]
    times: list[float] = []
    work = {"left": 10**9}

    def on_slot() -> bool:
        times.append(env.now)
        work["left"] -= 1
        return work["left"] > 0

    slots = policy.slots(lambda s: s.rate, Streams(1, 0)("slots"), on_slot)
    policy.start()
    env.run(until=300)
    t = np.array(times)
    a, b, c = np.sum(t < 100), np.sum((t >= 100) & (t < 200)), np.sum(t >= 200)
    assert b == 0
    assert abs(a - 200) < 4 * math.sqrt(200) and abs(c - 500) < 4 * math.sqrt(500)
    # idle after the last piece of work, until woken
    work["left"] = 1
    env.run(until=400)
    n = len(times)
    env.run(until=500)
    assert len(times) == n
    work["left"] = 3
    slots.wake()
    env.run(until=600)
    assert len(times) == n + 3 and min(times[n:]) >= 500
