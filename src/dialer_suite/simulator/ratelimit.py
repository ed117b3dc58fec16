"""The vendor's per-tenant rate limit: a token bucket per username."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


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
