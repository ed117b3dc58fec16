"""The load suite's rate ceiling: ``http.throttle.AdaptiveThrottle`` as the locust users use it."""

from __future__ import annotations

import pytest

from dialer_suite.http.throttle import AdaptiveThrottle


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_ceiling_spaces_requests_and_holds_for_retry_after() -> None:
    clock = FakeClock()
    ceiling = AdaptiveThrottle(10.0, clock=clock)
    assert [round(ceiling.reserve(), 6) for _ in range(3)] == [0.0, 0.1, 0.2]
    clock.now += 1.0
    ceiling.hold(2.0)
    assert ceiling.reserve() == pytest.approx(2.0)


def test_no_ceiling_still_honours_retry_after() -> None:
    clock = FakeClock()
    ceiling = AdaptiveThrottle(None, clock=clock)
    assert ceiling.reserve() == 0.0
    ceiling.hold(1.5)
    assert ceiling.reserve() == pytest.approx(1.5)


def test_a_429_halves_the_rate_and_successes_raise_it_back_to_the_ceiling() -> None:
    clock = FakeClock()
    ceiling = AdaptiveThrottle(10.0, clock=clock)
    ceiling.throttled(1.0)
    assert ceiling.rate == 5.0
    ceiling.throttled(1.0)  # another response of the same burst: one decrease per hold
    assert ceiling.rate == 5.0
    for _ in range(200):
        ceiling.succeeded()
    assert ceiling.rate == 10.0


def test_without_a_ceiling_a_429_limits_to_half_the_recent_rate() -> None:
    clock = FakeClock()
    ceiling = AdaptiveThrottle(None, clock=clock)
    for _ in range(40):  # 40 requests/s for two seconds
        ceiling.reserve()
        clock.now += 0.025
    for _ in range(40):
        ceiling.reserve()
        clock.now += 0.025
    ceiling.throttled(1.0)
    assert ceiling.rate == pytest.approx(20.0, rel=0.05)
    assert ceiling.reserve() == pytest.approx(1.0, abs=0.05)


def test_acquire_waits_with_the_sleep_it_was_given() -> None:
    """The locust users hand it gevent.sleep: a wait for the ceiling yields to other users."""
    clock = FakeClock()
    slept: list[float] = []
    ceiling = AdaptiveThrottle(10.0, clock=clock, sleep=slept.append)
    ceiling.acquire()
    ceiling.acquire()
    assert slept == [pytest.approx(0.1)]
