"""Credentials never appear in any report, log or output of a suite run.

A quick run against the embedded simulator with a distinctive token and a
failing fault (so that failure messages, curl commands and response dumps are
written too); then every file under the reports directory, the JUnit XML and
everything printed are searched for the token and for the Basic header made
from it.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parents[2]
_TOKEN = "tok-never-print-7c1d9e"
_USER = "acme-secret-check"


@pytest.mark.slow
def test_no_report_log_or_output_contains_the_credentials(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIALER_")}
    env.update(DIALER_API_TOKEN=_TOKEN, DIALER_USERNAME=_USER, DIALER_SEED="3",
               DIALER_REPORTS_DIR=str(tmp_path / "reports"),
               DIALER_SIM_FAULTS="record-missing-updated-at")
    run = subprocess.run(
        [sys.executable, "-m", "dialer_suite.cli", "contract", "-m", "quick", "-p",
         "no:cacheprovider", "-rA", "--tb=long", "-k", "not auth",
         "--junitxml", str(tmp_path / "reports" / "junit.xml")],
        cwd=_ROOT, env=env, capture_output=True, text=True, timeout=150,
    )
    assert run.returncode == 1, (
        f"the faulty run should fail (and so write failure details):\n{run.stdout[-2000:]}"
    )
    basic = base64.b64encode(f"{_USER}:{_TOKEN}".encode()).decode()
    written = {path: path.read_text(encoding="utf-8", errors="replace")
               for path in (tmp_path / "reports").rglob("*") if path.is_file()}
    assert len(written) >= 3, f"expected the summary, its JSON and the JUnit XML: {sorted(written)}"
    places = {"stdout": run.stdout, "stderr": run.stderr, **{str(p): t for p, t in written.items()}}
    leaks = [name for name, text in places.items() if _TOKEN in text or basic in text]
    assert not leaks, f"the credentials appear in: {leaks}"
    assert "$DIALER_API_TOKEN" in run.stdout, "failures should show curl with the token's variable"
