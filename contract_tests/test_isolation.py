"""Isolation and unknown resources: what belongs to one campaign stays invisible from another.

The security promise (another campaign's job or contact is neither readable
nor changed through this one) is checked by reading back, and a request that
reaches into another campaign must be refused: carrying it out breaks the
documented contract. The status code of the refusal (404) is our assumption
``error-codes``, so a refusal with another code, and the pure "unknown id →
404" tests, are reported apart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dialer_suite.config.settings import Settings
from dialer_suite.contract.readback import listed_once, start_import
from dialer_suite.contract.report import RunReport
from dialer_suite.contract.rundata import RunData
from dialer_suite.http.client import DialerClient
from dialer_suite.http.jobs import poll_job

pytestmark = [pytest.mark.scenario]

Add = Callable[[dict[str, Any]], int]
# Ids no tenant has: the largest 32-bit value, just past it, and a 64-bit one —
# the edges where a server's id column or parser gives out.
_UNKNOWN_IDS = [2**31 - 1, 2**31, 2**63 - 1]


@pytest.mark.writes
@pytest.mark.documented
def test_job_of_one_campaign_is_not_readable_under_another(
    client: DialerClient, campaign: int, other_campaign: int, run_data: RunData, report: RunReport,
    settings: Settings,
) -> None:
    _, job_id = start_import(client, report, campaign, run_data.contacts(1))
    client.get_job(other_campaign, job_id).refused(404, why=f"job {job_id} belongs to campaign {campaign}")
    poll_job(client, campaign, job_id, timeout=settings.job_timeout, stuck=run_data.stuck)


@pytest.mark.quick
@pytest.mark.writes
@pytest.mark.documented
def test_contact_of_one_campaign_is_not_listed_under_another(
    client: DialerClient, campaign: int, other_campaign: int, added: Add, run_data: RunData
) -> None:
    contact = run_data.contact()
    contact_id = added(contact)
    # By its run-tagged external_unique_id, which the documented list shows: whether ids are
    # unique across campaigns is not on the page, so another campaign may hold the same id.
    leaked = [c for c in client.list_all(other_campaign)
              if c.get("external_unique_id") == contact["external_unique_id"]]
    assert not leaked, f"contact {contact_id} of campaign {campaign} is listed under {other_campaign}"


@pytest.mark.writes
@pytest.mark.documented
def test_contact_of_one_campaign_cannot_be_updated_under_another(
    client: DialerClient, campaign: int, other_campaign: int, added: Add, run_data: RunData
) -> None:
    contact = run_data.contact()
    contact_id = added(contact)
    client.update_contact(other_campaign, {"contact_id": contact_id, "name": "changed elsewhere"}).refused(
        404, why=f"contact {contact_id} belongs to campaign {campaign}"
    )
    listed_once(client, campaign, contact, f"an update under campaign {other_campaign}")


@pytest.mark.writes
@pytest.mark.documented
def test_contact_of_one_campaign_cannot_be_deleted_under_another(
    client: DialerClient, campaign: int, other_campaign: int, added: Add, run_data: RunData
) -> None:
    contact = run_data.contact()
    contact_id = added(contact)
    client.delete_contact(other_campaign, {"contact_id": contact_id}).refused(
        404, why=f"contact {contact_id} belongs to campaign {campaign}"
    )
    listed_once(client, campaign, contact, f"a delete under campaign {other_campaign}")


_WRITES = pytest.mark.writes
_OPERATIONS: dict[str, Callable[[DialerClient, int, dict[str, Any]], Any]] = {
    "addContact": lambda c, campaign, contact: c.add_contact(campaign, contact),
    "listContacts": lambda c, campaign, contact: c.list_contacts(campaign),
    "importContacts": lambda c, campaign, contact: c.import_contacts(campaign, [contact]),
    "getImportJob": lambda c, campaign, contact: c.get_job(campaign, 1),
    "updateContact": lambda c, campaign, contact: c.update_contact(
        campaign, {"contact_id": 1, "name": contact["name"]}),
    "deleteContact": lambda c, campaign, contact: c.delete_contact(campaign, {"contact_id": 1}),
}


@pytest.mark.assumption("error-codes")
@pytest.mark.produces("*", 404)
@pytest.mark.parametrize("operation", [
    pytest.param(name, marks=[] if name in ("listContacts", "getImportJob") else [_WRITES])
    for name in _OPERATIONS
])
def test_unknown_campaign_is_not_found(
    client: DialerClient, settings: Settings, run_data: RunData, operation: str
) -> None:
    answer = _OPERATIONS[operation](client, settings.missing_campaign_id, run_data.contact())
    answer.refused(404, why=f"campaign {settings.missing_campaign_id} does not exist")


@pytest.mark.assumption("error-codes")
@pytest.mark.parametrize("job_id", _UNKNOWN_IDS)
def test_unknown_job_is_not_found(client: DialerClient, settings: Settings, job_id: int) -> None:
    client.get_job(settings.campaign_id, job_id).refused(404, why="no such job")


@pytest.mark.writes
@pytest.mark.assumption("error-codes")
@pytest.mark.parametrize("contact_id", _UNKNOWN_IDS)
@pytest.mark.parametrize("operation", ["updateContact", "deleteContact"])
def test_unknown_contact_is_not_found(
    client: DialerClient, campaign: int, operation: str, contact_id: int
) -> None:
    body = {"contact_id": contact_id}
    send = client.update_contact if operation == "updateContact" else client.delete_contact
    send(campaign, {**body, "name": "x"} if operation == "updateContact" else body).refused(
        404, why="no such contact"
    )
