"""The gate of issue 6 in CI: the whole fault catalog through ``dialer-suite selfcheck``.

Every catalog fault must be caught by the contract suite (the load gates for
speed faults) and the clean run must pass. This is the proof that the suite
looks; it runs every contract test once per fault, about 5 minutes on two
cores (``benchmarks/README.md``), so it is marked slow. The side-by-side with
schemathesis alone is left to ``test_selfcheck_end_to_end.py`` (three faults)
and to the documented full run: it doubles the time and gates nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dialer_suite.simulator import faults

# Four runs at a time on two cores: a contract-suite run spends most of its wall
# time waiting on pacing and jobs (benchmarks/README.md, "Why --jobs 4").
_JOBS = 4
_BUDGET_SECONDS = 20 * 60  # four times the measured median: a bound, not a target


@pytest.mark.slow
def test_the_suite_catches_every_catalog_fault_and_passes_the_clean_simulator(tmp_path: Path) -> None:
    command = [
        sys.executable, "-m", "dialer_suite.cli", "selfcheck",
        "--jobs", str(_JOBS), "--no-schemathesis", "--seed", "0", "--reports", str(tmp_path),
    ]  # fmt: skip
    completed = subprocess.run(command, capture_output=True, text=True, timeout=_BUDGET_SECONDS)
    output = completed.stdout[-6000:] + completed.stderr[-3000:]
    document = json.loads((tmp_path / "selfcheck.json").read_text())

    clean = [(run["run"], run["status"]) for run in document["clean"]]
    assert clean and all(status == "passed" for _, status in clean), f"clean runs {clean}\n{output}"
    verdicts = {row["name"]: row["suite"]["verdict"] for row in document["faults"]}
    assert set(verdicts) == set(faults.catalog()), output
    survived = sorted(name for name, verdict in verdicts.items() if verdict != "caught")
    assert not survived, f"faults not caught: {survived}\n{output}"
    assert completed.returncode == 0, output
