"""Reading writes back: every scenario checks what the list shows, not what the write said.

Failure messages name the contact, what was expected and what the list held,
so a vendor regression reads as a sentence ("contact ... is listed 0 times
after the add") rather than an assertion on two numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dialer_suite.api.phones import same_phone
from dialer_suite.contract.checks import CheckFailed
from dialer_suite.contract.report import RunReport
from dialer_suite.contract.rundata import RunData
from dialer_suite.http.client import DialerClient, Result
from dialer_suite.http.jobs import find_job_id, poll_job

_COMPARED = ("name", "email", "phone_number", "outbound_number", "external_unique_id")
# Which contacts a target refuses is not on the vendor page: one that refuses the run's own
# contacts (valid numbers by libphonenumber's rules, fresh on the campaign, example.com mail)
# differs from our assumption phone-validation, not from the documented contract.
REFUSED_OURS = ("phone-validation",)
# A job of such contacts that fails: that, or what the target does with an invalid contact.
_JOB_REFUSED_OURS = (*REFUSED_OURS, "import-invalid-contacts")


def matching(contacts: Iterable[Mapping[str, Any]], contact: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Listed contacts that are ``contact``: same external_unique_id, same number in any spelling."""
    return [
        c for c in contacts
        if c.get("external_unique_id") == contact.get("external_unique_id")
        and same_phone(c.get("phone_number"), contact.get("phone_number"))
    ]


def differences(listed: Mapping[str, Any], sent: Mapping[str, Any]) -> list[str]:
    """Fields whose listed value is not what was sent (phones compared as numbers)."""
    found = []
    for name in _COMPARED:
        if name not in sent or name not in listed:
            continue
        value, stored = sent[name], listed[name]
        same = same_phone(stored, value) if name.endswith("_number") else stored == value
        if not same:
            found.append(f"{name}: sent {value!r}, listed {stored!r}")
    return found


def listed_once(
    client: DialerClient, campaign_id: int, contact: Mapping[str, Any], after: str
) -> Mapping[str, Any]:
    """The one listed contact that is ``contact``, with every sent field as sent."""
    found = matching(client.list_all(campaign_id), contact)
    assert len(found) == 1, (
        f"after {after}, contact {contact.get('external_unique_id')!r} "
        f"({contact.get('phone_number')}) is listed {len(found)} time(s) in campaign "
        f"{campaign_id}; expected once"
    )
    wrong = differences(found[0], contact)
    assert not wrong, f"after {after}, contact {found[0].get('id')} is listed with " + "; ".join(wrong)
    return found[0]


def not_listed(
    client: DialerClient, campaign_id: int, after: str, *, contact_id: int | None = None,
    external_unique_id: str | None = None,
) -> None:
    contacts = client.list_all(campaign_id)
    found = [
        c for c in contacts
        if (contact_id is not None and c.get("id") == contact_id)
        or (external_unique_id is not None and c.get("external_unique_id") == external_unique_id)
    ]
    assert not found, (
        f"after {after}, campaign {campaign_id} still lists "
        f"{[(c.get('id'), c.get('external_unique_id')) for c in found]}"
    )


def expect_completed(job: dict[str, Any], what: str) -> None:
    """An import of the run's valid contacts completed; the page documents only a number already
    on the campaign as a reason to fail, so another failure is filed under what was assumed
    valid."""
    if job.get("status") == "completed":
        return
    assumptions = _JOB_REFUSED_OURS if job.get("status") == "failed" else None
    raise CheckFailed(f"{what} ended {job}", assumptions=assumptions)


def start_import(
    client: DialerClient, report: RunReport | None, campaign_id: int, contacts: Any, **kwargs: Any,
) -> tuple[Result, int]:
    """Post an import, expect 202, find the job id (reported by where it was found)."""
    accepted = client.import_contacts(campaign_id, contacts, **kwargs).expect(
        202, why="an import is accepted as a job"
    )
    ref = find_job_id(accepted)
    if report is not None:
        report.observe("job-id-location", True, f"job id found in {ref.source}")
        report.note("import job id found in", ref.source)
    return accepted, ref.job_id


def import_and_wait(
    client: DialerClient, run_data: RunData, report: RunReport | None, campaign_id: int,
    contacts: Any, timeout: float,
) -> dict[str, Any]:
    """Import, then poll the job until it ends; the final job object.

    What the finished job reports is evidence of ``job-counts`` for the run
    report (and a vendor baseline): no test fails on counts alone.
    """
    _, job_id = start_import(client, report, campaign_id, contacts)
    job = poll_job(client, campaign_id, job_id, timeout=timeout, stuck=run_data.stuck)
    if report is not None and job.get("status") == "completed":
        counted = "total_contacts" in job and "imported_contacts" in job
        report.observe("job-counts", counted, "a completed job carries its counts" if counted
                       else "a completed job carries no total/imported counts")
    return job
