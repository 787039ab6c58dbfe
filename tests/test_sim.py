"""The wrapped SimPy internals (model/sim.py)."""
from __future__ import annotations

import simpy

from ketensim.model.sim import UrgentTimeout, events_scheduled, finish, hand_on

KIND = "unit"


def test_urgent_timeout_runs_before_ordinary_events_at_the_same_time():
    env = simpy.Environment()
    order: list[str] = []

    def ordinary():
        yield env.timeout(7)
        order.append("ordinary")

    def urgent():
        value = yield UrgentTimeout(env, 7, value="v")
        order.append(f"urgent {value} at {env.now:g}")  # 7 or 7.0 (compiled)

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


def _order(with_event: bool, tie: bool) -> list[str]:
    """A goes on after its callback either through a done event or through hand_on/finish;
    B is due at the same moment (tie) or later."""
    env = simpy.Environment()
    order: list[str] = []

    def a(_e: simpy.Event) -> None:
        order.append("A")
        if with_event:
            done = env.event()
            done.callbacks.append(lambda _e: order.append("A goes on"))
            done.succeed()
        else:
            later = hand_on(env, lambda: order.append("A goes on"))
        env.timeout(0.5).callbacks.append(lambda _e: order.append("C"))  # made by A's callback
        if not with_event:
            finish(env, later)

    env.timeout(1).callbacks.append(a)
    env.timeout(1 if tie else 2).callbacks.append(lambda _e: order.append("B"))
    env.run()
    return order


def test_hand_on_keeps_the_place_of_the_done_event_it_replaces():
    for tie in (True, False):
        assert _order(with_event=False, tie=tie) == _order(with_event=True, tie=tie), tie
    assert _order(with_event=False, tie=True) == ["A", "B", "A goes on", "C"]
