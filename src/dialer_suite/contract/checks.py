"""Schemathesis checks for this API, usable from the pytest suite and from ``st run``.

They are general on purpose: every response is held to the whole spec (status
declared, headers, media type, body schema with formats, contact status enum
shown verbatim), every 202 must name its job, and every successful write is
read back through the list — an API that answers "OK" without doing the work
fails whichever way it cuts the corner.

Use with ``st run``: ``SCHEMATHESIS_HOOKS=dialer_suite.contract.checks st run --checks all ...``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import requests
import schemathesis
from schemathesis import Case, CheckContext, Response

from dialer_suite.api import spec
from dialer_suite.api.phones import same_phone
from dialer_suite.api.validation import ResponseValidator
from dialer_suite.http.jobs import JOB_ID_LOCATION, JobIdProblem, locate_job_id
from dialer_suite.http.paging import PARAMETERS_REFUSED, ListingProblem, PagingRefused, collect

_LIST_TIMEOUT = 30.0
_PAGING = ("list-pagination",)
_EDITABLE = ("name", "email", "phone_number", "external_unique_id")


class CheckFailed(AssertionError):
    """A check's failure; ``assumptions`` files it (as on ``ContractViolation``: ``()`` a documented
    part of the spec, ids the assumptions it breaks, None left to the test)."""

    def __init__(self, message: str, *, assumptions: tuple[str, ...] | None = None) -> None:
        super().__init__(message)
        self.assumptions = assumptions


@functools.cache
def validator() -> ResponseValidator:
    return ResponseValidator()


def operation_of(case: Case) -> spec.Operation:
    """The spec operation a case was generated from (even when sent with another method)."""
    method = case.operation.method.upper()
    for candidate in spec.iter_operations():
        if candidate.path == case.operation.path and candidate.method == method:
            return candidate
    raise AssertionError(f"{method} {case.operation.path} is not an operation of the spec")


def _sent_as_declared(case: Case) -> bool:
    """False for probes with a method the path does not declare (``unsupported_method`` judges
    those); the operation's responses say nothing about them."""
    return case.method.upper() == case.operation.method.upper()


def _headers(response: Response) -> dict[str, str]:
    return {name: ", ".join(values) for name, values in response.headers.items()}


