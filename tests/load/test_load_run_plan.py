"""The run plan: built once by the ``load`` command, read by every locust process."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dialer_suite.config.settings import load_settings
from dialer_suite.errors import UsageError
from dialer_suite.load.profiles import Request
from dialer_suite.load.run_plan import RunPlan, Target, build_run_plan
from dialer_suite.load.runner import load_tests_dir

RunLoad = Callable[..., Any]
LOOPBACK = "http://127.0.0.1:8080/apps/api/v1"
REMOTE = "https://acme.example.com/apps/api/v1"


def _plan(
    base_url: str | None, tmp_path: Path, *, embedded: bool = False, steps: int = 2, **overrides: Any
) -> RunPlan:
    settings = load_settings({"base_url": base_url, **overrides})
    return build_run_plan(
        Request("stress", rate=5.0, step_seconds=2.0, steps=steps),
        settings,
        Target(base_url, embedded=embedded),
        slo_file=load_tests_dir() / "slo.toml",
        report_dir=tmp_path / "report",
        poll_interval=0.5,
    )


def test_a_plan_reads_back_as_it_was_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIALER_PHONE_RANGE", "+15035550100:50")
    plan = _plan(LOOPBACK, tmp_path, embedded=True)
    assert RunPlan.read(plan.write(tmp_path / "plan.json")) == plan
    assert plan.gates.min_knee_rps is not None and plan.phone_range is not None
    tenant = _plan(LOOPBACK, tmp_path)
    assert RunPlan.read(tenant.write(tmp_path / "tenant.json")) == tenant


def test_credentials_never_go_into_the_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIALER_API_TOKEN", "s3cret-token")
    text = _plan(REMOTE, tmp_path, allow_writes=True).write(tmp_path / "plan.json").read_text()
    assert "s3cret" not in text and "Basic" not in text


def test_a_real_tenant_gets_the_vendor_ceiling_in_the_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIALER_API_TOKEN", "not-a-real-token")
    plan = _plan(REMOTE, tmp_path, allow_writes=True)
    assert plan.rate_ceiling == 10.0 and plan.allow_writes
    plan.check_target(REMOTE)


def test_a_plan_for_a_tenant_on_loopback_has_the_ceiling_and_the_tenant_gates(tmp_path: Path) -> None:
    plan = _plan(LOOPBACK, tmp_path)
    assert plan.rate_ceiling == 10.0 and plan.gate_table == "tenant" and not plan.embedded
    assert plan.gates.min_knee_of_ceiling == 1.0
    assert "table tenant, profile stress" in plan.slo_source


def test_only_the_embedded_simulator_gets_the_simulator_gates_and_no_ceiling(tmp_path: Path) -> None:
    plan = _plan(LOOPBACK, tmp_path, embedded=True)
    assert plan.rate_ceiling is None and plan.gate_table == "simulator" and plan.embedded


def test_a_plan_for_the_embedded_simulator_is_refused_against_a_real_tenant(tmp_path: Path) -> None:
    plan = _plan(LOOPBACK, tmp_path, embedded=True, allow_writes=True)
    with pytest.raises(UsageError, match="no rate ceiling for https://acme"):
        plan.check_target(REMOTE)
    plan.check_target("http://localhost:9999/apps/api/v1")


def test_bursts_past_the_ceiling_need_the_explicit_opt_in(tmp_path: Path) -> None:
    assert _plan(LOOPBACK, tmp_path).send_cap == 10.0
    assert _plan(LOOPBACK, tmp_path, steps=3).plan.peak_rate == 10.0
    bursting = _plan(LOOPBACK, tmp_path, steps=3, allow_rate_limit_tests=True)
    assert bursting.bursts and bursting.send_cap == bursting.plan.peak_rate == 15.0


@pytest.mark.parametrize("text", ['{"format": 1}', '{"format": 99}', "[]", "{not json"])
def test_a_file_that_is_not_a_plan_is_a_usage_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(text)
    with pytest.raises(UsageError, match=str(path)):
        RunPlan.read(path)


def test_write_plan_writes_the_plan_and_runs_nothing(run_load: RunLoad, tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    result = run_load(
        "--profile", "capacity", "--contacts", "500", "--batch-size", "100", "--write-plan", str(path)
    )
    assert result.code == 0, result.output
    written = json.loads(path.read_text())
    assert written["plan"]["profile"] == "capacity" and written["plan"]["contacts"] == 500
    assert written["run_id"] is None  # every run of a written plan takes its own
    assert f"--dialer-plan {path}" in result.stdout
    assert not result.report_dir.exists()
