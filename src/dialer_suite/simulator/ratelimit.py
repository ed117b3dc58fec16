"""The vendor's per-tenant rate limit, and how a request past it is told when to come back.

The documented limit is 10 requests/s per customer; how it is counted and how
a 429 says when to retry is not documented (x-assumption ``rate-limit-429``):
a token bucket with ``Retry-After`` in seconds is assumed; a counter per
wall-clock second, an HTTP-date ``Retry-After`` or none at all are what other
common limiters (Rack::Attack, a gateway) do.
"""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from dialer_suite.simulator.assumptions import register_assumption
from dialer_suite.simulator.switches import Switches

RATE_LIMIT_429 = register_assumption(
    "rate-limit-429", "token-bucket",
    {
        "token-bucket": "a token bucket at the rate (a second's worth of burst); 429 with "
                        "Retry-After in seconds",
        "fixed-window": "a counter per wall-clock second; 429 with Retry-After: 1",
        "retry-after-date": "the token bucket, but Retry-After is an HTTP date",
        "no-retry-after": "the token bucket; 429 without Retry-After",
    },
    lean="no-retry-after",
)


class Limiter(Protocol):
    """Counts a tenant's requests; ``take`` is 0 to go ahead, else the seconds to wait (≥ 1)."""

    def take(self, key: str) -> int: ...


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBucket:
    """``rate`` requests/s with up to ``depth`` at once, per key.

    ``take`` returns 0 when the request may go ahead, otherwise the whole
    number of seconds (at least 1) after which it would: the ``Retry-After``.
    """

    def __init__(self, rate: float, depth: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = rate
        self._depth = depth
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def take(self, key: str) -> int:
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self._depth, now)
        bucket.tokens = min(self._depth, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0
        return max(1, math.ceil((1 - bucket.tokens) / self._rate))


class FixedWindow:
    """At most ``rate`` requests (rounded up) per key in each wall-clock second: a burst of twice
    that across a second boundary gets through, as with a counter keyed by the current second."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.time) -> None:
        self._limit = max(1, math.ceil(rate))
        self._clock = clock
        self._windows: dict[str, tuple[int, int]] = {}  # key -> (second, requests in it)

    def take(self, key: str) -> int:
        second = int(self._clock())
        window, count = self._windows.get(key, (second, 0))
        if window != second:
            count = 0
        if count >= self._limit:
            self._windows[key] = (second, count)
            return 1
        self._windows[key] = (second, count + 1)
        return 0


def build_limiter(switches: Switches, rate: float, depth: float) -> Limiter:
    """The limiter the played ``rate-limit-429`` choice counts with."""
    if switches.choice(RATE_LIMIT_429) == "fixed-window":
        return FixedWindow(rate)
    return TokenBucket(rate, depth)


def retry_after_headers(switches: Switches, wait: int) -> dict[str, str]:
    """The headers of a 429 that asks to wait ``wait`` seconds, as the played choice says it."""
    played = switches.choice(RATE_LIMIT_429)
    if played == "no-retry-after":
        return {}
    if played == "retry-after-date":
        # Rounded up to the next whole second, so that a client waiting until then is never early.
        return {"Retry-After": email.utils.formatdate(math.ceil(time.time()) + wait, usegmt=True)}
    return {"Retry-After": str(wait)}
