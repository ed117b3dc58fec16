"""The contract suite, run whole as a user runs it, passes against the embedded simulator.

``dialer-suite contract`` in a child process (its own pytest, its own
simulator), then its summary: every test passed, nothing filed under either
kind of failure, every status the spec declares was produced by a test or is
one the spec declares only for a vendor that answers it instead of ours.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

pytestmark = [pytest.mark.slow]

_BUDGET_SECONDS = 300  # a bound; the run takes about half a minute


@pytest.fixture(scope="module")
def suite_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    reports = tmp_path_factory.mktemp("contract-suite")
    env = {key: value for key, value in os.environ.items() if not key.startswith("DIALER_")}
    completed = subprocess.run(
        [sys.executable, "-m", "dialer_suite.cli", "contract", "-p", "no:cacheprovider",
         "--report-dir", str(reports)],
        env=env, capture_output=True, text=True, timeout=_BUDGET_SECONDS,
    )
    summary: dict[str, Any] = json.loads((reports / "contract-summary.json").read_text())
    return completed, summary


def test_every_contract_test_passes_against_the_simulator(
    suite_run: tuple[subprocess.CompletedProcess[str], dict[str, Any]],
) -> None:
    completed, summary = suite_run
    output = completed.stdout[-5000:] + completed.stderr[-2000:]
    assert completed.returncode == 0, output
    assert summary["tests"] > 50 and summary["passed"] == summary["tests"], output
    assert summary["failures"] == [], output
    assert "dialer-suite contract: PASSED" in completed.stdout, output


def test_every_declared_status_is_produced_or_declared_only_for_another_vendor(
    suite_run: tuple[subprocess.CompletedProcess[str], dict[str, Any]],
) -> None:
    _, summary = suite_run
    unexplained = {
        key: why for key, why in summary["declared_not_exercised"].items()
        if not why.startswith("declared for a vendor that answers it instead of")
    }
    assert not unexplained, unexplained
