"""Run the simulator in its own process: ``start_simulator``, ``running_simulator``, ``serve``.

A separate process keeps the simulator's event loop, GIL and SQLite writes out
of the client's way, and makes SIGTERM/SIGKILL real. The parent binds the
listening socket (port 0 = a free port, without a race) and hands it to the
child, then waits for ``/_simulator/health``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from dialer_suite.errors import UsageError
from dialer_suite.simulator import assumptions, faults
from dialer_suite.simulator.config import SimulatorConfig
from dialer_suite.simulator.urls import ADMIN_PREFIX, API_PREFIX

_START_SECONDS = 30.0
_STOP_SECONDS = 30.0
_POLL_SECONDS = 0.05
_CONFIG_ENV = "DIALER_SIMULATOR_CONFIG"


@dataclass
class SimulatorHandle:
    """A simulator process: where it listens, its credentials, and how to stop it."""

    config: SimulatorConfig
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    _owned_dir: Path

    @property
    def root_url(self) -> str:
        host = self.config.host
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        return self.root_url + API_PREFIX

    @property
    def username(self) -> str:
        return self.config.username

    @property
    def token(self) -> str:
        return self.config.token

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def db_path(self) -> str:
        assert self.config.db_path is not None
        return self.config.db_path

    def stop(self, timeout: float = _STOP_SECONDS) -> int:
        """SIGTERM: finish in-flight requests and the job in hand, then exit.

        Returns the exit status: -SIGTERM after a graceful shutdown too, because
        uvicorn re-raises the signal it handled once it has shut down.
        """
        return self._end(signal.SIGTERM, timeout)

    def kill(self) -> int:
        """SIGKILL: the crash case. The database stays consistent (WAL); jobs resume on restart."""
        return self._end(signal.SIGKILL, _STOP_SECONDS)

    def _end(self, sig: signal.Signals, timeout: float) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(_STOP_SECONDS)
        shutil.rmtree(self._owned_dir, ignore_errors=True)
        return self.process.returncode


def start_simulator(config: SimulatorConfig | None = None) -> SimulatorHandle:
    """Start a simulator process and wait until it answers; a temp database unless ``db_path`` is set."""
    config = config or SimulatorConfig()
    faults.validate(config.faults)
    # The handle's own directory: the log, and the database unless the caller chose one.
    owned_dir = Path(tempfile.mkdtemp(prefix="dialer-sim-"))
    if config.db_path is None:
        config = dataclasses.replace(config, db_path=str(owned_dir / "simulator.db"))
    log_path = owned_dir / "simulator.log"
    listener = _bind(config.host, config.port)
    try:
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [
                    sys.executable, "-m", "dialer_suite.simulator",
                    "--listen-fd", str(listener.fileno()), "--parent-pid", str(os.getpid()),
                ],
                pass_fds=(listener.fileno(),),
                env={**os.environ, _CONFIG_ENV: config.to_json()},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        port = listener.getsockname()[1]
    finally:
        listener.close()
    handle = SimulatorHandle(config, process, port, log_path, owned_dir)
    _wait_until_healthy(handle)
    return handle


@contextlib.contextmanager
def running_simulator(config: SimulatorConfig | None = None) -> Iterator[SimulatorHandle]:
    handle = start_simulator(config)
    try:
        yield handle
    finally:
        handle.stop()


def serve_forever(config: SimulatorConfig) -> int:
    """Serve in the foreground (``dialer-suite serve``) until Ctrl-C or SIGTERM."""
    handle = start_simulator(config)
    chosen = assumptions.describe(assumptions.non_default(config.choices))
    print(f"simulator listening on {handle.base_url} (user {handle.username}; "
          f"database {handle.db_path}; faults: {', '.join(config.faults) or 'none'}; "
          f"assumptions: {chosen})", flush=True)
    stop = False

    def _request_stop(signum: int, frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, _request_stop)
    try:
        while not stop and handle.process.poll() is None:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    code = handle.stop()
    return 0 if code in (0, -signal.SIGTERM) else 1


def read_config_from_environment() -> SimulatorConfig:
    """The configuration a parent handed to this simulator process."""
    return SimulatorConfig.from_json(os.environ[_CONFIG_ENV])


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as error:
        listener.close()
        raise UsageError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    listener.listen(2048)
    listener.set_inheritable(True)
    return listener


def _wait_until_healthy(handle: SimulatorHandle) -> None:
    deadline = time.monotonic() + _START_SECONDS
    url = handle.root_url + ADMIN_PREFIX + "/health"
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if handle.process.poll() is not None:
                break
            with contextlib.suppress(httpx.HTTPError):
                if client.get(url).status_code == 200:
                    return
            time.sleep(_POLL_SECONDS)
    handle.kill()
    tail = handle.log_path.read_text(errors="replace")[-2000:] if handle.log_path.exists() else ""
    raise RuntimeError(f"the simulator did not become healthy within {_START_SECONDS:.0f} s:\n{tail}")
