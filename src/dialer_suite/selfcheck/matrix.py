"""The kill matrix: for each fault, did the suite catch it, did schemathesis alone, and by which tests.

A fault is caught by the suite when any of its tests fails against the faulty
simulator (the clean run must be green, so every failure is evidence). For
schemathesis alone, which is not green on the clean simulator, a fault counts
as caught only by failures the clean run of the same seed did not have — the
comparison is check by check, so a louder version of a known false alarm
does not count as a kill.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from dialer_suite.selfcheck.model import Failure, FaultInfo, RunResult, RunStatus, Tool


class Kill(StrEnum):
    """What one run of a tool proved about one fault."""

    CAUGHT = "caught"
    SURVIVED = "survived"
    TIMEOUT = "timeout"  # the run was killed past its budget: neither caught nor cleared
    ERROR = "error"  # the run crashed or left no report
    NOT_RUN = "not run"


@dataclass(frozen=True)
class Cell:
    """One tool's verdict on one fault."""

    verdict: Kill
    killers: tuple[Failure, ...] = ()
    seconds: float = 0.0
    detail: str = ""


@dataclass(frozen=True)
class Row:
    fault: FaultInfo
    suite: Cell  # the contract suite, or the load smoke profile for a speed fault
    schemathesis: Cell  # NOT_RUN when schemathesis alone was not part of the selfcheck

    @property
    def suite_tool(self) -> Tool:
        return Tool.LOAD if self.fault.speed else Tool.SUITE


@dataclass(frozen=True)
class Matrix:
    clean: tuple[RunResult, ...]  # every run against the clean simulator
    rows: tuple[Row, ...]

    def clean_failures(self) -> list[RunResult]:
        """Clean runs of our own tools that did not pass: false alarms (or broken runs)."""
        return [
            result
            for result in self.clean
            if result.request.tool is not Tool.SCHEMATHESIS and result.status is not RunStatus.PASSED
        ]

    def schemathesis_baseline(self) -> tuple[Failure, ...]:
        """What schemathesis alone reports against the clean simulator (its false alarms)."""
        return tuple(sorted(_baseline(self.clean)))

    def survivors(self) -> list[Row]:
        """Faults the suite did not catch (timeouts and errors included: not proven caught)."""
        return [row for row in self.rows if row.suite.verdict is not Kill.CAUGHT]

    @property
    def ok(self) -> bool:
        return not self.clean_failures() and not self.survivors()


def build_matrix(faults: Sequence[FaultInfo], results: Iterable[RunResult]) -> Matrix:
    """Match each fault with its runs; a fault without a run of a tool gets NOT_RUN for it."""
    results = list(results)
    clean = tuple(result for result in results if result.request.fault is None)
    by_run = {(result.request.tool, result.request.fault): result for result in results}
    baseline = _baseline(clean)
    rows = []
    for fault in faults:
        suite_tool = Tool.LOAD if fault.speed else Tool.SUITE
        rows.append(
            Row(
                fault=fault,
                suite=_cell(by_run.get((suite_tool, fault.name)), frozenset()),
                schemathesis=_cell(by_run.get((Tool.SCHEMATHESIS, fault.name)), baseline),
            )
        )
    return Matrix(clean=clean, rows=tuple(rows))


def _baseline(clean: Iterable[RunResult]) -> frozenset[Failure]:
    return frozenset(
        failure for result in clean if result.request.tool is Tool.SCHEMATHESIS for failure in result.failures
    )


def _cell(result: RunResult | None, baseline: frozenset[Failure]) -> Cell:
    if result is None:
        return Cell(Kill.NOT_RUN)
    if result.status is RunStatus.TIMEOUT:
        return Cell(Kill.TIMEOUT, seconds=result.seconds, detail=result.detail)
    if result.status is RunStatus.ERROR:
        return Cell(Kill.ERROR, seconds=result.seconds, detail=result.detail)
    killers = tuple(failure for failure in result.failures if failure not in baseline)
    if killers:
        return Cell(Kill.CAUGHT, killers, result.seconds)
    detail = "only the clean run's failures" if result.failures else ""
    return Cell(Kill.SURVIVED, seconds=result.seconds, detail=detail)
