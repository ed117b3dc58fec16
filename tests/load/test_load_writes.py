"""What a run says before it starts: what it will send and write, and what removing it costs."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from dialer_suite.config.settings import load_settings
from dialer_suite.errors import UsageError
from dialer_suite.load.profiles import Request, build_plan
from dialer_suite.load.removal import ProgressBar, cleanup_command
from dialer_suite.load.run_plan import Target, build_run_plan
from dialer_suite.load.runner import load_tests_dir, locustfile_for
from dialer_suite.load.tenant import TenantRun
from dialer_suite.load.writes import Mix, duration_text, estimate, parse_duration, removal, scenario_mix

TENANT = "http://127.0.0.1:9/apps/api/v1"


def test_the_mix_of_a_scenario_is_read_from_its_locustfile_weights() -> None:
    assert scenario_mix(load_tests_dir() / "mix.py") == Mix(adds=0.6, lists=0.3, imports=0.1)
    assert scenario_mix(load_tests_dir() / "list_contacts.py") == Mix(lists=1.0)


def test_a_user_class_the_mix_cannot_tell_counts_as_an_add(tmp_path: Path) -> None:
    """A custom locustfile's own user class may write: the estimate errs on the side of writes."""
    custom = tmp_path / "custom.py"
    custom.write_text(
        "from dialer_suite.load.locust import ListContactsUser, PlanShape\n"
        "from locust import FastHttpUser\n"
        "class Lists(ListContactsUser):\n    weight = 1\n"
        "class Mine(FastHttpUser):\n    weight = 3\n"
    )
    assert scenario_mix(custom) == Mix(adds=0.75, lists=0.25)


def test_a_plans_writes_count_adds_and_the_contacts_of_its_files() -> None:
    plan = build_plan(Request("smoke", rate=5.0, duration=20.0, batch_sizes=(10,)), rate_ceiling=10.0)
    found = estimate(plan, Mix(adds=0.6, lists=0.3, imports=0.1))
    assert found.contacts == 60 + 10 * 10
    assert found.requests == 100 + 10 * 2  # each import's job is read about twice


def test_a_capacity_plan_writes_its_contacts_once_per_batch_size() -> None:
    plan = build_plan(Request("capacity", contacts=1000, batch_sizes=(200, 500)), rate_ceiling=10.0)
    assert estimate(plan, Mix(imports=1.0)).contacts == 2000


def test_removing_contacts_costs_a_delete_each_and_the_listings_at_the_pace() -> None:
    cost = removal(200_000, 10.0)
    assert cost.rate == pytest.approx(9.0)
    assert cost.requests == 200_000 + 2 * (2000 + 1)
    assert duration_text(cost.seconds) == "6 h 17 min"


@pytest.mark.parametrize(
    ("text", "seconds"), [("90", 90.0), ("5m", 300.0), ("12h", 43200.0), ("2d", 172800.0)]
)
def test_durations_and_ages_take_units_up_to_days(text: str, seconds: float) -> None:
    assert parse_duration(text, "--older-than") == seconds


def _tenant_run(request: Request, *, keep: bool = False) -> TenantRun:
    settings = load_settings({"base_url": TENANT, "run_id": "6b1000000abc"})
    plan = build_run_plan(request, settings, Target(TENANT), slo_file=load_tests_dir() / "slo.toml",
                          report_dir=Path("r"), managed=True)
    return TenantRun(plan, settings, locustfile_for(plan.plan.scenario), keep=keep)


def test_a_run_whose_cleanup_outlasts_the_limit_is_refused_naming_the_choices() -> None:
    run = _tenant_run(Request("capacity", contacts=20_000))
    with pytest.raises(UsageError) as refused:
        run.check_cost(wait=False, limit=300.0)
    message = str(refused.value)
    assert "writes about 20,000 contacts; removing them takes about 37 min" in message
    assert "--wait-for-cleanup" in message and "--keep" in message
    assert "dialer-suite cleanup --run-id 6b1000000abc" in message
    run.check_cost(wait=True, limit=300.0)  # chosen: no refusal
    _tenant_run(Request("capacity", contacts=20_000), keep=True).check_cost(wait=False, limit=300.0)


def test_the_cost_is_said_before_the_run_in_the_vendors_words() -> None:
    lines = _tenant_run(Request("smoke")).cost_lines()
    assert lines[0].startswith("sends about 120 requests in 20 s") and "ceiling 10/s" in lines[0]
    assert lines[1] == "writes about 160 contacts; removing them takes about 18 s at 9/s"
    assert lines[2] == "they are removed at the end of the run"


def test_the_cleanup_command_names_the_target_and_the_campaigns() -> None:
    remote = load_settings({"base_url": "https://acme.example.com/apps/api/v1", "allow_writes": True},
                           environ={"DIALER_API_TOKEN": "t"})
    assert cleanup_command("r1", remote, (11, 12)) == (
        "dialer-suite cleanup --run-id r1 --base-url https://acme.example.com/apps/api/v1 --allow-writes "
        "--campaign-id 11 --other-campaign-id 12"
    )


def test_off_a_terminal_the_progress_bar_prints_a_line_every_tenth_with_an_eta() -> None:
    stream, clock = io.StringIO(), iter(float(i) for i in range(1000))
    bar = ProgressBar("contacts of run r1", 9.0, stream=stream, clock=lambda: next(clock))
    bar.found(100)
    for _ in range(100):
        bar.done(1)
    shown = stream.getvalue().splitlines()
    assert shown[0] == "removing 100 contacts of run r1 at 9/s: about 11 s"
    assert len(shown) == 11 and shown[-1].startswith("[##############################] 100/100 100%")
    assert "left" in shown[5] and "50/100" in shown[5]


def test_a_run_that_needs_more_numbers_than_the_safe_ones_is_refused_before_it_starts() -> None:
    with pytest.raises(UsageError, match=r"more than the 99,100 safe numbers.*DIALER_PHONE_RANGE"):
        _tenant_run(Request("capacity", contacts=200_000), keep=True).check_cost(wait=True, limit=300.0)
