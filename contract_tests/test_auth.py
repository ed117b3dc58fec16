"""Authentication: every operation refuses requests without credentials or with wrong ones.

The refusal is the documented promise (HTTP Basic): an operation carried out
without the tenant's credentials breaks the documented contract. That the
refusal is a 401 with a ``WWW-Authenticate`` challenge is our assumption
``auth-401`` — the spec validation of each answer checks the challenge header.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dialer_suite.config.settings import Settings
from dialer_suite.contract.readback import not_listed
from dialer_suite.contract.rundata import RunData
from dialer_suite.http.client import DialerClient

pytestmark = [pytest.mark.scenario, pytest.mark.assumption("auth-401")]

_CALLS: dict[str, Callable[[DialerClient, int, dict[str, Any], Any], Any]] = {
    "addContact": lambda c, campaign, contact, creds: c.add_contact(
        campaign, contact, credentials=creds),
    "listContacts": lambda c, campaign, contact, creds: c.list_contacts(
        campaign, credentials=creds),
    "importContacts": lambda c, campaign, contact, creds: c.import_contacts(
        campaign, [contact], credentials=creds),
    "getImportJob": lambda c, campaign, contact, creds: c.get_job(campaign, 1, credentials=creds),
    "updateContact": lambda c, campaign, contact, creds: c.update_contact(
        campaign, {"contact_id": 1, "name": contact["name"]}, credentials=creds),
    "deleteContact": lambda c, campaign, contact, creds: c.delete_contact(
        campaign, {"external_unique_id": contact["external_unique_id"]}, credentials=creds),
}
_CREDENTIALS = ("none", "wrong-token", "wrong-user")


def _credentials(kind: str, settings: Settings) -> Any:
    if kind == "wrong-token":
        return (settings.username, "dialer-suite-wrong-token")
    if kind == "wrong-user":
        return ("dialer-suite-no-such-tenant", settings.api_token)
    return None


@pytest.mark.quick
@pytest.mark.writes
@pytest.mark.produces("*", 401)
@pytest.mark.cost(requests=1.4, contacts=0)  # refused; an add or import is also looked for in the list
@pytest.mark.parametrize("credentials", _CREDENTIALS)
@pytest.mark.parametrize("operation", list(_CALLS))
def test_operation_refuses_bad_credentials(
    client: DialerClient, settings: Settings, run_data: RunData, operation: str, credentials: str
) -> None:
    contact = run_data.contact()
    answer = _CALLS[operation](client, settings.campaign_id, contact,
                               _credentials(credentials, settings))
    answer.refused(401, why=f"{credentials} credentials", assumption="auth-401")
    if operation in ("addContact", "importContacts"):
        not_listed(client, settings.campaign_id, f"{operation} with {credentials} credentials",
                   external_unique_id=contact["external_unique_id"])
