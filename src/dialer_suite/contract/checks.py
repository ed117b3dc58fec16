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
from dialer_suite.http.pages import PAGING, ListAnswer, ListPaging, Query, is_refusal
from dialer_suite.http.paging import ListingProblem, read_whole_list

_LIST_TIMEOUT = 30.0
_EDITABLE = ("name", "email", "phone_number", "external_unique_id")
_PAGING_PARAMETERS = ("page", "per", "per_page")
# Who a read-back finds an added contact by, when not by its external_unique_id (which the
# documented list shows): the id the add echoed, as listed (neither is on the vendor page), or
# the number, which is unique on a campaign and compared as a number only by assumption.
_BY_ID = ("add-returns-id", "record-input-fields")
_BY_PHONE = ("duplicate-phones", "phone-normalization")


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
        # The page documents no job id in a 202: the id we read from it may not be the job's.
        raise CheckFailed(
            f"importContacts 202 named job {ref.job_id} ({ref.source}), but reading it answered "
            f"{job.status_code}: {job.text[:300]}", assumptions=JOB_ID_LOCATION,
        )


@schemathesis.check
def dialer_list_matches_its_total(ctx: CheckContext, response: Response, case: Case) -> None:
    """A list answer agrees with its own total (``X-Total-Count`` or ``Total``): whole without
    paging parameters, a page with them.

    Without them the whole list is answered (assumption ``list-pagination``), so
    it holds exactly the total; a page never holds more than the total.
    """
    if (not _sent_as_declared(case) or operation_of(case).operation_id != "listContacts"
            or response.status_code != 200):
        return
    answer = ListAnswer(200, _body(response), _headers(response), response.request.url or "")
    if not isinstance(answer.body, list) or answer.total is None:
        return
    (header, total), held = answer.total, len(answer.body)
    paged = any(name in (case.query or {}) for name in _PAGING_PARAMETERS)
    if not paged and held != total:
        raise CheckFailed(f"listContacts without paging parameters answered {held} contacts, but "
                          f"{header} says {total}", assumptions=PAGING)
    if paged and held > total:
        raise CheckFailed(f"listContacts answered {held} contacts, {header} {total}", assumptions=PAGING)


@schemathesis.check
def dialer_writes_are_read_back(ctx: CheckContext, response: Response, case: Case) -> None:
    """What add, update and delete say they did is what the list shows afterwards.

    Each failure says what it rests on: a contact missing, doubled or left behind
    is documented when the list was read whole and the contact told apart by what
    the documented list shows; an id, a number or a listing that could not be
    read whole files it under their assumptions. Fields stored other than sent
    are documented for valid data; for data the spec calls invalid (negative
    cases) what a lenient target keeps of it is the test's to judge.
    """
    operation_id = operation_of(case).operation_id
    body = _body(response)
    if not _sent_as_declared(case) or response.status_code != 200 or not isinstance(body, dict):
        return
    sent = case.body if isinstance(case.body, dict) else {}
    fields: tuple[str, ...] | None = () if _positive(case) else None
    if operation_id == "addContact":
        _check_added(_Reader(ctx, response).contacts(case), body, sent, fields)
    elif operation_id == "updateContact":
        _check_updated(_Reader(ctx, response).contacts(case), body, sent, fields)
    elif operation_id == "deleteContact":
        _check_deleted(_Reader(ctx, response).contacts(case), body, sent)


def _positive(case: Case) -> bool:
    return case.meta is None or case.meta.generation.mode.is_positive


def _check_added(listed: list[dict[str, Any]], body: dict[str, Any], sent: Mapping[str, Any],
                 fields: tuple[str, ...] | None) -> None:
    valid = [c for c in body.get("valid_contacts") or [] if isinstance(c, dict)]
    for contact in valid:
        found = _find_added(listed, contact, sent if len(valid) == 1 else {})
        if found is None:
            continue
        matches, relied = found
        if len(matches) != 1:
            raise CheckFailed(
                f"addContact answered 200 with {_name(contact)} in valid_contacts, but the list "
                f"shows it {len(matches)} time(s)", assumptions=relied,
            )
        echoed, listed_id = contact.get("id"), matches[0].get("id")
        if isinstance(echoed, int) and isinstance(listed_id, int) and echoed != listed_id:
            raise CheckFailed(f"addContact answered id {echoed} for {_name(contact)}, but the list "
                              f"shows it with id {listed_id}", assumptions=_BY_ID[:1])
        _compare("addContact", matches[0], sent, ("name", "email", "phone_number",
                                                  "external_unique_id"), fields)
    for contact in body.get("invalid_contacts") or []:
        eid = sent.get("external_unique_id")
        if isinstance(contact, dict) and isinstance(eid, str):
            stored = [c for c in listed if c.get("external_unique_id") == eid]
            if stored:
                raise CheckFailed(
                    f"addContact reported {eid!r} in invalid_contacts, but the list shows it stored",
                    assumptions=(),
                )


