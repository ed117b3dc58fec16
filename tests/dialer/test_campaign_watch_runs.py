"""campaign_watch (the contract scenario) passes on the simulator's dialer and catches its faults.

Each case runs ``pytest contract_tests/test_campaign_watch.py`` in a subprocess,
as a user would, against the embedded simulator it starts with the fault given
in ``DIALER_SIM_FAULTS``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dialer_suite.simulator.dialer.engine import FAULT_RENAMED_STATUS, FAULT_REOPENED_CLOSED

pytestmark = [pytest.mark.dialer, pytest.mark.slow]

_ROOT = Path(__file__).resolve().parents[2]
_WATCH = "contract_tests/test_campaign_watch.py"
_TIMEOUT = 120


def _run_watch(tmp_path: Path, faults: str) -> subprocess.CompletedProcess[str]:
    # A developer's DIALER_* settings (a staging URL...) must not leak into the run.
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DIALER_")}
    environ.update(DIALER_SIM_FAULTS=faults, DIALER_WATCH_SECONDS="30")
    # The watch's own tests (the dialing-writes check beside them is tested in-process).
    command = [sys.executable, "-m", "pytest", _WATCH, "-k", "not live_call", "-p",
               "no:cacheprovider", "-q", "-rA",
               "--report-dir", str(tmp_path), "--junitxml", str(tmp_path / "junit.xml")]
    return subprocess.run(command, cwd=_ROOT, env=environ, capture_output=True, text=True,
                          timeout=_TIMEOUT, check=False)


def _shown(run: subprocess.CompletedProcess[str]) -> str:
    return f"exit {run.returncode}\n{run.stdout[-4000:]}\n{run.stderr[-2000:]}"


def test_the_watch_passes_on_the_simulated_campaign_and_sees_all_21_statuses(
    tmp_path: Path,
) -> None:
    run = _run_watch(tmp_path, "")
    assert run.returncode == 0, _shown(run)
    assert "PASSED contract_tests/test_campaign_watch.py::test_the_simulated_campaign_shows_all_21" \
        in run.stdout, _shown(run)


def test_the_watch_fails_on_a_renamed_status_and_shows_it_verbatim(tmp_path: Path) -> None:
    run = _run_watch(tmp_path, FAULT_RENAMED_STATUS)
    assert run.returncode == 1, _shown(run)
    assert "FAILED contract_tests/test_campaign_watch.py::test_every_status_value_seen_is_one" \
        in run.stdout, _shown(run)
    assert "outside the documented enum: ['not picked up']" in run.stdout, _shown(run)


def test_the_watch_fails_on_an_impossible_transition_and_shows_the_sequence(
    tmp_path: Path,
) -> None:
    run = _run_watch(tmp_path, FAULT_REOPENED_CLOSED)
    assert run.returncode == 1, _shown(run)
    assert "FAILED contract_tests/test_campaign_watch.py::test_every_transition_seen_follows" \
        in run.stdout, _shown(run)
    assert "'Skipped & Closed' → 'Dialing' is impossible" in run.stdout, _shown(run)
