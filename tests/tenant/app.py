"""The independent tenant's HTTP app: the six documented operations, and a small admin surface.

Written from the vendor page alone, apart from ``dialer_suite.simulator``.
Where the page is silent it takes the choices a team running the vendor's other
APIs would likely take (see the package docstring); ``TenantOptions`` turns the
ones a self-test needs to vary.

Admin (not rate-limited, not counted): ``GET /_tenant/stats`` (requests by
operation and status, contacts created and still stored; ``received``: every
request outside the admin surface, also those no operation's route matches —
a campaign id that is not a number, a method a path does not have — which a
hosted tenant's quota counts too) and ``POST /_tenant/outage`` (``{"seconds":
20, "status": 503}``: every vendor request fails with that status until then).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

API = "/apps/api/v1/outbound_dialer/campaigns/{campaign_id:int}"
INPUT_FIELDS = ("name", "email", "phone_number", "outbound_number", "external_unique_id")
DUPLICATE_ERROR = "NativePowerDial::ContactService::DuplicateContactPhoneOnCampaign"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class TenantOptions:
    """How this tenant answers where the vendor page is silent, and how a hosted one behaves."""

    username: str = "acme-staging"
    token: str = "tenant-token-7f3a"
    campaigns: tuple[int, ...] = (11, 12)
    rate_limit: float | None = 10.0
    # Requests the bucket holds (None: one second's worth, the rate).
    burst: float | None = None
    # Seconds from request to answer (a hosted tenant's service time), and more per operation id.
    service_seconds: float = 0.0
    extra_seconds: Mapping[str, float] = field(default_factory=dict)
    # "pages": page + per/per_page, a small default page, 422 above max_per; "none": whole list.
    paging: str = "pages"
    default_per: int = 25
    max_per: int = 100
    total_header: str | None = "Total"
    link_header: bool = True
    add_ids: bool = True
    # "location": 202 with an empty body and the job in Location; "body": {"job_id": N}.
    job_in: str = "location"
    import_rate: float = 2000.0
    # "fail": a file with an invalid contact fails its job; "skip": the invalid ones are dropped.
    invalid_in_file: str = "fail"
    # Refused credentials answer 401 with a WWW-Authenticate challenge (False: a bare 401).
    auth_challenge: bool = True
    # Keys the vendor page does not show, sent (null) in every record and listed contact: drift.
    record_extras: tuple[str, ...] = ()
    max_import_bytes: int = 5 * 1024 * 1024


@dataclass
class _Job:
    id: int
    campaign_id: int
    status: str = "in_progress"
    error_details: str | None = None

    def wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id, "status": self.status,
                                "type": "Jobs::Bulk::Campaign::ParentJob"}
        if self.status == "failed":
            body.update(type="Jobs::Bulk::Campaign::StartImport", error_details=self.error_details,
                        error_message="Internal Error")
        return body


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class _State:
    options: TenantOptions
    contacts: dict[int, dict[int, dict[str, Any]]] = field(default_factory=dict)
    jobs: dict[int, _Job] = field(default_factory=dict)
    ids: Any = field(default_factory=lambda: itertools.count(1001))
    job_ids: Any = field(default_factory=lambda: itertools.count(501))
    requests: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    received: int = 0
    created: int = 0
    tokens: float = 0.0
    refilled: float = field(default_factory=time.monotonic)
    outage_until: float = 0.0
    outage_status: int = 503
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def take_token(self) -> bool:
        rate = self.options.rate_limit
        if rate is None:
            return True
        now = time.monotonic()
        self.tokens = min(self.options.burst or rate, self.tokens + (now - self.refilled) * rate)
        self.refilled = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


def _digits(phone: str) -> str:
    return re.sub(r"[^0-9]", "", phone)


def _phone_problem(value: Any) -> str | None:
    if value is None or value == "":
        return "phone_number can't be blank"
    if not isinstance(value, str) or not re.fullmatch(r"\+?[0-9 ()\-.]+", value.strip()):
        return "phone_number is invalid"
    if not 8 <= len(_digits(value)) <= 15:
        return "phone_number is invalid"
    return None


def _contact_problems(contact: Any) -> list[str]:
    if not isinstance(contact, dict):
        return ["contact must be an object"]
    problems = [f"{key} must be a string" for key in INPUT_FIELDS
                if key in contact and contact[key] is not None and not isinstance(contact[key], str)]
    phone = _phone_problem(contact.get("phone_number"))
    if phone and not any(p.startswith("phone_number") for p in problems):
        problems.append(phone)
    email = contact.get("email")
    if isinstance(email, str) and email and not _EMAIL.match(email):
        problems.append("email is invalid")
    return problems


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _record(contact: dict[str, Any], extras: tuple[str, ...] = ()) -> dict[str, Any]:
    """The documented full record, with the input fields too (and ``extras``, null)."""
    return {key: contact.get(key) for key in (
        "id", "name", "email", "phone_number", "external_unique_id", "campaign_id", "assigned_call_id",
        "assigned_participant_id", "outbound_number", "priority", "created_at", "updated_at", "status",
        "user_custom_metadata", *extras)}


def _listed(contact: dict[str, Any], extras: tuple[str, ...] = ()) -> dict[str, Any]:
    return {key: contact.get(key) for key in ("id", *INPUT_FIELDS, "status", *extras)}


class _Tenant:
    """The six operations over one tenant's state."""

    def __init__(self, options: TenantOptions) -> None:
        self.state = _State(options, contacts={c: {} for c in options.campaigns},
                            tokens=options.burst or options.rate_limit or 0.0)

    @property
    def options(self) -> TenantOptions:
        return self.state.options

    def campaign(self, campaign_id: int) -> dict[int, dict[str, Any]]:
        if campaign_id not in self.state.contacts:
            raise _Refused(404, f"Campaign {campaign_id} not found")
        return self.state.contacts[campaign_id]

    def _phone_taken(self, campaign: dict[int, dict[str, Any]], phone: str, but: int | None = None) -> bool:
        return any(_digits(c["phone_number"]) == _digits(phone) and cid != but for cid, c in campaign.items())

    def _store(self, campaign_id: int, contact: dict[str, Any]) -> dict[str, Any]:
        stamp = _now()
        stored = {key: contact.get(key) for key in INPUT_FIELDS}
        contact_id: int = next(self.state.ids)
        stored.update(id=contact_id, campaign_id=campaign_id, assigned_call_id=None,
                      assigned_participant_id=None, priority=None, created_at=stamp, updated_at=stamp,
                      status="Upcoming", user_custom_metadata={})
        self.state.contacts[campaign_id][contact_id] = stored
        self.state.created += 1
        return stored

    def add(self, campaign_id: int, body: Any) -> dict[str, Any]:
        campaign = self.campaign(campaign_id)
        if not isinstance(body, dict):
            raise _Refused(422, "the body must be a contact object")
        problems = _contact_problems(body)
        if not problems and self._phone_taken(campaign, body["phone_number"]):
            problems = ["phone_number has already been taken"]
        if problems:
            return {"valid_contacts": [], "invalid_contacts": [{**body, "errors": problems}]}
        stored = self._store(campaign_id, body)
        echoed = {key: body.get(key) for key in INPUT_FIELDS}
        if self.options.add_ids:
            echoed["id"] = stored["id"]
        return {"valid_contacts": [echoed], "invalid_contacts": []}

    def page(self, campaign_id: int, query: Mapping[str, str]) -> tuple[list[dict[str, Any]], dict[str, str]]:
        listed = [_listed(c, self.options.record_extras) for c in self.campaign(campaign_id).values()]
        if self.options.paging == "none":
            return listed, {}
        per_name = "per_page" if "per_page" in query else "per"
        try:
            page = int(query.get("page", "1"))
            per = int(query.get(per_name, str(self.options.default_per)))
        except ValueError:
            raise _Refused(422, "page and per must be whole numbers") from None
        if page < 1 or not 1 <= per <= self.options.max_per:
            raise _Refused(
                422, f"page must be at least 1 and {per_name} between 1 and {self.options.max_per}")
        headers = {"Per-Page": str(per)}
        if self.options.total_header:
            headers[self.options.total_header] = str(len(listed))
        if self.options.link_header and page * per < len(listed):
            headers["Link"] = f'<{{url}}?{urlencode({"page": page + 1, per_name: per})}>; rel="next"'
        return listed[(page - 1) * per: page * per], headers

    def _find(self, campaign: dict[int, dict[str, Any]], body: dict[str, Any]) -> dict[str, Any]:
        if "contact_id" in body:
            if not isinstance(body["contact_id"], int) or isinstance(body["contact_id"], bool):
                raise _Refused(422, "contact_id must be an integer")
            found = campaign.get(body["contact_id"])
        elif isinstance(body.get("external_unique_id"), str):
            found = next((c for c in campaign.values()
                          if c["external_unique_id"] == body["external_unique_id"]), None)
        elif isinstance(body.get("phone_number"), str):
            found = next((c for c in campaign.values()
                          if _digits(c["phone_number"]) == _digits(body["phone_number"])), None)
        else:
            raise _Refused(422, "name the contact with contact_id, external_unique_id or phone_number")
        if found is None:
            raise _Refused(404, "Contact not found")
        return found

    def update(self, campaign_id: int, body: Any) -> dict[str, Any]:
        campaign = self.campaign(campaign_id)
        if not isinstance(body, dict) or "contact_id" not in body:
            raise _Refused(422, "contact_id is required")
        found = self._find(campaign, body)
        changes = {key: body[key] for key in INPUT_FIELDS if key in body}
        problems = _contact_problems({**found, **changes})
        if "phone_number" in changes and not problems and self._phone_taken(
                campaign, changes["phone_number"], but=found["id"]):
            problems = ["phone_number has already been taken"]
        if problems:
            raise _Refused(422, "; ".join(problems))
        found.update(changes, updated_at=_now())
        return _record(found, self.options.record_extras)

    def delete(self, campaign_id: int, body: Any) -> dict[str, Any]:
        campaign = self.campaign(campaign_id)
        if not isinstance(body, dict):
            raise _Refused(422, "the body must be an object")
        found = self._find(campaign, body)
        del campaign[found["id"]]
        return _record(found, self.options.record_extras)

    def start_import(self, campaign_id: int, contacts: Any) -> _Job:
        self.campaign(campaign_id)
        if not isinstance(contacts, list) or not contacts or not all(isinstance(c, dict) for c in contacts):
            raise _Refused(422, "the file must hold a non-empty JSON array of contact objects")
        job = _Job(next(self.state.job_ids), campaign_id)
        self.state.jobs[job.id] = job
        task = asyncio.get_running_loop().create_task(self._run_import(job, contacts))
        self.state.tasks.add(task)
        task.add_done_callback(self.state.tasks.discard)
        return job

    async def _run_import(self, job: _Job, contacts: list[dict[str, Any]]) -> None:
        await asyncio.sleep(max(0.2, len(contacts) / self.options.import_rate))
        campaign = self.state.contacts[job.campaign_id]
        valid = [c for c in contacts if not _contact_problems(c)]
        if len(valid) < len(contacts) and self.options.invalid_in_file == "fail":
            job.status, job.error_details = "failed", "NativePowerDial::ContactService::InvalidContact"
            return
        phones = [_digits(c["phone_number"]) for c in valid]
        on_campaign = {_digits(c["phone_number"]) for c in campaign.values()}
        if len(set(phones)) < len(phones) or on_campaign & set(phones):
            job.status, job.error_details = "failed", DUPLICATE_ERROR
            return
        for contact in valid:
            self._store(job.campaign_id, contact)
        job.status = "completed"

    def job(self, campaign_id: int, job_id: int) -> _Job:
        self.campaign(campaign_id)
        job = self.state.jobs.get(job_id)
        if job is None or job.campaign_id != campaign_id:
            raise _Refused(404, f"Job {job_id} not found")
        return job