def _find_added(
    listed: list[dict[str, Any]], echoed: Mapping[str, Any], sent: Mapping[str, Any]
) -> tuple[list[dict[str, Any]], tuple[str, ...]] | None:
    """The listed contacts that are ``echoed``, and the assumptions telling them apart rests on;
    None when nothing tells it apart."""
    eid = echoed.get("external_unique_id") or sent.get("external_unique_id")
    if isinstance(eid, str) and eid:
        return [c for c in listed if c.get("external_unique_id") == eid], ()
    contact_id = echoed.get("id")
    if isinstance(contact_id, int) and any(isinstance(c.get("id"), int) for c in listed):
        return [c for c in listed if c.get("id") == contact_id], _BY_ID
    phone = echoed.get("phone_number")
    if isinstance(phone, str) and phone:
        return [c for c in listed if same_phone(c.get("phone_number"), phone)], _BY_PHONE
    return None


def _check_updated(listed: list[dict[str, Any]], record: dict[str, Any], sent: Mapping[str, Any],
                   fields: tuple[str, ...] | None) -> None:
    contact_id = sent.get("contact_id")
    if record.get("id") != contact_id:
        raise CheckFailed(
            f"updateContact of contact_id {contact_id} answered the record of id {record.get('id')}",
            assumptions=(),
        )
    if not any(isinstance(c.get("id"), int) for c in listed):
        return  # a list without ids cannot be searched by one (record-input-fields)
    found = [c for c in listed if c.get("id") == contact_id]
    if len(found) != 1:
        raise CheckFailed(
            f"updateContact of contact_id {contact_id} answered 200, but the list shows that "
            f"contact {len(found)} time(s)", assumptions=(),
        )
    _compare("updateContact", found[0], sent, _EDITABLE, fields)


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
            raise CheckFailed(
                f"deleteContact by {key}={value!r} removed a contact whose {key} is {actual!r}",
                assumptions=(),
            )
    still = [c for c in listed if record.get("id") is not None and c.get("id") == record.get("id")]
    if still:
        raise CheckFailed(
            f"deleteContact answered 200 with the record of id {record.get('id')}, but the list "
            "still shows that contact", assumptions=(),
        )


def _compare(operation_id: str, listed: Mapping[str, Any], sent: Mapping[str, Any],
             names: tuple[str, ...], fields: tuple[str, ...] | None) -> None:
    """Every string field sent is listed as sent (numbers as numbers); a difference is filed as
    ``fields`` says (``CheckFailed.assumptions``)."""
    for name in names:
        value = sent.get(name)
        if not isinstance(value, str) or name not in listed:
            continue
        stored = listed.get(name)
        same = same_phone(stored, value) if name == "phone_number" else stored == value
        if not same:
            raise CheckFailed(
                f"{operation_id} sent {name}={value!r}, but the list shows {name}={stored!r} "
                f"for contact {listed.get('id')}", assumptions=fields,
            )


def _name(contact: Mapping[str, Any]) -> str:
    return repr(contact.get("external_unique_id") or contact.get("phone_number"))


class _Reader:
    """Reads back through the same session (pacing, credentials, what it learnt of the target's
    paging) the checked request used."""

    def __init__(self, ctx: CheckContext, response: Response) -> None:
        kwargs = ctx.internals.transport_kwargs or {}
        self._session: Any = kwargs.get("session") or requests
        url = response.request.url or ""
        self._base = url.split("/outbound_dialer/")[0]
        auth = response.request.headers.get("Authorization")
        self._headers = {"Authorization": auth} if auth else {}

    def campaign_path(self, case: Case) -> str:
        return f"/outbound_dialer/campaigns/{case.path_parameters.get('campaign_id')}"

    def get(self, path: str, operation_id: str, params: Query | None = None) -> Any:
        answer = self._session.get(self._base + path, params=dict(params or {}) or None,
                                   headers=self._headers, timeout=_LIST_TIMEOUT)
        if operation_id == "listContacts" and is_refusal(params or {}, answer.status_code):
            return answer  # the reader tries other paging parameters
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
        """The whole list of the case's campaign (``paging.read_whole_list``)."""
        path = f"{self.campaign_path(case)}/contacts"

        def fetch(query: Query) -> ListAnswer:
            answer = self.get(path, "listContacts", query)
            if answer.status_code != 200 and not is_refusal(query, answer.status_code):
                raise CheckFailed(f"reading back: listContacts answered {answer.status_code}",
                                  assumptions=())
            return ListAnswer(answer.status_code, _body(answer), answer.headers, answer.url)

        paging = getattr(self._session, "paging", None) or ListPaging()
        try:
            listing = read_whole_list(fetch, paging, path)
        except ListingProblem as problem:
            raise CheckFailed(f"reading back: {problem}", assumptions=PAGING) from None
        observe = getattr(self._session, "observe", None)
        if observe is not None:
            for held, detail in listing.evidence:
                observe(PAGING[0], held, detail)
        return listing.contacts
