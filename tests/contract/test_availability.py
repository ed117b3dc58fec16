"""Outages are not the vendor's answers: the send path's decisions after a failed attempt.

``send_paced`` with a watch (``http.availability``), on scripted answers and a
fake clock: what is sent again, after which pause, what gives up, and what each
request that did not get a usable answer is filed as.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable, Iterator

import httpx
import pytest

from dialer_suite.http.availability import (
    SERVER_ERROR,
    UNAVAILABLE,
    Availability,
    TargetUnavailable,
    Unanswered,
    backoff,
    transport_failure,
)
from dialer_suite.http.send import send_paced
from dialer_suite.http.throttle import SpacedThrottle

Script = list[int | Unanswered]
REFUSED = Unanswered("connection refused", "", sent=False)
RESET = Unanswered("connection reset", "", sent=True)


class FakeTime:
    """A clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def _availability(fake_time: FakeTime, probes: Iterator[bool] | None, limit: float = 60.0) -> Availability:
    probe: Callable[[str], bool] | None = (lambda path: next(probes)) if probes is not None else None
    return Availability(limit, probe, clock=fake_time.clock, sleep=fake_time.sleep,
                        wall=lambda: fake_time.now)


def _send(availability: Availability, script: Script, method: str = "GET") -> tuple[int, int]:
    """Send through the loop; (the status that stood, attempts made)."""
    answers = iter(script)
    attempts = 0

    def attempt() -> int:
        nonlocal attempts
        attempts += 1
        answer = next(answers)
        if isinstance(answer, Unanswered):
            raise answer
        return answer

    status = send_paced(attempt, throttle=SpacedThrottle(1e9), status=lambda s: s,
                        retry_after=lambda s: None,
                        watch=availability.watch(method, "/outbound_dialer/campaigns/1/contacts"))
    return status, attempts


def test_a_burst_of_503_across_operations_is_waited_out_and_reported_with_times(fake_time: FakeTime) -> None:
    availability = _availability(fake_time, probes=iter([False]))
    assert _send(availability, [503, 503, 503, 200]) == (200, 4)
    assert fake_time.slept == [backoff(1), backoff(2), backoff(3)]
    (outage,) = availability.outages
    assert outage.ended is not None and outage.failures == {"503": 3}
    assert availability.verdicts == [] and availability.gave_up is None
    assert "(4 s): 3 attempt(s) failed (503×3)" in outage.line()


def test_a_post_answered_503_was_not_processed_and_is_sent_again(fake_time: FakeTime) -> None:
    availability = _availability(fake_time, probes=iter([False]))
    assert _send(availability, [503, 200], method="POST") == (200, 2)


def test_a_post_refused_before_sending_is_sent_again(fake_time: FakeTime) -> None:
    availability = _availability(fake_time, probes=iter([False]))
    assert _send(availability, [REFUSED, REFUSED, 200], method="POST") == (200, 3)


def test_a_post_that_may_have_been_processed_is_never_sent_again_and_files_its_test_unavailable(
    fake_time: FakeTime,
) -> None:
    availability = _availability(fake_time, probes=iter([False]))
    with pytest.raises(TargetUnavailable, match="connection reset; the target is down"):
        _send(availability, [RESET, 200], method="POST")
    assert [v.kind for v in availability.verdicts] == [UNAVAILABLE]


def test_a_5xx_one_read_keeps_getting_while_the_target_answers_is_a_vendor_server_error(
    fake_time: FakeTime,
) -> None:
    availability = _availability(fake_time, probes=iter([True]))
    assert _send(availability, [500, 500, 500, 200]) == (500, 3)
    assert [v.kind for v in availability.verdicts] == [SERVER_ERROR]
    assert availability.outages == [] and availability.probes == 1


def test_a_write_answered_500_while_the_target_answers_is_a_vendor_server_error_at_once(
    fake_time: FakeTime,
) -> None:
    availability = _availability(fake_time, probes=iter([True]))
    assert _send(availability, [500, 200], method="PATCH") == (500, 1)
    assert [v.kind for v in availability.verdicts] == [SERVER_ERROR]


def test_501_is_an_answer_not_an_outage(fake_time: FakeTime) -> None:
    availability = _availability(fake_time, probes=None)
    assert _send(availability, [501]) == (501, 1)
    assert availability.probes == 0 and availability.verdicts == []


def test_an_outage_past_the_limit_gives_up_and_later_requests_get_one_attempt(fake_time: FakeTime) -> None:
    availability = _availability(fake_time, probes=iter([False]), limit=10.0)
    with pytest.raises(TargetUnavailable, match="no usable answer for 10 s"):
        _send(availability, [503] * 20)
    assert fake_time.now - 1000.0 == pytest.approx(10.0)
    assert availability.gave_up is not None
    with pytest.raises(TargetUnavailable, match="gave up waiting"):
        _send(availability, [REFUSED, 200], method="GET")
    assert _send(availability, [200]) == (200, 1), "a target that is back answers the cleanup"


def test_without_a_watch_the_first_5xx_is_the_answer() -> None:
    answer = send_paced(lambda: 503, throttle=SpacedThrottle(1e9), status=lambda s: s,
                        retry_after=lambda s: None)
    assert answer == 503


@pytest.mark.parametrize(("error", "kind"), [
    (httpx.ConnectError("x"), "connection failed"),
    (OSError(socket.gaierror(-2, "Name or service not known")), "DNS lookup failed"),
    (ConnectionRefusedError(111, "Connection refused"), "connection refused"),
    (ssl.SSLError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"), "TLS handshake failed"),
    (httpx.ReadTimeout("timed out"), "timed out"),
    (httpx.RemoteProtocolError("Server disconnected without sending a response."), "connection reset"),
])
def test_a_transport_failure_says_what_failed(error: Exception, kind: str) -> None:
    assert transport_failure(error, sent=True).kind == kind


def test_a_transport_failure_finds_the_cause_a_library_wrapped() -> None:
    try:
        try:
            raise ConnectionRefusedError(111, "Connection refused")
        except ConnectionRefusedError as refused:
            raise httpx.ConnectError("wrapped") from refused
    except httpx.ConnectError as error:
        assert transport_failure(error, sent=False).kind == "connection refused"
