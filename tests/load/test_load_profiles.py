"""Profiles as plans: rates, stages, caps, and the small, capped defaults of a tenant."""

from __future__ import annotations

import pytest

from dialer_suite.errors import UsageError
from dialer_suite.load.profiles import (
    MAX_USERS,
    PROFILE_NAMES,
    SMOKE_MAX_DURATION,
    Request,
    build_plan,
    capacity_batches,
    capacity_files,
)
from dialer_suite.load.runner import locustfile_for
from dialer_suite.load.writes import estimate, peak_rate, scenario_mix


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


def test_a_tenants_defaults_are_shares_of_its_ceiling() -> None:
    assert build_plan(Request("steady"), rate_ceiling=10.0).peak_rate == 5.0
    assert build_plan(Request("steady"), rate_ceiling=40.0).peak_rate == 20.0
    assert build_plan(Request("steady"), rate_ceiling=None).peak_rate == 50.0


@pytest.mark.parametrize("profile", [name for name in PROFILE_NAMES if name != "capacity"])
@pytest.mark.parametrize("ceiling", [10.0, 50.0])
def test_every_default_tenant_plan_fits_under_the_ceiling_with_its_job_reads(
    profile: str, ceiling: float
) -> None:
    """Job polls count against the tenant's limit too: the busiest stage, polls included, leaves
    a fifth of the ceiling free (stress steps up to the ceiling itself: finding it is its job)."""
    plan = build_plan(Request(profile), rate_ceiling=ceiling)
    mix = scenario_mix(locustfile_for(plan.scenario))
    headroom = 1.0 if profile == "stress" else 0.8
    assert peak_rate(plan, mix) <= headroom * ceiling, (profile, plan.stages)


def test_a_capacity_plan_on_a_tenant_reads_its_jobs_well_under_the_ceiling() -> None:
    plan = build_plan(Request("capacity"), rate_ceiling=10.0)
    reads_per_second = plan.users / 0.5  # each import user reads its job every poll interval
    assert reads_per_second + plan.users <= 0.8 * 10.0


def test_a_default_tenant_smoke_writes_at_most_about_200_contacts() -> None:
    plan = build_plan(Request("smoke"), rate_ceiling=10.0)
    assert estimate(plan, scenario_mix(locustfile_for(plan.scenario))).contacts <= 200


def test_stress_on_a_tenant_steps_up_to_the_ceiling_and_past_it_only_with_bursts() -> None:
    capped = build_plan(Request("stress"), rate_ceiling=10.0)
    assert [s.rate for s in capped.stages] == [2.0, 4.0, 6.0, 8.0, 10.0]
    bursting = build_plan(Request("stress"), rate_ceiling=10.0, bursts=True)
    assert [s.rate for s in bursting.stages] == [2.0 * i for i in range(1, 11)]


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
    plan = build_plan(Request("capacity", contacts=3500, batch_sizes=(1000,)), rate_ceiling=None)
    assert [size for _, size in capacity_files(plan)] == [1000, 1000, 1000, 500]
    # Three import users: one on the first worker, two on the second.
    first, second = capacity_batches(plan, 0, 1, 3), capacity_batches(plan, 1, 2, 3)
    assert ([s for _, s in first], [s for _, s in second]) == ([1000, 500], [1000, 1000])
    assert sum(s for _, s in first + second) == 3500


def test_capacity_with_several_batch_sizes_imports_the_contacts_in_files_of_each_in_turn() -> None:
    plan = build_plan(Request("capacity", contacts=1000, batch_sizes=(400, 1000)), rate_ceiling=10.0)
    assert capacity_files(plan) == [(400, 400), (400, 400), (400, 200), (1000, 1000)]


def test_several_batch_sizes_are_for_the_capacity_profile_only() -> None:
    with pytest.raises(UsageError, match="capacity profile only"):
        build_plan(Request("smoke", batch_sizes=(10, 20)), rate_ceiling=10.0)


def test_stage_index_follows_elapsed_time() -> None:
    plan = build_plan(Request("spike", rate=10.0, duration=9.0), rate_ceiling=None)
    assert [plan.stage_index(t) for t in (0.0, 3.5, 8.9, 9.0)] == [0, 1, 2, None]
