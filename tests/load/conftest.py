"""Fixtures of the load suite's self-tests.

Unit tests use the plain modules of ``dialer_suite.load`` directly. Run tests
drive ``dialer-suite load`` (in this process: its handler only starts locust in
a child process, so nothing here imports locust) or plain ``locust`` children,
against simulators that the tests start and stop.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dialer_suite.cli import _Parser
from dialer_suite.errors import UsageError
from dialer_suite.load import cli as load_cli
from dialer_suite.simulator import SimulatorConfig, SimulatorHandle, start_simulator


@pytest.fixture(autouse=True)
def _no_dialer_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings from the developer's shell must not leak into a test's run."""
    for name in list(os.environ):
        if name.startswith("DIALER_"):
            monkeypatch.delenv(name)


@dataclass(frozen=True)
class LoadResult:
    """What one ``dialer-suite load`` run left behind."""

    code: int
    stdout: str
    stderr: str
    report_dir: Path

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def summary(self) -> dict[str, Any]:
        path = self.report_dir / "summary.json"
        assert path.exists(), f"no summary.json in {self.report_dir}; output:\n{self.output[-3000:]}"
        data: dict[str, Any] = json.loads(path.read_text())
        return data

    def failed_checks(self) -> list[str]:
        return [f"{c['subject']} {c['metric']}" for c in self.summary["checks"] if not c["passed"]]


RunLoad = Callable[..., LoadResult]


@pytest.fixture
def run_load(capfd: pytest.CaptureFixture[str], tmp_path: Path) -> RunLoad:
    """Run ``dialer-suite load ARGS`` with reports in a temporary directory."""

    def run(*args: str) -> LoadResult:
        report_dir = tmp_path / "report"
        parser = _Parser(prog="dialer-suite")
        load_cli.register(parser.add_subparsers(dest="command", required=True, parser_class=_Parser))
        parsed = parser.parse_args(["load", *args, "--report-dir", str(report_dir)])
        try:
            code = parsed.handler(parsed)
        except UsageError as error:
            code, message = 2, str(error)
        else:
            message = ""
        captured = capfd.readouterr()
        return LoadResult(code, captured.out, captured.err + message, report_dir)

    return run


@pytest.fixture
def simulator() -> Iterator[Callable[..., SimulatorHandle]]:
    """Start simulators with a config's fields (rate limit off by default); all are stopped after."""
    handles: list[SimulatorHandle] = []

    def start(**fields: Any) -> SimulatorHandle:
        handle = start_simulator(SimulatorConfig(**{"rate_limit": None, **fields}))
        handles.append(handle)
        return handle

    yield start
    for handle in handles:
        handle.stop()
