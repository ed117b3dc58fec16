"""Requests the target must refuse, one per refusal code the spec declares and no other test produces.

The vendor documents no error responses, so the code of each refusal is our
assumption ``error-codes`` (``import-limits`` for 413, ``list-pagination``
for a page number that cannot be one). None of these requests can write
anything: the bodies are not JSON, not sent as JSON, larger than the target
takes, or not a contact.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from dialer_suite.config.settings import Settings
from dialer_suite.http.client import DialerClient
from dialer_suite.http.exchange import Upload

pytestmark = [pytest.mark.scenario, pytest.mark.writes, pytest.mark.assumption("error-codes"),
              pytest.mark.cost(requests=1, contacts=0)]

# The operations that take a JSON body: method and path suffix.
_JSON_BODIES = {
    "addContact": ("POST", "contacts"),
    "updateContact": ("PATCH", "contact"),
    "deleteContact": ("DELETE", "contact"),
}
NewContact = Callable[..., dict[str, Any]]
# Refusing a request at all is our assumption too: a lenient target that reads a body
# whatever its Content-Type carries it out without breaking anything documented.
_ASSUMED = ("error-codes",)


def _operation(status: int) -> list[Any]:
    return [pytest.param(name, marks=pytest.mark.produces(name, status)) for name in _JSON_BODIES]


@pytest.mark.parametrize("operation", _operation(400))
def test_a_body_that_is_not_json_is_refused_with_400(
    client: DialerClient, campaign: int, operation: str
) -> None:
    method, suffix = _JSON_BODIES[operation]
    client.send(method, client.campaign_path(campaign, suffix), content=b'{"name": ').refused(
        400, why="the body is not JSON", done=_ASSUMED
    )


@pytest.mark.parametrize("operation", _operation(415))
def test_a_body_not_sent_as_json_is_refused_with_415(
    client: DialerClient, campaign: int, new_contact: NewContact, operation: str
) -> None:
    method, suffix = _JSON_BODIES[operation]
    body = json.dumps({"contact_id": 1, **new_contact()}).encode()
    client.send(method, client.campaign_path(campaign, suffix), content=body,
                content_type="text/plain").refused(415, why="Content-Type text/plain", done=_ASSUMED)


@pytest.mark.produces("importContacts", 415)
def test_an_import_not_sent_as_a_form_is_refused_with_415(
    client: DialerClient, campaign: int, new_contact: NewContact
) -> None:
    path = client.campaign_path(campaign, "contacts/import")
    client.send("POST", path, json_body=[new_contact()]).refused(
        415, why="a JSON body instead of multipart/form-data", done=_ASSUMED
    )


@pytest.mark.assumption("import-limits")
@pytest.mark.parametrize("operation", _operation(413))
def test_a_body_past_the_size_limit_is_refused_with_413(
    client: DialerClient, campaign: int, target: Any, new_contact: NewContact, operation: str
) -> None:
    limit = _known(target.settings, "max_body_bytes")
    method, suffix = _JSON_BODIES[operation]
    body = _padded({"contact_id": 1, **new_contact()}, limit)
    client.send(method, client.campaign_path(campaign, suffix), content=body).refused(
        413, why=f"{len(body)} bytes, the limit is {limit}", assumption="import-limits",
        done=("import-limits",),
    )


@pytest.mark.assumption("import-limits")
@pytest.mark.produces("importContacts", 413)
def test_an_import_file_past_the_size_limit_is_refused_with_413(
    client: DialerClient, campaign: int, target: Any, new_contact: NewContact
) -> None:
    limit = _known(target.settings, "max_import_bytes")
    # One contact, padded: should a target take it anyway, the cleanup has one to remove.
    content = b"[" + _padded(new_contact(), limit) + b"]"
    upload = Upload("file", "contacts.json", "application/json", content)
    client.send("POST", client.campaign_path(campaign, "contacts/import"), upload=upload).refused(
        413, why=f"a file of {len(content)} bytes, the limit is {limit}", assumption="import-limits",
        done=("import-limits",),
    )


@pytest.mark.produces("listContacts", 422)
def test_a_page_number_that_cannot_be_one_is_refused_with_422(client: DialerClient, campaign: int) -> None:
    client.list_contacts(campaign, page=0).refused(
        422, why="page 0; pages count from 1", done=("list-pagination",)
    )


def _known(settings: Settings, name: str) -> int:
    """The target's size limit ``name``, or a skip saying how to give it."""
    limit: int | None = getattr(settings, name)
    if limit is None:
        pytest.skip(f"the target's limit is unknown (the vendor documents none); set "
                    f"{Settings.declared(name).env} to check its 413")
    return limit


def _padded(contact: dict[str, Any], limit: int) -> bytes:
    """``contact`` as JSON, its name padded so that the whole is one byte past ``limit``."""
    bare = json.dumps({**contact, "name": ""}).encode()
    return json.dumps({**contact, "name": "x" * max(limit + 1 - len(bare), 0)}).encode()
