"""End to end: ``dialer-suite selfcheck`` on three real catalog faults, one of them a speed fault.

Runs the real contract suite, load smoke profile and ``st run`` against the
embedded simulator (about a minute on two cores), so it is one of the
``exhaustive`` tests that CI runs after the test suite (``pytest -m exhaustive``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.exhaustive, pytest.mark.slow]

FAULTS = ("add-answers-201", "update-not-persisted", "slow-add-tail")
_BUDGET_SECONDS = 170  # the test's own bound; selfcheck's per-run timeout is tighter


@pytest.fixture(scope="module")
def selfcheck_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    reports = tmp_path_factory.mktemp("selfcheck-reports")
    command = [
        sys.executable, "-m", "dialer_suite.cli", "selfcheck",
        "--faults", ",".join(FAULTS), "--jobs", "2", "--seed", "3",
        "--st-max-examples", "5", "--load-duration", "10s", "--timeout", "120",
        "--report-dir", str(reports),
    ]  # fmt: skip
    completed = subprocess.run(command, capture_output=True, text=True, timeout=_BUDGET_SECONDS)
    return completed, reports


def test_selfcheck_catches_every_chosen_fault_and_exits_zero(
    selfcheck_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    completed, reports = selfcheck_run
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "selfcheck: PASS" in completed.stdout, output
    document = json.loads((reports / "selfcheck.json").read_text())
    verdicts = {fault["name"]: fault["suite"]["verdict"] for fault in document["faults"]}
    assert verdicts == dict.fromkeys(FAULTS, "caught"), output


def test_selfcheck_judges_the_speed_fault_by_the_load_gates(
    selfcheck_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _, reports = selfcheck_run
    document = json.loads((reports / "selfcheck.json").read_text())
    (speed,) = [fault for fault in document["faults"] if fault["speed"]]
    assert speed["suite_tool"] == "load", speed
    assert any(
        "p95" in killer["message"] or "p99" in killer["message"] for killer in speed["suite"]["killers"]
    ), speed


def test_selfcheck_writes_the_side_by_side_matrix_in_markdown(
    selfcheck_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _, reports = selfcheck_run
    text = (reports / "selfcheck.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == sorted(FAULTS), text
    assert all(row.count("|") >= 6 for row in rows), text
    assert "dev-token" not in text, "the simulator token leaked into the report"
