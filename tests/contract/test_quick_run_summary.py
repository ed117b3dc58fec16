"""What a quick run of ``dialer-suite contract`` prints and writes, as a new user first sees it.

One ``-m quick`` run against the embedded simulator: the summary is printed
once (pytest's section, then the command's one verdict line), statuses whose
tests were deselected say so, the contacts line says where the contacts went,
and the JUnit test suite is named after the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

pytestmark = [pytest.mark.slow]

Run = tuple[subprocess.CompletedProcess[str], dict[str, Any], Path]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    reports = tmp_path_factory.mktemp("quick-run")
    env = {key: value for key, value in os.environ.items() if not key.startswith("DIALER_")}
    completed = subprocess.run(
        [sys.executable, "-m", "dialer_suite.cli", "contract", "-p", "no:cacheprovider",
         "-p", "no:base_url", "-m", "quick", "--report-dir", str(reports)],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
    yield completed, json.loads((reports / "contract-summary.json").read_text(encoding="utf-8")), reports


def test_the_summary_is_printed_once(quick_run: Run) -> None:
    out = quick_run[0].stdout
    assert out.count("vendor broke its documented contract") == 1, out[-3000:]
    assert out.count("dialer-suite contract summary") == 1, out[-3000:]


def test_the_command_ends_with_its_verdict_and_the_reports(quick_run: Run) -> None:
    last = quick_run[0].stdout.strip().splitlines()[-1]
    assert last.startswith("dialer-suite contract: PASSED (exit 0)") and "contract-junit.xml" in last, last


def test_statuses_only_deselected_tests_produce_are_said_deselected(quick_run: Run) -> None:
    why = quick_run[1]["declared_not_exercised"]
    # test_refusals produces the 422 of a page number; the property tests, any of addContact's.
    assert why["listContacts 422"] == why["addContact 400"] == "deselected (-m quick)", why


def test_the_declared_statuses_not_exercised_are_listed_one_operation_a_line(quick_run: Run) -> None:
    out = quick_run[0].stdout
    assert "  deselected (-m quick):" in out
    assert max(len(line) for line in out.splitlines() if line.startswith("    ")) < 120, out[-3000:]


def test_the_contacts_line_says_they_went_with_the_embedded_simulator(quick_run: Run) -> None:
    line = next(line for line in quick_run[0].stdout.splitlines() if line.startswith("contacts written:"))
    assert "discarded with everything in it" in line and "unknown" not in line, line


def test_the_junit_test_suite_is_named_after_the_suite(quick_run: Run) -> None:
    root = ElementTree.parse(quick_run[2] / "contract-junit.xml").getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    assert [suite.get("name") for suite in suites] == ["dialer-suite contract"]
