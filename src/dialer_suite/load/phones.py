"""Distinct phone numbers for every worker of a load run, never the same one twice.

Against a real tenant only the safe fictional numbers of ``testdata.PhoneFactory``
are used (and a range the user controls, ``DIALER_PHONE_RANGE``); the workers
of a distributed run share one sequence, each taking every ``workers``-th
number, so two workers never add the same number. Against loopback targets
nothing is dialed, so the numbers come from the whole space of possible North
American numbers (+1 and ten digits starting 2-9): far more than a load run
can use, starting at a point derived from the run id so that runs against a
long-lived simulator do not collide either.
"""

from __future__ import annotations

import hashlib

from dialer_suite.api.testdata import NumberBlock, PhoneFactory
from dialer_suite.config.settings import Settings

_NANP_FIRST = 2_000_000_000
_NANP_SPAN = 8_000_000_000


class PhoneSource:
    """The numbers of worker ``worker`` (0-based) out of ``workers``."""

    def __init__(
        self,
        *,
        loopback: bool,
        run_id: str,
        worker: int = 0,
        workers: int = 1,
        extra: NumberBlock | None = None,
    ) -> None:
        if not 0 <= worker < workers:
            raise ValueError(f"worker {worker} is not in 0..{workers - 1}")
        self._worker = worker
        self._workers = workers
        self._issued = 0
        digest = hashlib.sha256(run_id.encode()).digest()
        self._offset = int.from_bytes(digest[:8], "big") % _NANP_SPAN
        self._factory = None if loopback else PhoneFactory(
            run_id, extra=extra, more_numbers=str(Settings.declared("phone_range").env))

    def take(self, count: int) -> list[str]:
        """``count`` fresh numbers (E.164); a UsageError when the safe pool runs out."""
        return [self._next() for _ in range(count)]

    def _next(self) -> str:
        index = self._issued * self._workers + self._worker
        self._issued += 1
        if self._factory is None:
            return f"+1{_NANP_FIRST + (self._offset + index) % _NANP_SPAN}"
        # Every worker walks the same seeded sequence and keeps its own slot of each stride.
        return self._factory.take(self._workers)[self._worker]
