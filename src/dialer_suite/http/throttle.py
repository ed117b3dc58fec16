"""Throttles: when the next request may go out, and what a 429 changes about that.

Every sender of the suite (the scenario client, the schemathesis session, the
locust users) goes through ``send.send_paced`` with one of two throttles:

- ``SpacedThrottle`` keeps the contract suite under the target's rate limit.
  The scenario client (httpx) and schemathesis (requests) talk to the same
  tenant, and the vendor counts their requests together, so both draw from one
  throttle per base URL (``shared_throttle``). Requests are spaced evenly at
  90% of the configured rate: a target that counts requests in any one-second
  window then never sees more than the limit, even with scheduling jitter.
- ``AdaptiveThrottle`` is the load suite's ceiling: an optional hard rate, and
  after a 429 a hold for its ``Retry-After`` and a halved rate that climbs back
  (additive increase, multiplicative decrease), so a target's limit is found
  and kept instead of being hit by the whole backlog every time a hold ends.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable
from typing import Protocol

HEADROOM = 0.9
# A 429 without a readable Retry-After still means "back off": this long.
DEFAULT_RETRY_AFTER = 1.0
# Nobody waits longer than this for one 429, whatever the server says, so a
# target stuck in 429 fails (after ``send.RETRIES``) instead of hanging.
MAX_RETRY_AFTER = 30.0

Clock = Callable[[], float]
Sleep = Callable[[float], None]


class Throttle(Protocol):
    """What the send path asks of a throttle."""

    def acquire(self) -> float:
        """Wait for this request's turn; returns the seconds waited."""

    def throttled(self, retry_after: float) -> None:
        """The target answered 429 and asked for ``retry_after`` seconds."""

    def succeeded(self) -> None:
        """The target answered something other than 429."""


class SpacedThrottle:
    """Spaces calls to ``acquire`` at least ``1 / (rate * HEADROOM)`` seconds apart."""

    def __init__(self, rate: float, *, clock: Clock = time.monotonic, sleep: Sleep = time.sleep) -> None:
        self.rate = rate
        self.interval = 1.0 / (rate * HEADROOM)
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> float:
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self.interval
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
        return wait

    def throttled(self, retry_after: float) -> None:
        """Hold every caller back while the ``Retry-After`` runs out."""
        with self._lock:
            self._next = max(self._next, self._clock() + retry_after)

    def succeeded(self) -> None:
        """Nothing to learn: the rate is the configured one."""


_shared: dict[str, SpacedThrottle] = {}
_shared_lock = threading.Lock()


def shared_throttle(base_url: str, rate: float) -> SpacedThrottle:
    """The process-wide throttle of ``base_url`` (created at ``rate`` on first use)."""
    with _shared_lock:
        throttle = _shared.get(base_url)
        if throttle is None or throttle.rate != rate:
            throttle = _shared[base_url] = SpacedThrottle(rate)
        return throttle


# Backing off after a 429: never below this, and this much more per second of successes.
_MIN_RATE = 0.5
_INCREASE = 1.0
_RATE_WINDOW = 1.0


class AdaptiveThrottle:
    """A ceiling on one process's request rate that backs off on 429s.

    ``rate`` None means no configured ceiling (the embedded simulator with its
    limit off). A 429 holds every request of the process for its
    ``Retry-After`` and halves the rate the process sends at; each success then
    raises it a little, never above ``rate``. Greenlets call it without
    yielding in between, so it needs no lock.
    """

    def __init__(self, rate: float | None, *, clock: Clock = time.monotonic, sleep: Sleep = time.sleep):
        if rate is not None and rate <= 0:
            raise ValueError(f"rate must be positive, got {rate}")
        self._limit = rate
        self._rate = rate
        self._clock = clock
        self._sleep = sleep
        self._next_slot = 0.0
        self._hold_until = 0.0
        self._window_start = clock()
        self._window_count = 0
        self._recent_rate = 0.0

    @property
    def rate(self) -> float | None:
        """Requests/s this process currently allows itself (None: no ceiling)."""
        return self._rate

    def acquire(self) -> float:
        wait = self.reserve()
        if wait > 0:
            self._sleep(wait)
        return wait

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
        """Hold for ``retry_after`` and halve the rate (once per hold)."""
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
        """Probe a little higher (about +1 req/s per second of successes)."""
        if self._rate is None:
            return
        self._rate += _INCREASE / self._rate
        if self._limit is not None:
            self._rate = min(self._rate, self._limit)


def retry_after_seconds(
    value: str | None, *, limit: float = MAX_RETRY_AFTER, now: float | None = None
) -> float:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or HTTP date), within 0..``limit``."""
    if not value:
        return DEFAULT_RETRY_AFTER
    text = value.strip()
    if text.isdigit():
        seconds = float(text)
    else:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return DEFAULT_RETRY_AFTER
        seconds = when.timestamp() - (time.time() if now is None else now)
    return min(max(seconds, 0.0), limit)
