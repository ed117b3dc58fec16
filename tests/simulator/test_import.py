"""importContacts and getImportJob: 202 + Location, an atomic background job, file-level refusals."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

DUPLICATE = "NativePowerDial::ContactService::DuplicateContactPhoneOnCampaign"


def _contacts(*phones: str) -> list[dict[str, str]]:
    return [{"name": f"c{i}", "phone_number": phone} for i, phone in enumerate(phones)]


def test_import_answers_202_with_the_job_and_its_location(api: Any) -> None:
    response = api.import_file(_contacts("+12015550140"))
    body = response.json()
    assert response.status_code == 202, api.describe(response)
    assert body == {"id": body["id"], "status": "in_progress", "type": "Jobs::Bulk::Campaign::ParentJob"}
    assert response.headers["location"].endswith(f"/outbound_dialer/campaigns/1/contacts/jobs/{body['id']}")


def test_job_completes_and_imports_every_contact(api: Any) -> None:
    job_id = api.import_file(_contacts("+12015550141", "+1 201-555-0142")).json()["id"]
    job = api.finished_job(job_id)
    assert (job["status"], job["total_contacts"], job["imported_contacts"]) == ("completed", 2, 2), job
    assert sorted(item["phone_number"] for item in api.list().json()) == ["+1 201-555-0142", "+12015550141"]


def test_invalid_contacts_are_listed_on_the_job_and_the_valid_ones_imported(api: Any) -> None:
    job_id = api.import_file([*_contacts("+12015550143"), {"phone_number": "bad"}, {"name": 5}]).json()["id"]
    job = api.finished_job(job_id)
    assert job["status"] == "completed" and job["imported_contacts"] == 1, job
    assert [item["index"] for item in job["invalid_contacts"]] == [1, 2], job
    assert all(item["errors"] for item in job["invalid_contacts"]), job


@pytest.mark.parametrize("already", [True, False], ids=["on-the-campaign", "twice-in-the-file"])
def test_a_duplicate_phone_fails_the_job_and_imports_nothing(api: Any, already: bool) -> None:
    phones: tuple[str, ...]
    if already:
        api.added_id("+12015550144")
        phones = ("+12015550145", "+1-(201)-555-0144")
    else:
        phones = ("+12015550145", "+12015550144", "+1 201-555-0144")
    before = api.list().json()
    job = api.finished_job(api.import_file(_contacts(*phones)).json()["id"])
    assert job["status"] == "failed", job
    assert (job["error_details"], job["error_message"]) == (DUPLICATE, "Internal Error"), job
    assert job["type"] == "Jobs::Bulk::Campaign::StartImport", job
    assert api.list().json() == before


def test_job_reads_in_progress_for_the_minimum_job_time(make_api: Any) -> None:
    api = make_api(min_job_seconds=0.5)
    started = time.monotonic()
    job_id = api.import_file(_contacts("+12015550146")).json()["id"]
    assert api.job(job_id).json()["status"] == "in_progress"
    assert api.finished_job(job_id)["status"] == "completed"
    assert time.monotonic() - started >= 0.5


def test_job_of_another_campaign_answers_404(api: Any) -> None:
    job_id = api.import_file(_contacts("+12015550147")).json()["id"]
    response = api.job(job_id, campaign=2)
    assert response.status_code == 404, api.describe(response)


@pytest.mark.parametrize("content", [b"{}", b"[]", b"[1, 2]", b'[{"phone_number": "+12015550148"}, "x"]'])
def test_file_that_is_not_a_non_empty_array_of_objects_answers_422(api: Any, content: bytes) -> None:
    response = api.import_file(content)
    assert response.status_code == 422, api.describe(response)


@pytest.mark.parametrize("content", [b"[{", b"\xff\xfe", b""])
def test_file_that_is_not_json_answers_400(api: Any, content: bytes) -> None:
    response = api.import_file(content)
    assert response.status_code == 400, api.describe(response)


def test_form_without_a_file_part_answers_400(api: Any) -> None:
    response = api.client.post(
        f"{api.prefix}/1/contacts/import", files={"other": ("x.json", b"[]")}, auth=api.auth
    )
    assert response.status_code == 400, api.describe(response)


def test_import_that_is_not_multipart_answers_415(api: Any) -> None:
    body = _contacts("+12015550149")
    response = api.client.post(f"{api.prefix}/1/contacts/import", json=body, auth=api.auth)
    assert response.status_code == 415, api.describe(response)


@pytest.mark.parametrize("limit", [{"max_import_contacts": 2}, {"max_import_bytes": 100}])
def test_file_past_a_limit_answers_413(make_api: Any, limit: dict[str, int]) -> None:
    api = make_api(**limit)
    response = api.import_file(_contacts("+12015550150", "+12015550151", "+12015550152"))
    assert response.status_code == 413, api.describe(response)


def test_file_sent_as_a_plain_form_field_is_accepted(api: Any) -> None:
    response = api.client.post(
        f"{api.prefix}/1/contacts/import",
        files={"file": (None, json.dumps(_contacts("+12015550153")))},
        auth=api.auth,
    )
    assert response.status_code == 202, api.describe(response)
