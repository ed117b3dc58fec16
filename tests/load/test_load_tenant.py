"""``dialer-suite load`` against tenants: the independent one (tests/tenant) and the simulator
playing one, reached on loopback with only the variables a user sets.

What is checked is what the tenant saw, counted on its side: no 429 from a
run that stays under the ceiling, every contact a run wrote removed at the
end, nothing sent by a run that was refused. Where the time does not matter,
the tenant runs with a higher limit and the suite's ceiling is set to match.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from tests.tenant import RunningTenant, TenantOptions, running_tenant

from dialer_suite.cli import main
from dialer_suite.simulator import SimulatorConfig, running_simulator

RunLoad = Callable[..., Any]
pytestmark = [pytest.mark.load, pytest.mark.slow]
# The healthy tenant of the issue: the vendor's 10 requests/s, ~120 ms answers, fast imports.
HEALTHY = {"service_seconds": 0.12, "import_rate": 2000.0}


@contextmanager
def tenant_at(monkeypatch: pytest.MonkeyPatch, rate: float, **options: Any) -> Iterator[RunningTenant]:
    """A tenant enforcing ``rate`` requests/s; the environment holds only what a user sets
    (credentials, campaign; the ceiling when it is not the vendor's default)."""
    with running_tenant(TenantOptions(rate_limit=rate, **{**HEALTHY, **options})) as tenant:
        extra = {} if rate == 10.0 else {"DIALER_RATE_LIMIT": f"{rate:g}"}
        environ = tenant.environ(**extra)
        del environ["DIALER_OTHER_CAMPAIGN_ID"]  # a load run writes to one campaign
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        yield tenant


def _throttled(tenant: RunningTenant) -> int:
    return sum(count for key, count in tenant.stats()["by_status"].items() if key.endswith(" 429"))


def _nothing_left(tenant: RunningTenant) -> None:
    stats = tenant.stats()
    assert stats["contacts_created"] > 0, stats
    assert set(stats["contacts_stored"].values()) == {0}, stats


def test_a_healthy_tenant_at_the_vendors_limit_passes_smoke_and_nothing_is_left(
    run_load: RunLoad, monkeypatch: pytest.MonkeyPatch
) -> None:
    with tenant_at(monkeypatch, 10.0) as tenant:
        result = run_load("--profile", "smoke", "--duration", "6s", "--allow-writes")
        assert result.code == 0, result.output[-4000:]
        summary = result.summary
        assert (summary["target_kind"], summary["gate_table"]) == ("tenant", "tenant")
        assert summary["sent"]["ceiling_rps"] == 10.0 and summary["sent"]["peak_per_s"] <= 10
        assert _throttled(tenant) == 0  # every request of the run stayed under the tenant's limit
        _nothing_left(tenant)
        assert summary["cleanup"]["removed"] == tenant.stats()["contacts_created"]
        assert summary["cleanup"]["left"] == 0
    said_first = result.stdout.index("writes about")
    assert said_first < result.stdout.index("cleanup: removed"), result.stdout
    assert result.stdout.rstrip().splitlines()[-1].startswith("VERDICT: PASS")


def test_the_same_tenant_with_adds_1_5_s_slower_fails_smoke(
    run_load: RunLoad, monkeypatch: pytest.MonkeyPatch
) -> None:
    with tenant_at(monkeypatch, 10.0, extra_seconds={"addContact": 1.5}) as tenant:
        result = run_load("--profile", "smoke", "--duration", "6s", "--allow-writes")
        assert result.code == 1, result.output[-4000:]
        assert "addContact p50" in result.failed_checks()
        assert "FAIL addContact p50: measured 1,6" in result.stdout
        _nothing_left(tenant)


def test_stress_reports_its_knee_at_a_tenant_that_sustains_its_limit(
    run_load: RunLoad, monkeypatch: pytest.MonkeyPatch
) -> None:
    with tenant_at(monkeypatch, 40.0) as tenant:
        result = run_load("--profile", "stress", "--step-seconds", "2", "--allow-writes")
        assert result.code == 0, result.output[-4000:]
        stress = result.summary["stress"]
        assert [stage["offered_rps"] for stage in result.summary["stages"]] == [8, 16, 24, 32, 40]
        assert stress["knee_rps"] == 40.0 and stress["knee_is_ceiling"], stress
        assert stress["first_429_rps"] is None and _throttled(tenant) == 0
        assert "knee at the ceiling: 40/s" in result.stdout
        _nothing_left(tenant)


def test_stress_past_the_ceiling_when_allowed_finds_where_429s_start(
    run_load: RunLoad, monkeypatch: pytest.MonkeyPatch
) -> None:
    with tenant_at(monkeypatch, 20.0) as tenant:
        result = run_load("--profile", "stress", "--step-seconds", "3", "--allow-writes",
                          "--allow-rate-limit-tests")
        stress = result.summary["stress"]
        assert stress["steps_past_ceiling"] and stress["knee_rps"] >= 20.0, result.output[-4000:]
        assert stress["first_429_rps"] is not None and stress["first_429_rps"] > 20.0, stress
        assert stress["throttled"] == _throttled(tenant) > 0
        assert stress["with_retry_after"] == stress["throttled"]
        assert stress["retry_after_honoured"] is not None
        assert result.code == 0, result.output[-4000:]  # the tenant sustained its limit
        _nothing_left(tenant)


def test_capacity_answers_how_fast_which_batch_size_and_how_long_a_campaign_takes(
    run_load: RunLoad, monkeypatch: pytest.MonkeyPatch
) -> None:
    with tenant_at(monkeypatch, 40.0) as tenant:
        result = run_load("--profile", "capacity", "--contacts", "400", "--batch-size", "100,200",
                          "--campaign-size", "200000", "--allow-writes")
        assert result.code == 0, result.output[-4000:]
        capacity = result.summary["capacity"]
        assert capacity["contacts"] == 800 and capacity["failed_jobs"] == 0
        assert [group["batch_size"] for group in capacity["batch_sizes"]] == [100, 200]
        assert capacity["fastest_batch_size"] in (100, 200)
        assert capacity["posted_to_listed_ms"]["files"] >= 1
        forecast = capacity["forecast"]
        assert forecast["campaign_size"] == 200_000
        assert forecast["batch_size"] == capacity["fastest_batch_size"]
        assert forecast["seconds"] >= forecast["requests"] / 40.0
        assert "forecast: 200,000 contacts in" in result.stdout
        _nothing_left(tenant)


def test_a_run_whose_cleanup_is_too_long_is_refused_before_it_sends_anything(
    run_load: RunLoad, monkeypatch: pytest.MonkeyPatch
) -> None:
    with tenant_at(monkeypatch, 10.0) as tenant:
        result = run_load("--profile", "capacity", "--contacts", "20000", "--allow-writes")
        assert result.code == 2
        assert "removing them takes about" in result.output and "--keep" in result.output
        assert tenant.stats()["requests"] == 0


def test_kept_contacts_are_removed_later_by_run_id(
    run_load: RunLoad, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    with tenant_at(monkeypatch, 40.0) as tenant:
        result = run_load("--profile", "steady", "--duration", "2s", "--allow-writes", "--keep")
        assert result.code == 0, result.output[-4000:]
        assert result.summary["cleanup"]["kept"]
        stored = tenant.stats()["contacts_stored"]["11"]
        assert stored == tenant.stats()["contacts_created"] > 0
        run_id = result.summary["run_id"]
        assert f"dialer-suite cleanup --run-id {run_id}" in result.stdout
        assert main(["cleanup", "--run-id", run_id]) == 0
        assert f"removed {stored} contact(s)" in capfd.readouterr().out
        _nothing_left(tenant)


def test_after_an_interrupted_run_and_cleanup_the_cleanup_command_leaves_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    """Ctrl-C stops the run and starts its cleanup; a second Ctrl-C stops that; the command the
    run printed removes the rest."""
    with tenant_at(monkeypatch, 10.0) as tenant:
        load = subprocess.Popen(
            [sys.executable, "-m", "dialer_suite.cli", "load", "--profile", "steady", "--duration", "30s",
             "--report-dir", str(tmp_path / "report")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=dict(os.environ),
            # Ctrl-C as a terminal delivers it, even when the test run has it ignored (a background job).
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        assert load.stdout is not None
        output = _until(load, "Ramping to", deadline=60)
        time.sleep(5)
        load.send_signal(signal.SIGINT)
        output += _until(load, "removing ", deadline=60, line_start=True)  # the removal itself
        load.send_signal(signal.SIGINT)
        rest, _ = load.communicate(timeout=60)
        output += rest
        assert load.returncode == 130, output[-4000:]
        assert tenant.stats()["contacts_stored"]["11"] > 0, output[-4000:]  # the cleanup was cut short
        command = re.search(r"finish it with (dialer-suite cleanup [^\n]+)", output)
        assert command is not None, output[-4000:]
        assert main(command[1].split()[1:]) == 0
        _nothing_left(tenant)


def _until(process: subprocess.Popen[str], text: str, *, deadline: float, line_start: bool = False) -> str:
    """What the process prints until a line holds ``text`` (starts with it, with ``line_start``)."""
    assert process.stdout is not None
    seen, ends = "", time.monotonic() + deadline
    while True:
        line = process.stdout.readline()
        assert line and time.monotonic() < ends, f"no {text!r} in:\n{seen[-3000:]}"
        seen += line
        if line.startswith(text) if line_start else text in line:
            return seen


@pytest.mark.parametrize(("latencies", "code"), [({}, 0), ({"addContact": 1500.0}, 1)])
def test_the_simulator_plays_a_tenant_whose_adds_decide_smoke(
    run_load: RunLoad, monkeypatch: pytest.MonkeyPatch, latencies: dict[str, float], code: int
) -> None:
    config = SimulatorConfig(rate_limit=10.0, latency_ms=120.0, import_rate=2000.0,
                             operation_latency_ms=latencies)
    with running_simulator(config) as simulator:
        monkeypatch.setenv("DIALER_BASE_URL", simulator.base_url)
        result = run_load("--profile", "smoke", "--duration", "5s")
        assert result.code == code, result.output[-4000:]
        assert result.summary["gate_table"] == "tenant" and result.summary["cleanup"]["left"] == 0
        assert ("addContact p50" in result.failed_checks()) == bool(latencies)
