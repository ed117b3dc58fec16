"""Each alternative of the assumptions about single contacts, auth, limits and errors does what it says.

Every test plays one choice (``make_api(assume=...)``) and shows the
behaviour that tells it from the assumed one; the assumed behaviour itself is
what the other tests of this folder check, untouched. Imports are in
``test_assumed_imports.py``, the dialer's choices in ``tests/dialer``.
"""

from __future__ import annotations

import email.utils
import re
import time
from typing import Any

import httpx
import pytest

from dialer_suite.api.spec import load_spec
from dialer_suite.simulator.ratelimit import FixedWindow

A, B, C = "+12015550110", "+12015550111", "+12015550112"
DOCUMENTED_CONTACT = {
    "name": "string", "email": "customer@somedomain.com", "phone_number": "+1 111-111-1111",
    "outbound_number": "+1 760-867-5309", "external_unique_id": "UID_123456",
}


def _listed(api: Any) -> list[dict[str, Any]]:
    response = api.list()
    assert response.status_code == 200, api.describe(response)
    listed: list[dict[str, Any]] = response.json()
    return listed


def _listed_id(api: Any, phone: str) -> int:
    """The id of the contact with ``phone``, found by listing (when the add echoes no id)."""
    return int(next(item["id"] for item in _listed(api) if item["phone_number"] == phone))


# -- add-returns-id ------------------------------------------------------------------------


def test_no_id_echoes_the_documented_example_exactly_and_still_stores_it(make_api: Any) -> None:
    api = make_api(assume={"add-returns-id": "no-id"})
    response = api.add(DOCUMENTED_CONTACT)
    assert response.json() == {"valid_contacts": [DOCUMENTED_CONTACT], "invalid_contacts": []}
    assert _listed_id(api, DOCUMENTED_CONTACT["phone_number"]) > 0


# -- record-input-fields -------------------------------------------------------------------


def test_documented_shapes_give_records_exactly_the_documented_keys(make_api: Any) -> None:
    documented = list(load_spec()["components"]["examples"]["BobSmithRecord"]["value"])
    api = make_api(assume={"record-input-fields": "documented-shapes"})
    contact_id = api.added_id(A, name="Ann", email="ann@example.com", external_unique_id="u1")
    updated = api.update({"contact_id": contact_id, "name": "Ann B."}).json()
    assert list(updated) == documented and updated["name"] == "Ann B."
    assert updated["user_custom_metadata"] == {
        "NAME (REQUIRED)": "Ann B.", "PHONE (REQUIRED)": A, "EMAIL (REQUIRED)": "ann@example.com",
    }
    assert list(api.delete({"external_unique_id": "u1"}).json()) == documented


def test_documented_shapes_list_the_id_and_the_five_input_fields(make_api: Any) -> None:
    api = make_api(assume={"record-input-fields": "documented-shapes"})
    contact_id = api.added_id(A, name="Ann")
    assert _listed(api) == [{
        "id": contact_id, "name": "Ann", "email": None, "phone_number": A,
        "outbound_number": None, "external_unique_id": None,
    }]


# -- list-pagination -----------------------------------------------------------------------


def _with_contacts(api: Any, count: int) -> Any:
    contacts = [{"phone_number": f"+1201555{index:04d}"} for index in range(count)]
    job = api.finished_job(api.import_file(contacts).json()["id"])
    assert job["status"] == "completed", job
    return api


def test_ignored_paging_answers_the_whole_list_without_a_total(make_api: Any) -> None:
    api = _with_contacts(make_api(assume={"list-pagination": "ignored"}), 3)
    for params in ({}, {"page": 2, "per": 1}, {"per": 0, "page": "x"}):
        response = api.list(**params)
        assert response.status_code == 200 and len(response.json()) == 3, api.describe(response)
        assert "x-total-count" not in response.headers


def test_no_total_pages_without_the_header(make_api: Any) -> None:
    api = _with_contacts(make_api(assume={"list-pagination": "no-total"}), 3)
    response = api.list(page=2, per=2)
    assert len(response.json()) == 1 and "x-total-count" not in response.headers
    assert len(api.list().json()) == 3


