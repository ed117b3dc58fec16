"""What a load run refuses to do, before it sends anything."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dialer_suite.config.settings import load_settings
from dialer_suite.errors import UsageError
from dialer_suite.load.safety import check_target, rate_ceiling

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


@pytest.mark.usefixtures("remote_credentials")
def test_a_real_tenant_gets_the_vendor_limit_unless_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    assert rate_ceiling(load_settings({"base_url": REMOTE})) == 10.0
    monkeypatch.setenv("DIALER_RATE_LIMIT", "25")
    assert rate_ceiling(load_settings({"base_url": REMOTE})) == 25.0


def test_a_tenant_on_loopback_is_a_tenant_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tunnel or a local proxy puts a tenant on loopback: it gets the ceiling it was given."""
    url = "http://127.0.0.1:8080/apps/api/v1"
    check_target(url, allow_writes=False)  # no permission needed to write on loopback
    assert rate_ceiling(load_settings({"base_url": url})) == 10.0
    monkeypatch.setenv("DIALER_RATE_LIMIT", "10")
    assert rate_ceiling(load_settings({"base_url": url})) == 10.0


def test_only_the_embedded_simulator_has_no_ceiling() -> None:
    assert rate_ceiling(load_settings({})) is None


def test_check_target_names_the_host_it_refuses() -> None:
    with pytest.raises(UsageError, match=r"acme\.example\.com"):
        check_target(REMOTE, allow_writes=False)


def test_a_smoke_run_cannot_last_longer_than_a_minute(run_load: RunLoad) -> None:
    result = run_load("--profile", "smoke", "--duration", "2m")
    assert result.code == 2
    assert "(0, 60]" in result.output
