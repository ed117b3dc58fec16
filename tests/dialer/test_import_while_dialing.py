"""The import_while_dialing load profile runs against the simulator and charts both sides.

Locust runs in a child process (``dialer-suite load``): it must never be
imported into a test process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.dialer, pytest.mark.load, pytest.mark.slow]

_ROOT = Path(__file__).resolve().parents[2]
_TIMEOUT = 180


def test_the_dialer_runs_only_in_the_middle_third_and_the_report_has_its_chart(
    tmp_path: Path,
) -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DIALER_")}
    # Latency gates are for benchmarks on a quiet machine; here only failures count.
    slo = tmp_path / "slo.toml"
    slo.write_text("[simulator.default]\nmax_failure_ratio = 0.01\n", encoding="utf-8")
    command = [sys.executable, "-m", "dialer_suite.cli", "load", "--profile", "steady",
               "--scenario", "import_while_dialing", "--rate", "2", "--duration", "9s",
               "--slo", str(slo), "--report-dir", str(tmp_path)]
    run = subprocess.run(command, cwd=_ROOT, env=environ, capture_output=True, text=True,
                         timeout=_TIMEOUT, check=False)
    shown = f"exit {run.returncode}\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    assert run.returncode == 0, shown
    assert (tmp_path / "import_while_dialing.png").is_file(), shown
    phases = json.loads((tmp_path / "import_while_dialing.json").read_text(encoding="utf-8"))
    assert [p["phase"] for p in phases] == ["before dialing", "while dialing", "after dialing"]
    assert phases[0]["dialer_steps_per_s"] == 0, phases
    assert phases[1]["dialer_steps_per_s"] > 0, phases
    assert all(p["imports"] > 0 for p in phases), phases
