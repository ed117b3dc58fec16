"""Import jobs: the id from any place a 202 may carry it, and bounded polling."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from dialer_suite.contract.property import broken_assumptions
from dialer_suite.contract.report import RunReport
from dialer_suite.http.client import ContractViolation, DialerClient
from dialer_suite.http.jobs import (
    Backoff,
    JobIdProblem,
    JobNotFinished,
    locate_job_id,
    poll_job,
    wait_for_job,
)

from .conftest import Handler, json_response

MakeClient = Callable[[Handler], DialerClient]
_LOCATION = "http://vendor.test/apps/api/v1/outbound_dialer/campaigns/1/contacts/jobs/"


@pytest.mark.parametrize(
    ("body", "headers", "source"),
    [
        ({"job_id": 7}, {}, "body job_id"),
        ({"id": 7, "status": "in_progress"}, {}, "body id"),
        (None, {"X-Job-Id": "7"}, "X-Job-Id header"),
        (None, {"Location": _LOCATION + "7"}, "Location header"),
        ({"id": 7}, {"Location": _LOCATION + "7"}, "body id + Location header"),
    ],
)
def test_job_id_is_found_and_where_is_reported(
    body: object, headers: dict[str, str], source: str
) -> None:
    ref = locate_job_id(body, headers)
    assert (ref.job_id, ref.source) == (7, source)


def test_places_that_disagree_are_a_failure() -> None:
    with pytest.raises(JobIdProblem, match="disagree: body id=7, Location header=8"):
        locate_job_id({"id": 7}, {"Location": _LOCATION + "8"})


def test_a_202_without_a_job_id_names_the_places_looked_at() -> None:
    with pytest.raises(JobIdProblem, match=r"no job id in the body \(job_id, id\), X-Job-Id or Location"):
        locate_job_id(None, {})


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _job(status: object) -> httpx.Response:
    return json_response(200, {"id": 3, "status": status, "type": "Jobs::Bulk::Campaign::ParentJob"})


def test_polling_backs_off_exponentially_up_to_a_cap(make_client: MakeClient) -> None:
    answers = iter([_job("in_progress")] * 6 + [_job("completed")])
    client = make_client(lambda request: next(answers))
    clock = _Clock()
    job = poll_job(client, 1, 3, timeout=60, backoff=Backoff(first=0.1, most=0.5),
                   clock=clock, sleep=clock.sleep)
    assert job["status"] == "completed"
    assert clock.sleeps == [0.1, 0.2, 0.4, 0.5, 0.5, 0.5]


def test_a_job_that_never_finishes_fails_with_id_status_and_time(make_client: MakeClient) -> None:
    client = make_client(lambda request: _job("in_progress"))
    clock = _Clock()
    with pytest.raises(JobNotFinished) as raised:
        poll_job(client, 1, 3, timeout=5, clock=clock, sleep=clock.sleep)
    message = str(raised.value)
    assert "import job 3" in message and "'in_progress'" in message and " s (" in message


def test_a_job_status_outside_the_examples_is_waited_through_and_kept_under_its_assumption(
    make_client: MakeClient,
) -> None:
    answers = iter([_job("queued"), _job("queued"), _job("completed")])
    client = make_client(lambda request: next(answers))
    clock = _Clock()
    assert poll_job(client, 1, 3, timeout=5, clock=clock, sleep=clock.sleep)["status"] == "completed"
    assert isinstance(client.report, RunReport)
    assert client.report.assumed_shapes == {
        (("job-statuses",), "getImportJob 200: at /status: 'queued' is not one of the 3 allowed values"): 2
    }


def test_a_job_that_never_reads_a_documented_end_fails_under_job_statuses(make_client: MakeClient) -> None:
    client = make_client(lambda request: _job("Completed"))
    clock = _Clock()
    with pytest.raises(JobNotFinished, match="still 'Completed' after") as raised:
        poll_job(client, 1, 3, timeout=5, clock=clock, sleep=clock.sleep)
    assert "'Completed' is none of the job statuses the vendor's examples show" in str(raised.value)
    assert broken_assumptions(raised.value) == ("job-statuses",)


def test_a_job_stuck_in_progress_is_left_to_the_test_s_marks(make_client: MakeClient) -> None:
    client = make_client(lambda request: _job("in_progress"))
    clock = _Clock()
    with pytest.raises(JobNotFinished) as raised:
        poll_job(client, 1, 3, timeout=5, clock=clock, sleep=clock.sleep)
    assert broken_assumptions(raised.value) is None


def test_a_job_status_that_is_not_a_string_fails_the_poll_as_documented(make_client: MakeClient) -> None:
    client = make_client(lambda request: _job(3))
    with pytest.raises(ContractViolation, match="3 is not of type 'string'") as raised:
        poll_job(client, 1, 3, timeout=5)
    assert raised.value.assumptions == ()


def test_reads_that_keep_failing_end_the_wait_naming_the_job() -> None:
    clock = _Clock()
    with pytest.raises(JobNotFinished, match="job 9: 3 reads in a row failed"):
        wait_for_job(lambda: None, describe="job 9", timeout=60, clock=clock, sleep=clock.sleep)


def test_one_failed_read_is_forgiven() -> None:
    answers = iter([None, {"status": "in_progress"}, None, {"id": 9, "status": "completed"}])
    clock = _Clock()
    job = wait_for_job(lambda: next(answers), describe="job 9", timeout=60, clock=clock, sleep=clock.sleep)
    assert job["status"] == "completed"


def test_the_timeout_counts_from_when_the_wait_began() -> None:
    clock = _Clock()
    clock.now = 10.0
    with pytest.raises(JobNotFinished, match=r"still 'in_progress' after 10\.0 s"):
        wait_for_job(lambda: {"status": "in_progress"}, describe="job 9", timeout=10, started=0.0,
                     backoff=Backoff(first=1.0, factor=1.0), clock=clock, sleep=clock.sleep)
