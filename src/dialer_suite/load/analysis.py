"""Turning a run's book into verdicts: gates over the whole run, per stage, and the knee.

Used twice: by the locust master at the end of a run, and by the stress shape
while it runs (a stage is judged once its data has arrived, and the first stage
that breaches ends the run).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from dialer_suite.load.book import DONE, STAGE, Book
from dialer_suite.load.profiles import Plan
from dialer_suite.load.slo import Check, Facts, Gates, evaluate

# Seconds by which the last recorded request may precede a stage's end for it to count as complete.
_TOLERANCE = 0.5


@dataclass(frozen=True)
class Scenario:
    """Which request names a scenario produces, and which of them the plan paces."""

    expected: tuple[str, ...]
    paced: tuple[str, ...]


@dataclass(frozen=True)
class StageResult:
    index: int
    label: str
    offered_rps: float
    achieved_rps: float
    checks: tuple[Check, ...]

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)


@dataclass(frozen=True)
class RunVerdict:
    """The verdict of a whole load run: its checks, its stages' results, the stress knee."""

    checks: tuple[Check, ...]
    stages: tuple[StageResult, ...]
    knee_rps: float | None
    seconds: float

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def stage_breached(self) -> bool:
        return any(not stage.passed for stage in self.stages)

    @property
    def breaches(self) -> list[Check]:
        return [check for check in self.checks if not check.passed]


def stage_gates(gates: Gates) -> Gates:
    """The gates that make sense for one stage: relative rate, latency and failures only."""
    total = {key: value for key, value in gates.total.items() if key != "min_rps"}
    requests = {
        name: {key: value for key, value in limits.items() if key != "min_rps"}
        for name, limits in gates.requests.items()
    }
    return replace(gates, total=total, requests=requests, imports={}, min_knee_rps=None)


def judge_stage(book: Book, plan: Plan, gates: Gates, scenario: Scenario, index: int) -> StageResult:
    stage = plan.stages[index]
    windows = book.by(STAGE).get(index, {})
    completed = {name: window.requests for name, window in book.by(DONE).get(index, {}).items()}
    facts = Facts(
        windows, stage.seconds, scenario.expected, scenario.paced, offered_rps=stage.rate, completed=completed
    )
    achieved = sum(completed.get(name, 0) for name in scenario.paced) / stage.seconds
    return StageResult(index, stage.label, stage.rate, achieved, tuple(evaluate(stage_gates(gates), facts)))


def knee(stages: list[StageResult]) -> float | None:
    """The highest offered rate before the first stage that breached (0 if the first did)."""
    if not stages:
        return None
    passed_rates = []
    for result in stages:
        if not result.passed:
            break
        passed_rates.append(result.offered_rps)
    return max(passed_rates, default=0.0)


def judge_run(
    book: Book, plan: Plan, gates: Gates, scenario: Scenario, seconds: float, *, ceiling: float | None = None
) -> RunVerdict:
    """The verdict of a finished run lasting ``seconds``; ``ceiling`` the rate it was held under."""
    if plan.stop_on_breach:
        # A step the run was stopped in has too little data to judge: only complete ones count.
        complete = [
            i
            for i in sorted(book.by(STAGE))
            if i < len(plan.stages) and plan.stage_start(i + 1) <= seconds + _TOLERANCE
        ]
        stages = [judge_stage(book, plan, gates, scenario, index) for index in complete]
        knee_rps = knee(stages)
        knee_facts = Facts({}, seconds, (), (), knee_rps=knee_rps if knee_rps is not None else 0.0,
                           ceiling_rps=ceiling)
        knee_only = replace(gates, total={}, requests={}, imports={})
        return RunVerdict(tuple(evaluate(knee_only, knee_facts)), tuple(stages), knee_rps, seconds)
    offered = None if plan.profile == "capacity" else plan.offered / plan.duration
    facts = Facts(book.overall(), seconds, scenario.expected, scenario.paced, offered_rps=offered)
    stages = [
        judge_stage(book, plan, gates, scenario, index)
        for index in sorted(book.by(STAGE))
        if index < len(plan.stages)
    ]
    return RunVerdict(
        tuple(evaluate(gates, facts)), tuple(stages) if len(plan.stages) > 1 else (), None, seconds
    )
