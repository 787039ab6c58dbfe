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
