"""A twin plays what its tenant was recorded doing beyond the assumption choices (``TwinPlay``).

The spec's keys the tenant never sent are left out, the keys it sent that the
spec does not know are served with a plausible value, and a contact status the
tenant spells otherwise is served in its spelling; an app that is no twin
answers as built.
"""

from __future__ import annotations

from typing import Any

from dialer_suite.simulator.twin import TwinPlay, plausible

PHONE = "+12015550140"


def test_keys_the_tenant_never_sent_are_left_out_of_every_listed_contact(make_api: Any) -> None:
    api = make_api(twin=TwinPlay(dropped={"listContacts": {"200": ("*/campaign_id", "*/priority")}}))
    api.added_id(PHONE)
    listed = api.list().json()
    assert listed and all("campaign_id" not in c and "priority" not in c for c in listed), listed
    assert all("id" in c and "status" in c for c in listed), listed


def test_drift_keys_are_served_with_a_value_their_name_suggests(make_api: Any) -> None:
    drift = ("valid_contacts/*/created_at", "valid_contacts/*/source", "request_id")
    api = make_api(twin=TwinPlay(drift={"addContact": {"200": drift}}))
    answer = api.add({"phone_number": PHONE}).json()
    added = answer["valid_contacts"][0]
    assert answer["request_id"] == 0 and added["source"] is None, answer
    assert added["created_at"].endswith("Z") and "id" in added, answer


def test_a_status_the_tenant_spells_otherwise_is_served_in_its_spelling(make_api: Any) -> None:
    api = make_api(twin=TwinPlay(statuses={"Upcoming": "upcoming"}))
    contact_id = api.added_id(PHONE)
    assert {c["status"] for c in api.list().json()} == {"upcoming"}
    updated = api.update({"contact_id": contact_id, "name": "Ann"})
    assert updated.json()["status"] == "upcoming", api.describe(updated)


def test_an_answer_the_twin_knows_nothing_of_is_sent_as_built(make_api: Any) -> None:
    plain, twin = make_api(), make_api(twin=TwinPlay(dropped={"listContacts": {"200": ("*/id",)}}))
    for api in (plain, twin):
        refused = api.add({"phone_number": "not a phone"})
        assert refused.json()["invalid_contacts"][0]["errors"], api.describe(refused)
        assert api.client.get(f"{api.prefix}/99/contacts", auth=api.auth).status_code == 404


def test_a_name_says_what_a_plausible_value_is() -> None:
    assert [plausible(name) for name in ("owner_id", "retry_count", "is_paused", "tags", "note")] == [
        0, 0, False, [], None]
    assert str(plausible("last_called_at")).endswith(".000Z")
    assert str(plausible("callback_url")).startswith("https://")
