"""The HTTP layer: parse requests, call the domain model, write the vendor's wire format.

This is the only module that knows JSON shapes, status codes and headers.
Every refusal is a ``SimulatorError`` rendered as ``{"error", "message"}``;
anything else that escapes a handler is a simulator bug and is left to
surface as a 500, never turned into a 4xx.
"""

from __future__ import annotations

import asyncio
import base64
import hmac
import json
import math
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import Response

from dialer_suite.simulator import faults
from dialer_suite.simulator.config import SimulatorConfig
from dialer_suite.simulator.exceptions import (
    CampaignNotFound,
    DuplicatePhone,
    MalformedBody,
    PayloadTooLarge,
    RateLimited,
    SimulatorError,
    Unauthorized,
    Unprocessable,
    UnsupportedMediaType,
)
from dialer_suite.simulator.jobs import JobWorker
from dialer_suite.simulator.models import (
    INPUT_FIELDS,
    JOB_IN_PROGRESS,
    JOB_TYPE,
    UPDATE_FIELDS,
    Contact,
    Job,
    Tenant,
    contact_errors,
    type_errors,
)
from dialer_suite.simulator.ratelimit import TokenBucket

API_PREFIX = "/apps/api/v1"
CAMPAIGN_PATH = "/outbound_dialer/campaigns/{campaign_id}"
JSON_TYPE = "application/json"
_REALM = 'Basic realm="Outbound Dialer API", charset="UTF-8"'
_MAX_PER_PAGE = 1000
_DEFAULT_PER_PAGE = 100
_MAX_DIGITS = 18  # any longer integer is beyond every id SQLite can hold
_BEYOND_ANY_ID = 10**_MAX_DIGITS

# -- faults that live in the HTTP layer (serializers, middleware) -------------
_fault = faults.register_fault
ADD_201 = _fault(
    "add-answers-201", "wire", ["addContact"],
    "add answers 201 Created instead of the documented 200 (a framework default leaked through)",
)
ADD_CAMEL_CASE = _fault(
    "add-result-camel-case", "wire", ["addContact"],
    "the add result's keys come back as validContacts/invalidContacts (a serializer's key transform)",
)
ADD_INVALID_NULL = _fault(
    "add-invalid-contacts-null", "wire", ["addContact"],
    "invalid_contacts is null instead of [] when nothing was refused (an empty list serialized as nil)",
)
RECORD_NO_UPDATED_AT = _fault(
    "record-missing-updated-at", "wire", ["updateContact", "deleteContact", "listContacts"],
    "contact records lose the required updated_at field (a column dropped from the serializer)",
)
RECORD_ID_STRING = _fault(
    "record-id-as-string", "wire", ["updateContact", "deleteContact", "listContacts"],
    "contact ids are sent as strings (\"865\") instead of integers (ids moved to a string type)",
)
RECORD_CAMPAIGN_NULL = _fault(
    "record-campaign-id-null", "wire", ["updateContact", "deleteContact", "listContacts"],
    "campaign_id is null in contact records (an association no longer preloaded)",
)
TIMESTAMPS_NOT_ISO = _fault(
    "timestamps-not-iso8601", "wire", ["updateContact", "deleteContact", "listContacts"],
    "created_at/updated_at read '2024-08-05 14:51:49 UTC' (Ruby's Time#to_s) instead of ISO 8601",
)
STATUS_LOWERCASE = _fault(
    "contact-status-lowercase", "wire", ["updateContact", "deleteContact", "listContacts"],
    "contact status values come back lowercased ('upcoming'), outside the documented enum",
)
LIST_WRAPPED = _fault(
    "list-wrapped-in-object", "wire", ["listContacts"],
    "the list comes back as {\"contacts\": [...], \"total\": n} instead of a JSON array",
)
LIST_CONTENT_TYPE = _fault(
    "list-content-type-html", "wire", ["listContacts"],
    "the list is sent with Content-Type text/html (a controller rendering through the wrong template)",
)
JOB_STATUS_CASE = _fault(
    "job-status-capitalised", "wire", ["getImportJob"],
    "the job status is sent as 'Completed'/'In_progress' after a serializer change (outside the enum)",
)
IMPORT_200 = _fault(
    "import-answers-200", "wire", ["importContacts"],
    "import answers 200 instead of 202 Accepted although the job runs later",
)
JOB_NO_DETAILS = _fault(
    "failed-job-without-error-details", "jobs", ["getImportJob"],
    "a failed job no longer carries error_details/error_message, so clients cannot tell why",
)
JOB_ID_UNFINDABLE = _fault(
    "import-returns-child-job-id", "jobs", ["importContacts", "getImportJob"],
    "the 202 names the internal child job (id + 1), which the job endpoint does not know",
)
LIST_WITHOUT_AUTH = _fault(
    "list-skips-auth", "security", ["listContacts"],
    "the contact list is served without checking credentials (a cache in front of the API)",
)
NO_RETRY_AFTER = _fault(
    "rate-limit-without-retry-after", "security", ["addContact", "listContacts", "importContacts",
                                                   "getImportJob", "updateContact", "deleteContact"],
    "429 answers lose their Retry-After header (a proxy strips it)",
)
NO_RATE_LIMIT = _fault(
    "rate-limit-not-enforced", "security", ["addContact", "listContacts", "importContacts",
                                            "getImportJob", "updateContact", "deleteContact"],
    "the documented 10 requests/s is not enforced (the limiter is misconfigured)",
)
SLOW_EVERYTHING = _fault(
    "slow-responses", "speed", ["addContact", "listContacts", "importContacts",
                                "getImportJob", "updateContact", "deleteContact"],
    "every operation takes 300 ms longer (a slow dependency on the request path)", speed=True,
)
SLOW_ADD_TAIL = _fault(
    "slow-add-tail", "speed", ["addContact"],
    "one add in ten takes 1.5 s (lock contention): the median looks fine, the p95 does not", speed=True,
)
_RECORD_FAULTS = (RECORD_NO_UPDATED_AT, RECORD_ID_STRING, RECORD_CAMPAIGN_NULL, STATUS_LOWERCASE)
_SLOW_SECONDS = 0.3
_SLOW_TAIL_SECONDS = 1.5
_SLOW_TAIL_EVERY = 10


