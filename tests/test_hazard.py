"""Exact event times under piecewise-constant rates (property tests)."""
from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from ketensim.model.hazard import PiecewiseRate


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
