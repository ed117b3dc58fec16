"""Import lifecycle scenarios: 202 → job id → job polled to its end → contacts read back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dialer_suite.api.testdata import punctuated_forms
from dialer_suite.config.settings import Settings
from dialer_suite.contract.readback import (
    differences,
    expect_completed,
    import_and_wait,
    listed_once,
    matching,
    not_listed,
)
from dialer_suite.contract.report import RunReport
from dialer_suite.contract.rundata import RunData
from dialer_suite.http.client import DialerClient

pytestmark = [pytest.mark.scenario, pytest.mark.writes]

DUPLICATE_ERROR = "NativePowerDial::ContactService::DuplicateContactPhoneOnCampaign"
Add = Callable[[dict[str, Any]], int]


def _every_contact_listed_once(
    client: DialerClient, campaign: int, contacts: list[dict[str, Any]]
) -> None:
    """Each contact of the file listed exactly once, every field as it was in the file."""
    listed = client.list_all(campaign)
    counts: dict[str, int] = {}
    altered: dict[str, list[str]] = {}
    for contact in contacts:
        found = matching(listed, contact)
        counts[contact["external_unique_id"]] = len(found)
        if len(found) == 1 and (changed := differences(found[0], contact)):
            altered[contact["external_unique_id"]] = changed
    wrong = {eid: n for eid, n in counts.items() if n != 1}
    assert not wrong, (
        f"after a completed import of {len(contacts)} contacts, {len(wrong)} are not listed "
        f"exactly once (external_unique_id: times listed): {dict(list(wrong.items())[:10])}"
    )
    assert not altered, (
        f"after a completed import of {len(contacts)} contacts, {len(altered)} are listed with "
        f"fields other than in the file: {dict(list(altered.items())[:5])}"
    )


@pytest.mark.quick
@pytest.mark.documented
def test_import_job_completes_and_every_contact_is_listed_once(
    client: DialerClient, campaign: int, run_data: RunData, report: RunReport, settings: Settings
) -> None:
    contacts = run_data.contacts(3)
    job = import_and_wait(client, run_data, report, campaign, contacts, settings.job_timeout)
    expect_completed(job, "import of 3 valid contacts")
    _every_contact_listed_once(client, campaign, contacts)


@pytest.mark.documented
def test_import_with_a_phone_already_on_the_campaign_fails_with_the_documented_error(
    client: DialerClient, campaign: int, run_data: RunData, report: RunReport, settings: Settings,
    added: Add,
) -> None:
    existing = run_data.contact()
    added(existing)
    again = run_data.contact(phone_number=existing["phone_number"])
    job = import_and_wait(client, run_data, report, campaign, [again], settings.job_timeout)
    assert job["status"] == "failed", f"an import repeating a number of the campaign ended {job}"
    assert job.get("error_details") == DUPLICATE_ERROR, (
        f"failed job's error_details is {job.get('error_details')!r}, documented {DUPLICATE_ERROR!r}"
    )
    listed_once(client, campaign, existing, "a failed import")


@pytest.mark.assumption("import-atomic")
@pytest.mark.assumption("phone-normalization")
def test_import_failing_on_a_phone_already_on_the_campaign_imports_nothing(
    client: DialerClient, campaign: int, run_data: RunData, report: RunReport, settings: Settings,
    added: Add,
) -> None:
    existing = run_data.contact()
    added(existing)
    fresh = run_data.contact()
    again = run_data.contact(phone_number=punctuated_forms(existing["phone_number"])[1])
    job = import_and_wait(client, run_data, report, campaign, [fresh, again], settings.job_timeout)
    assert job["status"] == "failed", (
        f"an import repeating a number of the campaign (spelled {again['phone_number']!r}) ended {job}"
    )
    not_listed(client, campaign, "a failed import", external_unique_id=fresh["external_unique_id"])
    listed_once(client, campaign, existing, "a failed import")


@pytest.mark.assumption("import-duplicate-in-file")
@pytest.mark.assumption("import-atomic")
def test_import_repeating_a_phone_within_the_file_fails_and_imports_nothing(
    client: DialerClient, campaign: int, run_data: RunData, report: RunReport, settings: Settings
) -> None:
    first = run_data.contact()
    twin = run_data.contact(phone_number=first["phone_number"])
    job = import_and_wait(client, run_data, report, campaign, [first, twin], settings.job_timeout)
    assert job["status"] == "failed", f"an import repeating a number within the file ended {job}"
    assert job.get("error_details") == DUPLICATE_ERROR, f"error_details: {job.get('error_details')!r}"
    not_listed(client, campaign, "a failed import", external_unique_id=first["external_unique_id"])


@pytest.mark.assumption("import-invalid-contacts")
@pytest.mark.assumption("job-counts")
@pytest.mark.assumption("phone-validation")
def test_import_reports_invalid_contacts_and_imports_the_valid_ones(
    client: DialerClient, campaign: int, run_data: RunData, report: RunReport, settings: Settings
) -> None:
    valid = run_data.contact()
    invalid = run_data.contact(phone_number="not a phone number")
    job = import_and_wait(client, run_data, report, campaign, [valid, invalid], settings.job_timeout)
    assert job["status"] == "completed", f"import with one invalid contact ended {job}"
    reported = job.get("invalid_contacts") or []
    assert len(reported) == 1, f"the invalid contact is not reported on the job: {job}"
    listed_once(client, campaign, valid, "an import with an invalid contact")
    not_listed(client, campaign, "an import with an invalid contact",
               external_unique_id=invalid["external_unique_id"])


@pytest.mark.assumption("error-codes")
@pytest.mark.assumption("import-file-shape")
def test_file_that_is_not_json_is_refused(client: DialerClient, campaign: int) -> None:
    # A 202 is no documented break: the vendor documents a valid file only (its job may fail).
    client.import_contacts(campaign, b"[{\"phone_number\": ").refused(
        400, why="not JSON", done=("import-file-shape",)
    )


@pytest.mark.assumption("import-file-shape")
@pytest.mark.assumption("error-codes")
@pytest.mark.parametrize(
    "content",
    [b"[]", b"{\"phone_number\": \"+12015550100\"}", b"\"contacts\"", b"[1, 2]"],
    ids=["empty-array", "object", "string", "array-of-numbers"],
)
def test_file_that_is_not_an_array_of_contacts_is_refused(
    client: DialerClient, campaign: int, content: bytes
) -> None:
    client.import_contacts(campaign, content).refused(
        422, why="not a non-empty array of contacts", assumption="import-file-shape",
        done=("import-file-shape",),
    )


@pytest.mark.slow
@pytest.mark.documented
def test_large_import_completes_with_every_contact_once(
    client: DialerClient, other_campaign: int, run_data: RunData, report: RunReport,
    settings: Settings,
) -> None:
    # The other campaign, so that the main campaign's list stays short for the other tests.
    contacts = run_data.contacts(settings.large_import_size)
    job = import_and_wait(client, run_data, report, other_campaign, contacts, settings.job_timeout)
    expect_completed(job, f"import of {len(contacts)} valid contacts")
    _every_contact_listed_once(client, other_campaign, contacts)


@pytest.mark.assumption("list-pagination")
def test_list_without_paging_holds_every_contact(
    client: DialerClient, other_campaign: int, run_data: RunData, report: RunReport,
    settings: Settings,
) -> None:
    contacts = run_data.contacts(max(settings.large_import_size // 4, 120))
    job = import_and_wait(client, run_data, report, other_campaign, contacts, settings.job_timeout)
    assert job["status"] == "completed", f"import of {len(contacts)} contacts ended {job}"
    listed = client.list_contacts(other_campaign).expect(200).body
    missing = [c["external_unique_id"] for c in contacts if not matching(listed, c)]
    assert not missing, (
        f"listContacts without page/per answered {len(listed)} contacts; {len(missing)} of the "
        f"{len(contacts)} just imported are missing (e.g. {missing[:3]})"
    )
