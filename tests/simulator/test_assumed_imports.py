"""Each alternative of the assumptions about imports and their jobs does what it says.

The same pattern as ``test_assumed_contacts.py``: one choice played per test,
shown by what tells it from the assumed behaviour. Where a failed job is
involved, the documented failure (a phone already on the campaign) must still
fail it, whatever the choice.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from dialer_suite.simulator import storage
from dialer_suite.simulator.import_jobs import file_shape_problem

DUPLICATE = "NativePowerDial::ContactService::DuplicateContactPhoneOnCampaign"
A, B, C, D = "+12015550120", "+12015550121", "+12015550122", "+12015550123"


def _contacts(*phones: str) -> list[dict[str, str]]:
    return [{"name": f"c{index}", "phone_number": phone} for index, phone in enumerate(phones)]


def _job(api: Any, content: Any) -> dict[str, Any]:
    """Import ``content`` and wait for its job (the 202 must name it in the body)."""
    response = api.import_file(content)
    assert response.status_code == 202, api.describe(response)
    return api.finished_job(response.json()["id"])


def _names(api: Any) -> list[str]:
    return sorted(str(item["name"]) for item in api.list().json())


# -- job-id-location -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("played", "header"), [("location-only", "location"), ("x-job-id", "x-job-id")]
)
def test_the_202_has_an_empty_body_and_names_the_job_in_one_header(
    make_api: Any, played: str, header: str
) -> None:
    api = make_api(assume={"job-id-location": played})
    response = api.import_file(_contacts(A))
    assert response.status_code == 202 and response.content == b"", api.describe(response)
    assert "content-type" not in response.headers, api.describe(response)
    assert {"location", "x-job-id"} & set(response.headers) == {header}, api.describe(response)
    value = response.headers[header]
    job_id = int(value.rsplit("/", 1)[-1])
    if header == "location":
        assert api.client.get(value, auth=api.auth).json()["id"] == job_id
    assert api.finished_job(job_id)["status"] == "completed"


def test_body_job_id_answers_only_the_id_under_job_id(make_api: Any) -> None:
    api = make_api(assume={"job-id-location": "body-job-id"})
    response = api.import_file(_contacts(A))
    body = response.json()
    assert list(body) == ["job_id"] and "location" not in response.headers, api.describe(response)
    assert api.finished_job(body["job_id"])["status"] == "completed"


def test_body_job_id_status_answers_the_id_and_the_jobs_status(make_api: Any) -> None:
    api = make_api(assume={"job-id-location": "body-job-id-status"})
    response = api.import_file(_contacts(A))
    body = response.json()
    assert body == {"job_id": body["job_id"], "status": "in_progress"}, api.describe(response)
    assert "location" not in response.headers, api.describe(response)
    assert api.finished_job(body["job_id"])["status"] == "completed"


# -- import-limits -------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [{"max_import_contacts": 2}, {"max_import_bytes": 100}])
@pytest.mark.parametrize(("played", "status"), [("unlimited", 202), ("422", 422)])
def test_a_file_past_a_limit_is_taken_or_refused_with_422(
    make_api: Any, limit: dict[str, int], played: str, status: int
) -> None:
    api = make_api(assume={"import-limits": played}, **limit)
    response = api.import_file(_contacts(A, B, C))
    assert response.status_code == status, api.describe(response)
    if status == 202:
        assert api.finished_job(response.json()["id"])["imported_contacts"] == 3


# -- import-file-shape ---------------------------------------------------------------------

_WRONG_SHAPES = [b"{}", b"[]", b"[1, 2]", b'[{"phone_number": "+12015550124"}, "x"]']


@pytest.mark.parametrize("content", _WRONG_SHAPES)
def test_job_fails_accepts_a_file_of_the_wrong_shape_and_fails_its_job(make_api: Any, content: bytes) -> None:
    api = make_api(assume={"import-file-shape": "job-fails"})
    job = _job(api, content)
    assert job["status"] == "failed" and job["type"] == "Jobs::Bulk::Campaign::StartImport", job
    assert job["error_details"] == "NativePowerDial::ContactService::InvalidImportFile", job
    # The reason the assumed 422 gives, now on the job.
    assert job["error_message"] == file_shape_problem(json.loads(content)), job
    assert api.list().json() == []


@pytest.mark.parametrize("content", _WRONG_SHAPES)
def test_400_refuses_a_file_of_the_wrong_shape_with_400(make_api: Any, content: bytes) -> None:
    api = make_api(assume={"import-file-shape": "400"})
    assert api.import_file(content).status_code == 400


def test_422_not_json_refuses_a_file_that_is_not_json_with_422_and_a_body_still_with_400(
    make_api: Any,
) -> None:
    api = make_api(assume={"import-file-shape": "422-not-json"})
    assert api.import_file(b"[{").status_code == 422
    assert api.import_file(b"[]").status_code == 422
    malformed = api.client.post(f"{api.prefix}/1/contacts", content=b"{", auth=api.auth,
                                headers={"Content-Type": "application/json"})
    assert malformed.status_code == 400, api.describe(malformed)


def test_a_file_that_is_not_json_stays_an_error_codes_matter(make_api: Any) -> None:
    api = make_api(assume={"import-file-shape": "job-fails", "error-codes": "all-422"})
    assert api.import_file(b"[{").status_code == 422


# -- import-invalid-contacts, invalid-contact-shape, job-counts, phone-required -------------


def _with_invalid(api: Any) -> dict[str, Any]:
    return _job(api, [*_contacts(A), {"phone_number": "bad"}, *_contacts(B)])


def test_silent_skips_invalid_contacts_without_a_trace(make_api: Any) -> None:
    api = make_api(assume={"import-invalid-contacts": "silent"})
    job = _with_invalid(api)
    assert job["status"] == "completed" and "invalid_contacts" not in job, job
    assert len(api.list().json()) == 2


def test_fail_job_fails_on_one_invalid_contact_and_imports_nothing(make_api: Any) -> None:
    api = make_api(assume={"import-invalid-contacts": "fail-job"})
    job = _with_invalid(api)
    assert job["status"] == "failed" and job["error_details"].endswith("InvalidContact"), job
    assert "contact 1" in job["error_message"] and job["imported_contacts"] == 0, job
    assert api.list().json() == []


def test_fail_job_internal_error_fails_the_job_with_the_documented_message(make_api: Any) -> None:
    api = make_api(assume={"import-invalid-contacts": "fail-job-internal-error"})
    job = _with_invalid(api)
    assert job["status"] == "failed" and job["error_details"].endswith("InvalidContact"), job
    assert job["error_message"] == "Internal Error" and job["imported_contacts"] == 0, job
    assert api.list().json() == []


@pytest.mark.parametrize(
    ("played", "expected"),
    [("bare", {"phone_number": "bad"}),
     ("error-string", {"phone_number": "bad", "index": 1, "error": str})],
)
def test_the_jobs_refused_contacts_have_the_shape_played(
    make_api: Any, played: str, expected: dict[str, Any]
) -> None:
    refused = _with_invalid(make_api(assume={"invalid-contact-shape": played}))["invalid_contacts"]
    assert len(refused) == 1 and set(refused[0]) == set(expected), refused
    assert all(refused[0][k] == v if not isinstance(v, type) else isinstance(refused[0][k], v)
               for k, v in expected.items()), refused


def test_no_counts_leave_a_job_as_the_documented_examples(make_api: Any) -> None:
    api = make_api(assume={"job-counts": "none"})
    assert set(_with_invalid(api)) == {"id", "status", "type"}
    failed = _job(api, _contacts(A))
    assert set(failed) == {"id", "status", "type", "error_details", "error_message"}, failed
    assert failed["error_details"] == DUPLICATE


def test_optional_phones_import_contacts_without_one(make_api: Any) -> None:
    api = make_api(assume={"phone-required": "optional"})
    job = _job(api, [{"name": "x"}, {"name": "y"}, *_contacts(A)])
    assert (job["status"], job["imported_contacts"], job["invalid_contacts"]) == ("completed", 3, []), job


# -- job-statuses --------------------------------------------------------------------------


@pytest.mark.parametrize(("played", "reads"), [("examples", ["in_progress", "completed"]),
                                               ("queued-first", ["queued", "in_progress", "completed"])])
def test_a_job_reads_queued_before_in_progress_only_where_played(
    make_api: Any, played: str, reads: list[str]
) -> None:
    api = make_api(assume={"job-statuses": played}, min_job_seconds=1.2)
    accepted = api.import_file(_contacts(A))
    seen = [accepted.json()["status"]]
    deadline = time.monotonic() + 10
    while seen[-1] != "completed" and time.monotonic() < deadline:
        seen.append(api.job(accepted.json()["id"]).json()["status"])
        time.sleep(0.02)
    assert list(dict.fromkeys(seen)) == reads, seen


# -- import-duplicate-in-file, import-atomic -----------------------------------------------


@pytest.mark.parametrize(("played", "kept"), [("first-wins", "c1"), ("last-wins", "c3")])
def test_one_contact_per_repeated_phone_is_imported_and_the_job_completes(
    make_api: Any, played: str, kept: str
) -> None:
    api = make_api(assume={"import-duplicate-in-file": played})
    job = _job(api, _contacts(A, B, C, "+1 201-555-0121"))
    assert job["status"] == "completed" and job["imported_contacts"] == 3, job
    assert _names(api) == sorted(["c0", "c2", kept])


def test_a_phone_already_on_the_campaign_still_fails_when_repeats_are_skipped(make_api: Any) -> None:
    api = make_api(assume={"import-duplicate-in-file": "first-wins"})
    api.added_id(C, name="old")
    job = _job(api, _contacts(A, A, C))
    assert job["status"] == "failed" and job["error_details"] == DUPLICATE, job
    assert _names(api) == ["old"]


@pytest.mark.parametrize(
    ("played", "imported"), [("up-to-failure", ["c0", "c1"]), ("all-but-failing", ["c0", "c1", "c3"])]
)
def test_a_failed_job_keeps_what_import_atomic_says(make_api: Any, played: str, imported: list[str]) -> None:
    api = make_api(assume={"import-atomic": played})
    api.added_id(C, name="old")
    job = _job(api, _contacts(A, B, "+1 201-555-0122", D))
    assert job["status"] == "failed" and job["error_details"] == DUPLICATE, job
    assert job["imported_contacts"] == len(imported), job
    assert _names(api) == sorted(["old", *imported])


# -- storage: files from before phones could be absent ---------------------------------------


def test_a_database_with_required_phones_is_rebuilt_keeping_rows_and_ids(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript(
        storage._CONTACTS.replace("phone_number TEXT,", "phone_number TEXT NOT NULL,")
        + "; INSERT INTO contacts (id, campaign_id, phone_number, phone_e164, created_ms, updated_ms)"
        " VALUES (900, 1, '+12015550125', '+12015550125', 1, 1);"
        " UPDATE sqlite_sequence SET seq = 950 WHERE name = 'contacts';"
    )
    old.close()
    storage.initialize(path, seed=0)
    connection = storage.connect(path)
    try:
        connection.execute("INSERT INTO contacts (campaign_id, created_ms, updated_ms) VALUES (1, 2, 2)")
        rows = connection.execute("SELECT id, phone_number FROM contacts ORDER BY id").fetchall()
        assert [tuple(row) for row in rows] == [(900, "+12015550125"), (951, None)]
    finally:
        connection.close()
