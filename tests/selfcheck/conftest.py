"""Small synthetic faults and run results, so matrix and report logic is tested without running anything."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dialer_suite.selfcheck.model import Failure, FaultInfo, RunRequest, RunResult, RunStatus, Tool


@pytest.fixture
def wire_fault() -> FaultInfo:
    return FaultInfo("add-wrong-status", "wire", "add answers 201 instead of 200", False, ("addContact",))


@pytest.fixture
def speed_fault() -> FaultInfo:
    return FaultInfo("slow-responses", "speed", "every response 800 ms late", True, ("addContact",))


@pytest.fixture
def make_result() -> Callable[..., RunResult]:
    """``make_result(tool, fault, status, *failures, seed=0)``: a finished run."""

    def make(
        tool: Tool,
        fault: str | None,
        status: RunStatus,
        *failures: Failure,
        seed: int = 0,
        seconds: float = 1.0,
        detail: str = "",
    ) -> RunResult:
        return RunResult(RunRequest(tool, fault, seed), status, failures, seconds, detail)

    return make
