"""The hand-written spec is valid, complete, and says what the vendor page says."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dialer_suite.api import speccheck
from dialer_suite.api.spec import (
    assumption_ids,
    contact_statuses,
    iter_assumptions,
    load_spec,
    operation,
    spec_path,
)

API_NOTES = Path(__file__).resolve().parents[2] / "shared" / "vendor-api" / "API-NOTES.md"


@pytest.fixture
def document() -> dict[str, Any]:
    """A private copy of the spec that a test may break."""
    return copy.deepcopy(load_spec())


def test_spec_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    assert speccheck.openapi_errors(document) == []


def test_every_ref_resolves(document: dict[str, Any]) -> None:
    assert speccheck.unresolved_refs(document) == []


def test_every_embedded_example_validates_against_its_schema(document: dict[str, Any]) -> None:
    assert speccheck.example_errors(document) == []


def test_every_documented_example_is_embedded(document: dict[str, Any]) -> None:
    """The vendor page has 11 examples: 4 request bodies and 7 responses (3 of them jobs)."""
    examples = {(op, where, name) for op, where, name, _, _ in speccheck.iter_examples(document)}
    assert len(examples) == 11, sorted(examples)
    assert {where for _, where, _ in examples} == {"request", "200"}


def test_status_enum_equals_the_vendor_table_in_order() -> None:
    assert contact_statuses() == speccheck.VENDOR_STATUS_TABLE
    assert len(contact_statuses()) == 21


@pytest.mark.skipif(
    not API_NOTES.exists(), reason="shared/vendor-api/API-NOTES.md is not beside this checkout"
)
def test_vendor_table_transcription_matches_api_notes() -> None:
    rows = [line.split("|") for line in API_NOTES.read_text(encoding="utf-8").splitlines()]
    table = [row[2].strip().strip("`") for row in rows if len(row) > 3 and row[1].strip().isdigit()]
    assert tuple(table) == speccheck.VENDOR_STATUS_TABLE


def test_the_status_enum_is_defined_once(document: dict[str, Any]) -> None:
    text = spec_path().read_text(encoding="utf-8")
    assert text.count("- Transferred and Finished") == 1
    assert document["components"]["schemas"]["ContactRecord"]["properties"]["status"] == {
        "$ref": "#/components/schemas/ContactStatus"
    }


@pytest.mark.parametrize(("operation_id", "method_path"), sorted(speccheck.DOCUMENTED_OPERATIONS.items()))
def test_each_operation_has_its_documented_method_and_path(
    operation_id: str, method_path: tuple[str, str]
) -> None:
    op = operation(operation_id)
    assert (op.method, op.path) == method_path


def test_every_operation_requires_basic_auth(document: dict[str, Any]) -> None:
    assert document["components"]["securitySchemes"]["basicAuth"] == {
        **document["components"]["securitySchemes"]["basicAuth"],
        "type": "http",
        "scheme": "basic",
    }
    assert document["security"] == [{"basicAuth": []}]
    assert all("security" not in op.definition for op in speccheck.iter_operations(document))


def test_servers_carry_subdomain_domain_and_base_path(document: dict[str, Any]) -> None:
    (server,) = document["servers"]
    assert server["url"] == "https://{subdomain}.{domain}/apps/api/v1"
    assert set(server["variables"]) == {"subdomain", "domain"}


def test_every_429_carries_a_required_retry_after(document: dict[str, Any]) -> None:
    for op in speccheck.iter_operations(document):
        response = op.response(429, document)
        assert response is not None, f"{op.operation_id} declares no 429"
        header = response["headers"]["Retry-After"]
        assert header.get("required") or document["components"]["headers"]["RetryAfter"]["required"]


def test_links_carry_created_ids_to_the_next_operation(document: dict[str, Any]) -> None:
    add_links = operation("addContact").definition["responses"]["200"]["links"]
    targets = {link["operationId"]: link for link in add_links.values()}
    assert targets["updateContact"]["requestBody"] == {"contact_id": "$response.body#/valid_contacts/0/id"}
    assert targets["deleteContact"]["requestBody"] == {"contact_id": "$response.body#/valid_contacts/0/id"}
    job_link = operation("importContacts").definition["responses"]["202"]["links"]["GetJob"]
    assert job_link["operationId"] == "getImportJob"
    assert job_link["parameters"]["job_id"] == "$response.body#/id"


def test_every_assumption_is_explained_and_indexed(document: dict[str, Any]) -> None:
    index = assumption_ids(document)
    seen = set()
    for where, assumption in iter_assumptions(document):
        assert {"id", "assumed", "why"} <= assumption.keys(), f"{where}: {assumption}"
        assert assumption["id"] in index, f"{where}: assumption id {assumption['id']!r} is not indexed"
        seen.add(assumption["id"])
    assert index.keys() == seen, f"indexed but not stated anywhere: {sorted(index.keys() - seen)}"


def test_unknowns_of_api_notes_are_marked_as_assumptions(document: dict[str, Any]) -> None:
    ids = {assumption["id"] for _, assumption in iter_assumptions(document)}
    assert {
        "job-id-location",
        "list-pagination",
        "error-codes",
        "import-limits",
        "import-duplicate-in-file",
        "import-invalid-contacts",
    } <= ids


def test_response_objects_allow_unknown_keys(document: dict[str, Any]) -> None:
    """The vendor may add keys: no response schema may forbid them."""
    schemas = document["components"]["schemas"]
    for name in ("ContactRecord", "ListedContact", "AddContactsResult", "AddedContact", "ImportJob"):
        assert schemas[name].get("additionalProperties", True) is not False, name


# --- The checks must fail loudly when a copy of the spec is broken in one place. ---


def _rename_first_status(document: dict[str, Any]) -> None:
    document["components"]["schemas"]["ContactStatus"]["enum"][0] = "upcoming"


def _change_one_example_field(document: dict[str, Any]) -> None:
    document["components"]["examples"]["BobSmithRecord"]["value"]["created_at"] = "5 Aug 2024"


def _change_one_path(document: dict[str, Any]) -> None:
    paths = document["paths"]
    paths["/outbound_dialer/campaigns/{campaign_id}/contacts/{contact_id}"] = paths.pop(
        "/outbound_dialer/campaigns/{campaign_id}/contact"
    )


def _break_one_ref(document: dict[str, Any]) -> None:
    record = document["components"]["schemas"]["ContactRecord"]
    record["properties"]["status"] = {"$ref": "#/components/schemas/ContactStatuses"}


@pytest.mark.parametrize(
    ("mutate", "check"),
    [
        (_rename_first_status, speccheck.status_enum_errors),
        (_rename_first_status, speccheck.example_errors),
        (_change_one_example_field, speccheck.example_errors),
        (_change_one_path, speccheck.operation_errors),
        (_break_one_ref, speccheck.unresolved_refs),
    ],
    ids=["enum-value/enum-check", "enum-value/example-check", "example-field", "path", "ref"],
)
def test_a_single_wrong_value_in_a_copy_of_the_spec_is_caught(
    document: dict[str, Any],
    mutate: Callable[[dict[str, Any]], None],
    check: Callable[[dict[str, Any]], list[str]],
) -> None:
    assert check(document) == []
    mutate(document)
    problems = check(document)
    assert problems, f"{check.__name__} did not notice {mutate.__name__}"
    assert speccheck.all_errors(document) != []
