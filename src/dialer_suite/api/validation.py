"""Every response checked against the spec: status declared, media type, headers, body schema.

One ``ResponseValidator`` serves the whole suite — the scenario client, the
schemathesis checks and the reports — so that a scenario's 404 is held to the
same contract as a property test's 200. It returns a ``Findings`` instead of
raising, so callers decide whether a problem fails the test (violations) or is
only reported (drift: keys the vendor added, which its docs allow).

Every violation says which part of the spec it breaks: a documented part, or
one marked ``x-assumption`` (the response object, a header, or any schema node
on the way to the failing keyword). A response that only breaks assumptions is
"vendor differs from our assumption", never "vendor broke its documented
contract", whichever test sent the request.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from dialer_suite.api import spec

_SPEC_URI = "urn:dialer-suite:spec"
_CONTACT_STATUS_REF = "#/components/schemas/ContactStatus"
# Error responses are undocumented: a status the spec does not declare is only a
# documented break outside 4xx (the success codes are documented; a 5xx fails any call).
_UNDECLARED_ERROR = ("error-codes",)
# A response whose body the vendor documents as "None" carries its assumed shape here.
ASSUMED_CONTENT = "x-assumed-content"
_JOB_STATUS_REF = "#/components/schemas/ImportJobStatus"


@dataclass(frozen=True)
class Drift:
    """A key the spec does not know, found where the vendor may add keys."""

    operation_id: str
    status: int
    where: str
    key: str

    def __str__(self) -> str:
        return f"{self.operation_id} {self.status}: unknown key {self.key!r} at {self.where or '/'}"


@dataclass(frozen=True)
class Problem:
    """One violation, and the ``x-assumption`` ids of the spec parts it breaks (none: documented)."""

    message: str
    assumptions: tuple[str, ...] = ()


@dataclass
class Findings:
    """What one response showed: contract violations, drift, and the status values it carried."""

    operation_id: str | None
    status: int
    problems: list[Problem] = field(default_factory=list)
    drift: list[Drift] = field(default_factory=list)
    contact_statuses: list[str] = field(default_factory=list)
    job_statuses: list[str] = field(default_factory=list)
    body: Any = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def violations(self) -> list[str]:
        return [problem.message for problem in self.problems]

    @property
    def documented(self) -> list[Problem]:
        """The problems that break a part of the spec the vendor documents."""
        return [problem for problem in self.problems if not problem.assumptions]

    @property
    def assumed(self) -> list[Problem]:
        """The problems that only break an ``x-assumption``: the vendor may have chosen so."""
        return [problem for problem in self.problems if problem.assumptions]

    def add(self, message: str, assumptions: Iterable[str] = ()) -> None:
        self.problems.append(Problem(message, tuple(dict.fromkeys(assumptions))))


@dataclass(frozen=True)
class _Route:
    operation: spec.Operation
    pattern: re.Pattern[str]


def _path_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    regex = "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts)
    return re.compile(f"^{regex}$")


@functools.cache
def _routes() -> tuple[_Route, ...]:
    return tuple(_Route(op, _path_pattern(op.path)) for op in spec.iter_operations())


def match_operation(method: str, url: str, base_url: str | None = None) -> spec.Operation | None:
    """The spec operation a request addresses, from its method and URL (None outside the API)."""
    path = urlsplit(url).path
    if base_url:
        prefix = urlsplit(base_url).path.rstrip("/")
        if prefix and path.startswith(prefix):
            path = path[len(prefix):]
    path = path.rstrip("/") or "/"
    for route in _routes():
        if route.operation.method == method.upper() and route.pattern.match(path):
            return route.operation
    return None


def _pointer_escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _has(node: Any, part: Any) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _follow(document: dict[str, Any], pointer: str) -> tuple[str, Any]:
    """The node at ``pointer`` and the pointer it really lives at (``$ref`` chains followed)."""
    node = spec.resolve_pointer(document, pointer)
    while isinstance(node, dict) and "$ref" in node:
        pointer = node["$ref"]
        node = spec.resolve_pointer(document, pointer)
    return pointer, node


class ResponseValidator:
    """Validates responses against the loaded spec (Draft 2020-12, ``$ref`` resolved in the spec)."""

    def __init__(self, document: dict[str, Any] | None = None) -> None:
        # Both caches hold what the read-only spec says at a pointer: a list answer of
        # thousands of contacts asks the same few pointers for every contact.
        self._followed: dict[str, tuple[str, Any]] = {}
        self._validators: dict[str, Draft202012Validator] = {}
        self._document = document or spec.load_spec()
        resource = Resource.from_contents(self._document, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(_SPEC_URI, resource)
        self._contact_enum = frozenset(spec.contact_statuses(self._document))

    def validate(
        self,
        method: str,
        url: str,
        status: int,
        headers: Mapping[str, str],
        content: bytes,
        base_url: str | None = None,
    ) -> Findings:
        op = match_operation(method, url, base_url)
        if op is None:
            findings = Findings(None, status)
            findings.add(f"{method} {urlsplit(url).path} is not an operation of the spec")
            return findings
        return self.validate_operation(op, status, headers, content)

    def validate_operation(
        self, op: spec.Operation, status: int, headers: Mapping[str, str], content: bytes
    ) -> Findings:
        """``validate`` when the operation is already known (schemathesis cases)."""
        findings = Findings(op.operation_id, status)
        response_pointer = self._response_pointer(op, status)
        if response_pointer is None:
            declared = ", ".join(sorted(op.definition.get("responses", {})))
            findings.add(
                f"{op.operation_id}: status {status} is not declared (declared: {declared})",
                _UNDECLARED_ERROR if 400 <= status < 500 else (),
            )
            return findings
        pointer, response = self._follow(response_pointer)
        lowered = {name.lower(): value for name, value in headers.items()}
        assumed = spec.assumption_ids_of(response)
        self._check_headers(findings, pointer, response, lowered, assumed)
        self._check_body(findings, pointer, response, lowered, content, assumed)
        return findings

    def _response_pointer(self, op: spec.Operation, status: int) -> str | None:
        responses = op.definition.get("responses", {})
        base = f"#/paths/{_pointer_escape(op.path)}/{op.method.lower()}/responses"
        for key in (str(status), f"{str(status)[0]}XX", "default"):
            if key in responses:
                return f"{base}/{key}"
        return None

    def _check_headers(
        self, findings: Findings, pointer: str, response: dict[str, Any], headers: Mapping[str, str],
        assumed: tuple[str, ...],
    ) -> None:
        for name in response.get("headers", {}):
            header_pointer, declared = self._follow(f"{pointer}/headers/{_pointer_escape(name)}")
            tags = (*assumed, *spec.assumption_ids_of(declared))
            value = headers.get(name.lower())
            if value is None:
                if declared.get("required"):
                    findings.add(
                        f"{findings.operation_id} {findings.status}: required header {name} is missing",
                        tags,
                    )
                continue
            if "schema" in declared:
                error = self._first_error(value, f"{header_pointer}/schema")
                if error:
                    findings.add(f"{findings.operation_id} {findings.status}: header {name}: {error}", tags)

    def _check_body(
        self,
        findings: Findings,
        pointer: str,
        response: dict[str, Any],
        headers: Mapping[str, str],
        content: bytes,
        assumed: tuple[str, ...],
    ) -> None:
        key = "content" if "content" in response else ASSUMED_CONTENT
        declared = response.get(key, {})
        where = f"{findings.operation_id} {findings.status}"
        if not declared:
            return
        media, schema_pointer = next(
            (m, f"{pointer}/{key}/{_pointer_escape(m)}/schema") for m in declared
        )
        if not content.strip():
            if key == "content" and not self._accepts_absent_body(schema_pointer):
                findings.add(f"{where}: empty body, expected {media}", assumed)
            return
        content_type = headers.get("content-type", "")
        if content_type.split(";")[0].strip().lower() not in {m.lower() for m in declared}:
            findings.add(f"{where}: Content-Type {content_type or '(missing)'!r}, expected {media}", assumed)
        try:
            body = json.loads(content)
        except ValueError as problem:
            findings.add(f"{where}: body is not JSON ({problem}): {content[:200]!r}", assumed)
            return
        findings.body = body
        schema_pointer, _ = self._follow(schema_pointer)
        for message, tags in self._errors(body, schema_pointer):
            findings.add(f"{where}: {message}", (*assumed, *tags))
        self._walk(findings, body, schema_pointer, "")

    def _accepts_absent_body(self, schema_pointer: str) -> bool:
        """An empty body is fine where the schema asks nothing (error bodies, the 202 "None")."""
        _, schema = self._follow(schema_pointer)
        return "type" not in schema or (schema.get("type") == "object" and not schema.get("required"))

    def _follow(self, pointer: str) -> tuple[str, Any]:
        found = self._followed.get(pointer)
        if found is None:
            found = self._followed[pointer] = _follow(self._document, pointer)
        return found

    def _validator(self, schema_pointer: str) -> Draft202012Validator:
        validator = self._validators.get(schema_pointer)
        if validator is None:
            validator = self._validators[schema_pointer] = Draft202012Validator(
                {"$ref": f"{_SPEC_URI}{schema_pointer}"},
                registry=self._registry,
                format_checker=Draft202012Validator.FORMAT_CHECKER,
            )
        return validator

    def _errors(self, instance: Any, schema_pointer: str) -> Iterator[tuple[str, tuple[str, ...]]]:
        """Each schema error with the assumption ids of the schema nodes on its way."""
        errors = list(self._validator(schema_pointer).iter_errors(instance))
        for error in sorted(errors, key=lambda e: list(e.absolute_path)):
            location = "/" + "/".join(str(p) for p in error.absolute_path)
            message = error.message
            if error.validator == "enum":
                # jsonschema lists the whole enum; the value itself is what the reader needs.
                message = f"{error.instance!r} is not one of the {len(error.validator_value)} allowed values"
            tags = self._assumptions_along(schema_pointer, error.absolute_schema_path)
            yield f"at {location}: {message}", tags

    def _assumptions_along(self, schema_pointer: str, path: Iterable[Any]) -> tuple[str, ...]:
        """``x-assumption`` ids of every schema node from ``schema_pointer`` down ``path`` (an
        error's ``absolute_schema_path``, in which ``$ref`` hops are transparent)."""
        node: Any = {"$ref": schema_pointer}
        ids: list[str] = []
        for part in [*path, None]:
            while isinstance(node, dict) and "$ref" in node and (part is None or part not in node):
                _, node = self._follow(str(node["$ref"]).removeprefix(_SPEC_URI))
                ids += spec.assumption_ids_of(node)
            if part is None or not _has(node, part):
                break
            node = node[part]
            ids += spec.assumption_ids_of(node)
        return tuple(dict.fromkeys(ids))

    def _first_error(self, instance: Any, schema_pointer: str) -> str | None:
        error = best_match(self._validator(schema_pointer).iter_errors(instance))
        return error.message if error else None

    def _walk(self, findings: Findings, instance: Any, schema_pointer: str, where: str) -> None:
        """Collect drift (unknown keys) and the status values, following the schema's shape."""
        schema_pointer, schema = self._follow(schema_pointer)
        if schema_pointer == _CONTACT_STATUS_REF and isinstance(instance, str):
            findings.contact_statuses.append(instance)
            if instance not in self._contact_enum:
                findings.add(
                    f"{findings.operation_id} {findings.status}: contact status {instance!r} at "
                    f"{where} is not one of the {len(self._contact_enum)} documented values"
                )
        if schema_pointer == _JOB_STATUS_REF and isinstance(instance, str):
            # Checked by the schema, filed under job-statuses when outside the three values.
            findings.job_statuses.append(instance)
        if isinstance(instance, list) and "items" in schema:
            for index, item in enumerate(instance):
                self._walk(findings, item, f"{schema_pointer}/items", f"{where}/{index}")
        if isinstance(instance, dict) and "properties" in schema:
            properties = schema["properties"]
            for key, value in instance.items():
                if key in properties:
                    self._walk(
                        findings, value, f"{schema_pointer}/properties/{_pointer_escape(key)}",
                        f"{where}/{key}",
                    )
                elif "additionalProperties" not in schema:
                    findings.drift.append(Drift(findings.operation_id or "?", findings.status, where, key))
