"""Is the target there? Outages told apart from the vendor's answers, timed, and waited out (bounded).

"Vendor broke its documented contract" must mean exactly that, never "the VPN
is down". So the send path (``send.send_paced``) hands every attempt that got
no usable answer — no answer at all (connection refused or reset, DNS, TLS, a
timeout) or a 5xx — to the target's ``Availability``, which decides:

- **Is it the target, or this request?** One probe (a cheap read of another
  operation, ``Probe``) tells: when the target answers it, the failure is this
  request's own; when the probe fails too, the target is down and an outage
  starts (its times and counts go to the run report).
- **Send it again?** A request is sent again only when that cannot do twice
  what the vendor did once: a read (GET), or any request the failure shows was
  not processed (no connection was made; a 503 answer). During an outage those
  wait for the target with a growing pause (``backoff``) until it answers or
  the outage has lasted ``limit`` seconds; then the availability *gives up*
  (``gave_up``), the run stops and every later request gets one attempt only.
- **What is it filed as?** A request that cannot be sent again during an
  outage, or that outlives the limit, raises ``TargetUnavailable``: the test
  is filed as "target unavailable", never as the vendor's behaviour. A 5xx that
  one request gets again and again while the target answers others is the
  vendor's own bug, "vendor server error": the answer stands and its test fails
  as that (``SERVER_ERROR`` in ``verdicts``).
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from dialer_suite.errors import TargetNotUsable

UNAVAILABLE = "target unavailable"
SERVER_ERROR = "vendor server error"
# Methods that change nothing (RFC 9110 "safe"): sending one again cannot do anything twice.
# DELETE and PATCH are idempotent in effect, but a second DELETE of a processed first is
# answered 404, which a test would take for the vendor's behaviour.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# 5xx answers that say "not now" rather than "never": 501 and 505 are definite answers.
_DEFINITE_5XX = frozenset({501, 505})
# A 503 says the request was not processed (RFC 9110 15.6.4): any method may be sent again.
_NOT_PROCESSED = 503
# A request the target keeps failing while it answers others: this many attempts, then the
# answer stands (a vendor server error) — "again and again", not one blip.
SAME_REQUEST_ATTEMPTS = 3
_FIRST_PAUSE = 0.5
_LONGEST_PAUSE = 8.0

Clock = Callable[[], float]
Sleep = Callable[[float], None]
# probe(path of the failing request) -> True when the target answered another request below 500.
Probe = Callable[[str], bool]


def is_outage_status(status: int) -> bool:
    """A 5xx that may pass (everything but 501 and 505)."""
    return 500 <= status <= 599 and status not in _DEFINITE_5XX


def backoff(failures: int) -> float:
    """The pause before the next attempt after ``failures`` failed ones: 0.5 s, doubling, at most 8 s."""
    return min(_FIRST_PAUSE * 2 ** max(failures - 1, 0), _LONGEST_PAUSE)


class Unanswered(Exception):
    """An attempt that got no answer. ``sent`` False: no connection was made, so the target
    cannot have processed the request (any method may be sent again)."""

    def __init__(self, kind: str, detail: str, *, sent: bool) -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail
        self.sent = sent


def transport_failure(error: BaseException, *, sent: bool) -> Unanswered:
    """``error`` of any HTTP library as an ``Unanswered`` naming what failed: DNS, connection
    refused or reset, TLS, timeout (the causes it wraps are searched, whatever the library)."""
    chain = list(_causes(error))
    names = " ".join(type(e).__name__ for e in chain).lower()
    text = " ".join(str(e) for e in chain).lower()
    if any(isinstance(e, socket.gaierror) for e in chain) or "nameresolution" in names or any(
            hint in text for hint in ("name or service not known", "nodename nor servname",
                                      "name resolution", "getaddrinfo failed")):
        kind = "DNS lookup failed"
    elif any(isinstance(e, ConnectionRefusedError) for e in chain) or "connection refused" in text:
        kind = "connection refused"
    elif any(isinstance(e, ssl.SSLError) for e in chain) or "ssl" in names or "certificate" in text:
        kind = "TLS handshake failed"
    elif any(isinstance(e, TimeoutError) for e in chain) or "timeout" in names or "timed out" in text:
        kind = "timed out"
    elif any(isinstance(e, ConnectionResetError) for e in chain) or "reset" in text or \
            "disconnected" in text or "remoteprotocol" in names:
        kind = "connection reset"
    else:
        kind = "connection failed"
    return Unanswered(kind, f"{type(error).__name__}: {error}"[:300], sent=sent)


def _causes(error: BaseException) -> Iterator[BaseException]:
    """``error``, what it was raised from, and exceptions it carries as arguments (urllib3's
    ``MaxRetryError.reason``, requests' wrapped errors)."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [e for e in (current.__cause__, current.__context__, getattr(current, "reason", None),
                                *current.args) if isinstance(e, BaseException)]


