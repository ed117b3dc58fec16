"""Arrival times of the open model: when each operation of a plan is meant to start.

Locust's users are a closed model: each waits for its response before the next
request, so a slow server lowers the load it gets and every queued request's
wait disappears from the statistics (coordinated omission). Here the plan
decides *when* each operation should start, as a stream of tickets; users only
carry them out. An operation's latency is measured from its ticket's intended
send time, so time spent waiting for a free user, for the rate ceiling (the
throttle of ``dialer_suite.http``) or for a ``Retry-After`` counts.

Plain, with an injectable clock so it can be unit-tested; greenlets call it
without yielding in between, so it needs no lock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from dialer_suite.load.profiles import Plan

_EPSILON = 1e-9


@dataclass(frozen=True)
class Ticket:
    """One operation to start at ``intended`` (clock seconds), during plan stage ``stage``."""

    intended: float
    stage: int


class ArrivalSchedule:
    """This process's share of a plan's arrival rate for one operation, as a stream of tickets.

    With ``share`` = 1/workers and ``phase`` = worker index, the workers of a
    distributed run interleave their tickets and together offer the plan's rate.
    """

    def __init__(
        self,
        plan: Plan,
        *,
        share: float = 1.0,
        phase: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 < share <= 1:
            raise ValueError(f"share must be in (0, 1], got {share}")
        self._plan = plan
        self._share = share
        self._phase = phase
        self._clock = clock
        self._start: float | None = None
        self._next_elapsed = 0.0

    def start(self) -> None:
        """Start the plan's clock now; the first ticket of worker ``phase`` is staggered."""
        self._start = self._clock()
        first_rate = self._plan.stages[0].rate * self._share
        self._next_elapsed = (self._phase * self._share) / first_rate if first_rate else 0.0

    def next_ticket(self) -> Ticket | None:
        """The next operation's intended time, or None once the plan is over."""
        if self._start is None:
            self.start()
        assert self._start is not None
        elapsed = self._next_elapsed
        # Summing 1/rate drifts by ulps: a ticket that lands on a stage's end belongs to the next.
        stage = self._plan.stage_index(elapsed + _EPSILON)
        if stage is None:
            return None
        self._next_elapsed = elapsed + 1.0 / (self._plan.stages[stage].rate * self._share)
        return Ticket(self._start + elapsed, stage)
