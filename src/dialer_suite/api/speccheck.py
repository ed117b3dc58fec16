"""Static checks of the hand-written spec: is it valid, and does it still say what the vendor says.

Each check returns a list of problems (empty when the spec passes) instead of
raising, so the self-tests can assert that a deliberately broken copy of the
spec is caught by exactly the check meant to catch it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from referencing.exceptions import Unresolvable

from dialer_suite.api.spec import deref, iter_operations, resolve_pointer, schema_validator

# The vendor's English status table, in order (API-NOTES, "Contact status values").
VENDOR_STATUS_TABLE = (
    "Upcoming",
    "Dialing",
    "Queued",
    "Connected",
    "Finished",
    "Transferred",
    "Transferred and Finished",
    "Not Picked Up",
    "Not Reached to Contact",
    "Abandoned by Contact",
    "Skipped",
    "Skipped & Closed",
    "Invalid Number",
    "Carrier Error",
    "Abandoned by Dialer",
    "Voicemail Hung Up",
    "Dialer General Error",
    "Redial Scheduled",
    "Do Not Call",
    "Invalid Outbound Number",
    "Blocked Phone Number",
)

# operationId → (method, path), as on the vendor page (paths relative to /apps/api/v1).
DOCUMENTED_OPERATIONS = {
    "addContact": ("POST", "/outbound_dialer/campaigns/{campaign_id}/contacts"),
    "listContacts": ("GET", "/outbound_dialer/campaigns/{campaign_id}/contacts"),
    "importContacts": ("POST", "/outbound_dialer/campaigns/{campaign_id}/contacts/import"),
    "getImportJob": ("GET", "/outbound_dialer/campaigns/{campaign_id}/contacts/jobs/{job_id}"),
    "updateContact": ("PATCH", "/outbound_dialer/campaigns/{campaign_id}/contact"),
    "deleteContact": ("DELETE", "/outbound_dialer/campaigns/{campaign_id}/contact"),
}

# operationId → documented success status.
DOCUMENTED_SUCCESS = {
    "addContact": 200,
    "listContacts": 200,
    "importContacts": 202,
    "getImportJob": 200,
    "updateContact": 200,
    "deleteContact": 200,
}


def openapi_errors(document: dict[str, Any]) -> list[str]:
    """What openapi-spec-validator finds wrong with the document (OpenAPI 3.1)."""
    from openapi_spec_validator import OpenAPIV31SpecValidator

    try:
        return [error.message for error in OpenAPIV31SpecValidator(document).iter_errors()]
    except Unresolvable as error:
        return [f"the validator stopped at an unresolvable reference: {str(error)[:200]}"]


def _refs(node: Any, where: str = "#") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield where, value
            else:
                yield from _refs(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _refs(value, f"{where}/{index}")


def unresolved_refs(document: dict[str, Any]) -> list[str]:
    problems = []
    for where, ref in _refs(document):
        try:
            resolve_pointer(document, ref)
        except (KeyError, IndexError, TypeError, ValueError):
            problems.append(f"{where}: $ref {ref!r} does not resolve")
    return problems


def iter_examples(document: dict[str, Any]) -> Iterator[tuple[str, str, str, Any, dict[str, Any]]]:
    """Every named example: (operationId, "request" or status, example name, value, schema).

    For multipart bodies the value is the file content and the schema the file's.
    """
    for op in iter_operations(document):
        sources: list[tuple[str, dict[str, Any]]] = []
        if "requestBody" in op.definition:
            sources.append(("request", deref(document, op.definition["requestBody"])))
        for status, response in op.definition.get("responses", {}).items():
            sources.append((status, deref(document, response)))
        for where, owner in sources:
            for media_type, media in owner.get("content", {}).items():
                schema = media.get("schema", {})
                for name, example in media.get("examples", {}).items():
                    value = deref(document, example).get("value")
                    if media_type.startswith("multipart/"):
                        value, schema = value["file"], deref(document, schema)["properties"]["file"]
                    yield op.operation_id, where, name, value, schema


def example_errors(document: dict[str, Any]) -> list[str]:
    problems = []
    for operation_id, where, name, value, schema in iter_examples(document):
        label = f"{operation_id} {where} example {name!r}"
        try:
            errors = list(schema_validator(schema, document).iter_errors(value))
        except Unresolvable as unresolvable:
            problems.append(f"{label}: its schema has an unresolvable reference: {unresolvable}")
            continue
        for error in errors:
            location = "/".join(str(part) for part in error.absolute_path) or "(root)"
            problems.append(f"{label} at {location}: {error.message}")
    return problems


def status_enum_errors(document: dict[str, Any]) -> list[str]:
    try:
        enum = tuple(document["components"]["schemas"]["ContactStatus"]["enum"])
    except KeyError:
        return ["components/schemas/ContactStatus has no enum"]
    if enum == VENDOR_STATUS_TABLE:
        return []
    problems = [f"ContactStatus has {len(enum)} values, the vendor table {len(VENDOR_STATUS_TABLE)}"]
    for index, (ours, vendor) in enumerate(zip(enum, VENDOR_STATUS_TABLE, strict=False), start=1):
        if ours != vendor:
            problems.append(f"status #{index}: spec says {ours!r}, vendor table says {vendor!r}")
    return problems


def operation_errors(document: dict[str, Any]) -> list[str]:
    found = {op.operation_id: (op.method, op.path) for op in iter_operations(document)}
    problems = []
    for operation_id, expected in DOCUMENTED_OPERATIONS.items():
        actual = found.get(operation_id)
        if actual != expected:
            problems.append(f"{operation_id}: expected {expected[0]} {expected[1]}, spec has {actual}")
    for operation_id in found.keys() - DOCUMENTED_OPERATIONS.keys():
        problems.append(f"{operation_id}: not an operation of the vendor page")
    for op in iter_operations(document):
        success = DOCUMENTED_SUCCESS.get(op.operation_id)
        if success is not None and str(success) not in op.definition.get("responses", {}):
            problems.append(f"{op.operation_id}: documented success {success} is not declared")
    return problems


def all_errors(document: dict[str, Any]) -> list[str]:
    """Every problem any check finds."""
    return (
        openapi_errors(document)
        + unresolved_refs(document)
        + example_errors(document)
        + status_enum_errors(document)
        + operation_errors(document)
    )
