"""One operation's request through the suite's one send path, as locust records it.

``call`` hands ``dialer_suite.http.send.send_paced`` one attempt: it waits for
the run's throttle, sends with locust's ``catch_response``, and on a 429 holds
for ``Retry-After`` and tries again (bounded by ``send.RETRIES``). Each attempt
is one entry in locust's statistics: a 429 is a success counted apart
(``<name> (429 throttled)``, ``throttled`` in the HDR book), any other answer
is judged by the operation's check.

Three times per attempt, so that our own queueing never passes for the
target's: locust's own response time is the **service** time (request sent →
answer) and stays what locust's tables show; the time from the ticket's
**intended** send time (or from the call, for a request the plan does not
pace) and the **wait** in our throttle (``Retry-After`` holds included) go to
the HDR book through the request's context. Retries after a 429 are counted,
and whether they were throttled again: the stress answer says from these
whether waiting the ``Retry-After`` got a request through.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from dialer_suite.http.jobs import JobIdProblem, locate_job_id
from dialer_suite.http.send import send_paced
from dialer_suite.load.arrivals import Ticket
from dialer_suite.load.locust.run import LoadRun
from dialer_suite.load.names import RETRIED_THROTTLED, RETRIES, THROTTLED, WITH_RETRY_AFTER

# (status, parsed body, headers) -> what is wrong with the response, or None.
Check = Callable[[int, Any, Any], str | None]
# Sends one request with catch_response=True; locust's response context manager.
Send = Callable[[], AbstractContextManager[Any]]


@dataclass(frozen=True)
class Answer:
    """One attempt's response: status, parsed JSON body (None if not JSON), headers, and whether
    it passed its check (a 429 never does)."""

    status: int
    body: Any
    headers: Any
    passed: bool


def request(run: LoadRun, client: Any, method: str, suffix: str, operation: str, **kwargs: Any) -> Send:
    """A ``Send`` of ``method`` on the run's campaign path ``suffix``, named ``operation``."""
    url = run.campaign_path(suffix)
    return lambda: client.request(
        method, url, name=operation, headers=run.headers, catch_response=True, **kwargs
    )


@dataclass
class _Timing:
    """One operation's clock: when its last attempt ended, the pacer wait so far, attempts made."""

    mark: float
    waited: float = 0.0
    attempts: int = 0


def call(
    run: LoadRun,
    send: Send,
    operation: str,
    check: Check,
    *,
    ticket: Ticket | None = None,
    contacts: int = 0,
) -> Answer | None:
    """Send through the throttle, honour 429s, time from ``ticket``; the answer if it passed."""
    began = time.monotonic()
    timing = _Timing(began)
    start = ticket.intended if ticket is not None else began

    def attempt() -> Answer:
        sent = time.monotonic()
        timing.waited += sent - timing.mark
        retry, timing.attempts = timing.attempts > 0, timing.attempts + 1
        with send() as response:
            timing.mark = time.monotonic()
            meta = response.request_meta
            meta["context"] = {
                **meta.get("context", {}), "operation": operation, "contacts": contacts,
                "intended_ms": (timing.mark - start) * 1000, "wait_ms": timing.waited * 1000,
            }
            if ticket is not None:
                meta["context"]["stage"] = ticket.stage
            if retry:
                run.book.count(RETRIES)
            if response.status_code == 429:
                _throttled(run, response, retry)
                return Answer(429, None, response.headers, passed=False)
            body = _json(response)
            problem = check(response.status_code, body, response.headers)
            if problem is None:
                response.success()
            else:
                response.failure(problem)
            return Answer(response.status_code, body, response.headers, passed=problem is None)

    answer = send_paced(
        attempt,
        throttle=run.throttle,
        status=lambda answer: answer.status,
        retry_after=lambda answer: answer.headers.get("Retry-After"),
    )
    return answer if answer.passed else None


def _throttled(run: LoadRun, response: Any, retry: bool) -> None:
    """A 429: a success of its own name in locust's table, counted apart in the book."""
    meta = response.request_meta
    meta["context"]["throttled"] = True
    meta["name"] = f"{meta['context']['operation']} (429 throttled)"
    response.success()
    run.book.count(THROTTLED)
    if response.headers.get("Retry-After") is not None:
        run.book.count(WITH_RETRY_AFTER)
    if retry:
        run.book.count(RETRIED_THROTTLED)


def _json(response: Any) -> Any:
    try:
        return json.loads(response.content or b"null")
    except ValueError:
        return None


# -- the checks of the operations ------------------------------------------------------------


def expect(status: int) -> Check:
    """A check that wants ``status`` and says what came instead."""

    def check(actual: int, body: Any, _headers: Any) -> str | None:
        if actual == status:
            return None
        detail = body.get("error") if isinstance(body, dict) else None
        return f"expected {status}, got {actual}" + (f" ({detail})" if detail else "")

    return check


def stored(status: int, body: Any, headers: Any) -> str | None:
    """An add is done only when the contact was stored (listed in valid_contacts)."""
    if status != 200:
        return expect(200)(status, body, headers)
    if not isinstance(body, dict) or len(body.get("valid_contacts") or []) != 1:
        refused = body.get("invalid_contacts") if isinstance(body, dict) else body
        return f"contact not stored: {str(refused)[:120]}"
    return None


def a_list(status: int, body: Any, headers: Any) -> str | None:
    if status != 200:
        return expect(200)(status, body, headers)
    return None if isinstance(body, list) else f"list body is not an array: {str(body)[:80]}"


def accepted_job(status: int, body: Any, headers: Any) -> str | None:
    """A 202 that names exactly one job."""
    if status != 202:
        return expect(202)(status, body, headers)
    try:
        locate_job_id(body, headers)
    except JobIdProblem as problem:
        return str(problem)
    return None


def a_job(status: int, body: Any, headers: Any) -> str | None:
    if status != 200:
        return expect(200)(status, body, headers)
    if not isinstance(body, dict) or body.get("status") not in ("in_progress", "completed", "failed"):
        return f"job body is not a job: {str(body)[:80]}"
    return None