@dataclass
class Runtime:
    """What the handlers of one app share: settings, the tenant, the job worker, the rate limiter."""

    config: SimulatorConfig
    tenant: Tenant
    worker: JobWorker
    limiter: TokenBucket | None
    # Run by ``/_simulator/reset`` before the data goes, e.g. to stop the dialers, which
    # live outside this module (they import it).
    reset_hooks: list[Callable[[], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._adds = 0
        credentials = f"{self.config.username}:{self.config.token}".encode()
        self._expected_authorization = "Basic " + base64.b64encode(credentials).decode("ascii")

    def delay(self, is_add: bool) -> float:
        """Seconds to hold this response: the configured latency, plus any speed fault."""
        seconds = self.config.latency_ms / 1000
        if faults.active(SLOW_EVERYTHING):
            seconds += _SLOW_SECONDS
        if is_add and faults.active(SLOW_ADD_TAIL):
            self._adds += 1
            if self._adds % _SLOW_TAIL_EVERY == 0:
                seconds += _SLOW_TAIL_SECONDS
        return seconds

    def authorized(self, header: str | None) -> bool:
        """Whether ``header`` carries the tenant's Basic credentials (constant-time compare)."""
        if header is None:
            return False
        if header == self._expected_authorization:
            return True
        scheme, _, value = header.strip().partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(value.strip(), validate=True)
        except ValueError:
            return False
        expected = base64.b64decode(self._expected_authorization[len("Basic "):])
        return hmac.compare_digest(decoded, expected)


Handler = Callable[[Request, Runtime, int], Awaitable[Response]]


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    # ensure_ascii: any string the client sent (even an unpaired surrogate) is echoed as valid JSON.
    content = json.dumps(body, separators=(",", ":")).encode("ascii")
    return Response(content, status, headers=headers, media_type=JSON_TYPE)


def error_response(error: SimulatorError) -> Response:
    return json_response({"error": error.code, "message": error.message}, error.status, error.headers)


def vendor_operation(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a handler with what every vendor operation does first: auth, rate limit, campaign."""

    async def endpoint(request: Request) -> Response:
        runtime: Runtime = request.app.state.runtime
        try:
            skip_auth = handler is list_contacts and faults.active(LIST_WITHOUT_AUTH)
            if not skip_auth and not runtime.authorized(request.headers.get("authorization")):
                raise Unauthorized(
                    "send HTTP Basic credentials: the tenant name as username and an API token as password",
                    headers={"WWW-Authenticate": _REALM},
                )
            if runtime.limiter is not None and not faults.active(NO_RATE_LIMIT):
                wait = runtime.limiter.take(runtime.config.username)
                if wait:
                    raise RateLimited(
                        f"more than {runtime.config.rate_limit:g} requests/s for this tenant; "
                        f"retry after {wait} s",
                        headers={} if faults.active(NO_RETRY_AFTER) else {"Retry-After": str(wait)},
                    )
            delay = runtime.delay(handler is add_contact)
            if delay:
                await asyncio.sleep(delay)
            campaign_id = _campaign_id(request.path_params["campaign_id"])
            runtime.tenant.require_campaign(campaign_id)
            return await handler(request, runtime, campaign_id)
        except SimulatorError as error:
            return error_response(error)

    return endpoint


# -- the six operations ------------------------------------------------------


async def add_contact(request: Request, runtime: Runtime, campaign_id: int) -> Response:
    contact = _require_object(await _json_body(request, runtime), "the contact")
    errors = type_errors(contact)
    if errors:
        raise Unprocessable("; ".join(errors))
    problems = contact_errors(contact)
    if problems:
        return json_response(_add_result([], [_refused(contact, problems)]))
    try:
        stored = runtime.tenant.add_contact(campaign_id, contact)
    except DuplicatePhone as duplicate:
        return json_response(_add_result([], [_refused(contact, [duplicate.message])]))
    echoed = {name: contact[name] for name in INPUT_FIELDS if name in contact}
    echoed["id"] = stored.id
    return json_response(
        _add_result([echoed], []), 201 if faults.active(ADD_201) else 200
    )


async def list_contacts(request: Request, runtime: Runtime, campaign_id: int) -> Response:
    page = _positive_query_int(request, "page", None)
    per = _positive_query_int(request, "per", _MAX_PER_PAGE)
    if page is None and per is None:
        contacts, total = runtime.tenant.list_contacts(campaign_id)
    else:
        size = per or _DEFAULT_PER_PAGE
        contacts, total = runtime.tenant.list_contacts(
            campaign_id, offset=((page or 1) - 1) * size, limit=size
        )
    listed: Any = [record(contact) for contact in contacts]
    if faults.active(LIST_WRAPPED):
        listed = {"contacts": listed, "total": total}
    response = json_response(listed, headers={"X-Total-Count": str(total)})
    if faults.active(LIST_CONTENT_TYPE):
        response.headers["content-type"] = "text/html; charset=utf-8"
    return response


async def import_contacts(request: Request, runtime: Runtime, campaign_id: int) -> Response:
    config = runtime.config
    media_type, _, _ = request.headers.get("content-type", "").partition(";")
    if media_type.strip().lower() != "multipart/form-data":
        raise UnsupportedMediaType(
            "send the import as multipart/form-data with the JSON file in a part named `file`"
        )
    body = await _read_body(request, config.max_import_bytes, "import upload")
    content = await _file_part(request, body, config.max_import_bytes)
    entries = _parse_json(content, "the `file` part")
    if not isinstance(entries, list) or not entries:
        raise Unprocessable("the file must hold a non-empty JSON array of contact objects")
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise Unprocessable(f"entry {index} of the file is not a JSON object; each entry is one contact")
    if len(entries) > config.max_import_contacts:
        raise PayloadTooLarge(
            f"the file holds {len(entries)} contacts; at most {config.max_import_contacts} "
            "per import: split it into several files"
        )
    job = runtime.tenant.create_job(campaign_id, content)
    runtime.worker.submit(job.id)
    accepted = _job_body(job, runtime)
    if faults.active(JOB_ID_UNFINDABLE):
        accepted["id"] += 1
    jobs_url = str(request.url.replace(query="", fragment="")).removesuffix("/import") + "/jobs"
    location = f"{jobs_url}/{accepted['id']}"
    return json_response(accepted, 200 if faults.active(IMPORT_200) else 202, headers={"Location": location})


async def get_import_job(request: Request, runtime: Runtime, campaign_id: int) -> Response:
    job_id = _path_int(request.path_params["job_id"])
    job = runtime.tenant.get_job(campaign_id, -1 if job_id is None else job_id)
    return json_response(_job_body(job, runtime))


async def update_contact(request: Request, runtime: Runtime, campaign_id: int) -> Response:
    body = _require_object(await _json_body(request, runtime), "the update")
    contact_id = body.get("contact_id")
    if type(contact_id) is not int:
        raise Unprocessable("`contact_id` (an integer) is required: it says which contact to update")
    errors = type_errors(body, UPDATE_FIELDS)
    if errors:
        raise Unprocessable("; ".join(errors))
    changes = {name: body[name] for name in UPDATE_FIELDS if name in body}
    return json_response(record(runtime.tenant.update_contact(campaign_id, contact_id, changes)))


async def delete_contact(request: Request, runtime: Runtime, campaign_id: int) -> Response:
    body = _require_object(await _json_body(request, runtime), "the delete request")
    if "contact_id" in body and type(body["contact_id"]) is not int:
        raise Unprocessable("`contact_id` must be an integer")
    errors = type_errors(body, ("phone_number", "external_unique_id"))
    if errors:
        raise Unprocessable("; ".join(errors))
    tenant = runtime.tenant
    contact = tenant.find_contact(
        campaign_id,
        contact_id=body.get("contact_id"),
        phone_number=body.get("phone_number"),
        external_unique_id=body.get("external_unique_id"),
    )
    return json_response(record(tenant.delete_contact(contact)))


# -- wire format -------------------------------------------------------------


def timestamp(ms: int) -> str:
    """``2024-08-05T14:51:49.000Z``: the vendor's format, UTC with milliseconds."""
    if faults.active(TIMESTAMPS_NOT_ISO):
        return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ms // 1000))
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}Z"


def record(contact: Contact) -> dict[str, Any]:
    """The full contact record (documented fields, then the input fields at top level)."""
    full = {
        "id": contact.id,
        "name": contact.name,
        "campaign_id": contact.campaign_id,
        "assigned_call_id": contact.assigned_call_id,
        "assigned_participant_id": contact.assigned_participant_id,
        "outbound_number": contact.outbound_number,
        "priority": contact.priority,
        "created_at": timestamp(contact.created_ms),
        "updated_at": timestamp(contact.updated_ms),
        "status": contact.status,
        "user_custom_metadata": {
            "NAME (REQUIRED)": contact.name,
            "PHONE (REQUIRED)": contact.phone_number,
            "EMAIL (REQUIRED)": contact.email,
        },
        "phone_number": contact.phone_number,
        "email": contact.email,
        "external_unique_id": contact.external_unique_id,
    }
    if faults.any_active(_RECORD_FAULTS):
        _break_record(full)
    return full


def _break_record(full: dict[str, Any]) -> None:
    if faults.active(RECORD_NO_UPDATED_AT):
        del full["updated_at"]
    if faults.active(RECORD_ID_STRING):
        full["id"] = str(full["id"])
    if faults.active(RECORD_CAMPAIGN_NULL):
        full["campaign_id"] = None
    if faults.active(STATUS_LOWERCASE):
        full["status"] = full["status"].lower()


def _add_result(valid: list[dict[str, Any]], invalid: list[dict[str, Any]]) -> dict[str, Any]:
    invalid_value: list[dict[str, Any]] | None = invalid
    if not invalid and faults.active(ADD_INVALID_NULL):
        invalid_value = None
    if faults.active(ADD_CAMEL_CASE):
        return {"validContacts": valid, "invalidContacts": invalid_value}
    return {"valid_contacts": valid, "invalid_contacts": invalid_value}


def _job_body(job: Job, runtime: Runtime) -> dict[str, Any]:
    status = job.observed_status(int(time.time() * 1000), int(runtime.config.min_job_seconds * 1000))
    if status == JOB_IN_PROGRESS:
        body: dict[str, Any] = {"id": job.id, "status": status, "type": JOB_TYPE}
    else:
        body = {"id": job.id, "status": status, "type": job.type, **job.result}
    if faults.active(JOB_NO_DETAILS):
        body.pop("error_details", None)
        body.pop("error_message", None)
    if faults.active(JOB_STATUS_CASE):
        body["status"] = status.capitalize()
    return body


def _refused(contact: Mapping[str, Any], errors: list[str]) -> dict[str, Any]:
    return {**contact, "errors": errors}


# -- request parsing ---------------------------------------------------------


def _campaign_id(text: str) -> int:
    value = _path_int(text)
    if value is None:
        raise CampaignNotFound(f"campaign id {text!r} is not a campaign id (a positive integer)")
    return value


def _path_int(text: str) -> int | None:
    """A path segment as a non-negative integer, or None when it cannot be an id."""
    if text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS:
        return int(text)
    return None


def _positive_query_int(request: Request, name: str, maximum: int | None) -> int | None:
    """A query parameter that must be an integer of at least 1 (and at most ``maximum``)."""
    text = request.query_params.get(name)
    if text is None:
        return None
    value = None
    if text.isascii() and text.isdigit():
        # Any page number is valid; past the last page it is merely empty.
        value = int(text) if len(text) <= _MAX_DIGITS else _BEYOND_ANY_ID
    if value is None or value < 1 or (maximum is not None and value > maximum):
        bound = f" and at most {maximum}" if maximum else ""
        raise Unprocessable(f"query parameter `{name}` must be an integer of at least 1{bound}, got {text!r}")
    return value


def _require_object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Unprocessable(f"{what} must be a JSON object")
    return value


async def _json_body(request: Request, runtime: Runtime) -> Any:
    media_type, _, _ = request.headers.get("content-type", "").partition(";")
    media_type = media_type.strip().lower()
    if media_type != JSON_TYPE and not media_type.endswith("+json"):
        raise UnsupportedMediaType(f"send the body as {JSON_TYPE} (got {media_type or 'no Content-Type'})")
    return _parse_json(await _read_body(request, runtime.config.max_body_bytes, "body"), "the body")


async def _read_body(request: Request, limit: int, what: str) -> bytes:
    too_large = PayloadTooLarge(f"the {what} is larger than {limit} bytes, the most this server accepts")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    # Straight from the ASGI channel: Request.stream() costs more than the rest of a small add.
    chunks = []
    size = 0
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise MalformedBody(f"the client went away before the whole {what} arrived")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    # 1e400 parses to infinity, which json.dumps would echo back as the non-JSON `Infinity`.
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text} is out of range")
    return value


def _parse_json(content: bytes, what: str) -> Any:
    try:
        return json.loads(content.decode("utf-8"), parse_constant=_reject_constant, parse_float=_finite_float)
    except UnicodeDecodeError:
        raise MalformedBody(f"{what} is not UTF-8 text; send JSON encoded as UTF-8") from None
    except RecursionError:
        raise MalformedBody(f"{what} is nested too deeply to be a contact") from None
    except ValueError as error:
        raise MalformedBody(f"{what} is not valid JSON: {error}") from None


async def _file_part(request: Request, body: bytes, limit: int) -> bytes:
    """The content of the form's ``file`` part (a file upload or a plain field)."""

    async def once() -> AsyncGenerator[bytes, None]:
        yield body

    parser = MultiPartParser(request.headers, once(), max_files=10, max_fields=100, max_part_size=limit)
    try:
        form = await parser.parse()
    except MultiPartException as error:
        raise MalformedBody(f"the multipart body could not be read: {error}") from None
    try:
        part = form.get("file")
        if part is None:
            raise MalformedBody("the form has no part named `file`; put the JSON array of contacts there")
        if isinstance(part, UploadFile):
            return await part.read()
        return part.encode("utf-8")
    finally:
        await form.close()


# -- outside the vendor contract -----------------------------------------------


async def health(request: Request) -> Response:
    return json_response({"status": "ok", "faults": list(faults.active_names())})


async def reset(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    for hook in runtime.reset_hooks:
        hook()
    runtime.tenant.wipe()
    return json_response({"status": "reset"})


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405 (unknown path, wrong method) as JSON like every other error."""
    assert isinstance(exc, HTTPException)
    code = {404: "no_such_path", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    message = {
        404: "no such path; the API lives under /apps/api/v1/outbound_dialer/campaigns/{id}/...",
        405: "this path does not take that method",
    }.get(exc.status_code, str(exc.detail))
    return json_response({"error": code, "message": message}, exc.status_code, exc.headers)
