"""The values selfcheck passes between planning, running and reporting."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Tool(StrEnum):
    """What a run executes against the simulator."""

    SUITE = "suite"  # the contract suite (pytest contract_tests)
    LOAD = "load"  # the load suite's smoke profile with its SLO gates (speed faults)
    SCHEMATHESIS = "schemathesis"  # ``st run`` alone, for the side-by-side column


class RunStatus(StrEnum):
    """How a run ended, before any comparison with the clean baseline."""

    PASSED = "passed"
    FAILED = "failed"  # the tool reported failing tests or breached gates
    TIMEOUT = "timeout"  # killed after its time budget
    ERROR = "error"  # the tool crashed or left no report to read


@dataclass(frozen=True)
class FaultInfo:
    """One catalog fault, as selfcheck needs it (decoupled from the simulator's class)."""

    name: str
    kind: str
    summary: str
    speed: bool
    operations: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunRequest:
    """One run to execute: a tool against the simulator with at most one fault on, or one
    other reading of the vendor page (``vendor``: ``ID=CHOICE``, or ``PROFILE`` such as ``lean``)."""

    tool: Tool
    fault: str | None  # None = the clean simulator
    seed: int
    vendor: str | None = None

    @property
    def label(self) -> str:
        """A name unique within one selfcheck, also used as the run's artifact folder."""
        return f"{self.tool}-{self.fault or self.vendor or 'clean'}-seed{self.seed}"


@dataclass(frozen=True, order=True)
class Failure:
    """One failing test of a run: what failed and the first line of why."""

    test_id: str
    message: str


@dataclass(frozen=True)
class RunResult:
    """What one run produced."""

    request: RunRequest
    status: RunStatus
    failures: tuple[Failure, ...]
    seconds: float
    detail: str = ""  # for TIMEOUT/ERROR: what happened, with the tail of the run's output


@dataclass(frozen=True)
class RunOptions:
    """How every run of one selfcheck is made."""

    root: Path  # the project checkout: contract_tests/, openapi/, load_tests/
    artifacts: Path  # one subfolder per run
    timeout: float  # seconds before a run is killed
    quick: bool  # contract suite: only the ``quick`` marker
    job_timeout: float  # contract suite: how long it waits for an import job
    load_duration: str  # load smoke profile duration (e.g. "15s")
    schemathesis_max_examples: int
    schemathesis_phases: str  # comma-separated st phases

    @property
    def spec_path(self) -> Path:
        return self.root / "openapi" / "outbound-dialer.yaml"