def test_first_page_answers_a_page_of_100_unless_asked_for_another(make_api: Any) -> None:
    api = _with_contacts(make_api(assume={"list-pagination": "first-page"}), 101)
    whole = api.list()
    assert len(whole.json()) == 100 and whole.headers["x-total-count"] == "101"
    assert len(api.list(page=2).json()) == 1


def _next_page(api: Any, response: Any) -> Any:
    """Follow the answer's Link rel="next" (absolute or relative) on the test client."""
    link = response.headers["link"]
    assert link.endswith('>; rel="next"'), link
    url = httpx.URL(link[1:link.index(">")])
    return api.client.get(url.path, params=dict(url.params), auth=api.auth)


def test_manager_api_pages_by_default_with_link_total_and_per_page(make_api: Any) -> None:
    api = _with_contacts(make_api(assume={"list-pagination": "manager-api"}), 101)
    first = api.list()
    assert (len(first.json()), first.headers["total"], first.headers["per-page"]) == (100, "101", "100")
    assert first.headers["link"].startswith("<http") and "x-total-count" not in first.headers
    last = _next_page(api, first)
    assert len(last.json()) == 1 and "link" not in last.headers, api.describe(last)
    assert len(api.list(per_page=5).json()) == 100  # not its parameter: ignored
    assert api.list(per=101).status_code == 422


def test_bulk_user_api_pages_with_per_page_and_ignores_per(make_api: Any) -> None:
    api = _with_contacts(make_api(assume={"list-pagination": "bulk-user-api"}), 30)
    first = api.list(per=1000)
    assert (len(first.json()), first.headers["total"], first.headers["per-page"]) == (25, "30", "25")
    assert "per_page=25" in first.headers["link"]
    assert len(_next_page(api, first).json()) == 5
    assert len(api.list(per_page=30).json()) == 30
    assert api.list(per_page=101).status_code == 422


def test_both_conventions_pages_by_default_and_takes_per_and_per_page(make_api: Any) -> None:
    api = _with_contacts(make_api(assume={"list-pagination": "both-conventions"}), 30)
    first = api.list()
    assert (len(first.json()), first.headers["total"], first.headers["per-page"]) == (25, "30", "25")
    assert first.headers["link"].startswith("<http") and "x-total-count" not in first.headers
    assert len(_next_page(api, first).json()) == 5
    assert len(api.list(per=30).json()) == 30 and len(api.list(per_page=30).json()) == 30
    assert api.list(per=101).status_code == 422 and api.list(per_page=101).status_code == 422


def test_link_only_links_relatively_without_a_total_and_cuts_big_pages(make_api: Any) -> None:
    api = _with_contacts(make_api(assume={"list-pagination": "link-only"}), 105)
    first = api.list()
    assert len(first.json()) == 20 and first.headers["link"].startswith(f"<{api.prefix}/1/contacts?")
    assert not {"total", "x-total-count", "per-page"} & set(first.headers)
    big = api.list(per=500)
    assert (big.status_code, len(big.json())) == (200, 100), api.describe(big)
    assert len(_next_page(api, big).json()) == 5


def test_pages_by_default_counts_in_x_total_count_without_links(make_api: Any) -> None:
    api = _with_contacts(make_api(assume={"list-pagination": "pages-by-default"}), 12)
    first = api.list()
    assert (len(first.json()), first.headers["x-total-count"]) == (10, "12")
    assert "link" not in first.headers
    assert len(api.list(page=2, per_page=10).json()) == 2
    assert api.list(per_page=101).status_code == 422


# -- phone-required, phone-validation, phone-normalization, duplicate-phones ----------------


def test_optional_phone_stores_a_contact_without_one_and_lists_it_with_null(make_api: Any) -> None:
    api = make_api(assume={"phone-required": "optional"})
    first, second = api.add({"name": "no phone"}).json(), api.add({"name": "neither"}).json()
    assert first["valid_contacts"][0]["name"] == "no phone" and second["valid_contacts"], second
    assert [item["phone_number"] for item in _listed(api)] == [None, None]
    contact_id = first["valid_contacts"][0]["id"]
    assert api.update({"contact_id": contact_id, "name": "x"}).json()["phone_number"] is None
    assert api.delete({"contact_id": contact_id}).status_code == 200


