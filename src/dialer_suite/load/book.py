"""HDR bookkeeping of every request a load run makes, mergeable across locust workers.

Locust keeps response times in buckets rounded to two significant digits, which
is too coarse for p99 gates on millisecond services. The book records each
request in an HDR histogram (microseconds, three significant digits) per
request name, and coarser ones per plan stage and per time bucket for charts.
Workers send their book as a delta with every stats report and start afresh;
the master merges the deltas, so gates always see the whole run.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hdrh.histogram import HdrHistogram

_LOWEST_US = 1
_HIGHEST_US = 3_600_000_000  # one hour: nothing a bounded run waits longer than
_OVERALL_DIGITS = 3
_WINDOW_DIGITS = 2

OVERALL = "overall"
STAGE = "stage"  # by the stage of the intended send time: latency per offered load
DONE = "done"  # by the stage a request finished in: what the target achieved then (counts only)
BUCKET = "bucket"
_KINDS = (OVERALL, STAGE, DONE, BUCKET)


def _histogram(digits: int) -> HdrHistogram:
    return HdrHistogram(_LOWEST_US, _HIGHEST_US, digits)


@dataclass
class Window:
    """Requests of one name in one window (the whole run, a stage or a time bucket)."""

    digits: int
    requests: int = 0
    failures: int = 0
    throttled: int = 0
    contacts: int = 0
    histogram: HdrHistogram | None = None

    def record(self, micros: int, *, failed: bool, contacts: int) -> None:
        if self.histogram is None:
            self.histogram = _histogram(self.digits)
        self.histogram.record_value(min(max(micros, _LOWEST_US), _HIGHEST_US))
        self.requests += 1
        self.failures += failed
        self.contacts += contacts

    def merge(self, other: Window) -> None:
        self.requests += other.requests
        self.failures += other.failures
        self.throttled += other.throttled
        self.contacts += other.contacts
        if other.histogram is not None:
            if self.histogram is None:
                self.histogram = _histogram(self.digits)
            self.histogram.add(other.histogram)

    def percentile_ms(self, percentile: float) -> float:
        if self.histogram is None or self.histogram.get_total_count() == 0:
            return math.nan
        return float(self.histogram.get_value_at_percentile(percentile)) / 1000.0

    def max_ms(self) -> float:
        if self.histogram is None or self.histogram.get_total_count() == 0:
            return math.nan
        return float(self.histogram.get_max_value()) / 1000.0

    def to_wire(self) -> list[Any]:
        encoded = self.histogram.encode() if self.histogram is not None else None
        return [self.requests, self.failures, self.throttled, self.contacts, encoded]

    @classmethod
    def from_wire(cls, digits: int, wire: list[Any]) -> Window:
        requests, failures, throttled, contacts, encoded = wire
        window = cls(digits, requests, failures, throttled, contacts)
        if encoded:
            window.histogram = _histogram(digits)
            window.histogram.decode_and_add(encoded)
        return window


@dataclass
class Book:
    """All windows of a run (or of one worker since its last report)."""

    bucket_seconds: int = 1
    windows: dict[tuple[str, int, str], Window] = field(default_factory=dict)
    first_seen: float | None = None
    last_seen: float | None = None

    def record(
        self,
        name: str,
        millis: float,
        *,
        failed: bool = False,
        throttled: bool = False,
        stage: int | None = None,
        done_stage: int | None = None,
        contacts: int = 0,
        now: float,
    ) -> None:
        """One finished request (``throttled``: a 429 that will be retried, timed apart).

        ``stage`` is the plan stage the request was meant to start in, ``done_stage``
        the one it finished in (they differ when the target falls behind).
        """
        self.first_seen = now if self.first_seen is None else min(self.first_seen, now)
        self.last_seen = now if self.last_seen is None else max(self.last_seen, now)
        micros = round(millis * 1000)
        keys = [(OVERALL, 0, name), (BUCKET, int(now // self.bucket_seconds), name)]
        if stage is not None:
            keys.append((STAGE, stage, name))
        for key in keys:
            window = self._window(key)
            if throttled:
                window.throttled += 1
            else:
                window.record(micros, failed=failed, contacts=contacts)
        if done_stage is not None and not throttled:
            self._window((DONE, done_stage, name)).requests += 1

    def _window(self, key: tuple[str, int, str]) -> Window:
        window = self.windows.get(key)
        if window is None:
            window = self.windows[key] = Window(_OVERALL_DIGITS if key[0] == OVERALL else _WINDOW_DIGITS)
        return window

    def to_wire(self) -> dict[str, Any]:
        """A msgpack-friendly copy (locust's report messages are msgpack)."""
        return {
            "bucket_seconds": self.bucket_seconds,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "windows": [
                [kind, index, name, window.to_wire()] for (kind, index, name), window in self.windows.items()
            ],
        }

    def merge_wire(self, wire: Mapping[str, Any]) -> None:
        for kind, index, name, payload in wire["windows"]:
            if kind not in _KINDS:
                raise ValueError(f"unknown window kind {kind!r} in a worker report")
            digits = _OVERALL_DIGITS if kind == OVERALL else _WINDOW_DIGITS
            self._window((kind, int(index), name)).merge(Window.from_wire(digits, payload))
        for attribute, pick in (("first_seen", min), ("last_seen", max)):
            theirs = wire.get(attribute)
            if theirs is not None:
                mine = getattr(self, attribute)
                setattr(self, attribute, theirs if mine is None else pick(mine, theirs))

    def clear(self) -> None:
        self.windows.clear()
        self.first_seen = self.last_seen = None

    def names(self) -> list[str]:
        return sorted({name for kind, _, name in self.windows if kind == OVERALL})

    def overall(self) -> dict[str, Window]:
        return {name: window for (kind, _, name), window in self.windows.items() if kind == OVERALL}

    def by(self, kind: str) -> dict[int, dict[str, Window]]:
        """Stage or bucket index → name → window, indexes ascending."""
        table: dict[int, dict[str, Window]] = {}
        for (window_kind, index, name), window in sorted(self.windows.items()):
            if window_kind == kind:
                table.setdefault(index, {})[name] = window
        return table


def combined(windows: Iterable[Window]) -> Window:
    """All ``windows`` as one (e.g. every request name of a stage), at their finest precision."""
    windows = list(windows)
    total = Window(max((window.digits for window in windows), default=_WINDOW_DIGITS))
    for window in windows:
        total.merge(window)
    return total
