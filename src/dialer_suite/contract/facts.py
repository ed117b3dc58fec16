"""What the target showed, fact by fact, and whether a test that sends the same requests every
run saw it: the raw material of the vendor baseline.

A baseline is only worth something if the same vendor gives the same facts on
the next run. Scenario tests send the same requests every run; property and
stateful tests generate them from a seed, and the campaign watch samples a
dialer. So every fact carries its *source*: ``scenarios`` when a scenario test
saw it, ``generated data`` otherwise (also outside any test: the session's
setup and cleanup). Only facts that scenarios saw can count as a change;
the others are recorded, so that a reviewer sees them, and never judged.

Facts per (operation, status): the status itself, the response keys the spec
knows (as paths, ``valid_contacts/*/id``), the keys it does not know (drift),
the headers that carry behaviour (presence, media type, ``Retry-After``
form), and the assumed shapes responses broke. Per run: the contact status
values, and evidence per ``x-assumption`` id (``RunReport.observe``).
"""

from __future__ import annotations

import email.utils
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dialer_suite.api import spec
from dialer_suite.api.validation import ASSUMED_CONTENT, Findings
from dialer_suite.contract.normalize import stable_fact, without_positions

SCENARIOS = "scenarios"
GENERATED = "generated data"
OUTSIDE = "(outside the spec)"
Where = tuple[str, int]
# Kinds of facts per (operation, status).
STATUS, KEYS, DRIFT, HEADERS, SHAPES = "status", "keys", "drift", "headers", "shapes"
# Where a 202 may name its job without the spec declaring the header (assumption job-id-location).
_UNDECLARED_HEADERS = ("x-job-id",)
# No answer of the spec nests deeper; a guard should a schema ever refer to itself.
_MAX_DEPTH = 8


@dataclass
class Seen:
    """Every fact of a run with the sources that saw it; fed under the run report's lock."""

    run_id: str = ""
    # SCENARIOS while a scenario test runs (set by the plugin), else None: generated data.
    source: str | None = None
    answers: dict[Where, dict[str, dict[str, set[str]]]] = field(default_factory=dict)
    contact_values: dict[str, set[str]] = field(default_factory=dict)
    # assumption id → "held: detail" / "differs: detail" → sources
    evidence: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    shape_ids: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # nodeid → how its outcome is judged (see ``compare``); nodeid → why it was skipped
    levels: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def current(self) -> str:
        return self.source or GENERATED

    def add(self, findings: Findings, headers: Mapping[str, str]) -> None:
        where = (findings.operation_id or OUTSIDE, findings.status)
        self._note(where, STATUS, [""])
        self._note(where, HEADERS, header_facts(headers))
        for problem in findings.assumed:
            line = f"[{', '.join(problem.assumptions)}] " + stable_fact(
                without_positions(problem.message), self.run_id)
            self.shape_ids[line] = problem.assumptions
            self._note(where, SHAPES, [line])
        if findings.operation_id is not None and findings.body is not None:
            known, drift = key_paths(findings.operation_id, findings.status, findings.body)
            self._note(where, KEYS, known)
            self._note(where, DRIFT, drift)
        for value in findings.contact_statuses:
            self.contact_values.setdefault(value, set()).add(self.current)

    def observe(self, assumption_id: str, held: bool, detail: str) -> None:
        line = f"{'held' if held else 'differs'}: {stable_fact(detail, self.run_id)}"
        self.evidence.setdefault(assumption_id, {}).setdefault(line, set()).add(self.current)

    def _note(self, where: Where, kind: str, facts: Iterable[str]) -> None:
        found = self.answers.setdefault(where, {}).setdefault(kind, {})
        for fact in facts:
            found.setdefault(fact, set()).add(self.current)


