"""The answers a run gives from its book: requests against the ceiling, a single add's service
time, the stress knee and 429s, and a capacity run's rates, batch sizes and forecast."""

from __future__ import annotations

from typing import Any

import pytest

from dialer_suite.load.analysis import Scenario, judge_run
from dialer_suite.load.answers import answers, lines
from dialer_suite.load.book import Book
from dialer_suite.load.names import (
    ADD_CONTACT,
    GET_IMPORT_JOB,
    IMPORT_END_TO_END,
    POSTED_TO_LISTED,
    RETRIED_THROTTLED,
    RETRIES,
    THROTTLED,
    WITH_RETRY_AFTER,
    files_of,
)
from dialer_suite.load.profiles import Plan, Request, build_plan
from dialer_suite.load.run_plan import RunPlan
from dialer_suite.load.slo import Gates

ADDS = Scenario((ADD_CONTACT,), (ADD_CONTACT,))
IMPORTS = Scenario((IMPORT_END_TO_END,), ())
GATES = Gates({"min_rps_of_offered": 0.9}, {ADD_CONTACT: {"p95_ms": 500.0}}, {}, min_knee_of_ceiling=1.0)


def _run_plan(plan: Plan, ceiling: float | None = 10.0, **fields: Any) -> RunPlan:
    return RunPlan(plan=plan, gates=GATES, slo_source="x", report_dir="r", run_id="r1", campaign_id=11,
                   job_timeout=120.0, poll_interval=0.5, rate_ceiling=ceiling, allow_writes=True, **fields)


def _stress_book(plan: Plan, latency: float = 120.0, throttled_from: int | None = None) -> Book:
    book = Book()
    start = 1000.0
    for index, stage in enumerate(plan.stages):
        count = int(stage.rate * stage.seconds)
        for i in range(count):
            now = start + plan.stage_start(index) + i / stage.rate
            book.record(ADD_CONTACT, latency, stage=index, done_stage=index, intended_ms=latency + 5,
                        wait_ms=5.0, now=now)
            if throttled_from is not None and index >= throttled_from and i % 2 == 0:
                book.record(ADD_CONTACT, 2.0, throttled=True, stage=index, now=now)
    return book


def test_requests_sent_count_429s_and_the_busiest_second_against_the_ceiling() -> None:
    plan = build_plan(Request("steady", rate=5.0, duration=4.0), rate_ceiling=10.0)
    book = Book()
    for i in range(20):
        book.record(ADD_CONTACT, 100.0, now=1000.0 + i / 5)
    book.record(ADD_CONTACT, 1.0, throttled=True, now=1000.1)
    book.record(IMPORT_END_TO_END, 900.0, sent=False, now=1000.5)
    found = answers(_run_plan(plan), book, judge_run(book, plan, GATES, ADDS, 4.0))
    assert found["sent"]["requests"] == 21  # the job seen done is no request
    assert found["sent"]["peak_per_s"] == 6 and found["sent"]["ceiling_rps"] == 10.0


def test_steady_answers_the_service_time_a_single_add_sees_apart_from_our_pacer() -> None:
    plan = build_plan(Request("steady", rate=5.0, duration=4.0), rate_ceiling=10.0)
    book = Book()
    for i in range(20):
        book.record(ADD_CONTACT, 120.0, intended_ms=420.0, wait_ms=300.0, now=1000.0 + i / 5)
    found = answers(_run_plan(plan), book, judge_run(book, plan, GATES, ADDS, 4.0))["single_add"]
    assert found["p50_ms"] == pytest.approx(120.0, rel=1e-3)
    assert found["pacer_wait_p95_ms"] == pytest.approx(300.0, rel=1e-3)
    assert found["intended_p95_ms"] == pytest.approx(420.0, rel=1e-3)


def test_a_tenant_that_sustains_its_ceiling_has_its_knee_there_and_passes() -> None:
    plan = build_plan(Request("stress", step_seconds=2.0), rate_ceiling=10.0)
    book = _stress_book(plan)
    verdict = judge_run(book, plan, GATES, ADDS, plan.duration, ceiling=10.0)
    found = answers(_run_plan(plan), book, verdict)["stress"]
    assert verdict.passed and verdict.knee_rps == 10.0
    assert found["knee_is_ceiling"] and found["first_429_rps"] is None
    assert "knee at the ceiling: 10/s sustained within the SLOs" in lines({"stress": found})[0]


