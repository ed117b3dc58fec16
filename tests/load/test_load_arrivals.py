"""Arrival schedules of the open model: tickets at the plan's rate, whatever the responses do."""

from __future__ import annotations

import itertools

import pytest

from dialer_suite.load.arrivals import ArrivalSchedule
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


def _all_tickets(schedule: ArrivalSchedule) -> list:
    tickets = []
    while (ticket := schedule.next_ticket()) is not None:
        tickets.append(ticket)
        assert len(tickets) < 100_000, "the schedule never ended"
    return tickets


def test_tickets_are_spaced_at_the_plans_rate_from_the_start() -> None:
    clock = FakeClock()
    schedule = ArrivalSchedule(_plan((10.0, 2.0)), clock=clock)
    schedule.start()
    tickets = _all_tickets(schedule)
    assert len(tickets) == 20
    assert [round(t.intended - 1000.0, 6) for t in tickets[:3]] == [0.0, 0.1, 0.2]


def test_tickets_do_not_wait_for_slow_responses() -> None:
    """Intended times depend on the plan only: a slow server cannot push them back."""
    clock = FakeClock()
    schedule = ArrivalSchedule(_plan((10.0, 1.0)), clock=clock)
    schedule.start()
    first = schedule.next_ticket()
    clock.now += 5.0  # a response that took five seconds
    second = schedule.next_ticket()
    assert first is not None and second is not None
    assert second.intended - first.intended == pytest.approx(0.1)


def test_each_stage_offers_its_own_rate() -> None:
    schedule = ArrivalSchedule(_plan((10.0, 1.0), (40.0, 1.0)), clock=FakeClock())
    stages = [t.stage for t in _all_tickets(schedule)]
    assert (stages.count(0), stages.count(1)) == (10, 40)


def test_workers_share_the_rate_and_interleave() -> None:
    plan = _plan((100.0, 1.0))
    clock = FakeClock()
    schedules = [ArrivalSchedule(plan, share=0.5, phase=i, clock=clock) for i in range(2)]
    for schedule in schedules:
        schedule.start()
    times = sorted(t.intended for p in schedules for t in _all_tickets(p))
    assert len(times) == 100
    gaps = {round(b - a, 6) for a, b in itertools.pairwise(times)}
    assert gaps == {0.01}
