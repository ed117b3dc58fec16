"""The open-model pacer and the rate ceiling."""

from __future__ import annotations

import itertools

import pytest

from dialer_suite.load.pacing import Ceiling, Pacer
from dialer_suite.load.profiles import Plan, Stage


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _plan(*stages: tuple[float, float]) -> Plan:
    return Plan(
        "steady", "add_contact", tuple(Stage(r, s, f"s{i}") for i, (r, s) in enumerate(stages)), users=4
    )


def _all_tickets(pacer: Pacer) -> list:
    tickets = []
    while (ticket := pacer.next_ticket()) is not None:
        tickets.append(ticket)
        assert len(tickets) < 100_000, "the pacer never ended"
    return tickets


def test_tickets_are_spaced_at_the_plans_rate_from_the_start() -> None:
    clock = FakeClock()
    pacer = Pacer(_plan((10.0, 2.0)), clock=clock)
    pacer.start()
    tickets = _all_tickets(pacer)
    assert len(tickets) == 20
    assert [round(t.intended - 1000.0, 6) for t in tickets[:3]] == [0.0, 0.1, 0.2]


def test_tickets_do_not_wait_for_slow_responses() -> None:
    """Intended times depend on the plan only: a slow server cannot push them back."""
    clock = FakeClock()
    pacer = Pacer(_plan((10.0, 1.0)), clock=clock)
    pacer.start()
    first = pacer.next_ticket()
    clock.now += 5.0  # a response that took five seconds
    second = pacer.next_ticket()
    assert first is not None and second is not None
    assert second.intended - first.intended == pytest.approx(0.1)


def test_each_stage_offers_its_own_rate() -> None:
    pacer = Pacer(_plan((10.0, 1.0), (40.0, 1.0)), clock=FakeClock())
    stages = [t.stage for t in _all_tickets(pacer)]
    assert (stages.count(0), stages.count(1)) == (10, 40)


def test_workers_share_the_rate_and_interleave() -> None:
    plan = _plan((100.0, 1.0))
    clock = FakeClock()
    pacers = [Pacer(plan, share=0.5, phase=i, clock=clock) for i in range(2)]
    for pacer in pacers:
        pacer.start()
    times = sorted(t.intended for p in pacers for t in _all_tickets(p))
    assert len(times) == 100
    gaps = {round(b - a, 6) for a, b in itertools.pairwise(times)}
    assert gaps == {0.01}


def test_the_ceiling_spaces_requests_and_holds_for_retry_after() -> None:
    clock = FakeClock()
    ceiling = Ceiling(10.0, clock=clock)
    assert [round(ceiling.reserve(), 6) for _ in range(3)] == [0.0, 0.1, 0.2]
    clock.now += 1.0
    ceiling.hold(2.0)
    assert ceiling.reserve() == pytest.approx(2.0)


def test_no_ceiling_still_honours_retry_after() -> None:
    clock = FakeClock()
    ceiling = Ceiling(None, clock=clock)
    assert ceiling.reserve() == 0.0
    ceiling.hold(1.5)
    assert ceiling.reserve() == pytest.approx(1.5)


def test_a_429_halves_the_rate_and_successes_raise_it_back_to_the_ceiling() -> None:
    clock = FakeClock()
    ceiling = Ceiling(10.0, clock=clock)
    ceiling.throttled(1.0)
    assert ceiling.rate == 5.0
    ceiling.throttled(1.0)  # another response of the same burst: one decrease per hold
    assert ceiling.rate == 5.0
    for _ in range(200):
        ceiling.succeeded()
    assert ceiling.rate == 10.0


def test_without_a_ceiling_a_429_limits_to_half_the_recent_rate() -> None:
    clock = FakeClock()
    ceiling = Ceiling(None, clock=clock)
    for _ in range(40):  # 40 requests/s for two seconds
        ceiling.reserve()
        clock.now += 0.025
    for _ in range(40):
        ceiling.reserve()
        clock.now += 0.025
    ceiling.throttled(1.0)
    assert ceiling.rate == pytest.approx(20.0, rel=0.05)
    assert ceiling.reserve() == pytest.approx(1.0, abs=0.05)