Handler = Callable[[_Tenant, Request], Awaitable[Response]]


async def _json_body(request: Request) -> Any:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise _Refused(415, "send the contact as application/json")
    try:
        return json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise _Refused(400, "the body is not valid JSON") from None


async def _add(tenant: _Tenant, request: Request) -> Response:
    body = await _json_body(request)
    return JSONResponse(tenant.add(request.path_params["campaign_id"], body))


async def _list(tenant: _Tenant, request: Request) -> Response:
    items, headers = tenant.page(request.path_params["campaign_id"], request.query_params)
    if "Link" in headers:
        headers["Link"] = headers["Link"].replace("{url}", str(request.url.replace(query="")))
    return JSONResponse(items, headers=headers)


async def _update(tenant: _Tenant, request: Request) -> Response:
    return JSONResponse(tenant.update(request.path_params["campaign_id"], await _json_body(request)))


async def _delete(tenant: _Tenant, request: Request) -> Response:
    return JSONResponse(tenant.delete(request.path_params["campaign_id"], await _json_body(request)))


async def _import(tenant: _Tenant, request: Request) -> Response:
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise _Refused(415, "post the file as multipart/form-data")
    if int(request.headers.get("content-length") or 0) > tenant.options.max_import_bytes:
        raise _Refused(413, "the file is too large")
    try:
        form = await request.form(max_part_size=tenant.options.max_import_bytes)
    except Exception:  # any unreadable form is the client's mistake
        raise _Refused(400, "the form data could not be read") from None
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise _Refused(422, "attach the contacts as the form field 'file'")
    try:
        contacts = json.loads(await upload.read())
    except (ValueError, UnicodeDecodeError):
        raise _Refused(422, "the file is not valid JSON") from None
    job = tenant.start_import(request.path_params["campaign_id"], contacts)
    location = f"{request.url.path.rsplit('/import', 1)[0]}/jobs/{job.id}"
    if tenant.options.job_in == "body":
        return JSONResponse({"job_id": job.id, "status": job.status}, status_code=202)
    return Response(status_code=202, headers={"Location": location})


