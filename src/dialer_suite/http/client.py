"""The scenario client: every call paced, recorded, redacted and validated against the spec.

Scenarios never talk to the target any other way, so "every response of every
test is validated" holds by construction: ``DialerClient.send`` raises
``ContractViolation`` (an ``AssertionError``, so pytest shows it as a failed
check, with the curl that reproduces it) when a response breaks the spec, and
feeds every exchange to the run report.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import KW_ONLY, dataclass
from typing import Any

import httpx

from dialer_suite.api.phones import same_phone
from dialer_suite.api.testdata import is_run_contact
from dialer_suite.api.validation import ResponseValidator
from dialer_suite.config.settings import Settings
from dialer_suite.http.exchange import CURL_CREDENTIALS, Upload, basic_authorization, secrets_for
from dialer_suite.http.pages import PAGING, ListAnswer, ListPaging, Query, is_refusal
from dialer_suite.http.paging import ListingProblem, read_whole_list
from dialer_suite.http.recording import Answer, Observer, Recorder
from dialer_suite.http.result import ContractViolation, Result
from dialer_suite.http.send import send_paced
from dialer_suite.http.throttle import Throttle, shared_throttle

_USE_SETTINGS = object()


@dataclass(frozen=True)
class _Request:
    """One request as ``send`` was asked to make it (before any attempt).

    ``credentials``: ``_USE_SETTINGS`` for the client's own, None for none, or a
    (user, password) pair.
    """

    method: str
    path: str
    _: KW_ONLY
    json_body: Any = None
    content: bytes | None = None
    content_type: str = "application/json"
    upload: Upload | None = None
    params: Mapping[str, Any] | None = None
    credentials: Any = _USE_SETTINGS

    @property
    def body(self) -> bytes | None:
        return json.dumps(self.json_body).encode() if self.json_body is not None else self.content


class DialerClient:
    """Talks to one target; one instance per test session (it holds a connection pool)."""

    def __init__(
        self,
        base_url: str,
        username: str,
        api_token: str,
        *,
        rate_limit: float,
        report: Observer | None = None,
        validator: ResponseValidator | None = None,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        throttle: Throttle | None = None,
        paging: ListPaging | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.username = username
        self._token = api_token
        self.recorder = Recorder(
            self.base_url, secrets_for(username, api_token), validator or ResponseValidator(), report
        )
        self.throttle = throttle or shared_throttle(self.base_url, rate_limit)
        # How the target pages its list, learnt by the first whole-list read; give it to every
        # other reader of the same target (the schemathesis session) so it is learnt once.
        self.paging = paging or ListPaging()
        self._http = httpx.Client(timeout=timeout, transport=transport)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        report: Observer | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> DialerClient:
        if settings.base_url is None:
            raise ValueError("settings have no base URL yet: start the simulator first")
        return cls(
            settings.base_url,
            settings.username,
            settings.api_token,
            rate_limit=settings.pace,
            report=report,
            timeout=settings.request_timeout,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"DialerClient({self.base_url!r}, username={self.username!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> DialerClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def report(self) -> Observer | None:
        return self.recorder.observer

    @property
    def validator(self) -> ResponseValidator:
        return self.recorder.validator

    @validator.setter
    def validator(self, validator: ResponseValidator) -> None:
        self.recorder.validator = validator

    # -- the one way requests go out -----------------------------------------------

    def send(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        content: bytes | None = None,
        content_type: str = "application/json",
        upload: Upload | None = None,
        params: Mapping[str, Any] | None = None,
        credentials: Any = _USE_SETTINGS,
        validate: bool = True,
        retry_429: bool = True,
    ) -> Result:
        """Send, record, validate. ``credentials``: None for none, or a (user, password) pair.

        Every answer is validated as it comes, a retried 429 too.
        """
        request = _Request(
            method, path, json_body=json_body, content=content, content_type=content_type, upload=upload,
            params=params, credentials=credentials,
        )

        def attempt() -> Result:
            result = self._send_once(request)
            if validate and result.findings.documented:
                raise ContractViolation.of(result.findings, result.exchange)
            return result

        return send_paced(
            attempt, throttle=self.throttle, status=lambda r: r.status,
            retry_after=lambda r: r.headers.get("retry-after"), retry_429=retry_429,
        )

    def _send_once(self, request: _Request) -> Result:
        body = request.body
        headers: dict[str, str] = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = request.content_type
        files = None
        if request.upload is not None:
            upload = request.upload
            files = {upload.field: (upload.filename, upload.content, upload.content_type)}
        outgoing = self._http.build_request(
            request.method, self.base_url + request.path,
            params=dict(request.params) if request.params else None, headers=headers, content=body,
            files=files,
        )
        auth, curl_auth = self._credentials(request.credentials)
        if auth is not None:
            outgoing.headers["Authorization"] = basic_authorization(*auth)
        exchange = self.recorder.request(
            request.method, str(outgoing.url), dict(outgoing.headers), body or b"",
            upload=request.upload, curl_auth=curl_auth,
        )
        started = time.monotonic()
        try:
            response = self._http.send(outgoing)
        except httpx.HTTPError as error:
            self.recorder.unanswered(exchange, error, time.monotonic() - started)
            raise ContractViolation([f"{request.method} {request.path}: no response"], exchange) from None
        answer = Answer(str(outgoing.url), response.status_code, response.headers, response.content,
                        time.monotonic() - started)
        return Result(exchange, self.recorder.answered(exchange, answer), response.headers)

    def _credentials(self, credentials: Any) -> tuple[tuple[str, str] | None, str | None]:
        """The (user, password) to send, and what curl shows for them (``send``'s ``credentials``)."""
        if credentials is _USE_SETTINGS:
            return (self.username, self._token), CURL_CREDENTIALS
        if credentials is None:
            return None, None
        auth = (str(credentials[0]), str(credentials[1]))
        return auth, self.recorder.redact(f"{auth[0]}:{auth[1]}")

    # -- the six operations ----------------------------------------------------------

    @staticmethod
    def campaign_path(campaign_id: int | str, suffix: str) -> str:
        return f"/outbound_dialer/campaigns/{campaign_id}/{suffix}"

    def add_contact(self, campaign_id: int, contact: Any, **kwargs: Any) -> Result:
        return self.send("POST", self.campaign_path(campaign_id, "contacts"), json_body=contact,
                         **kwargs)

    def list_contacts(
        self, campaign_id: int, page: int | None = None, per: int | None = None, **kwargs: Any
    ) -> Result:
        params = {k: v for k, v in (("page", page), ("per", per)) if v is not None}
        return self.send("GET", self.campaign_path(campaign_id, "contacts"), params=params, **kwargs)

    def import_contacts(
        self,
        campaign_id: int,
        contacts: Any,
        *,
        filename: str = "contacts.json",
        content_type: str = "application/json",
        **kwargs: Any,
    ) -> Result:
        """Post a file; ``contacts`` is JSON-encoded unless it is already bytes (malformed files)."""
        raw = contacts if isinstance(contacts, bytes) else json.dumps(contacts).encode()
        upload = Upload("file", filename, content_type, raw)
        return self.send("POST", self.campaign_path(campaign_id, "contacts/import"), upload=upload,
                         **kwargs)

    def get_job(self, campaign_id: int, job_id: int | str, **kwargs: Any) -> Result:
        return self.send("GET", self.campaign_path(campaign_id, f"contacts/jobs/{job_id}"), **kwargs)

    def update_contact(self, campaign_id: int, body: Any, **kwargs: Any) -> Result:
        return self.send("PATCH", self.campaign_path(campaign_id, "contact"), json_body=body,
                         **kwargs)

    def delete_contact(self, campaign_id: int, body: Any, **kwargs: Any) -> Result:
        return self.send("DELETE", self.campaign_path(campaign_id, "contact"), json_body=body,
                         **kwargs)

    # -- reading the whole list, whatever the target's paging ------------------------

    def list_all(
        self, campaign_id: int, *, validate: bool = True, answers: list[Result] | None = None
    ) -> list[dict[str, Any]]:
        """Every contact of the campaign, however the target pages it (``paging.read_whole_list``).

        Each answer is validated as it comes (``validate``: as ``send``'s) and added to
        ``answers`` when given; how the target pages is reported as evidence of
        ``list-pagination``, and a list that cannot be read whole fails under it.
        """
        path = self.campaign_path(campaign_id, "contacts")
        kept: list[Result] = []

        def fetch(query: Query) -> ListAnswer:
            result = self.send("GET", path, params=query, validate=validate)
            kept.append(result)
            if not is_refusal(query, result.status):
                result.expect(200, why="the list of a campaign")
            return ListAnswer(result.status, result.body, result.headers, result.exchange.url)

        try:
            listing = read_whole_list(fetch, self.paging, path)
        except ListingProblem as problem:
            raise kept[-1].fail(str(problem), assumptions=PAGING) from None
        finally:
            if answers is not None:
                answers.extend(kept)
        for held, detail in listing.evidence:
            self._observe(PAGING[0], held, detail)
        return listing.contacts

    def _observe(self, assumption_id: str, held: bool, detail: str) -> None:
        if self.recorder.observer is not None:
            self.recorder.observer.observe(assumption_id, held, detail)

    def find_contacts(
        self,
        campaign_id: int,
        *,
        external_unique_id: str | None = None,
        phone: str | None = None,
        contact_id: int | None = None,
    ) -> list[dict[str, Any]]:
        """Contacts of the campaign matching every key given (phone in any spelling)."""
        return [c for c in self.list_all(campaign_id) if _matches(c, external_unique_id, phone,
                                                                   contact_id)]

    def added_contact_id(self, campaign_id: int, result: Result, contact: Mapping[str, Any]) -> int:
        """The id of a contact just added: from the add response, else from a list lookup.

        The vendor's documented add response shows no id (assumption
        ``add-returns-id``); the report says which way the id was found.
        """
        valid = (result.body or {}).get("valid_contacts") or []
        if valid and isinstance(valid[0], dict) and isinstance(valid[0].get("id"), int):
            self._observe("add-returns-id", True, "id in valid_contacts")
            return int(valid[0]["id"])
        self._observe("add-returns-id", False, "no id in valid_contacts; found by list")
        found = self.find_contacts(
            campaign_id, external_unique_id=contact.get("external_unique_id"),
            phone=contact.get("phone_number"),
        )
        if len(found) != 1:
            raise result.fail(
                f"addContact: the added contact {contact.get('external_unique_id')!r} is listed "
                f"{len(found)} time(s); expected once"
            )
        if not isinstance(found[0].get("id"), int):
            raise result.fail(
                f"addContact: the added contact {contact.get('external_unique_id')!r} has an id "
                f"neither in the add answer nor in the list ({found[0].get('id')!r}); update and "
                "delete by contact_id need one", assumptions=("add-returns-id", "record-input-fields"),
            )
        return int(found[0]["id"])


def _matches(
    contact: Mapping[str, Any], eid: str | None, phone: str | None, contact_id: int | None
) -> bool:
    return (
        (eid is None or contact.get("external_unique_id") == eid)
        and (phone is None or same_phone(contact.get("phone_number"), phone))
        and (contact_id is None or contact.get("id") == contact_id)
    )


def iter_run_contacts(contacts: list[dict[str, Any]], run_id: str) -> Iterator[dict[str, Any]]:
    """The contacts a run wrote: its run id is in ``external_unique_id`` or ``name``."""
    return (c for c in contacts if isinstance(c, dict) and is_run_contact(c, run_id))
