"""The pacer spaces requests under the configured rate, whoever sends them."""

from __future__ import annotations

from dialer_suite.pacing import HEADROOM, Pacer, pacer_for


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