async def _job(tenant: _Tenant, request: Request) -> Response:
    job = tenant.job(request.path_params["campaign_id"], request.path_params["job_id"])
    return JSONResponse(job.wire())


def _authorized(tenant: _Tenant, request: Request) -> bool:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return False
    try:
        user, _, token = base64.b64decode(header[6:]).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return False
    return (user, token) == (tenant.options.username, tenant.options.token)


def _vendor(operation_id: str, handler: Handler, tenant: _Tenant) -> Callable[[Request], Awaitable[Response]]:
    """Count, fail during an outage, authenticate, rate-limit, take the service time, answer."""

    async def endpoint(request: Request) -> Response:
        state = tenant.state
        response = await _answer(operation_id, handler, tenant, request)
        state.requests[operation_id] += 1
        state.statuses[f"{operation_id} {response.status_code}"] += 1
        return response

    return endpoint


async def _answer(operation_id: str, handler: Handler, tenant: _Tenant, request: Request) -> Response:
    state = tenant.state
    if time.monotonic() < state.outage_until:
        return JSONResponse({"message": "Service Unavailable"}, status_code=state.outage_status)
    if not _authorized(tenant, request):
        challenge = {"WWW-Authenticate": 'Basic realm="api"'} if tenant.options.auth_challenge else {}
        return JSONResponse({"message": "Unauthorized"}, status_code=401, headers=challenge)
    if not state.take_token():
        return JSONResponse({"message": "Too many requests"}, status_code=429, headers={"Retry-After": "1"})
    delay = tenant.options.service_seconds + tenant.options.extra_seconds.get(operation_id, 0.0)
    if delay:
        await asyncio.sleep(delay)
    try:
        return await handler(tenant, request)
    except _Refused as refused:
        return JSONResponse({"message": refused.message}, status_code=refused.status)


