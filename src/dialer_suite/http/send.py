"""The one send path: wait for the throttle, send, and retry a 429 after its ``Retry-After``.

The scenario client (httpx), the schemathesis session (requests) and the
locust users (geventhttpclient) each wrap one attempt of their own library in
a function; this loop is the only place that decides when to send again.
Bounded: a target that keeps answering 429 gets ``RETRIES.attempts`` tries,
each wait at most ``RETRIES.max_retry_after`` seconds, and its last 429 is the
answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

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
) -> Response:
    """Run ``attempt`` in the throttle's turn; on a 429 tell the throttle and try again (bounded).

    ``status`` and ``retry_after`` read the status code and the ``Retry-After``
    header of whatever ``attempt`` returns. With ``retry_429`` False the first
    answer is returned whatever it is (a burst that wants to see the 429s).
    """
    tries = policy.attempts if retry_429 else 1
    for number in range(1, tries + 1):
        throttle.acquire()
        response = attempt()
        if status(response) != 429:
            throttle.succeeded()
            return response
        throttle.throttled(retry_after_seconds(retry_after(response), limit=policy.max_retry_after))
        if number == tries:
            return response
    raise AssertionError("unreachable: the loop returns on its last try")
