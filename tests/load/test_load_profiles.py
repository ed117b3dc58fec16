"""Profiles as plans: rates, stages, caps, and the vendor limit on real targets."""

from __future__ import annotations

import pytest

from dialer_suite.errors import UsageError
from dialer_suite.load.profiles import (
    MAX_USERS,
    SMOKE_MAX_DURATION,
    Request,
    build_plan,
    capacity_batches,
    capacity_files,
)


def test_steady_offers_one_constant_rate_for_the_duration() -> None:
    plan = build_plan(Request("steady", rate=40.0, duration=30.0), rate_ceiling=None)
    assert [(s.rate, s.seconds) for s in plan.stages] == [(40.0, 30.0)]
    assert plan.offered == 1200.0


def test_stress_steps_up_by_the_first_rate() -> None:
    plan = build_plan(Request("stress", rate=50.0, step_seconds=5.0, steps=4), rate_ceiling=None)
    assert [s.rate for s in plan.stages] == [50.0, 100.0, 150.0, 200.0]
    assert plan.stop_on_breach


def test_spike_bursts_five_times_the_base_and_comes_back() -> None:
    plan = build_plan(Request("spike", rate=10.0, duration=45.0), rate_ceiling=None)
    assert [s.label for s in plan.stages] == ["base", "spike", "recovery"]
    assert [s.rate for s in plan.stages] == [10.0, 50.0, 10.0]
    assert plan.duration == pytest.approx(45.0)


def test_a_real_target_gets_the_vendor_limit_as_default_rate() -> None:
    plan = build_plan(Request("steady"), rate_ceiling=10.0)
    assert plan.peak_rate == 10.0


def test_a_rate_above_a_real_targets_ceiling_is_refused() -> None:
    with pytest.raises(UsageError, match="DIALER_RATE_LIMIT"):
        build_plan(Request("steady", rate=50.0), rate_ceiling=10.0)


def test_stress_steps_flattened_by_the_ceiling_are_dropped() -> None:
    plan = build_plan(Request("stress", rate=4.0, steps=5), rate_ceiling=10.0)
    assert [s.rate for s in plan.stages] == [4.0, 8.0, 10.0]


@pytest.mark.parametrize(
    "request_",
    [
        Request("smoke", duration=SMOKE_MAX_DURATION + 1),
        Request("soak", duration=0.0),
        Request("steady", users=MAX_USERS + 1),
        Request("steady", rate=-1.0),
        Request("nosuch"),
    ],
)
def test_out_of_bounds_requests_are_usage_errors(request_: Request) -> None:
    with pytest.raises(UsageError):
        build_plan(request_, rate_ceiling=None)


def test_capacity_splits_the_files_among_the_import_users_of_every_worker() -> None:
    plan = build_plan(Request("capacity", contacts=3500, batch_size=1000), rate_ceiling=None)
    assert capacity_files(plan) == [1000, 1000, 1000, 500]
    # Three import users: one on the first worker, two on the second.
    first, second = capacity_batches(plan, 0, 1, 3), capacity_batches(plan, 1, 2, 3)
    assert (first, second) == ([1000, 500], [1000, 1000])
    assert sum(first) + sum(second) == 3500


def test_stage_index_follows_elapsed_time() -> None:
    plan = build_plan(Request("spike", rate=10.0, duration=9.0), rate_ceiling=None)
    assert [plan.stage_index(t) for t in (0.0, 3.5, 8.9, 9.0)] == [0, 1, 2, None]
