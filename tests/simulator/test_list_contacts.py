"""listContacts: everything by default, full records, optional page with per or per_page and X-Total-Count."""

from __future__ import annotations

import re
from typing import Any

import pytest

_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


@pytest.fixture
def five(api: Any) -> list[int]:
    return [api.added_id(f"+1201555011{i}") for i in range(5)]


def test_default_returns_every_contact_in_id_order(api: Any, five: list[int]) -> None:
    response = api.list()
    assert [item["id"] for item in response.json()] == five, api.describe(response)
    assert response.headers["x-total-count"] == "5"


def test_records_carry_every_field_of_the_documented_record(api: Any, five: list[int]) -> None:
    record = api.list().json()[0]
    assert set(record) == {
        "id", "name", "campaign_id", "assigned_call_id", "assigned_participant_id", "outbound_number",
        "priority", "created_at", "updated_at", "status", "user_custom_metadata",
        "phone_number", "email", "external_unique_id",
    }
    assert _TIMESTAMP.fullmatch(record["created_at"]), record
    assert set(record["user_custom_metadata"]) == {"NAME (REQUIRED)", "PHONE (REQUIRED)", "EMAIL (REQUIRED)"}


@pytest.mark.parametrize("size", ["per", "per_page"])
def test_pages_partition_the_list(api: Any, five: list[int], size: str) -> None:
    pages = [api.list(page=page, **{size: 2}).json() for page in (1, 2, 3, 4)]
    assert [[item["id"] for item in page] for page in pages] == [five[:2], five[2:4], five[4:], []]


def test_contacts_of_another_campaign_are_not_listed(api: Any, five: list[int]) -> None:
    assert api.list(campaign=2).json() == []


@pytest.mark.parametrize(("name", "value"), [
    ("page", "0"), ("per", "101"), ("per_page", "101"), ("page", "x"), ("per", "-1"), ("per_page", "0"),
])
def test_bad_paging_answers_422(api: Any, name: str, value: str) -> None:
    response = api.list(**{name: value})
    assert response.status_code == 422, api.describe(response)


def test_a_page_past_the_end_is_empty_however_large(api: Any, five: list[int]) -> None:
    response = api.list(page=str(10**30), per=2)
    assert (response.status_code, response.json()) == (200, []), api.describe(response)