class TargetUnavailable(TargetNotUsable):
    """The target gave no usable answer and the request cannot, or need not, be sent again.

    A ``BaseException`` (``errors.TargetNotUsable``): it is about the target, not the
    code under test, so no ``except Exception`` on its way (hypothesis shrinking a
    generated example, a retry wrapper of a library) may take it for a failed check
    and try again against a target that is down. pytest still reports it, and the
    suite files the test as "target unavailable"; a command it escapes ends with one
    line and exit code 69.
    """


@dataclass
class Outage:
    """A time the target answered nothing usable: when, how long, what the attempts got."""

    started: float  # wall clock
    ended: float | None = None
    failures: Counter[str] = field(default_factory=Counter)

    def line(self, now: float | None = None) -> str:
        """``12:00:01–12:00:21 UTC (20 s): 7 attempt(s) failed (503×5, connection refused×2)``."""
        end = self.ended if self.ended is not None else (time.time() if now is None else now)
        until = _clock_time(end) if self.ended is not None else "not over"
        counts = ", ".join(f"{kind}×{count}" for kind, count in self.failures.most_common())
        return (f"{_clock_time(self.started)}–{until} UTC ({end - self.started:.0f} s): "
                f"{sum(self.failures.values())} attempt(s) failed ({counts})")


def _clock_time(wall: float) -> str:
    return datetime.fromtimestamp(wall, UTC).strftime("%H:%M:%S")


@dataclass(frozen=True)
class Verdict:
    """What a request that did not get a usable answer was filed as, and why."""

    kind: str  # UNAVAILABLE or SERVER_ERROR
    request: str  # "POST /outbound_dialer/campaigns/11/contacts"
    why: str


class Availability:
    """One target's availability as a run sees it; thread-safe (several senders share it).

    ``limit``: how many seconds an outage is waited out before the run gives up;
    ``probe``: reads another operation to tell an outage from one request's
    failure (without one, every failure is taken for an outage).
    """

    def __init__(self, limit: float, probe: Probe | None = None, *, clock: Clock = time.monotonic,
                 sleep: Sleep = time.sleep, wall: Clock = time.time) -> None:
        self.limit = limit
        self.probe = probe
        self.outages: list[Outage] = []
        self.verdicts: list[Verdict] = []
        self.probes = 0
        # Why the run stopped waiting for the target (None while it waits).
        self.gave_up: str | None = None
        self._clock = clock
        self._sleep = sleep
        self._wall = wall
        self._down_since: float | None = None
        self._lock = threading.Lock()

    @property
    def down(self) -> bool:
        return self._down_since is not None

    def watch(self, method: str, path: str) -> RequestWatch:
        """The decisions about one request (``send_paced`` asks it after each failed attempt)."""
        return RequestWatch(self, method.upper(), path)

    def answered(self) -> None:
        """An attempt got a usable answer: an outage, if any, is over."""
        if self._down_since is None:
            return
        with self._lock:
            if self._down_since is not None:
                self._down_since = None
                self.outages[-1].ended = self._wall()

    def _failed(self, what: str) -> None:
        with self._lock:
            if self._down_since is not None:
                self.outages[-1].failures[what] += 1

    def _healthy(self, path: str) -> bool:
        """Whether the target answers a probe of another operation (counted in ``probes``)."""
        if self.probe is None:
            return False
        with self._lock:
            self.probes += 1
        return self.probe(path)

    def _begin(self, what: str, since: float) -> None:
        """An outage began ``since`` (the monotonic time the request that found it first failed)."""
        with self._lock:
            if self._down_since is None:
                self._down_since = since
                self.outages.append(Outage(self._wall() - (self._clock() - since)))
            self.outages[-1].failures[what] += 1

    def _down_for(self) -> float:
        since = self._down_since
        return 0.0 if since is None else self._clock() - since

    def _file(self, kind: str, request: str, why: str) -> None:
        with self._lock:
            self.verdicts.append(Verdict(kind, request, why))

    def give_up(self, why: str) -> None:
        with self._lock:
            self.gave_up = self.gave_up or why

    def outage_line(self) -> str:
        """The current (or last) outage in one line, for messages."""
        return self.outages[-1].line(self._wall()) if self.outages else "no outage"


