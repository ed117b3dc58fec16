"""HDR bookkeeping of every request a load run makes, mergeable across locust workers.

Locust keeps response times in buckets rounded to two significant digits, which
is too coarse for p99 gates on millisecond services. The book records each
request in an HDR histogram (microseconds, three significant digits) per
request name, and coarser ones per plan stage and per time bucket for charts.
Workers send their book as a delta with every stats report and start afresh;
the master merges the deltas, so gates always see the whole run.

Three times per request, because a load run's own queueing must not pass for
the target's: the **service** time (request sent → answer: what the target
did), the time from the operation's **intended** send time (the open model:
waiting for a free user, for our pacer and for ``Retry-After`` included), and
the **wait** in our own pacer. The run-wide and per-stage windows keep all
three; the per-bucket ones (charts) the service time only. Windows *aside*
(per import batch size, file posted → contacts listed) are answers, not
requests: the totals never count them. Counters (429s, retries) just add up.
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
ASIDE = "aside"  # named windows that are not requests (import batch sizes, posted → listed)
_KINDS = (OVERALL, STAGE, DONE, BUCKET, ASIDE)
# The kinds whose windows also keep the intended and wait times.
_THREE_TIMES = (OVERALL, STAGE)
SERVICE, INTENDED, WAIT = "service", "intended", "wait"


def _histogram(digits: int) -> HdrHistogram:
    return HdrHistogram(_LOWEST_US, _HIGHEST_US, digits)


def _micros(millis: float) -> int:
    return min(max(round(millis * 1000), _LOWEST_US), _HIGHEST_US)


@dataclass
class Window:
    """Requests of one name in one window (the whole run, a stage or a time bucket).

    ``histogram`` holds service times; ``intended`` and ``wait`` the times from the
    intended send time and in our pacer (windows that keep them). ``first``/``last``
    span the recorded work (Unix seconds; windows aside).
    """

    digits: int
    requests: int = 0
    failures: int = 0
    throttled: int = 0
    contacts: int = 0
    histogram: HdrHistogram | None = None
    intended: HdrHistogram | None = None
    wait: HdrHistogram | None = None
    first: float | None = None
    last: float | None = None

    def record(
        self, micros: int, *, failed: bool, contacts: int, intended: int | None = None,
        wait: int | None = None,
    ) -> None:
        self.histogram = _into(self.histogram, self.digits, micros)
        if intended is not None:
            self.intended = _into(self.intended, self.digits, intended)
        if wait is not None:
            self.wait = _into(self.wait, self.digits, wait)
        self.requests += 1
        self.failures += failed
        self.contacts += contacts

    def span(self, started: float, ended: float) -> None:
        self.first = started if self.first is None else min(self.first, started)
        self.last = ended if self.last is None else max(self.last, ended)

    def merge(self, other: Window) -> None:
        self.requests += other.requests
        self.failures += other.failures
        self.throttled += other.throttled
        self.contacts += other.contacts
        for attribute in (SERVICE, INTENDED, WAIT):
            theirs = other.times(attribute)
            if theirs is not None:
                mine = self.times(attribute)
                if mine is None:
                    mine = _histogram(self.digits)
                    setattr(self, _ATTRIBUTES[attribute], mine)
                mine.add(theirs)
        if other.first is not None and other.last is not None:
            self.span(other.first, other.last)

    def times(self, which: str = SERVICE) -> HdrHistogram | None:
        histogram: HdrHistogram | None = getattr(self, _ATTRIBUTES[which])
        return histogram

    def percentile_ms(self, percentile: float, which: str = SERVICE) -> float:
        histogram = self.times(which)
        if histogram is None or histogram.get_total_count() == 0:
            return math.nan
        return float(histogram.get_value_at_percentile(percentile)) / 1000.0

    def max_ms(self, which: str = SERVICE) -> float:
        histogram = self.times(which)
        if histogram is None or histogram.get_total_count() == 0:
            return math.nan
        return float(histogram.get_max_value()) / 1000.0

    def min_ms(self, which: str = SERVICE) -> float:
        histogram = self.times(which)
        if histogram is None or histogram.get_total_count() == 0:
            return math.nan
        return float(histogram.get_min_value()) / 1000.0

    def to_wire(self) -> list[Any]:
        encoded = [h.encode() if h is not None else None for h in (self.histogram, self.intended, self.wait)]
        return [self.requests, self.failures, self.throttled, self.contacts, *encoded, self.first, self.last]

    @classmethod
    def from_wire(cls, digits: int, wire: list[Any]) -> Window:
        requests, failures, throttled, contacts, service, intended, wait, first, last = wire
        window = cls(digits, requests, failures, throttled, contacts, first=first, last=last)
        for attribute, encoded in zip(_ATTRIBUTES.values(), (service, intended, wait), strict=True):
            if encoded:
                histogram = _histogram(digits)
                histogram.decode_and_add(encoded)
                setattr(window, attribute, histogram)
        return window


_ATTRIBUTES = {SERVICE: "histogram", INTENDED: "intended", WAIT: "wait"}


def _digits(kind: str) -> int:
    return _OVERALL_DIGITS if kind in (OVERALL, ASIDE) else _WINDOW_DIGITS


def _into(histogram: HdrHistogram | None, digits: int, micros: int) -> HdrHistogram:
    histogram = histogram if histogram is not None else _histogram(digits)
    histogram.record_value(micros)
    return histogram


@dataclass
class Book:
    """All windows of a run (or of one worker since its last report), and its counters."""

    bucket_seconds: int = 1
    windows: dict[tuple[str, int, str], Window] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    # Requests sent to the target (429s included) per wall-clock second: the peak against the ceiling.
    sent: dict[int, int] = field(default_factory=dict)
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
        intended_ms: float | None = None,
        wait_ms: float | None = None,
        sent: bool = True,
        now: float,
    ) -> None:
        """One finished request (``throttled``: a 429 that will be retried, timed apart); ``sent``
        False for an entry that is no request to the target (a job seen done).

        ``millis`` is its service time, ``intended_ms`` the time since its intended
        send time and ``wait_ms`` the time it waited in our pacer, when known.
        ``stage`` is the plan stage the request was meant to start in, ``done_stage``
        the one it finished in (they differ when the target falls behind).
        """
        self.first_seen = now if self.first_seen is None else min(self.first_seen, now)
        self.last_seen = now if self.last_seen is None else max(self.last_seen, now)
        if sent:
            self.sent[int(now)] = self.sent.get(int(now), 0) + 1
        keys = [(OVERALL, 0, name), (BUCKET, int(now // self.bucket_seconds), name)]
        if stage is not None:
            keys.append((STAGE, stage, name))
        for key in keys:
            window = self._window(key)
            if throttled:
                window.throttled += 1
                continue
            three = key[0] in _THREE_TIMES
            window.record(
                _micros(millis), failed=failed, contacts=contacts,
                intended=_micros(intended_ms) if three and intended_ms is not None else None,
                wait=_micros(wait_ms) if three and wait_ms is not None else None,
            )
        if done_stage is not None and not throttled:
            self._window((DONE, done_stage, name)).requests += 1

    def aside(self, name: str, millis: float, *, contacts: int = 0, failed: bool = False,
              started: float, now: float) -> None:
        """Work that is an answer, not a request: its time, contacts and span (Unix seconds)."""
        window = self._window((ASIDE, 0, name))
        window.record(_micros(millis), failed=failed, contacts=contacts)
        window.span(started, now)

    def count(self, name: str, amount: int = 1) -> None:
        self.counters[name] = self.counters.get(name, 0) + amount

    def _window(self, key: tuple[str, int, str]) -> Window:
        window = self.windows.get(key)
        if window is None:
            window = self.windows[key] = Window(_digits(key[0]))
        return window

    def to_wire(self) -> dict[str, Any]:
        """A msgpack-friendly copy (locust's report messages are msgpack)."""
        return {
            "bucket_seconds": self.bucket_seconds,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "counters": dict(self.counters),
            "sent": [[second, count] for second, count in self.sent.items()],
            "windows": [
                [kind, index, name, window.to_wire()] for (kind, index, name), window in self.windows.items()
            ],
        }

    def merge_wire(self, wire: Mapping[str, Any]) -> None:
        for kind, index, name, payload in wire["windows"]:
            if kind not in _KINDS:
                raise ValueError(f"unknown window kind {kind!r} in a worker report")
            self._window((kind, int(index), name)).merge(Window.from_wire(_digits(kind), payload))
        for name, amount in wire.get("counters", {}).items():
            self.count(name, int(amount))
        for second, count in wire.get("sent", []):
            self.sent[int(second)] = self.sent.get(int(second), 0) + int(count)
        for attribute, pick in (("first_seen", min), ("last_seen", max)):
            theirs = wire.get(attribute)
            if theirs is not None:
                mine = getattr(self, attribute)
                setattr(self, attribute, theirs if mine is None else pick(mine, theirs))

    def clear(self) -> None:
        self.windows.clear()
        self.counters.clear()
        self.sent.clear()
        self.first_seen = self.last_seen = None

    def names(self) -> list[str]:
        return sorted({name for kind, _, name in self.windows if kind == OVERALL})

    def overall(self) -> dict[str, Window]:
        return {name: window for (kind, _, name), window in self.windows.items() if kind == OVERALL}

    def asides(self) -> dict[str, Window]:
        return {name: window for (kind, _, name), window in self.windows.items() if kind == ASIDE}

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
