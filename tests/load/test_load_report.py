"""Verdicts, the knee, the terminal summary and the charts, from synthetic books."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dialer_suite.load import chart, dialing, summary
from dialer_suite.load.analysis import Scenario, judge_run
from dialer_suite.load.book import Book
from dialer_suite.load.names import ADD_CONTACT, DIALER_STEP, IMPORT_END_TO_END
from dialer_suite.load.profiles import Plan, Request, build_plan
from dialer_suite.load.run_plan import RunPlan
from dialer_suite.load.slo import Gates

GATES = Gates(
    total={"max_failure_ratio": 0.01, "min_rps_of_offered": 0.9},
    requests={ADD_CONTACT: {"p95_ms": 100.0}},
    imports={},
    min_knee_rps=20.0,
)
ADD_ONLY = Scenario((ADD_CONTACT,), (ADD_CONTACT,))


def _run_plan(plan: Plan, *, ceiling: float | None = None, **fields: Any) -> RunPlan:
    return RunPlan(plan=plan, gates=GATES, slo_source="slo.toml: table lab", report_dir="r", run_id="r1",
                   campaign_id=1, job_timeout=8.0, poll_interval=0.25, rate_ceiling=ceiling,
                   allow_writes=False, **fields)


def _stress_book(latency_per_step: list[float], step_seconds: float, rate: float) -> Book:
    book = Book()
    for step, millis in enumerate(latency_per_step):
        count = int(rate * (step + 1) * step_seconds)
        for i in range(count):
            now = step * step_seconds + i / count * step_seconds
            book.record(ADD_CONTACT, millis, stage=step, done_stage=step, now=now)
    return book


def test_the_knee_is_the_last_step_before_the_first_breach() -> None:
    plan = build_plan(Request("stress", rate=10.0, step_seconds=2.0, steps=4), rate_ceiling=None)
    book = _stress_book([5.0, 8.0, 250.0, 900.0], 2.0, 10.0)
    verdict = judge_run(book, plan, GATES, ADD_ONLY, seconds=8.0)
    assert verdict.knee_rps == 20.0
    assert [stage.passed for stage in verdict.stages] == [True, True, False, False]
    assert verdict.passed  # the knee meets min_knee_rps


def test_a_knee_below_the_floor_fails_the_stress_run() -> None:
    plan = build_plan(Request("stress", rate=10.0, step_seconds=2.0, steps=3), rate_ceiling=None)
    verdict = judge_run(_stress_book([5.0, 500.0, 900.0], 2.0, 10.0), plan, GATES, ADD_ONLY, seconds=6.0)
    assert verdict.knee_rps == 10.0
    assert [check.line() for check in verdict.breaches] == [
        "FAIL stress knee (highest step within SLO): measured 10 req/s < limit 20 req/s"
    ]


def test_the_summary_ends_with_the_verdict_and_lists_every_breach() -> None:
    plan = build_plan(Request("steady", rate=10.0, duration=4.0), rate_ceiling=None)
    book = Book()
    for i in range(40):
        book.record(ADD_CONTACT, 300.0 if i % 10 == 0 else 5.0, now=i / 10)
    verdict = judge_run(book, plan, GATES, ADD_ONLY, seconds=4.0)
    text = summary.render(_run_plan(plan), book, verdict, target="http://127.0.0.1:1/apps/api/v1",
                          report_dir=None)
    lines = text.splitlines()
    assert lines[-1] == "VERDICT: FAIL - 1 of 3 thresholds breached"
    assert "  FAIL addContact p95: measured 300 ms > limit 100 ms" in lines


def test_charts_are_written_as_png(tmp_path: Path) -> None:
    plan = build_plan(Request("stress", rate=10.0, step_seconds=2.0, steps=3), rate_ceiling=None)
    book = _stress_book([5.0, 50.0, 900.0], 2.0, 10.0)
    verdict = judge_run(book, plan, GATES, ADD_ONLY, seconds=6.0)
    over = chart.over_time(book, plan, ADD_ONLY.paced, tmp_path / "over_time.png", title="t", started=0.0)
    knee = chart.latency_vs_load(
        list(verdict.stages),
        book,
        ADD_ONLY.paced,
        verdict.knee_rps,
        tmp_path / "knee.png",
        title="k",
        p95_limit=100.0,
    )
    for path in (over, knee):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_import_while_dialing_splits_the_run_in_thirds_and_charts_them(tmp_path: Path) -> None:
    plan = build_plan(Request("steady", rate=1.0, duration=9.0), rate_ceiling=None)
    book = Book()
    for second in range(9):
        book.record(IMPORT_END_TO_END, 250.0 + second, contacts=100, now=100.0 + second)
        if 3 <= second < 6:
            for _ in range(20):
                book.record(DIALER_STEP, 5.0, now=100.0 + second)
    phases = dialing.phase_table(book, 100.0, plan.duration)
    assert [p["phase"] for p in phases] == list(dialing.PHASES)
    assert [p["imports"] for p in phases] == [3, 3, 3]
    assert [p["dialer_steps_per_s"] for p in phases] == [0.0, 20.0, 0.0]
    path = chart.import_while_dialing(book, plan, tmp_path / "iwd.png", started=100.0)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_dialer_steps_come_from_its_counters_and_are_bounded() -> None:
    last = {"scheduled_steps": 10, "lateness_ms_total": 100.0}
    assert dialing.new_steps(last, {"scheduled_steps": 14, "lateness_ms_total": 140.0}) == (4, 10.0)
    assert dialing.new_steps(last, last) == (0, 0.0)
    assert dialing.new_steps(last, {"scheduled_steps": 10**6, "lateness_ms_total": 0.0})[0] == 10_000
