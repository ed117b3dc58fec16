"""The run's ledger and the cleanup that reads it, against a scriptable fake vendor.

The ledger books what the answers show the run wrote — its contacts created
and removed, every import job it started — whoever sent the request; the
cleanup waits for those jobs, removes every contact of the run, books how many
it left, and the summary shows the ledger's counts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from dialer_suite.api.testdata import PhoneFactory
from dialer_suite.contract import rendering
from dialer_suite.contract.ledger import RunLedger
from dialer_suite.contract.report import RunReport
from dialer_suite.contract.rundata import RunData, RunPhones, clean_up
from dialer_suite.http.client import DialerClient
from dialer_suite.http.throttle import SpacedThrottle

from .conftest import BASE, TOKEN, USER, json_response, record

RUN = "run7"
_JOB = re.compile(r"/campaigns/(?P<campaign>[0-9]+)/contacts/jobs/(?P<job>[0-9]+)$")
_CAMPAIGN = re.compile(r"/campaigns/(?P<campaign>[0-9]+)/")


def _mine(contact_id: int) -> dict[str, Any]:
    return record(contact_id, external_unique_id=f"dialer-suite-{RUN}-{contact_id}")


def _theirs(contact_id: int) -> dict[str, Any]:
    return record(contact_id, external_unique_id=f"someone-else-{contact_id}")


class FakeVendor:
    """Campaigns of contacts; imports start jobs that read ``in_progress`` once, then ``completed``.

    ``refuse_deletes`` answers every delete 404 (a contact the target will not remove).
    """

    def __init__(self, campaigns: dict[int, list[dict[str, Any]]], *, refuse_deletes: bool = False) -> None:
        self.campaigns = campaigns
        self.refuse_deletes = refuse_deletes
        self.job_reads: dict[int, int] = {}
        self.log: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.log.append(f"{request.method} {path}")
        found = _CAMPAIGN.search(path)
        assert found is not None, path
        campaign = int(found["campaign"])
        if (job := _JOB.search(path)) is not None:
            job_id = int(job["job"])
            self.job_reads[job_id] = self.job_reads.get(job_id, 0) + 1
            status = "in_progress" if self.job_reads[job_id] == 1 else "completed"
            return json_response(200, {"id": job_id, "status": status, "type": "t"})
        if path.endswith("/contacts/import"):
            job_id = 40 + len(self.job_reads)
            self.job_reads[job_id] = 0
            return json_response(202, {"id": job_id, "status": "in_progress", "type": "t"},
                                 Location=f"{BASE}/outbound_dialer/campaigns/{campaign}/contacts/jobs/{job_id}")
        if request.method == "GET":
            return json_response(200, self.campaigns.get(campaign, []))
        if request.method == "DELETE":
            contact_id = json.loads(request.content)["contact_id"]
            listed = [c for c in self.campaigns.get(campaign, []) if c["id"] == contact_id]
            if self.refuse_deletes or not listed:
                return json_response(404, {"error": "not_found"})
            self.campaigns[campaign].remove(listed[0])
            return json_response(200, listed[0])
        raise AssertionError(f"the fake vendor does not answer {request.method} {path}")


@pytest.fixture
def report() -> RunReport:
    return RunReport(RunLedger(RUN))


@contextmanager
def _client(vendor: FakeVendor, report: RunReport) -> Iterator[DialerClient]:
    with DialerClient(BASE, USER, TOKEN, rate_limit=1e6, report=report,
                      transport=httpx.MockTransport(vendor), throttle=SpacedThrottle(1e6)) as client:
        yield client


def _run_data() -> RunData:
    return RunData(RUN, RunPhones(PhoneFactory(RUN, allow_possible=True), RUN))


def test_the_ledger_counts_the_run_contacts_the_answers_show_and_no_others(report: RunReport) -> None:
    vendor = FakeVendor({1: [_mine(1), _mine(2), _theirs(3)]})
    with _client(vendor, report) as client:
        client.list_contacts(1)
        client.delete_contact(1, {"contact_id": 2})
        client.delete_contact(1, {"contact_id": 3})
    ledger = report.ledger
    assert (ledger.created, ledger.removed, ledger.left) == (2, 1, None), ledger


def test_the_ledger_books_every_import_job_once_in_the_order_they_started(report: RunReport) -> None:
    vendor = FakeVendor({})
    with _client(vendor, report) as client:
        client.import_contacts(1, [_mine(1)])
        client.import_contacts(2, [_mine(2)])
        client.get_job(1, 40)
    assert report.ledger.jobs == ((1, 40), (2, 41)), report.ledger


def test_a_ledger_without_a_run_id_counts_no_contact_as_the_run_s(report: RunReport) -> None:
    anonymous = RunReport()
    with _client(FakeVendor({1: [_mine(1)]}), anonymous) as client:
        client.list_contacts(1)
    assert anonymous.ledger.created == 0, anonymous.ledger


def test_cleanup_waits_for_the_jobs_then_removes_every_run_contact_and_books_none_left(
    report: RunReport,
) -> None:
    vendor = FakeVendor({1: [_mine(1), _theirs(2)], 2: [_mine(3)]})
    with _client(vendor, report) as client:
        client.import_contacts(2, [_mine(4)])
        result = clean_up(client, _run_data(), report.ledger, (1, 2), job_timeout=5)
    assert (result.removed, result.left, result.problems) == (2, (), ()), result
    assert vendor.campaigns == {1: [_theirs(2)], 2: []}
    first_delete = next(i for i, line in enumerate(vendor.log) if line.startswith("DELETE"))
    job_reads = [line for line in vendor.log[:first_delete] if line.endswith("/campaigns/2/contacts/jobs/40")]
    assert len(job_reads) == 2, vendor.log
    assert (report.ledger.created, report.ledger.removed, report.ledger.left) == (2, 2, 0)
    assert rendering.terminal_lines(report)[-1] == "contacts written: created 2, removed 2, left on target 0"


def test_cleanup_names_and_books_the_contacts_it_could_not_remove(report: RunReport) -> None:
    vendor = FakeVendor({1: [_mine(1), _theirs(2)]}, refuse_deletes=True)
    with _client(vendor, report) as client:
        result = clean_up(client, _run_data(), report.ledger, (1,), job_timeout=5, sweeps=1)
    assert [(left.campaign_id, left.why) for left in result.left] == [(1, "delete answered 404")]
    summary = rendering.summary(report)
    assert (summary["created"], summary["removed"], summary["left"]) == (1, 0, 1), summary