@dataclass(frozen=True)
class Failure:
    """One failed attempt: what it got (a 5xx status, or no answer) and whether the target can
    have processed it."""

    what: str  # "503", "connection refused"
    processed: bool  # False when the failure shows it was not
    status: int | None = None


class RequestWatch:
    """One request's failed attempts, and what to do after each (``after``)."""

    def __init__(self, availability: Availability, method: str, path: str) -> None:
        self.availability = availability
        self.method = method
        self.path = path
        self.failures = 0
        # The target answered a probe after this request's first failure: later ones are its own.
        self._target_answers = False
        self._first_failed: float | None = None

    @property
    def request(self) -> str:
        return f"{self.method} {self.path}"

    def answered(self) -> None:
        self.availability.answered()

    def after(self, failure: Failure) -> bool:
        """Whether to send the request again (after waiting for it here); False when the 5xx it
        got stands as the vendor's answer (a vendor server error). Raises ``TargetUnavailable``
        when the request must not, or need not, be sent again."""
        target = self.availability
        self.failures += 1
        if self._first_failed is None:
            self._first_failed = target._clock()
        resendable = self.method in SAFE_METHODS or not failure.processed
        if target.gave_up is not None:
            target._failed(failure.what)
            raise self._unavailable(failure, f"the run gave up waiting for the target: {target.gave_up}")
        if not target.down:
            self._target_answers = self._target_answers or target._healthy(self.path)
            if self._target_answers:
                return self._own_failure(failure, resendable)
            target._begin(failure.what, self._first_failed)
        else:
            target._failed(failure.what)
        if not resendable:
            raise self._unavailable(failure, "the target is down, and the request may have been "
                                    "processed, so it is not sent again")
        waited = target._down_for()
        if waited >= target.limit:
            why = f"no usable answer for {waited:.0f} s ({target.outage_line()})"
            target.give_up(why)
            raise self._unavailable(failure, why)
        target._sleep(min(backoff(self.failures), target.limit - waited))
        return True

    def _own_failure(self, failure: Failure, resendable: bool) -> bool:
        """The target answers other requests: this one fails on its own."""
        if resendable and self.failures < SAME_REQUEST_ATTEMPTS:
            self.availability._sleep(backoff(self.failures))
            return True
        if failure.status is None:
            raise self._unavailable(failure, "no answer to this request, while the target answers "
                                    "others (a dropped connection)")
        self.availability._file(SERVER_ERROR, self.request, f"answered {failure.status} "
                                f"{self.failures} time(s) while the target answers other requests")
        return False

    def _unavailable(self, failure: Failure, why: str) -> TargetUnavailable:
        self.availability._file(UNAVAILABLE, self.request, f"{failure.what}: {why}")
        return TargetUnavailable(f"{UNAVAILABLE}: {self.request}: {failure.what}; {why}")