def test_a_tenant_below_its_ceiling_fails_the_knee_gate() -> None:
    plan = build_plan(Request("stress", step_seconds=2.0), rate_ceiling=10.0)
    book = _stress_book(plan, throttled_from=3)  # 429s from the 8/s step: the 429 ratio breaches
    gates = Gates({"max_throttled_ratio": 0.02}, {}, {}, min_knee_of_ceiling=1.0)
    verdict = judge_run(book, plan, gates, ADDS, plan.duration, ceiling=10.0)
    found = answers(_run_plan(plan), book, verdict)["stress"]
    assert verdict.knee_rps == 6.0 and not verdict.passed
    assert found["first_429_rps"] == 8.0 and not found["knee_is_ceiling"]


@pytest.mark.parametrize(
    ("counters", "honoured"),
    [
        ({THROTTLED: 4, WITH_RETRY_AFTER: 4, RETRIES: 4}, True),
        ({THROTTLED: 6, WITH_RETRY_AFTER: 6, RETRIES: 4, RETRIED_THROTTLED: 2}, False),
        ({THROTTLED: 4, RETRIES: 4}, False),  # no Retry-After to wait
        ({}, None),  # no 429, nothing to tell
    ],
)
def test_retry_after_is_honoured_when_every_retry_after_waiting_it_gets_through(
    counters: dict[str, int], honoured: bool | None
) -> None:
    plan = build_plan(Request("stress", step_seconds=2.0), rate_ceiling=10.0)
    book = _stress_book(plan)
    for name, amount in counters.items():
        book.count(name, amount)
    verdict = judge_run(book, plan, GATES, ADDS, plan.duration, ceiling=10.0)
    assert answers(_run_plan(plan), book, verdict)["stress"]["retry_after_honoured"] is honoured


def _capacity_book(jobs: dict[int, list[float]]) -> Book:
    """``jobs``: batch size → each job's end-to-end seconds, one after another from t=1000."""
    book, now = Book(), 1000.0
    for size, seconds in jobs.items():
        for took in seconds:
            book.aside(files_of(size), took * 1000, contacts=size, started=now, now=now + took)
            book.record(IMPORT_END_TO_END, took * 1000, contacts=size, sent=False, now=now + took)
            for _ in range(2):
                book.record(GET_IMPORT_JOB, 100.0, now=now + took)
            now += took
    book.aside(POSTED_TO_LISTED, 1500.0, contacts=200, started=1000.0, now=1001.5)
    return book


def test_capacity_compares_batch_sizes_and_names_the_fastest() -> None:
    plan = build_plan(Request("capacity", contacts=1000, batch_sizes=(200, 500)), rate_ceiling=10.0)
    book = _capacity_book({500: [1.0, 1.0], 200: [1.0] * 5})
    found = answers(_run_plan(plan), book, judge_run(book, plan, GATES, IMPORTS, 7.0))["capacity"]
    assert [group["batch_size"] for group in found["batch_sizes"]] == [200, 500]  # by size, not name
    by_size = {group["batch_size"]: group for group in found["batch_sizes"]}
    assert by_size[200]["contacts_per_s"] == pytest.approx(200.0)
    assert by_size[500]["contacts_per_s"] == pytest.approx(500.0)
    assert by_size[500]["per_job_contacts_per_s"]["p50"] == pytest.approx(500.0, rel=1e-2)
    assert found["fastest_batch_size"] == 500
    assert found["posted_to_listed_ms"]["p50_ms"] == pytest.approx(1500.0, rel=1e-3)


def test_the_forecast_takes_the_longer_of_the_measured_rate_and_the_requests_at_the_ceiling() -> None:
    plan = build_plan(Request("capacity", contacts=1000, batch_sizes=(500,)), rate_ceiling=10.0)
    book = _capacity_book({500: [0.25, 0.25]})  # 2,000 contacts/s: the requests are the bound
    found = answers(_run_plan(plan, campaign_size=200_000), book,
                    judge_run(book, plan, GATES, IMPORTS, 0.5))["capacity"]["forecast"]
    assert found["files"] == 400 and found["requests"] == 400 * 3  # a post and two reads per file
    assert found["seconds_at_measured_rate"] == pytest.approx(100.0)
    assert found["seconds"] == found["seconds_of_requests_at_ceiling"] == pytest.approx(120.0)
    assert found["removal_seconds"] > 200_000 / 10.0  # one DELETE each, under the ceiling
    text = " ".join(lines({"capacity": answers(_run_plan(plan, campaign_size=200_000), book,
                                               judge_run(book, plan, GATES, IMPORTS, 0.5))["capacity"]}))
    assert "forecast: 200,000 contacts in 400 files of 500 take about 2 min and 1,200 requests" in text