def evidence_of(findings: Findings, headers: Mapping[str, str]) -> list[tuple[str, bool, str]]:
    """What one response shows about assumptions that no test reports by itself.

    (assumption id, held, detail): how credentials are refused (``auth-401``),
    how a 429 says when to retry (``rate-limit-429``), whether refused contacts
    carry reasons (``invalid-contact-shape``). ``held`` agrees with the spec
    validation, which decides whether the shape broke the assumption.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    broken = {i for problem in findings.assumed for i in problem.assumptions}
    found: list[tuple[str, bool, str]] = []
    if findings.status in (401, 403):
        challenge = "with" if "www-authenticate" in lowered else "without"
        found.append(("auth-401", findings.status == 401 and "auth-401" not in broken,
                      f"{findings.status} {challenge} WWW-Authenticate"))
    if findings.status == 429:
        form = retry_after_form(lowered.get("retry-after"))
        found.append(("rate-limit-429", "rate-limit-429" not in broken, f"429 with {form}"))
    body = findings.body
    if findings.operation_id == "addContact" and findings.status == 200 and isinstance(body, dict):
        for refused in body.get("invalid_contacts") or []:
            if isinstance(refused, dict):
                reasons = refused.get("errors")
                found.append(("invalid-contact-shape", isinstance(reasons, list),
                              "refused contacts carry an errors list" if isinstance(reasons, list)
                              else "refused contacts carry no errors list"))
    return found


def retry_after_form(value: str | None) -> str:
    """How a ``Retry-After`` is written: the form is behaviour, the number of seconds is not."""
    if value is None:
        return "no Retry-After"
    if value.strip().isdigit():
        return "Retry-After in seconds"
    try:
        email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return "an unreadable Retry-After"
    return "Retry-After as an HTTP date"


def header_facts(headers: Mapping[str, str]) -> list[str]:
    """The headers that carry behaviour: those the spec declares anywhere (and ``X-Job-Id``), by
    presence, the media type, and the form of ``Retry-After``."""
    lowered = {name.lower(): value for name, value in headers.items()}
    facts = [name for name in _behaviour_headers() if name in lowered and name != "retry-after"]
    media = lowered.get("content-type", "").split(";")[0].strip().lower()
    if media:
        facts.append(f"content-type {media}")
    if "retry-after" in lowered:
        facts.append(retry_after_form(lowered["retry-after"]))
    return facts


@functools.cache
def _behaviour_headers() -> tuple[str, ...]:
    document = spec.load_spec()
    names = set(_UNDECLARED_HEADERS)
    for operation in spec.iter_operations(document):
        for response in operation.definition.get("responses", {}).values():
            names.update(name.lower() for name in spec.deref(document, response).get("headers", {}))
    return tuple(sorted(names))


# -- response keys, by the spec's schemas ----------------------------------------


def key_paths(operation_id: str, status: int, body: Any) -> tuple[set[str], set[str]]:
    """(keys the spec knows, keys it does not) of a response body, as paths (``*`` a list item).

    Walks the body along the schema declared for the answer: known keys are
    followed down, unknown keys are drift (not followed), and the keys of a
    free-form map (``additionalProperties``, e.g. ``user_custom_metadata``) are
    data, not vendor keys, so they are left out.
    """
    known: set[str] = set()
    drift: set[str] = set()
    schema, _ = _body_schema(operation_id, status)
    if schema is not None:
        _walk(schema, body, "", known, drift, set())
    return known, drift


def _walk(schema: Any, value: Any, path: str, known: set[str], drift: set[str],
          walked: set[tuple[str, tuple[str, ...]]]) -> None:
    properties, free, items = _parts(schema)
    if isinstance(value, list) and items is not None:
        prefix = _join(path, "*")
        for item in value:
            # A list of thousands of contacts has a few key sets: walk each once.
            signature = (prefix, tuple(sorted(item))) if isinstance(item, dict) else None
            if signature is not None and signature in walked:
                continue
            if signature is not None:
                walked.add(signature)
            _walk(items, item, prefix, known, drift, walked)
    elif isinstance(value, dict):
        for key, child in value.items():
            sub = _join(path, str(key))
            if key in properties:
                known.add(sub)
                _walk(properties[key], child, sub, known, drift, walked)
            elif not free:
                drift.add(sub)


def known_paths(operation_id: str, status: int) -> set[str]:
    """Every key path the spec's schema for an answer declares, as ``key_paths`` names them
    (what a vendor *could* send; the twin drops those its tenant was never seen sending)."""
    schema, _ = _body_schema(operation_id, status)
    found: set[str] = set()
    if schema is not None:
        _declared_paths(schema, "", found, 0)
    return found


def _declared_paths(schema: Any, path: str, found: set[str], depth: int) -> None:
    properties, _, items = _parts(schema)
    if depth > _MAX_DEPTH:
        return
    if items is not None:
        _declared_paths(items, _join(path, "*"), found, depth + 1)
    for name, child in properties.items():
        found.add(_join(path, name))
        _declared_paths(child, _join(path, name), found, depth + 1)


def path_ids(operation_id: str, status: int, path: str = "") -> tuple[str, ...]:
    """The ``x-assumption`` ids of the answer ``status`` and of every schema node down ``path``:
    which assumption a key (or a header, or the status itself: ``path`` empty) is about."""
    schema, ids = _body_schema(operation_id, status)
    found = list(ids)
    if operation_id != OUTSIDE and not ids and _declared(operation_id, status) is None \
            and 400 <= status < 500:
        found.append("error-codes")  # an undeclared 4xx differs from the codes we assumed
    node = schema
    for part in [p for p in path.split("/") if p]:
        if node is None:
            break
        properties, _, items = _parts(node)
        node = items if part == "*" else properties.get(part)
        if node is not None:
            found += spec.assumption_ids_of(node) + spec.assumption_ids_of(
                spec.deref(spec.load_spec(), node))
    return tuple(dict.fromkeys(found))


def _declared(operation_id: str, status: int) -> dict[str, Any] | None:
    try:
        return spec.operation(operation_id).response(status)
    except KeyError:
        return None


@functools.cache
def _body_schema(operation_id: str, status: int) -> tuple[Any, tuple[str, ...]]:
    """The body schema declared for an answer (or its assumed one) and the answer's own ids."""
    response = _declared(operation_id, status)
    if response is None:
        return None, ()
    content = response.get("content") or response.get(ASSUMED_CONTENT) or {}
    media: dict[str, Any] = next(iter(content.values()), {})
    return media.get("schema"), spec.assumption_ids_of(response)


_PARTS: dict[int, tuple[dict[str, Any], bool, Any]] = {}


def _parts(schema: Any) -> tuple[dict[str, Any], bool, Any]:
    """(properties, free-form?, items) of a schema node, ``$ref`` followed and ``allOf`` merged.

    Cached by node identity: the spec is loaded once and never changed.
    """
    found = _PARTS.get(id(schema))
    if found is None:
        node = spec.deref(spec.load_spec(), schema)
        node = node if isinstance(node, dict) else {}
        properties = dict(node.get("properties", {}))
        free = "additionalProperties" in node
        for member in node.get("allOf", []):
            inner, inner_free, _ = _parts(member)
            properties = {**inner, **properties}
            free = free or inner_free
        # As the spec validation: an object schema without properties (an error body, "any
        # JSON") says nothing about its keys, so none of them is drift.
        free = free or not properties
        found = _PARTS[id(schema)] = (properties, free, node.get("items"))
    return found


def _join(path: str, part: str) -> str:
    return f"{path}/{part}" if path else part
