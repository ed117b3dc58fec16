"""Keep the suite under the target's rate limit, across every client of the process.

The scenario client (httpx) and schemathesis (requests) talk to the same
tenant, and the vendor counts their requests together, so both draw from one
``Pacer`` per base URL. Requests are spaced evenly at 90% of the configured
rate: a target that counts requests in any one-second window then never sees
more than the limit, even with scheduling jitter.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable

HEADROOM = 0.9
# A 429 without a readable Retry-After still means "back off": this long.
DEFAULT_RETRY_AFTER = 1.0
# The contract suite never waits longer than this for one 429, whatever the
# server says, so a target stuck in 429 fails instead of hanging.
MAX_RETRY_AFTER = 10.0

_registry: dict[str, Pacer] = {}
_registry_lock = threading.Lock()


class Pacer:
    """Spaces calls to ``acquire`` at least ``1 / (rate * HEADROOM)`` seconds apart."""

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self.interval = 1.0 / (rate * HEADROOM)
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Wait for this call's slot; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self.interval
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
        return wait

    def pause_until(self, seconds_from_now: float) -> None:
        """Hold every caller back, e.g. while a ``Retry-After`` runs out."""
        with self._lock:
            self._next = max(self._next, self._clock() + seconds_from_now)


def pacer_for(base_url: str, rate: float) -> Pacer:
    """The process-wide pacer of ``base_url`` (created at ``rate`` on first use)."""
    with _registry_lock:
        pacer = _registry.get(base_url)
        if pacer is None or pacer.rate != rate:
            pacer = _registry[base_url] = Pacer(rate)
        return pacer


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