async def _stats(tenant: _Tenant) -> Response:
    state = tenant.state
    return JSONResponse({
        "requests": sum(state.requests.values()),
        "received": state.received,
        "by_operation": dict(state.requests),
        "by_status": dict(state.statuses),
        "contacts_created": state.created,
        "contacts_stored": {str(c): len(stored) for c, stored in state.contacts.items()},
        "jobs": {str(job.id): job.status for job in state.jobs.values()},
    })


async def _outage(tenant: _Tenant, request: Request) -> Response:
    body = json.loads(await request.body() or b"{}")
    tenant.state.outage_until = time.monotonic() + float(body.get("seconds", 20))
    tenant.state.outage_status = int(body.get("status", 503))
    return JSONResponse({"outage_seconds": body.get("seconds", 20)})


class _CountEveryRequest:
    """Counts every HTTP request outside the admin surface, routed or not (``received``)."""

    def __init__(self, app: ASGIApp, state: _State) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith("/_tenant/"):
            self.state.received += 1
        await self.app(scope, receive, send)


def build_app(options: TenantOptions | None = None) -> Starlette:
    tenant = _Tenant(options or TenantOptions())

    def vendor(path: str, operation_id: str, handler: Handler, method: str) -> Route:
        return Route(API + path, _vendor(operation_id, handler, tenant), methods=[method])

    async def stats(request: Request) -> Response:
        return await _stats(tenant)

    async def outage(request: Request) -> Response:
        return await _outage(tenant, request)

    app = Starlette(routes=[
        vendor("/contacts", "addContact", _add, "POST"),
        vendor("/contacts", "listContacts", _list, "GET"),
        vendor("/contacts/import", "importContacts", _import, "POST"),
        vendor("/contacts/jobs/{job_id:int}", "getImportJob", _job, "GET"),
        vendor("/contact", "updateContact", _update, "PATCH"),
        vendor("/contact", "deleteContact", _delete, "DELETE"),
        Route("/_tenant/stats", stats, methods=["GET"]),
        Route("/_tenant/outage", outage, methods=["POST"]),
    ])
    app.add_middleware(_CountEveryRequest, state=tenant.state)
    return app
