"""The domain model without HTTP: a Tenant and its import jobs on a fresh SQLite file."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dialer_suite.simulator import storage
from dialer_suite.simulator.exceptions import CampaignNotFound, DuplicatePhone, Unprocessable
from dialer_suite.simulator.import_jobs import ImportJobs
from dialer_suite.simulator.models import Tenant
from dialer_suite.simulator.rules import contact_errors, type_errors
from dialer_suite.simulator.switches import Switches


@pytest.fixture
def connection(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    path = tmp_path / "model.db"
    storage.initialize(path, seed=0)
    connection = storage.connect(path)
    yield connection
    connection.close()


@pytest.fixture
def tenant(connection: sqlite3.Connection) -> Tenant:
    return Tenant(connection, (1, 2), Switches())


@pytest.fixture
def jobs(connection: sqlite3.Connection) -> ImportJobs:
    return ImportJobs(connection, Switches())


def _import(jobs: ImportJobs, contacts: list[dict[str, object]], campaign: int = 1) -> dict[str, Any]:
    job = jobs.create_job(campaign, json.dumps(contacts).encode())
    jobs.run_import(job.id)
    return {"status": jobs.get_job(campaign, job.id).status, **jobs.get_job(campaign, job.id).result}


def test_unknown_campaign_is_refused(tenant: Tenant) -> None:
    with pytest.raises(CampaignNotFound):
        tenant.require_campaign(3)


def test_duplicate_is_detected_across_formats(tenant: Tenant) -> None:
    tenant.add_contact(1, {"phone_number": "+12015550190"})
    with pytest.raises(DuplicatePhone):
        tenant.add_contact(1, {"phone_number": "+1-(201)-555-0190"})


def test_ids_start_at_a_seeded_offset_and_keep_counting_after_a_wipe(tenant: Tenant) -> None:
    first = tenant.add_contact(1, {"phone_number": "+12015550191"}).id
    tenant.wipe()
    assert tenant.add_contact(1, {"phone_number": "+12015550191"}).id == first + 1
    assert first > 1


def test_update_keeps_the_phone_unique_but_allows_its_own_number(tenant: Tenant) -> None:
    a = tenant.add_contact(1, {"phone_number": "+12015550192"})
    tenant.add_contact(1, {"phone_number": "+12015550193"})
    updated = tenant.update_contact(1, a.id, {"phone_number": "+1 201-555-0192"})
    assert updated.phone_number == "+1 201-555-0192"
    with pytest.raises(Unprocessable):
        tenant.update_contact(1, a.id, {"phone_number": "+12015550193"})


def test_import_with_a_duplicate_inserts_nothing_and_fails(tenant: Tenant, jobs: ImportJobs) -> None:
    job = _import(jobs, [{"phone_number": "+12015550194"}, {"phone_number": "+1 201-555-0194"}])
    assert job["status"] == "failed" and job["imported_contacts"] == 0
    assert tenant.list_contacts(1) == ([], 0)


def test_import_reports_invalid_entries_with_their_index(jobs: ImportJobs) -> None:
    job = _import(jobs, [{"phone_number": "+12015550195"}, {"email": "x@example.com"}])
    assert job["status"] == "completed" and job["imported_contacts"] == 1
    assert [item["index"] for item in job["invalid_contacts"]] == [1]


def test_a_job_already_run_is_not_run_again(tenant: Tenant, jobs: ImportJobs) -> None:
    job = jobs.create_job(1, json.dumps([{"phone_number": "+12015550196"}]).encode())
    jobs.run_import(job.id)
    jobs.run_import(job.id)
    assert tenant.list_contacts(1)[1] == 1
    assert jobs.pending_job_ids() == []


def test_type_errors_name_each_wrong_field() -> None:
    assert len(type_errors({"name": 1, "email": None, "phone_number": "+12015550100"})) == 2


def test_contact_errors_require_a_possible_phone_and_a_real_email() -> None:
    contact = {"phone_number": "+1 111-111-1111", "email": "customer@somedomain.com"}
    assert contact_errors(Switches(), contact) == []
    assert len(contact_errors(Switches(), {"email": "nope"})) == 2
