"""The wrapped SimPy internals (model/sim.py)."""
from __future__ import annotations

import simpy

from ketensim.model.sim import UrgentTimeout, events_scheduled


def test_urgent_timeout_runs_before_ordinary_events_at_the_same_time():
    env = simpy.Environment()
    order: list[str] = []

    def ordinary():
        yield env.timeout(7)
        order.append("ordinary")

    def urgent():
        value = yield UrgentTimeout(env, 7, value="v")
        order.append(f"urgent {value} at {env.now}")

    env.process(ordinary())  # scheduled first: at equal priority it would come first
    env.process(urgent())
    env.run()
    assert order == ["urgent v at 7", "ordinary"]


def test_urgent_timeout_refuses_a_negative_delay():
    import pytest

    with pytest.raises(ValueError, match="negative delay"):
        UrgentTimeout(simpy.Environment(), -1)


def test_events_scheduled_counts_and_does_not_advance():
    env = simpy.Environment()
    start = events_scheduled(env)
    env.timeout(1)
    env.timeout(2)
    assert events_scheduled(env) == start + 2
    assert events_scheduled(env) == start + 2  # reading does not count