def _body(response: Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


@schemathesis.check
def dialer_response_conforms(ctx: CheckContext, response: Response, case: Case) -> None:
    """The response is declared for its operation and matches it (headers, media type, schema)."""
    if not _sent_as_declared(case):
        return
    findings = validator().validate_operation(
        operation_of(case), response.status_code, _headers(response), response.content
    )
    if findings.documented:
        # Assumed shapes are the run report's (see ContractViolation.of).
        raise CheckFailed("\n".join(p.message for p in findings.documented), assumptions=())


@schemathesis.check
def dialer_import_names_its_job(ctx: CheckContext, response: Response, case: Case) -> None:
    """A 202 of an import names one job (body, X-Job-Id or Location), and that job can be read."""
    if (not _sent_as_declared(case) or operation_of(case).operation_id != "importContacts"
            or response.status_code != 202):
        return
    try:
        ref = locate_job_id(_body(response), _headers(response))
    except JobIdProblem as problem:
        raise CheckFailed(str(problem), assumptions=JOB_ID_LOCATION) from None
    reader = _Reader(ctx, response)
    job = reader.get(f"{reader.campaign_path(case)}/contacts/jobs/{ref.job_id}", "getImportJob")
    if job.status_code != 200 or (_body(job) or {}).get("id") != ref.job_id:
        raise AssertionError(
            f"importContacts 202 named job {ref.job_id} ({ref.source}), but reading it answered "
            f"{job.status_code}: {job.text[:300]}"
        )


@schemathesis.check
def dialer_list_matches_its_total(ctx: CheckContext, response: Response, case: Case) -> None:
    """A list answer agrees with its own ``X-Total-Count``: whole without paging, a page with it.

    Without ``page``/``per`` the whole list is answered (assumption
    ``list-pagination``), so it holds exactly the total; a page never holds
    more than ``per`` nor more than the total.
    """
    if (not _sent_as_declared(case) or operation_of(case).operation_id != "listContacts"
            or response.status_code != 200):
        return
    body, total = _body(response), _headers(response).get("x-total-count", "")
    if not isinstance(body, list) or not total.isdigit():
        return
    query = case.query or {}
    paged = "page" in query or "per" in query
    if not paged and len(body) != int(total):
        raise CheckFailed(
            f"listContacts without paging answered {len(body)} contacts, but X-Total-Count "
            f"says {total}", assumptions=_PAGING,
        )
    if paged and len(body) > int(total):
        raise CheckFailed(f"listContacts answered {len(body)} contacts, X-Total-Count {total}",
                          assumptions=_PAGING)


@schemathesis.check
def dialer_writes_are_read_back(ctx: CheckContext, response: Response, case: Case) -> None:
    """What add, update and delete say they did is what the list shows afterwards."""
    operation_id = operation_of(case).operation_id
    body = _body(response)
    if not _sent_as_declared(case) or response.status_code != 200 or not isinstance(body, dict):
        return
    sent = case.body if isinstance(case.body, dict) else {}
    if operation_id == "addContact":
        _check_added(_Reader(ctx, response).contacts(case), body, sent)
    elif operation_id == "updateContact":
        _check_updated(_Reader(ctx, response).contacts(case), body, sent)
    elif operation_id == "deleteContact":
        _check_deleted(_Reader(ctx, response).contacts(case), body, sent)


def _check_added(listed: list[dict[str, Any]], body: dict[str, Any], sent: Mapping[str, Any]) -> None:
    for contact in body.get("valid_contacts") or []:
        if not isinstance(contact, dict):
            continue
        found = [c for c in listed if _same_contact(c, contact)]
        if len(found) != 1:
            raise AssertionError(
                f"addContact answered 200 with {_name(contact)} in valid_contacts, but the list "
                f"shows it {len(found)} time(s)"
            )
        _compare("addContact", found[0], sent, ("name", "email", "phone_number",
                                                "external_unique_id"))
    for contact in body.get("invalid_contacts") or []:
        eid = sent.get("external_unique_id")
        if isinstance(contact, dict) and isinstance(eid, str):
            stored = [c for c in listed if c.get("external_unique_id") == eid]
            if stored:
                raise AssertionError(
                    f"addContact reported {eid!r} in invalid_contacts, but the list shows it stored"
                )


def _check_updated(
    listed: list[dict[str, Any]], record: dict[str, Any], sent: Mapping[str, Any]
) -> None:
    contact_id = sent.get("contact_id")
    if record.get("id") != contact_id:
        raise AssertionError(
            f"updateContact of contact_id {contact_id} answered the record of id {record.get('id')}"
        )
    found = [c for c in listed if c.get("id") == contact_id]
    if len(found) != 1:
        raise AssertionError(
            f"updateContact of contact_id {contact_id} answered 200, but the list shows that "
            f"contact {len(found)} time(s)"
        )
    _compare("updateContact", found[0], sent, _EDITABLE)


def _check_deleted(
    listed: list[dict[str, Any]], record: dict[str, Any], sent: Mapping[str, Any]
) -> None:
    keys = [k for k in ("contact_id", "phone_number", "external_unique_id") if k in sent]
    if len(keys) == 1:
        # With one key the documented contract is plain; how several combine is an assumption.
        key, value = keys[0], sent[keys[0]]
        actual = record.get("id" if key == "contact_id" else key)
        matches = same_phone(actual, value) if key == "phone_number" else actual == value
        if actual is not None and not matches:
            raise AssertionError(
                f"deleteContact by {key}={value!r} removed a contact whose {key} is {actual!r}"
            )
    still = [c for c in listed if record.get("id") is not None and c.get("id") == record.get("id")]
    if still:
        raise AssertionError(
            f"deleteContact answered 200 with the record of id {record.get('id')}, but the list "
            "still shows that contact"
        )


def _compare(operation_id: str, listed: Mapping[str, Any], sent: Mapping[str, Any],
             fields: tuple[str, ...]) -> None:
    for name in fields:
        value = sent.get(name)
        if not isinstance(value, str) or name not in listed:
            continue
        stored = listed.get(name)
        same = same_phone(stored, value) if name == "phone_number" else stored == value
        if not same:
            raise AssertionError(
                f"{operation_id} sent {name}={value!r}, but the list shows {name}={stored!r} "
                f"for contact {listed.get('id')}"
            )


def _same_contact(listed: Mapping[str, Any], echoed: Mapping[str, Any]) -> bool:
    if isinstance(echoed.get("id"), int):
        return listed.get("id") == echoed["id"]
    return listed.get("external_unique_id") == echoed.get("external_unique_id") and same_phone(
        listed.get("phone_number"), echoed.get("phone_number")
    )


def _name(contact: Mapping[str, Any]) -> str:
    return repr(contact.get("external_unique_id") or contact.get("phone_number"))


class _Reader:
    """Reads back through the same session (pacing, credentials) the checked request used."""

    def __init__(self, ctx: CheckContext, response: Response) -> None:
        kwargs = ctx.internals.transport_kwargs or {}
        self._session: Any = kwargs.get("session") or requests
        url = response.request.url or ""
        self._base = url.split("/outbound_dialer/")[0]
        auth = response.request.headers.get("Authorization")
        self._headers = {"Authorization": auth} if auth else {}

    def campaign_path(self, case: Case) -> str:
        return f"/outbound_dialer/campaigns/{case.path_parameters.get('campaign_id')}"

    def get(self, path: str, operation_id: str) -> Any:
        answer = self._session.get(self._base + path, headers=self._headers, timeout=_LIST_TIMEOUT)
        return self._validated(answer, operation_id)

    def _validated(self, answer: Any, operation_id: str) -> Any:
        findings = validator().validate_operation(
            spec.operation(operation_id), answer.status_code, dict(answer.headers), answer.content
        )
        if findings.documented:
            raise CheckFailed("reading back: " + "\n".join(p.message for p in findings.documented),
                              assumptions=())
        return answer

    def contacts(self, case: Case) -> list[dict[str, Any]]:
        path = f"{self.campaign_path(case)}/contacts"

        def fetch(page: int | None, per: int) -> tuple[Any, Mapping[str, str]]:
            params = None if page is None else {"page": page, "per": per}
            answer = self._session.get(self._base + path, params=params, headers=self._headers,
                                       timeout=_LIST_TIMEOUT)
            if page is not None and answer.status_code in PARAMETERS_REFUSED:
                raise PagingRefused(answer.status_code)
            self._validated(answer, "listContacts")
            if answer.status_code != 200:
                raise AssertionError(f"reading back: listContacts answered {answer.status_code}")
            return answer.json(), answer.headers

        try:
            return collect(fetch, per=1000).contacts
        except ListingProblem as problem:
            raise CheckFailed(f"reading back: {problem}", assumptions=_PAGING) from None
