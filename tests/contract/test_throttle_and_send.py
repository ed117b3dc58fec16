"""The throttles space requests under the configured rate; the send path retries 429s, bounded."""

from __future__ import annotations

import email.utils

import pytest

from dialer_suite.http.send import RETRIES, send_paced
from dialer_suite.http.throttle import (
    HEADROOM,
    MAX_RETRY_AFTER,
    SpacedThrottle,
    retry_after_seconds,
    shared_throttle,
)


def test_requests_are_spaced_at_the_paced_interval() -> None:
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    throttle = SpacedThrottle(10.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        throttle.acquire()
    interval = 1 / (10.0 * HEADROOM)
    assert [round(w, 6) for w in waits] == [round(interval, 6)] * 4


def test_no_more_than_the_limit_in_any_second() -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    throttle = SpacedThrottle(10.0, clock=lambda: now[0], sleep=sleep)
    times = []
    for _ in range(40):
        throttle.acquire()
        times.append(now[0])
    assert max(sum(1 for t in times if start <= t < start + 1.0) for start in times) <= 10


def test_one_throttle_per_target() -> None:
    assert shared_throttle("http://a.test", 10.0) is shared_throttle("http://a.test", 10.0)
    assert shared_throttle("http://a.test", 10.0) is not shared_throttle("http://b.test", 10.0)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("3", 3.0), (None, 1.0), ("soon", 1.0), ("100000", MAX_RETRY_AFTER)],
)
def test_retry_after_is_read_and_bounded(header: str | None, seconds: float) -> None:
    assert retry_after_seconds(header) == seconds


def test_retry_after_is_bounded_by_the_callers_limit() -> None:
    assert retry_after_seconds("100000", limit=60.0) == 60.0


def test_retry_after_accepts_an_http_date() -> None:
    now = 1_700_000_000.0
    header = email.utils.formatdate(now + 4, usegmt=True)
    assert retry_after_seconds(header, now=now) == pytest.approx(4.0)


class _Fake:
    """A throttle that remembers what the send path told it."""

    def __init__(self) -> None:
        self.turns = 0
        self.holds: list[float] = []
        self.successes = 0

    def acquire(self) -> float:
        self.turns += 1
        return 0.0

    def throttled(self, retry_after: float) -> None:
        self.holds.append(retry_after)

    def succeeded(self) -> None:
        self.successes += 1


def _send(answers: list[tuple[int, str | None]], **kwargs: object) -> tuple[tuple[int, str | None], _Fake]:
    throttle = _Fake()
    queue = iter(answers)
    answer = send_paced(lambda: next(queue), throttle=throttle, status=lambda a: a[0],
                        retry_after=lambda a: a[1], **kwargs)  # type: ignore[arg-type]
    return answer, throttle


def test_a_429_is_tried_again_after_its_retry_after() -> None:
    answer, throttle = _send([(429, "2"), (200, None)])
    assert answer == (200, None)
    assert (throttle.turns, throttle.holds, throttle.successes) == (2, [2.0], 1)


def test_a_target_stuck_in_429_gets_a_bounded_number_of_tries() -> None:
    answer, throttle = _send([(429, "1")] * 10)
    assert answer[0] == 429
    assert throttle.turns == RETRIES.attempts


def test_without_retries_the_first_429_is_the_answer_and_still_holds_the_throttle() -> None:
    answer, throttle = _send([(429, "3"), (200, None)], retry_429=False)
    assert answer == (429, "3")
    assert (throttle.turns, throttle.holds) == (1, [3.0])


def test_a_retry_after_past_the_bound_is_cut_to_it() -> None:
    _, throttle = _send([(429, "100000"), (200, None)])
    assert throttle.holds == [RETRIES.max_retry_after]
