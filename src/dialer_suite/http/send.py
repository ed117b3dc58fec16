"""The one send path: wait for the throttle, send, retry a 429 after its ``Retry-After``, and
ride out an outage.

The scenario client (httpx), the schemathesis session (requests) and the
locust users (geventhttpclient) each wrap one attempt of their own library in
a function; this loop is the only place that decides when to send again.

- A 429 is tried again after its ``Retry-After``: ``RETRIES.attempts`` tries at
  most, each wait at most ``RETRIES.max_retry_after`` seconds; the last 429 is
  the answer.
- With a ``watch`` (``availability.RequestWatch``), an attempt that got no
  answer (the wrapper raises ``availability.Unanswered``) or a 5xx is the
  watch's to judge: sent again after a pause while the target is down and the
  request may be resent, the 5xx kept as a vendor server error when the target
  answers other requests, or ``availability.TargetUnavailable`` raised.
  Without one (the load users, which count failures themselves), the first
  answer stands.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from dialer_suite.http.availability import Failure, RequestWatch, Unanswered, is_outage_status
from dialer_suite.http.throttle import MAX_RETRY_AFTER, Throttle, retry_after_seconds

Response = TypeVar("Response")


@dataclass(frozen=True)
class RetryPolicy:
    """How often a 429 is tried again, and the longest ``Retry-After`` honoured."""

    attempts: int = 4
    max_retry_after: float = MAX_RETRY_AFTER


RETRIES = RetryPolicy()


def send_paced(
    attempt: Callable[[], Response],
    *,
    throttle: Throttle,
    status: Callable[[Response], int],
    retry_after: Callable[[Response], str | None],
    retry_429: bool = True,
    policy: RetryPolicy = RETRIES,
    watch: RequestWatch | None = None,
) -> Response:
    """Run ``attempt`` in the throttle's turn until it is answered for good (bounded).

    ``status`` and ``retry_after`` read the status code and the ``Retry-After``
    header of whatever ``attempt`` returns. With ``retry_429`` False the first
    429 is the answer (a burst that wants to see the 429s).
    """
    throttled = 0
    while True:
        throttle.acquire()
        try:
            response = attempt()
        except Unanswered as unanswered:
            if watch is None:
                raise
            watch.after(Failure(unanswered.kind, processed=unanswered.sent))
            continue  # ``after`` raises rather than give up on an unanswered request
        code = status(response)
        if code == 429:
            throttled += 1
            throttle.throttled(retry_after_seconds(retry_after(response), limit=policy.max_retry_after))
            if retry_429 and throttled < policy.attempts:
                continue
            return response
        throttle.succeeded()
        if watch is not None and is_outage_status(code):
            if watch.after(Failure(str(code), processed=code != 503, status=code)):
                continue
            return response
        if watch is not None:
            watch.answered()
        return response
