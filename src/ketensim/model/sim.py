"""The two places where the model needs more of SimPy than its public calls, each wrapped
once here (tested in tests/test_sim.py) so that no other module touches SimPy internals.
"""
from __future__ import annotations

import re

import simpy
from simpy.events import URGENT

__all__ = ["UrgentTimeout", "events_scheduled"]


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
