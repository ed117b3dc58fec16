"""addContact: the documented example, refusals in invalid_contacts, and request errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

DOCUMENTED = {
    "name": "string",
    "email": "customer@somedomain.com",
    "phone_number": "+1 111-111-1111",
    "outbound_number": "+1 760-867-5309",
    "external_unique_id": "UID_123456",
}


def test_documented_example_is_echoed_in_valid_contacts_with_an_id(api: Any) -> None:
    response = api.add(DOCUMENTED)
    body = response.json()
    assert response.status_code == 200, api.describe(response)
    assert body["invalid_contacts"] == [], api.describe(response)
    [echoed] = body["valid_contacts"]
    assert isinstance(echoed.pop("id"), int), api.describe(response)
    assert echoed == DOCUMENTED, api.describe(response)


def test_added_contact_is_listed_as_upcoming(api: Any) -> None:
    contact_id = api.added_id("+1 201-555-0100", name="Ann")
    listed = {item["id"]: item for item in api.list().json()}
    assert listed[contact_id]["status"] == "Upcoming"
    assert listed[contact_id]["name"] == "Ann"


@pytest.mark.parametrize(
    ("contact", "reason"),
    [
        ({"name": "no phone"}, "phone_number"),
        ({"phone_number": "not a number"}, "possible phone"),
        ({"phone_number": "+1 201-555-0100", "email": "nobody"}, "email"),
    ],
)
def test_invalid_contact_is_refused_in_invalid_contacts_and_not_stored(
    api: Any, contact: dict[str, Any], reason: str
) -> None:
    response = api.add(contact)
    body = response.json()
    assert response.status_code == 200, api.describe(response)
    assert body["valid_contacts"] == [], api.describe(response)
    [refused] = body["invalid_contacts"]
    assert reason in " ".join(refused["errors"]), api.describe(response)
    assert api.list().json() == []


def test_phone_already_on_the_campaign_in_another_format_is_refused(api: Any) -> None:
    api.added_id("+12015550101")
    response = api.add({"phone_number": "+1-(201)-555-0101"})
    [refused] = response.json()["invalid_contacts"]
    assert "already on campaign 1" in refused["errors"][0], api.describe(response)
    assert len(api.list().json()) == 1


def test_same_phone_may_be_on_two_campaigns(api: Any) -> None:
    api.added_id("+12015550102", campaign=1)
    api.added_id("+12015550102", campaign=2)


@pytest.mark.parametrize(
    "body", [[DOCUMENTED], "text", 7, None, {"phone_number": 12015550100}, {"name": None}]
)
def test_body_that_is_not_a_contact_object_answers_422(api: Any, body: Any) -> None:
    response = api.client.post(
        f"{api.prefix}/1/contacts", content=json.dumps(body), headers={"content-type": "application/json"},
        auth=api.auth,
    )
    assert response.status_code == 422, api.describe(response)
    assert set(response.json()) == {"error", "message"}, api.describe(response)


def test_malformed_json_answers_400(api: Any) -> None:
    response = api.client.post(
        f"{api.prefix}/1/contacts", content=b'{"phone_number": ',
        headers={"content-type": "application/json"}, auth=api.auth,
    )
    assert response.status_code == 400, api.describe(response)


@pytest.mark.parametrize("text", ['{"phone_number": "+12015550100", "x": 1e400}', '{"phone_number": NaN}'])
def test_numbers_json_cannot_carry_answer_400(api: Any, text: str) -> None:
    response = api.client.post(
        f"{api.prefix}/1/contacts", content=text, headers={"content-type": "application/json"}, auth=api.auth
    )
    assert response.status_code == 400, api.describe(response)


def test_wrong_content_type_answers_415(api: Any) -> None:
    form = {"phone_number": "+12015550100"}
    response = api.client.post(f"{api.prefix}/1/contacts", data=form, auth=api.auth)
    assert response.status_code == 415, api.describe(response)


def test_body_past_the_limit_answers_413(make_api: Any) -> None:
    api = make_api(max_body_bytes=100)
    response = api.add({"phone_number": "+12015550100", "name": "x" * 200})
    assert response.status_code == 413, api.describe(response)


def test_unknown_campaign_answers_404(api: Any) -> None:
    response = api.add(DOCUMENTED, campaign=4)
    assert response.status_code == 404, api.describe(response)
