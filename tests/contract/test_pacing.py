"""The pacer spaces requests under the configured rate, whoever sends them."""

from __future__ import annotations

import email.utils

import pytest

from dialer_suite.http.throttle import HEADROOM, MAX_RETRY_AFTER, Pacer, pacer_for, retry_after_seconds


def test_requests_are_spaced_at_the_paced_interval() -> None:
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    pacer = Pacer(10.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        pacer.acquire()
    interval = 1 / (10.0 * HEADROOM)
    assert [round(w, 6) for w in waits] == [round(interval, 6)] * 4


def test_no_more_than_the_limit_in_any_second() -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    pacer = Pacer(10.0, clock=lambda: now[0], sleep=sleep)
    times = []
    for _ in range(40):
        pacer.acquire()
        times.append(now[0])
    assert max(sum(1 for t in times if start <= t < start + 1.0) for start in times) <= 10


def test_one_pacer_per_target() -> None:
    assert pacer_for("http://a.test", 10.0) is pacer_for("http://a.test", 10.0)
    assert pacer_for("http://a.test", 10.0) is not pacer_for("http://b.test", 10.0)


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
