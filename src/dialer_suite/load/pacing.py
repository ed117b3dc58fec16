"""Open-model pacing: intended send times from a plan, and a ceiling on requests per second.

Locust's users are a closed model: each waits for its response before the next
request, so a slow server lowers the load it gets and every queued request's
wait disappears from the statistics (coordinated omission). Here the plan
decides *when* each operation should start; users only carry them out. An
operation's latency is measured from its intended send time, so time spent
waiting for a free user, for the ceiling or for a ``Retry-After`` counts.

Both classes are plain and take an injectable clock so they can be unit-tested;
greenlets call them without yielding in between, so they need no locks.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from dialer_suite.load.profiles import Plan

Clock = Callable[[], float]
# Never hold longer than this for one Retry-After, whatever the server says:
# every run stays bounded in time.
MAX_RETRY_AFTER = 60.0
_EPSILON = 1e-9
# Backing off after a 429: never below this, and this much more per second of successes.
_MIN_RATE = 0.5
_INCREASE = 1.0
_RATE_WINDOW = 1.0


@dataclass(frozen=True)
class Ticket:
    """One operation to start at ``intended`` (clock seconds), during plan stage ``stage``."""

    intended: float
    stage: int


class Pacer:
    """This process's share of a plan's arrival rate, as a stream of tickets.

    With ``share`` = 1/workers and ``phase`` = worker index, the workers of a
    distributed run interleave their tickets and together offer the plan's rate.
    """

    def __init__(self, plan: Plan, *, share: float = 1.0, phase: int = 0, clock: Clock = time.monotonic):
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

    @property
    def started(self) -> bool:
        return self._start is not None

    def elapsed(self) -> float:
        return 0.0 if self._start is None else self._clock() - self._start

    def stage_now(self) -> int | None:
        return self._plan.stage_index(self.elapsed())

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


class Ceiling:
    """A hard ceiling on this process's request rate, ``Retry-After`` holds, and backing off.

    ``rate`` None means no configured ceiling (the embedded simulator with its
    limit off). A 429 holds every request of the process for its ``Retry-After``
    and halves the rate the process sends at; each success then raises it a
    little (additive increase, multiplicative decrease), never above ``rate``.
    So a target's limit is found and kept instead of being hit by the whole
    backlog at once every time a hold ends.
    """

    def __init__(self, rate: float | None, *, clock: Clock = time.monotonic):
        if rate is not None and rate <= 0:
            raise ValueError(f"rate must be positive, got {rate}")
        self._limit = rate
        self._rate = rate
        self._clock = clock
        self._next_slot = 0.0
        self._hold_until = 0.0
        self._window_start = clock()
        self._window_count = 0
        self._recent_rate = 0.0

    @property
    def rate(self) -> float | None:
        """Requests/s this process currently allows itself (None: no ceiling)."""
        return self._rate

    def reserve(self) -> float:
        """Reserve the next send slot; returns how many seconds to wait before sending."""
        now = self._clock()
        slot = max(now, self._next_slot, self._hold_until)
        self._next_slot = slot + (1.0 / self._rate if self._rate else 0.0)
        self._count_send(now)
        return slot - now

    def _count_send(self, now: float) -> None:
        elapsed = now - self._window_start
        if elapsed >= _RATE_WINDOW:
            self._recent_rate = self._window_count / elapsed
            self._window_start, self._window_count = now, 0
        self._window_count += 1

    def hold(self, seconds: float) -> None:
        """No request of this process goes out in the next ``seconds``."""
        self._hold_until = max(self._hold_until, self._clock() + seconds)

    def throttled(self, retry_after: float) -> None:
        """A 429: hold for ``retry_after`` and halve the rate (once per hold)."""
        if self._clock() < self._hold_until:
            return  # requests already in flight when the first 429 came back
        self.hold(retry_after)
        current = self._rate or self._send_rate()
        self._rate = max(_MIN_RATE, current / 2)

    def _send_rate(self) -> float:
        """Requests/s sent lately: the last full window, or the one running if it is the first."""
        elapsed = self._clock() - self._window_start
        running = self._window_count / elapsed if elapsed > 0 else 0.0
        return self._recent_rate or running

    def succeeded(self) -> None:
        """A response that was not a 429: probe a little higher (about +1 req/s per second)."""
        if self._rate is None:
            return
        self._rate += _INCREASE / self._rate
        if self._limit is not None:
            self._rate = min(self._rate, self._limit)
