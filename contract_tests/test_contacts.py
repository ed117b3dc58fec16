"""Contact lifecycle scenarios: add, list, update, delete by each key — every write read back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dialer_suite.api.testdata import punctuated_forms
from dialer_suite.contract.readback import REFUSED_OURS, listed_once, not_listed
from dialer_suite.contract.rundata import RunData
from dialer_suite.http.client import DialerClient

pytestmark = [pytest.mark.scenario, pytest.mark.writes]

NewContact = Callable[..., dict[str, Any]]
Add = Callable[[dict[str, Any]], int]


@pytest.mark.quick
@pytest.mark.documented
def test_added_contact_is_listed_once_as_sent(
    client: DialerClient, campaign: int, new_contact: NewContact
) -> None:
    contact = new_contact()
    result = client.add_contact(campaign, contact).expect(200)
    if result.body["invalid_contacts"]:
        raise result.fail(f"a valid contact was refused: {result.body['invalid_contacts']}",
                          assumptions=REFUSED_OURS)
    listed_once(client, campaign, contact, "addContact")


@pytest.mark.quick
@pytest.mark.documented
def test_update_is_answered_with_the_record_and_listed(
    client: DialerClient, campaign: int, new_contact: NewContact, added: Add
) -> None:
    contact = new_contact()
    contact_id = added(contact)
    changes = {"name": contact["name"] + " (updated)", "email": "updated-" + contact["email"]}
    record = client.update_contact(campaign, {"contact_id": contact_id, **changes}).expect(200).body
    assert record["id"] == contact_id, f"updated contact {contact_id}, answered record {record['id']}"
    assert record["name"] == changes["name"], (
        f"update answered name {record['name']!r}, sent {changes['name']!r}"
    )
    listed_once(client, campaign, {**contact, **changes}, "updateContact")


@pytest.mark.documented
def test_update_of_the_phone_number_is_listed(
    client: DialerClient, campaign: int, new_contact: NewContact, added: Add, run_data: RunData
) -> None:
    contact = new_contact()
    contact_id = added(contact)
    phone = run_data.phones.one()
    client.update_contact(campaign, {"contact_id": contact_id, "phone_number": phone}).expect(200)
    listed_once(client, campaign, {**contact, "phone_number": phone}, "updateContact of the phone")


@pytest.mark.quick
@pytest.mark.documented
def test_delete_by_contact_id_removes_exactly_that_contact(
    client: DialerClient, campaign: int, new_contact: NewContact, added: Add
) -> None:
    keep, gone = new_contact(), new_contact()
    added(keep)
    contact_id = added(gone)
    _delete_removes(client, campaign, contact_id, contact_id=contact_id)
    listed_once(client, campaign, keep, "deleting another contact")


@pytest.mark.documented
def test_delete_by_phone_number_removes_the_contact(
    client: DialerClient, campaign: int, new_contact: NewContact, added: Add
) -> None:
    contact = new_contact()
    contact_id = added(contact)
    _delete_removes(client, campaign, contact_id, phone_number=contact["phone_number"])


@pytest.mark.assumption("phone-normalization")
@pytest.mark.parametrize("form", [1, 2], ids=["international", "dashed-parentheses"])
def test_delete_by_phone_in_another_documented_format(
    client: DialerClient, campaign: int, new_contact: NewContact, added: Add, run_data: RunData,
    form: int,
) -> None:
    e164 = run_data.phones.one_north_american()
    contact = new_contact(phone_number=e164)
    contact_id = added(contact)
    _delete_removes(client, campaign, contact_id, phone_number=punctuated_forms(e164)[form])


@pytest.mark.documented
def test_delete_by_external_unique_id_removes_the_contact(
    client: DialerClient, campaign: int, new_contact: NewContact, added: Add
) -> None:
    contact = new_contact()
    contact_id = added(contact)
    _delete_removes(client, campaign, contact_id, external_unique_id=contact["external_unique_id"])


@pytest.mark.assumption("delete-key-precedence")
def test_delete_naming_several_keys_removes_the_contact_of_contact_id(
    client: DialerClient, campaign: int, new_contact: NewContact, added: Add
) -> None:
    named, other = new_contact(), new_contact()
    named_id = added(named)
    added(other)
    # The other keys point at another contact: a key read in the wrong order deletes that one.
    _delete_removes(client, campaign, named_id, contact_id=named_id,
                    phone_number=other["phone_number"], external_unique_id=other["external_unique_id"])
    listed_once(client, campaign, other, "deleteContact naming it only by phone and external id")


def _delete_removes(client: DialerClient, campaign: int, expected: int, /, **keys: Any) -> None:
    """DELETE naming a contact by ``keys``: answered 200 with contact ``expected``, then unlisted."""
    record = client.delete_contact(campaign, keys).expect(200).body
    assert record["id"] == expected, (
        f"DELETE {keys} answered record {record['id']}, expected contact {expected}"
    )
    not_listed(client, campaign, f"deleteContact by {keys}", contact_id=expected)


@pytest.mark.documented
def test_deleted_contact_cannot_be_deleted_again(
    client: DialerClient, campaign: int, new_contact: NewContact, added: Add
) -> None:
    contact_id = added(new_contact())
    client.delete_contact(campaign, {"contact_id": contact_id}).expect(200)
    client.delete_contact(campaign, {"contact_id": contact_id}).refused(
        404, why="the contact was deleted already"
    )


@pytest.mark.quick
@pytest.mark.assumption("phone-validation")
def test_invalid_contact_is_reported_and_not_stored(
    client: DialerClient, campaign: int, new_contact: NewContact
) -> None:
    contact = new_contact(phone_number="not a phone number")
    _refused_and_not_stored(client, campaign, contact, "a contact with an unparsable phone number")


@pytest.mark.assumption("phone-required")
def test_contact_without_a_phone_number_is_refused_and_not_stored(
    client: DialerClient, campaign: int, new_contact: NewContact
) -> None:
    contact = new_contact()
    del contact["phone_number"]
    _refused_and_not_stored(client, campaign, contact, "a contact without a phone number", also=422)


def _refused_and_not_stored(
    client: DialerClient, campaign: int, contact: dict[str, Any], what: str, *, also: int | None = None
) -> None:
    """Add ``contact``: 200 listing it in invalid_contacts (or the status ``also``), never stored."""
    result = client.add_contact(campaign, contact)
    if also is not None and result.status != 200:
        result.refused(also, why=what)
    result.expect(200, *(() if also is None else (also,)), why=what)
    if result.status == 200:
        assert result.body["valid_contacts"] == [], f"{what} was accepted: {result.body['valid_contacts']}"
        assert len(result.body["invalid_contacts"]) == 1, (
            f"{what} is not reported in invalid_contacts: {result.body}"
        )
    not_listed(client, campaign, f"adding {what}", external_unique_id=contact["external_unique_id"])


@pytest.mark.assumption("duplicate-phones")
@pytest.mark.assumption("phone-normalization")
def test_phone_already_on_the_campaign_is_rejected(
    client: DialerClient, campaign: int, new_contact: NewContact, added: Add
) -> None:
    first = new_contact()
    added(first)
    second = new_contact(phone_number=punctuated_forms(first["phone_number"])[1])
    result = client.add_contact(campaign, second)
    if result.status != 200:
        result.refused(422, why="a duplicate is refused")
    if result.status == 200:
        assert result.body["valid_contacts"] == [], (
            f"a phone already on the campaign was added again: {result.body['valid_contacts']}"
        )
    not_listed(client, campaign, "adding a phone already on the campaign",
               external_unique_id=second["external_unique_id"])
    listed_once(client, campaign, first, "the duplicate was refused")


@pytest.mark.assumption("duplicate-phones")
@pytest.mark.assumption("error-codes")
def test_update_to_a_phone_already_on_the_campaign_is_refused(
    client: DialerClient, campaign: int, new_contact: NewContact, added: Add
) -> None:
    first, second = new_contact(), new_contact()
    added(first)
    second_id = added(second)
    client.update_contact(
        campaign, {"contact_id": second_id, "phone_number": first["phone_number"]}
    ).refused(422, why="the number belongs to another contact of the campaign", assumption="duplicate-phones",
              done=("duplicate-phones",))
    listed_once(client, campaign, second, "a refused update")
