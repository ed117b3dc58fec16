"""``dialer-suite contract`` against a target that is not this project's simulator, as a user runs it.

Each test starts the real command in a child process against the independent
tenant (``tests.tenant``), with only the variables a user sets, and judges it
by what the tenant counted on its side: a wrong token, a campaign that does not
exist and a closed port end at once with one line and exit 69; a blank
``DIALER_BASE_URL`` is a usage error; a clean run stays within the tenant
budget (1,000 requests, 200 contacts) and leaves nothing; a 20-second outage
in the middle of a run is reported as the target's, never as the vendor's.

The tenant pages its list by default, as the vendor's sibling APIs do, so the
budget counts every page the read-backs and the cleanup follow. The tenant and
the suite both run at 100 requests/s, where only the counts matter; the outage
lasts 20 real seconds.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from tests.tenant import RunningTenant, TenantOptions, running_tenant

pytestmark = [pytest.mark.slow]

_UNUSABLE_SECONDS = 120  # the bound for a target that cannot run the suite
_RUN_TIMEOUT = 400
_FAST = "100"  # requests/s of the tenant and the suite's pace, where time does not matter
_BUDGET_REQUESTS, _BUDGET_CONTACTS = 1000, 200
# The plan printed before the first test is an estimate: within this share of the count.
_PLAN_MARGIN = 0.25


@dataclass(frozen=True)
class Run:
    """One finished ``dialer-suite contract`` and what the tenant counted."""

    code: int
    output: str
    seconds: float
    summary: dict[str, Any]
    reports: Path
    stats: dict[str, Any]

    def explain(self) -> str:
        return f"exit {self.code} after {self.seconds:.0f} s\n{self.output[-6000:]}"


def _contract(tenant: RunningTenant | None, reports: Path, *args: str,
              environ: Mapping[str, str] | None = None, outage_after: int | None = None) -> Run:
    """``dialer-suite contract`` with only the variables a user sets for ``tenant`` (and ``environ``)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DIALER_")}
    env.update(tenant.environ() if tenant is not None else {})
    env.update(environ or {})
    started = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, "-m", "dialer_suite.cli", "contract", "-p", "no:cacheprovider",
         "--report-dir", str(reports), *args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    if outage_after is not None:
        assert tenant is not None
        _outage_after(tenant, child, outage_after)
    try:
        output, _ = child.communicate(timeout=_RUN_TIMEOUT)
    finally:
        child.kill()
    summary_file = reports / "contract-summary.json"
    summary = json.loads(summary_file.read_text()) if summary_file.exists() else {}
    stats = tenant.stats() if tenant is not None else {}
    return Run(child.returncode, output, time.monotonic() - started, summary, reports, stats)


def _outage_after(tenant: RunningTenant, child: subprocess.Popen[str], requests: int) -> None:
    """Every answer 503 for 20 real seconds, once the run has sent ``requests`` more requests."""
    start = tenant.stats()["received"]
    while tenant.stats()["received"] < start + requests:
        assert child.poll() is None, "the run ended before the outage"
        time.sleep(0.1)
    tenant.outage(20)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _junit_entries(run: Run) -> list[tuple[str, str]]:
    root = ElementTree.parse(run.reports / "contract-junit.xml").getroot()
    return [(f"{case.get('classname')}::{case.get('name')}", outcome.tag)
            for case in root.iter("testcase") for outcome in case]


@pytest.fixture(scope="module")
def tenant() -> Iterator[RunningTenant]:
    with running_tenant(TenantOptions(rate_limit=float(_FAST))) as running:
        yield running