@pytest.mark.parametrize(
    ("played", "taken", "refused"),
    [("possible", ["+1 111-111-1111"], ["+999 1234 5678", "call me"]),
     ("format-only", ["+999 1234 5678", "+1 (201) 555.0113"], ["call me", "+1 555", "+1 201-555-0113 x5"]),
     ("none", ["call me", "+999 1234 5678"], [])],
)
def test_phone_validation_takes_and_refuses_what_the_choice_says(
    make_api: Any, played: str, taken: list[str], refused: list[str]
) -> None:
    api = make_api(assume={"phone-validation": played})
    for phone in [*taken, *refused]:
        body = api.add({"phone_number": phone}).json()
        assert bool(body["valid_contacts"]) == (phone in taken), (phone, body)
    assert sorted(item["phone_number"] for item in _listed(api)) == sorted(taken)


def test_format_only_compares_numbers_it_cannot_read_by_their_digits(make_api: Any) -> None:
    api = make_api(assume={"phone-validation": "format-only"})
    api.added_id("+999 1234 5678")
    assert api.add({"phone_number": "+999-1234-5678"}).json()["invalid_contacts"]
    assert api.delete({"phone_number": "+999 (1234) 5678"}).status_code == 200


def test_as_typed_numbers_are_other_numbers_in_another_spelling(make_api: Any) -> None:
    api = make_api(assume={"phone-normalization": "as-typed"})
    api.added_id("+12015550113")
    assert api.add({"phone_number": "+1 201-555-0113"}).json()["valid_contacts"]
    assert api.delete({"phone_number": "+1-(201)-555-0113"}).status_code == 404
    assert api.delete({"phone_number": "+1 201-555-0113"}).json()["phone_number"] == "+1 201-555-0113"


@pytest.mark.parametrize(("played", "add_repeats"), [("allowed", True), ("update-allowed", False)])
def test_duplicate_phones_can_be_taken_by_add_or_update(
    make_api: Any, played: str, add_repeats: bool
) -> None:
    api = make_api(assume={"duplicate-phones": played})
    api.added_id(A)
    assert bool(api.add({"phone_number": "+1 201-555-0110"}).json()["valid_contacts"]) == add_repeats
    other = api.added_id(B)
    response = api.update({"contact_id": other, "phone_number": A})
    assert response.status_code == 200, api.describe(response)


def test_allowed_duplicates_still_fail_an_import_as_documented(make_api: Any) -> None:
    api = make_api(assume={"duplicate-phones": "allowed"})
    api.added_id(A)
    job = api.finished_job(api.import_file([{"phone_number": A}]).json()["id"])
    assert job["status"] == "failed" and len(_listed(api)) == 1, job


# -- invalid-contact-shape (add; the import's in test_assumed_imports) -----------------------


@pytest.mark.parametrize(("played", "extra"), [("bare", {}), ("error-string", {"error": str})])
def test_a_refused_contact_is_echoed_in_the_shape_played(
    make_api: Any, played: str, extra: dict[str, type]
) -> None:
    api = make_api(assume={"invalid-contact-shape": played})
    sent = {"name": "x", "phone_number": "call me"}
    refused = api.add(sent).json()["invalid_contacts"][0]
    assert set(refused) == {*sent, *extra} and all(refused[k] == v for k, v in sent.items())
    assert all(isinstance(refused[key], kind) for key, kind in extra.items())


# -- delete-key-precedence -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("played", "removed"),
    [("contact-id-first", "a"), ("phone-first", "b"), ("external-id-first", "c"), ("all-must-match", None)],
)
def test_several_delete_keys_combine_as_played(make_api: Any, played: str, removed: str | None) -> None:
    api = make_api(assume={"delete-key-precedence": played})
    ids = {ext: api.added_id(phone, external_unique_id=ext)
           for ext, phone in zip("abc", (A, B, C), strict=True)}
    response = api.delete({"contact_id": ids["a"], "phone_number": B, "external_unique_id": "c"})
    if removed is None:
        assert response.status_code == 404, api.describe(response)
    else:
        assert response.json()["id"] == ids[removed], api.describe(response)
    # One key, the documented case, works whatever the choice; all-must-match takes agreeing keys.
    assert api.delete({"external_unique_id": "c" if removed != "c" else "b"}).status_code == 200
    if played == "all-must-match":
        assert api.delete({"contact_id": ids["a"], "phone_number": A}).status_code == 200


# -- error-codes ---------------------------------------------------------------------------


