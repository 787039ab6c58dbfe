"""The two places where the model needs more of SimPy than its public calls, each wrapped
once here (tested in tests/test_sim.py) so that no other module touches SimPy internals.
"""
from __future__ import annotations

import re
from typing import Callable

import simpy
from simpy.events import URGENT

__all__ = ["UrgentTimeout", "events_scheduled", "hand_on", "finish"]


class UrgentTimeout(simpy.Event):
    """A timeout processed before ordinary events at the same time (SimPy's URGENT priority,
    which its own ``Initialize`` and ``Interruption`` events use).

    The idiom of a custom event: ``super().__init__`` makes a plain pending event; marking it
    triggered (``_ok``, ``_value``, as ``Event.succeed`` does) and ``env.schedule`` with a
    priority and delay put it on the queue, as ``Timeout`` does with NORMAL priority.
    """

    def __init__(self, env: simpy.Environment, delay: float, value: object = None) -> None:
        if delay < 0:
            raise ValueError(f"negative delay {delay}")
        super().__init__(env)
        self._ok = True
        self._value = value
        env.schedule(self, URGENT, delay)


_COUNT = re.compile(r"count\((\d+)\)")


def events_scheduled(env: simpy.Environment) -> int:
    """Events scheduled so far in ``env``: SimPy numbers every scheduled event from a
    counter (``Environment._eid``, to keep the queue order stable); its next value is the
    count. Read from the counter's repr, so the count is not advanced by reading it."""
    m = _COUNT.fullmatch(repr(env._eid))
    if m is None:
        raise RuntimeError(f"SimPy's event counter is not an itertools.count: {env._eid!r}")
    return int(m.group(1))


def hand_on(env: simpy.Environment, then: Callable[[], None] | None) -> Callable[[], None] | None:
    """Where a done event would succeed (for a callback chain to go on when it is processed),
    without the event: when another event is due at this moment, ``then`` is scheduled as the
    event would have been (same priority, same place in the queue) and None returned;
    otherwise ``then`` is returned, for ``finish`` at the end of the current callback."""
    if then is not None and env.peek() <= env.now:
        env.timeout(0.0).callbacks.append(lambda _e: then())
        return None
    return then


def finish(env: simpy.Environment, then: Callable[[], None] | None) -> None:
    """At the end of the callback: ``then()`` at once when still nothing else is due now (the
    done event would have been the next one processed), otherwise scheduled from here."""
    if then is None:
        return
    if env.peek() > env.now:
        then()
    else:
        env.timeout(0.0).callbacks.append(lambda _e: then())
