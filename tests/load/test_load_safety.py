"""What a load run refuses to do, before it sends anything."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dialer_suite.config.settings import load_settings
from dialer_suite.errors import UsageError
from dialer_suite.load.profiles import Request
from dialer_suite.load.run_plan import Target, build_run_plan
from dialer_suite.load.runner import load_tests_dir
from dialer_suite.load.safety import check_target

RunLoad = Callable[..., Any]
REMOTE = "https://acme.example.com/apps/api/v1"


@pytest.fixture
def remote_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIALER_API_TOKEN", "not-a-real-token")


@pytest.mark.usefixtures("remote_credentials")
def test_a_real_tenant_is_refused_unless_writes_are_allowed(run_load: RunLoad) -> None:
    result = run_load("--profile", "smoke", "--base-url", REMOTE)
    assert result.code == 2
    assert "refusing to load https://acme.example.com" in result.output
    assert "--allow-writes" in result.output


@pytest.mark.usefixtures("remote_credentials")
def test_a_rate_above_the_vendor_limit_is_refused_on_a_real_tenant(run_load: RunLoad) -> None:
    result = run_load("--profile", "steady", "--base-url", REMOTE, "--allow-writes", "--rate", "50")
    assert result.code == 2
    assert "ceiling of 10 requests/s" in result.output


def _ceiling(base_url: str | None, *, embedded: bool = False) -> float | None:
    settings = load_settings({"base_url": base_url, "allow_writes": True})
    plan = build_run_plan(Request("smoke"), settings, Target(base_url, embedded=embedded),
                          slo_file=load_tests_dir() / "slo.toml", report_dir=Path("r"))
    return plan.rate_ceiling


@pytest.mark.usefixtures("remote_credentials")
def test_a_real_tenant_gets_the_vendor_limit_unless_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _ceiling(REMOTE) == 10.0
    monkeypatch.setenv("DIALER_RATE_LIMIT", "25")
    assert _ceiling(REMOTE) == 25.0


def test_a_tenant_on_loopback_is_a_tenant_too() -> None:
    """A tunnel or a local proxy puts a tenant on loopback: it gets the ceiling it was given."""
    url = "http://127.0.0.1:8080/apps/api/v1"
    check_target(url, allow_writes=False)  # no permission needed to write on loopback
    assert _ceiling(url) == 10.0


def test_only_the_embedded_simulator_has_no_ceiling() -> None:
    assert _ceiling("http://127.0.0.1:8080/apps/api/v1", embedded=True) is None


def test_a_plan_written_for_a_target_named_later_gets_the_vendors_limit(
    run_load: RunLoad, tmp_path: Path
) -> None:
    result = run_load("--profile", "steady", "--write-plan", str(tmp_path / "plan.json"))
    assert result.code == 0, result.output
    assert json.loads((tmp_path / "plan.json").read_text())["rate_ceiling"] == 10.0


def test_check_target_names_the_host_it_refuses() -> None:
    with pytest.raises(UsageError, match=r"acme\.example\.com"):
        check_target(REMOTE, allow_writes=False)


def test_a_smoke_run_cannot_last_longer_than_a_minute(run_load: RunLoad) -> None:
    result = run_load("--profile", "smoke", "--duration", "2m")
    assert result.code == 2
    assert "(0, 60]" in result.output
