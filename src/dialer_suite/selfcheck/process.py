"""Run one command with a hard time budget, and take its whole process tree down on expiry.

The contract suite and the load command start their own simulator as a child
process; killing only the direct child would leave that simulator running.
Each command therefore gets its own process group, and the group is ended:
SIGTERM first (so the suite's cleanup can run), SIGKILL after a grace period.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

_GRACE_SECONDS = 5.0

# Commands run in their own sessions, so a Ctrl-C on the terminal does not reach
# them; selfcheck ends the live ones itself (terminate_all) when interrupted.
_live: set[subprocess.Popen[bytes]] = set()
_live_lock = threading.Lock()


@dataclass(frozen=True)
class ProcessOutcome:
    """How the command ended; ``returncode`` is None when it was killed on timeout."""

    returncode: int | None
    seconds: float

    @property
    def timed_out(self) -> bool:
        return self.returncode is None


def run_bounded(
    command: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path,
    log_path: Path,
    timeout: float,
) -> ProcessOutcome:
    """Run ``command`` with stdout and stderr to ``log_path``; kill its group after ``timeout``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            list(command),
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        with _live_lock:
            _live.add(process)
        try:
            returncode: int | None = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _end_group(process)
            returncode = None
        finally:
            with _live_lock:
                _live.discard(process)
    return ProcessOutcome(returncode, time.monotonic() - started)


def terminate_all() -> None:
    """End the process group of every command still running (on interrupt)."""
    with _live_lock:
        running = list(_live)
    for process in running:
        _end_group(process)


def log_tail(log_path: Path, lines: int = 15) -> str:
    """The last lines of a run's log, for a report of why it errored."""
    try:
        text = log_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _end_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the group, give the leader a grace period, then SIGKILL whatever is left of it."""
    _signal_group(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=_GRACE_SECONDS)
    _signal_group(process.pid, signal.SIGKILL)
    process.wait(timeout=_GRACE_SECONDS)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # the group is already gone
        os.killpg(pgid, sig)
