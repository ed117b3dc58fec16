"""The assumption matrix of issue 11 in CI: the suite against every reading of the vendor page.

``dialer-suite selfcheck --assumptions`` runs the contract suite against the
default simulator, the ``lean`` profile (the leanest reading of the page
everywhere at once) and every single alternative choice of every
``x-assumption``. On every one, no failure may be filed as a broken documented
contract, and every failing test must be filed under the assumption that was
switched; the default must pass outright. One contract-suite run per reading,
several minutes on two cores, so it is ``exhaustive``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dialer_suite.simulator.assumptions import catalog

pytestmark = [pytest.mark.exhaustive, pytest.mark.slow]

_JOBS = 4
_BUDGET_SECONDS = 30 * 60  # a bound, not a target


def test_every_reading_of_the_vendor_page_files_its_failures_under_the_switched_assumption(
    tmp_path: Path,
) -> None:
    command = [
        sys.executable, "-m", "dialer_suite.cli", "selfcheck", "--assumptions",
        "--jobs", str(_JOBS), "--seed", "0", "--report-dir", str(tmp_path),
    ]  # fmt: skip
    completed = subprocess.run(command, capture_output=True, text=True, timeout=_BUDGET_SECONDS)
    output = completed.stdout[-8000:] + completed.stderr[-3000:]
    document = json.loads((tmp_path / "assumptions.json").read_text())
    readings = {row["reading"]: row for row in document["readings"]}
    expected = {"default", "lean"} | {
        f"{assumption_id}={choice}"
        for assumption_id, item in catalog().items() for choice in item.choices if choice != item.default
    }
    assert set(readings) == expected, output
    wrong = {name: (row["documented"], row["mislabelled"]) for name, row in readings.items() if not row["ok"]}
    assert not wrong, f"readings with wrong labels or broken runs: {wrong}\n{output}"
    assert readings["default"]["status"] == "passed", output
    assert completed.returncode == 0, output
