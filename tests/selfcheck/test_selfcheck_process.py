"""A run past its budget is killed with its whole process tree, and reported as timed out."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from dialer_suite.selfcheck.process import run_bounded

# Starts a grandchild that would outlive a kill of the direct child only, and reports its pid.
_PARENT_OF_SLEEPER = (
    "import subprocess, sys, time\n"
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
    "print(child.pid, flush=True)\n"
    "time.sleep(60)\n"
)


def _alive(pid: int) -> bool:
    """Running, not a zombie (an orphaned zombie waits for PID 1, which may never reap it here)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_a_finished_command_reports_its_exit_code_and_output(tmp_path: Path) -> None:
    log = tmp_path / "out.log"
    outcome = run_bounded(
        [sys.executable, "-c", "print('hello'); raise SystemExit(3)"],
        env=os.environ,
        cwd=tmp_path,
        log_path=log,
        timeout=30,
    )
    assert (outcome.returncode, outcome.timed_out) == (3, False)
    assert log.read_text().strip() == "hello"


def test_a_command_past_its_timeout_is_killed_with_its_children(tmp_path: Path) -> None:
    log = tmp_path / "out.log"
    started = time.monotonic()
    outcome = run_bounded(
        [sys.executable, "-c", _PARENT_OF_SLEEPER], env=os.environ, cwd=tmp_path, log_path=log, timeout=2
    )
    assert outcome.timed_out and time.monotonic() - started < 20, outcome
    grandchild = int(log.read_text().split()[0])
    deadline = time.monotonic() + 5
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(grandchild), f"grandchild {grandchild} survived the timeout kill"