@pytest.mark.parametrize("wrong", ["token", "campaign", "port"])
def test_a_target_that_cannot_run_the_suite_ends_at_once_with_one_line_and_exit_69(
    tenant: RunningTenant, tmp_path: Path, wrong: str
) -> None:
    before = tenant.stats()["received"]
    environ = {
        "token": {"DIALER_API_TOKEN": "not-the-token"},
        "campaign": {"DIALER_CAMPAIGN_ID": "404404"},
        "port": {"DIALER_BASE_URL": f"http://127.0.0.1:{_closed_port()}/apps/api/v1"},
    }[wrong]
    run = _contract(tenant, tmp_path, environ=environ)
    assert run.code == 69, run.explain()
    assert run.seconds < _UNUSABLE_SECONDS, run.explain()
    verdict = run.output.strip().splitlines()[-1]
    assert verdict.startswith("dialer-suite contract: TARGET NOT USABLE (exit 69) — "), run.explain()
    assert {"token": "DIALER_API_TOKEN", "campaign": "DIALER_CAMPAIGN_ID",
            "port": "connection refused"}[wrong] in verdict, verdict
    assert "Traceback" not in run.output and "not-the-token" not in run.output, run.explain()
    assert (run.summary["tests"], run.summary["documented_failures"]) == (0, []), run.summary
    assert _junit_entries(run) == [("contract_tests.preflight::target_is_usable", "error")]
    assert tenant.stats()["received"] - before <= 1, "the preflight stops at the first refusal"


def test_a_base_url_set_but_blank_is_a_usage_error_not_the_embedded_simulator(tmp_path: Path) -> None:
    run = _contract(None, tmp_path, environ={"DIALER_BASE_URL": ""})
    assert run.code == 2, run.explain()
    assert "DIALER_BASE_URL is set but blank" in run.output and run.summary == {}, run.explain()


@pytest.fixture(scope="module")
def clean_run(tenant: RunningTenant, tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, int, int]:
    """A full run with default settings but the pace, recording a baseline; what the tenant
    counted of it (requests, contacts created)."""
    before = tenant.stats()
    reports = tmp_path_factory.mktemp("clean-run")
    run = _contract(tenant, reports, "--record-baseline", str(reports / "baseline.json"),
                    environ={"DIALER_RATE_LIMIT": _FAST})
    after = run.stats
    return (run, after["received"] - before["received"],
            after["contacts_created"] - before["contacts_created"])


@pytest.mark.xdist_group("tenant-full-runs")
def test_a_clean_run_fits_the_tenant_budget_leaves_nothing_and_files_nothing_as_documented(
    clean_run: tuple[Run, int, int],
) -> None:
    run, requests, contacts = clean_run
    assert run.summary["documented_failures"] == [] and run.summary["server_error_failures"] == [], (
        run.explain())
    assert requests <= _BUDGET_REQUESTS, f"{requests} requests counted by the tenant\n{run.explain()}"
    assert contacts <= _BUDGET_CONTACTS, f"{contacts} contacts created on the tenant\n{run.explain()}"
    assert run.stats["contacts_stored"] == {"11": 0, "12": 0}, run.stats
    assert run.summary["left"] == 0 and "baseline recorded" in run.output, run.explain()


@pytest.mark.xdist_group("tenant-full-runs")
def test_the_plan_printed_before_the_first_test_is_close_to_what_the_tenant_counted(
    clean_run: tuple[Run, int, int],
) -> None:
    run, requests, contacts = clean_run
    plan = next(line for line in run.output.splitlines() if line.startswith("dialer-suite plan: "))
    words = plan.split()
    planned_requests, planned_contacts = int(words[3]), int(words[words.index("and") + 1])
    assert abs(planned_requests - requests) <= _PLAN_MARGIN * requests, (plan, requests)
    assert abs(planned_contacts - contacts) <= _PLAN_MARGIN * contacts, (plan, contacts)
    assert run.output.index(plan) < run.output.index("contract_tests/test_"), "printed before the tests"


@pytest.mark.xdist_group("tenant-full-runs")
def test_a_20_second_outage_mid_run_is_the_targets_never_the_vendors_and_leaves_nothing(
    tenant: RunningTenant, clean_run: tuple[Run, int, int], tmp_path: Path,
) -> None:
    recorded, _, _ = clean_run
    run = _contract(tenant, tmp_path, "--baseline", str(recorded.reports / "baseline.json"),
                    environ={"DIALER_RATE_LIMIT": _FAST, "DIALER_WATCH_SECONDS": "2"}, outage_after=300)
    assert run.code in (0, 69), run.explain()
    assert run.summary["documented_failures"] == [] and run.summary["server_error_failures"] == [], (
        run.explain())
    outages = run.summary["availability"]["outages"]
    assert outages or run.summary["unavailable_failures"], run.summary["availability"]
    assert "target unavailable (not the vendor's behaviour)" in run.output, run.explain()
    assert run.stats["contacts_stored"] == {"11": 0, "12": 0}, run.stats
