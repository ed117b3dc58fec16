"""updateContact and deleteContact: by the documented keys, full records back, 404/422 otherwise."""

from __future__ import annotations

from typing import Any

import pytest


def test_update_replaces_fields_and_moves_updated_at(api: Any) -> None:
    contact_id = api.added_id("+12015550120", name="Old")
    before = api.list().json()[0]
    response = api.update({"contact_id": contact_id, "name": "New", "email": "new@example.com"})
    after = response.json()
    assert response.status_code == 200, api.describe(response)
    assert (after["name"], after["email"]) == ("New", "new@example.com"), api.describe(response)
    assert after["updated_at"] > before["updated_at"], api.describe(response)
    assert api.list().json()[0] == after


def test_update_to_a_phone_already_on_the_campaign_answers_422(api: Any) -> None:
    api.added_id("+12015550121")
    second = api.added_id("+12015550122")
    response = api.update({"contact_id": second, "phone_number": "+1 201-555-0121"})
    assert response.status_code == 422, api.describe(response)


@pytest.mark.parametrize(
    "body", [{}, {"contact_id": "1"}, {"contact_id": True}, {"contact_id": 1, "name": 5}, []]
)
def test_update_without_an_integer_contact_id_or_with_wrong_types_answers_422(api: Any, body: Any) -> None:
    response = api.update(body)
    assert response.status_code == 422, api.describe(response)


@pytest.mark.parametrize("change", [{"phone_number": "nope"}, {"email": "nope"}])
def test_update_to_an_invalid_phone_or_email_answers_422(api: Any, change: dict[str, str]) -> None:
    contact_id = api.added_id("+12015550123")
    response = api.update({"contact_id": contact_id, **change})
    assert response.status_code == 422, api.describe(response)


def test_update_of_an_unknown_or_foreign_contact_answers_404(api: Any) -> None:
    contact_id = api.added_id("+12015550124")
    for body, campaign in (({"contact_id": contact_id + 1000}, 1), ({"contact_id": contact_id}, 2)):
        response = api.update({**body, "name": "x"}, campaign)
        assert response.status_code == 404, api.describe(response)


@pytest.mark.parametrize(
    "key", ["contact_id", "phone_number", "external_unique_id"]
)
def test_delete_by_each_documented_key_returns_the_removed_record(api: Any, key: str) -> None:
    contact_id = api.added_id("+12015550125", external_unique_id="uid-1")
    body = {"contact_id": contact_id, "phone_number": "+1-(201)-555-0125", "external_unique_id": "uid-1"}
    response = api.delete({key: body[key]})
    assert response.status_code == 200, api.describe(response)
    assert response.json()["id"] == contact_id, api.describe(response)
    assert api.list().json() == []


def test_delete_by_shared_external_id_removes_the_oldest(api: Any) -> None:
    first = api.added_id("+12015550126", external_unique_id="shared")
    second = api.added_id("+12015550127", external_unique_id="shared")
    assert api.delete({"external_unique_id": "shared"}).json()["id"] == first
    assert [item["id"] for item in api.list().json()] == [second]


def test_delete_prefers_contact_id_over_phone(api: Any) -> None:
    first = api.added_id("+12015550128")
    second = api.added_id("+12015550129")
    response = api.delete({"contact_id": second, "phone_number": "+12015550128"})
    assert response.json()["id"] == second, api.describe(response)
    assert [item["id"] for item in api.list().json()] == [first]


@pytest.mark.parametrize("body", [{}, {"contact_id": "7"}, {"phone_number": 5}, {"external_unique_id": None}])
def test_delete_without_a_usable_key_answers_422(api: Any, body: Any) -> None:
    response = api.delete(body)
    assert response.status_code == 422, api.describe(response)


@pytest.mark.parametrize(
    "body", [{"contact_id": 10**30}, {"phone_number": "+12015550199"}, {"external_unique_id": "nobody"}]
)
def test_delete_of_nothing_answers_404(api: Any, body: Any) -> None:
    api.added_id("+12015550130")
    response = api.delete(body)
    assert response.status_code == 404, api.describe(response)