def _statuses(api: Any) -> dict[str, int]:
    client, prefix, auth = api.client, api.prefix, api.auth
    return {
        "malformed": client.post(f"{prefix}/1/contacts", content=b"{", auth=auth,
                                 headers={"content-type": "application/json"}).status_code,
        "media-type": client.post(f"{prefix}/1/contacts", content=b"{}", auth=auth,
                                  headers={"content-type": "text/plain"}).status_code,
        "invalid": api.add({"phone_number": 5}).status_code,
        "bad-page": api.list(page=0).status_code,
        "no-contact": api.delete({"contact_id": 1}).status_code,
        "no-campaign": api.list(campaign=99).status_code,
        # Decided by ids of their own, not by error-codes:
        "file-shape": api.import_file(b"{}").status_code,
        "too-large": api.add({"phone_number": A, "name": "x" * 200}).status_code,
    }


@pytest.mark.parametrize(("played", "bad"), [("rails", None), ("all-400", 400), ("all-422", 422)])
def test_error_codes_reassign_the_malformed_and_invalid_family_only(
    make_api: Any, played: str, bad: int | None
) -> None:
    api = make_api(assume={"error-codes": played}, max_body_bytes=100)
    rails = {"malformed": 400, "media-type": 415, "invalid": 422, "bad-page": 422}
    expected = {name: bad or status for name, status in rails.items()}
    expected |= {"no-contact": 404, "no-campaign": 404, "file-shape": 422, "too-large": 413}
    assert _statuses(api) == expected


# -- import-limits on single requests (the import's in test_assumed_imports) --------------


@pytest.mark.parametrize(("played", "status"), [("unlimited", 200), ("422", 422)])
def test_a_body_past_the_limit_is_taken_or_refused_with_422(make_api: Any, played: str, status: int) -> None:
    api = make_api(assume={"import-limits": played}, max_body_bytes=100)
    response = api.add({"phone_number": A, "name": "x" * 200})
    assert response.status_code == status, api.describe(response)


# -- auth-401 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("played", "missing", "wrong"),
    [("401-bare", (401, False), (401, False)), ("403", (403, False), (403, False)),
     ("403-wrong", (401, True), (403, False))],
)
def test_refused_credentials_answer_as_played(
    make_api: Any, played: str, missing: tuple[int, bool], wrong: tuple[int, bool]
) -> None:
    api = make_api(assume={"auth-401": played})
    for auth, (status, challenge) in ((None, missing), (("acme", "wrong"), wrong)):
        response = api.client.get(f"{api.prefix}/1/contacts", auth=auth)
        assert response.status_code == status, api.describe(response)
        assert ("www-authenticate" in response.headers) == challenge, api.describe(response)
    assert api.list().status_code == 200


# -- rate-limit-429 ------------------------------------------------------------------------


def _limited(api: Any) -> list[Any]:
    return [r for r in (api.list() for _ in range(8)) if r.status_code == 429]


def test_fixed_window_counts_per_wall_clock_second_and_says_retry_after_1(make_api: Any) -> None:
    limited = _limited(make_api(assume={"rate-limit-429": "fixed-window"}, rate_limit=2.0))
    assert limited and {r.headers["retry-after"] for r in limited} == {"1"}
    now = [100.2]
    window = FixedWindow(2.5, clock=lambda: now[0])
    assert [window.take("t") for _ in range(4)] == [0, 0, 0, 1]
    now[0] = 101.0
    assert window.take("t") == 0 and window.take("other") == 0


def test_retry_after_date_is_an_http_date_in_the_future(make_api: Any) -> None:
    limited = _limited(make_api(assume={"rate-limit-429": "retry-after-date"}, rate_limit=2.0))
    pattern = load_spec()["components"]["headers"]["RetryAfter"]["schema"]["pattern"]
    value = limited[0].headers["retry-after"]
    assert re.fullmatch(pattern, value) and not value.isdigit(), value
    assert email.utils.parsedate_to_datetime(value).timestamp() >= time.time() - 1


def test_no_retry_after_answers_429_without_the_header(make_api: Any) -> None:
    limited = _limited(make_api(assume={"rate-limit-429": "no-retry-after"}, rate_limit=2.0))
    assert limited and all("retry-after" not in r.headers for r in limited)
