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
from typing import TYPE_CHECKING, Generator

import simpy

if TYPE_CHECKING:
    from ..policy.timeline import PolicyProcess
    from .entities import Household
    from .streams import Streams


class RegistrationDesk:
    def __init__(self, env: simpy.Environment, policy: "PolicyProcess", streams: "Streams") -> None:
        self.env, self.policy = env, policy
        self.stream = streams("reception.registration")
        self.queue: deque[tuple["Household", simpy.Event]] = deque()
        self._wake = env.event()
        env.process(self._serve())

    @property
    def waiting(self) -> int:
        """Persons waiting for their turn at the desk."""
        return sum(hh.size for hh, _ in self.queue)

    def register(self, hh: "Household") -> Generator[simpy.Event, object, None]:
        turn = self.env.event()
        self.queue.append((hh, turn))
        if not self._wake.triggered:
            self._wake.succeed()
        yield turn
        yield self.env.timeout(self.stream.exponential(self.policy.params.reception.col.registration_days))

    def _serve(self) -> Generator[simpy.Event, object, None]:
        env, credit = self.env, 0.0
        while True:
            if not self.queue:
                credit = 0.0  # capacity not used is not banked
                self._wake = env.event()
                yield self._wake
                continue
            rate = self.policy.params.reception.col.registrations_per_week / 7.0
            hh, turn = self.queue[0]
            if rate <= 0:
                yield self.policy.changed
                continue
            t0 = env.now
            yield env.timeout(max(hh.size - credit, 0.0) / rate) | self.policy.changed
            credit += (env.now - t0) * rate
            if credit >= hh.size - 1e-9:
                self.queue.popleft()
                credit -= hh.size
                turn.succeed()
