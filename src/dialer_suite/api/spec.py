"""The hand-written OpenAPI document, loaded once and queried by every part of the suite.

Everything that needs to know the contract (the simulator's status values, the
response validators, the data factory, the load tests) reads it from here, so
that the spec stays the single source of truth.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SPEC_ENV = "DIALER_SPEC"
_PACKAGED = Path(__file__).parent / "_spec" / "outbound-dialer.yaml"
_REPOSITORY = Path(__file__).resolve().parents[3] / "openapi" / "outbound-dialer.yaml"

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def spec_path() -> Path:
    """Where the spec is read from: ``$DIALER_SPEC``, the repository copy, or the packaged one.

    The repository copy wins over the packaged one so that an editable install
    always tests the spec being edited.
    """
    override = os.environ.get(SPEC_ENV)
    if override:
        return Path(override)
    return _REPOSITORY if _REPOSITORY.exists() else _PACKAGED


@functools.cache
def load_spec(path: Path | None = None) -> dict[str, Any]:
    """The spec as a plain dict (``$ref`` left in place). Cached: treat it as read-only."""
    with open(path or spec_path(), encoding="utf-8") as handle:
        document: dict[str, Any] = yaml.safe_load(handle)
    return document


def resolve_pointer(document: dict[str, Any], ref: str) -> Any:
    """Follow a local ``#/a/b`` reference inside ``document``."""
    if not ref.startswith("#/"):
        raise ValueError(f"only local references are supported, got {ref!r}")
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def deref(document: dict[str, Any], node: Any) -> Any:
    """``node`` with its top-level ``$ref`` (chains too) followed."""
    while isinstance(node, dict) and "$ref" in node:
        node = resolve_pointer(document, node["$ref"])
    return node


@dataclass(frozen=True)
class Operation:
    """One operation of the spec, addressed by its operationId."""

    operation_id: str
    method: str
    path: str
    definition: dict[str, Any]

    def response(self, status: int, document: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """The response object declared for ``status`` (``$ref`` followed), or None."""
        document = document or load_spec()
        responses = self.definition.get("responses", {})
        declared = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
        if declared is None:
            declared = responses.get("default")
        return deref(document, declared) if declared is not None else None


def iter_operations(document: dict[str, Any] | None = None) -> Iterator[Operation]:
    document = document or load_spec()
    for path, item in document.get("paths", {}).items():
        for method in HTTP_METHODS:
            if method in item:
                definition = item[method]
                yield Operation(definition["operationId"], method.upper(), path, definition)


def operation(operation_id: str, document: dict[str, Any] | None = None) -> Operation:
    for candidate in iter_operations(document):
        if candidate.operation_id == operation_id:
            return candidate
    raise KeyError(f"no operation {operation_id!r} in the spec")


def contact_statuses(document: dict[str, Any] | None = None) -> tuple[str, ...]:
    """The 21 contact status display strings, in the vendor table's order."""
    document = document or load_spec()
    return tuple(document["components"]["schemas"]["ContactStatus"]["enum"])


def job_statuses(document: dict[str, Any] | None = None) -> tuple[str, ...]:
    """The job status values of the vendor's examples (that there are no others is
    assumption ``job-statuses``)."""
    document = document or load_spec()
    schema = document["components"]["schemas"]["ImportJobStatus"]
    return tuple(next(part["enum"] for part in schema["allOf"] if "enum" in part))


def assumption_ids(document: dict[str, Any] | None = None) -> dict[str, str]:
    """Every ``x-assumption`` id of the spec with its one-line summary."""
    document = document or load_spec()
    ids: dict[str, str] = document["x-assumptions-index"]["ids"]
    return dict(ids)


def assumption_ids_of(node: Any) -> tuple[str, ...]:
    """The ids of the ``x-assumption`` object(s) a spec node carries itself (not its children)."""
    if not isinstance(node, dict) or "x-assumption" not in node:
        return ()
    value = node["x-assumption"]
    return tuple(item["id"] for item in (value if isinstance(value, list) else [value]))


def iter_assumptions(node: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every ``x-assumption`` object in ``node`` with the JSON pointer of its owner."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "x-assumption":
                for item in value if isinstance(value, list) else [value]:
                    yield where, item
            else:
                yield from iter_assumptions(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from iter_assumptions(value, f"{where}/{index}")


def schema_validator(schema: dict[str, Any], document: dict[str, Any] | None = None) -> Any:
    """A Draft 2020-12 validator (with format checks) for a schema taken from the spec.

    The spec's ``components`` are grafted onto the root so that the spec's own
    ``#/components/...`` references resolve without a separate registry.
    """
    from jsonschema import Draft202012Validator

    document = document or load_spec()
    root = {**schema, "components": document.get("components", {})}
    return Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)
