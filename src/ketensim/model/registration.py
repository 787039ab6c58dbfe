"""Registration at the registration centre (COL): the IND's desk with its own capacity.

Newcomers are registered in order of arrival at ``reception.col.registrations_per_week``
persons a week (a fluid quota: a household's turn comes once the capacity since the last
registration covers its size), then the registration itself takes a while. A newcomer who
cannot be registered stays in the registration centre, so a full desk fills the centre and
delays the start of the procedure.

Hand-off for the IND part: ``Reception`` calls ``desk.register(hh)`` (a generator that
returns when the household is registered). An IND with its own registration capacity
replaces this object by one with the same ``register`` generator.
"""
from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Callable, Generator

import simpy

if TYPE_CHECKING:
    from ..policy.timeline import PolicyProcess
    from .entities import Household
    from .streams import Streams


class RegistrationDesk:
    """The desk as callbacks (no process, no ``timeout | changed`` Condition per household):
    one armed timer for the head of the queue, dropped at a phase change (``_token``)."""

    def __init__(self, env: simpy.Environment, policy: "PolicyProcess", streams: "Streams") -> None:
        self.env, self.policy = env, policy
        self.stream = streams("reception.registration")
        self.queue: deque[tuple["Household", simpy.Event | Callable[[], None]]] = deque()
        self.credit = 0.0
        self._t0 = 0.0
        self._token: object | None = None  # the armed wait; None when the desk is idle
        self._idle = True

    @property
    def waiting(self) -> int:
        """Persons waiting for their turn at the desk."""
        return sum(hh.size for hh, _ in self.queue)

    def register(self, hh: "Household") -> Generator[simpy.Event, object, None]:
        turn = self.env.event()
        self.queue.append((hh, turn))
        if self._idle:
            self._idle = False
            self._step()
        yield turn
        yield self.env.timeout(self.stream.exponential(self.policy.params.reception.col.registration_days))

    def register_then(self, hh: "Household", then: Callable[[], None]) -> None:
        """As ``register``, but calls ``then`` when registered (callbacks, no process, and
        no turn event: the desk starts the registration itself when the turn comes)."""
        self.queue.append((hh, then))
        if self._idle:
            self._idle = False
            self._step()

    def _registering(self, then: Callable[[], None]) -> None:
        days = self.stream.exponential(self.policy.params.reception.col.registration_days)
        self.env.timeout(days).callbacks.append(lambda _e: then())

    def _step(self) -> None:
        """Arm the wait for the head of the queue (or fall idle)."""
        if not self.queue:
            self.credit = 0.0  # capacity not used is not banked
            self._idle = True
            return
        env = self.env
        rate = self.policy.params.reception.col.registrations_per_week / 7.0
        hh, _ = self.queue[0]
        token = self._token = object()
        self.policy.changed.callbacks.append(lambda _e: self._fire(token, rate))
        if rate <= 0:
            return
        self._t0 = env.now
        env.timeout(max(hh.size - self.credit, 0.0) / rate).callbacks.append(lambda _e: self._fire(token, rate))

    def _fire(self, token: object, rate: float) -> None:
        if token is not self._token:
            return  # the other of the two (timer, phase change) came first
        self._token = None
        if rate > 0:
            self.credit += (self.env.now - self._t0) * rate
            hh, turn = self.queue[0]
            if self.credit >= hh.size - 1e-9:
                self.queue.popleft()
                self.credit -= hh.size
                if isinstance(turn, simpy.Event):
                    turn.succeed()
                else:
                    self._turn(turn)
        self._step()

    def _turn(self, then: Callable[[], None]) -> None:
        """The turn of a ``register_then`` household: the registration's duration is drawn
        now rather than when a turn event would have been processed (the stream is the
        desk's own, so its draws keep their order; a duration > 0 ends at a moment no
        other event shares). With a zero duration the turn stays an event, so the end
        keeps its place among the events of this moment."""
        if self.policy.params.reception.col.registration_days > 0:
            self._registering(then)
            return
        turn = self.env.event()
        turn.callbacks.append(lambda _e: self._registering(then))
        turn.succeed()
