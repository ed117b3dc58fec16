"""The vendor's wire format: JSON bodies, contact records, timestamps, and the faults that break them.

Every body the simulator sends is built here, so a serializer regression (a
renamed key, a dropped field, a value of the wrong type) is a fault registered
next to the line it changes. A status code that depends on what a handler did
stays with the handler (``responses.py``).

So are the undocumented shapes, each an ``x-assumption`` whose choices are
played here: the id in the add echo (``add-returns-id``), the keys of records
and listed contacts (``record-input-fields``), refused contacts
(``invalid-contact-shape``), the job's counts (``job-counts``), whether a job
reads a status before ``in_progress`` (``job-statuses``) and where the import's
202 names its job (``job-id-location``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from dialer_suite.simulator import faults
from dialer_suite.simulator.assumptions import register_assumption
from dialer_suite.simulator.exceptions import SimulatorError
from dialer_suite.simulator.import_jobs import JOB_IN_PROGRESS, JOB_TYPE, Job
from dialer_suite.simulator.models import Contact
from dialer_suite.simulator.rules import INPUT_FIELDS
from dialer_suite.simulator.switches import Switches

JSON_TYPE = "application/json"

# -- faults that live in the serializers -------------------------------------
_fault = faults.register_fault
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
JOB_NO_DETAILS = _fault(
    "failed-job-without-error-details", "jobs", ["getImportJob"],
    "a failed job no longer carries error_details/error_message, so clients cannot tell why",
)
_RECORD_FAULTS = (RECORD_NO_UPDATED_AT, RECORD_ID_STRING, RECORD_CAMPAIGN_NULL, STATUS_LOWERCASE)

# -- assumptions about shapes the vendor page does not show ------------------
_assume = register_assumption
ADD_RETURNS_ID = _assume(
    "add-returns-id", "id",
    {
        "id": "each valid_contacts entry carries the new contact's id",
        "no-id": "valid_contacts echo the input fields as sent, without id (the documented example)",
    },
    lean="no-id",
)
RECORD_FIELDS = _assume(
    "record-input-fields", "top-level",
    {
        "top-level": "records also carry phone_number, email and external_unique_id at top level; "
                     "listed contacts are full records",
        "documented-shapes": "records have exactly the documented example's keys (phone and email "
                             "only in user_custom_metadata); listed contacts are id and the five "
                             "input fields",
    },
    lean="documented-shapes",
)
INVALID_SHAPE = _assume(
    "invalid-contact-shape", "errors-list",
    {
        "errors-list": "a refused contact is echoed as sent with an errors list of reasons",
        "bare": "a refused contact is echoed exactly as sent: no errors, no index",
        "error-string": "a refused contact carries one error string instead of the errors list",
    },
    lean="bare",
)
JOB_COUNTS = _assume(
    "job-counts", "counts",
    {
        "counts": "a finished job carries total_contacts, imported_contacts and invalid_contacts",
        "none": "a job carries only id, status and type (and error_details/error_message when "
                "failed), as the documented examples",
    },
    lean="none",
)
JOB_STATUSES = _assume(
    "job-statuses", "examples",
    {
        "examples": "a job reads in_progress while it runs, then completed or failed",
        "queued-first": "a job reads queued until its import starts (the first half of its "
                        "minimum time), then in_progress, then completed or failed",
    },
    lean="queued-first",
)
JOB_ID_LOCATION = _assume(
    "job-id-location", "body-and-location",
    {
        "body-and-location": "the 202 carries the job as JSON (id, status, type) and a Location header",
        "location-only": "the 202 has an empty body, no Content-Type, and only a Location header",
        "x-job-id": "the 202 has an empty body and only an X-Job-Id header",
        "body-job-id": "the 202 body is {\"job_id\": N} only, without Location",
        "body-job-id-status": "the 202 body is {\"job_id\": N, \"status\": \"in_progress\"}, "
                              "without Location",
    },
    lean="location-only",
)
# The documented record example's keys, in its order (record-input-fields documented-shapes).
_DOCUMENTED_RECORD = (
    "id", "name", "campaign_id", "assigned_call_id", "assigned_participant_id", "outbound_number",
    "priority", "created_at", "updated_at", "status", "user_custom_metadata",
)
_LISTED = ("id", *INPUT_FIELDS)
# The status a job reads before it starts, for a vendor that has one (job-statuses queued-first).
JOB_QUEUED = "queued"
_JOB_COUNTS = ("total_contacts", "imported_contacts", "invalid_contacts")


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """``body`` as compact JSON; every answer of the simulator, errors included, is built here."""
    # ensure_ascii: any string the client sent (even an unpaired surrogate) is echoed as valid JSON.
    content = json.dumps(body, separators=(",", ":")).encode("ascii")
    return Response(content, status, headers=headers, media_type=JSON_TYPE)


def error_response(switches: Switches, error: SimulatorError) -> Response:
    """A refusal as ``{"error": code, "message": ...}`` with its status and headers."""
    return json_response(
        {"error": error.code, "message": error.message}, error.answered_status(switches),
        error.headers,
    )


def timestamp(switches: Switches, ms: int) -> str:
    """``2024-08-05T14:51:49.000Z``: the vendor's format, UTC with milliseconds."""
    if switches.fault(TIMESTAMPS_NOT_ISO):
        return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ms // 1000))
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}Z"


def record(
    switches: Switches, contact: Contact, keys: tuple[str, ...] = _DOCUMENTED_RECORD
) -> dict[str, Any]:
    """The contact record of update and delete: the documented fields, then the input fields at
    top level unless ``record-input-fields`` plays ``documented-shapes``, which keeps ``keys``."""
    full = {
        "id": contact.id,
        "name": contact.name,
        "campaign_id": contact.campaign_id,
        "assigned_call_id": contact.assigned_call_id,
        "assigned_participant_id": contact.assigned_participant_id,
        "outbound_number": contact.outbound_number,
        "priority": contact.priority,
        "created_at": timestamp(switches, contact.created_ms),
        "updated_at": timestamp(switches, contact.updated_ms),
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
    if switches.any_fault(_RECORD_FAULTS):
        _break_record(switches, full)
    if switches.choice(RECORD_FIELDS) == "documented-shapes":
        return {key: full[key] for key in keys if key in full}
    return full


def contact_list(
    switches: Switches, contacts: list[Contact], total: int, headers: Mapping[str, str]
) -> Response:
    """A page of contacts as a JSON array with the paging ``headers`` the played
    ``list-pagination`` sends: full records, or what ``record-input-fields`` documented-shapes
    lists."""
    listed: Any = [record(switches, contact, _LISTED) for contact in contacts]
    if switches.fault(LIST_WRAPPED):
        listed = {"contacts": listed, "total": total}
    response = json_response(listed, headers=headers)
    if switches.fault(LIST_CONTENT_TYPE):
        response.headers["content-type"] = "text/html; charset=utf-8"
    return response


def add_result(
    switches: Switches, valid: list[dict[str, Any]], invalid: list[dict[str, Any]]
) -> dict[str, Any]:
    """The body of an add: the contacts stored and the contacts refused (one of them is empty)."""
    invalid_value: list[dict[str, Any]] | None = invalid
    if not invalid and switches.fault(ADD_INVALID_NULL):
        invalid_value = None
    if switches.fault(ADD_CAMEL_CASE):
        return {"validContacts": valid, "invalidContacts": invalid_value}
    return {"valid_contacts": valid, "invalid_contacts": invalid_value}


def added(switches: Switches, contact: Mapping[str, Any], contact_id: int) -> dict[str, Any]:
    """A stored contact as the add echoes it in ``valid_contacts``: its input fields as sent, and
    its new id unless ``add-returns-id`` plays ``no-id``."""
    echoed = {name: contact[name] for name in INPUT_FIELDS if name in contact}
    if switches.choice(ADD_RETURNS_ID) == "id":
        echoed["id"] = contact_id
    return echoed


def refused(
    switches: Switches, contact: Mapping[str, Any], errors: list[str], index: int | None = None
) -> dict[str, Any]:
    """A refused contact as the vendor echoes it: what was sent, and (by ``invalid-contact-shape``)
    ``errors``, one ``error`` string or nothing; ``index`` is its place in an import file."""
    played = switches.choice(INVALID_SHAPE)
    if played == "bare":
        return dict(contact)
    where = {} if index is None else {"index": index}
    if played == "error-string":
        return {**contact, **where, "error": "; ".join(errors)}
    return {**contact, **where, "errors": errors}


def import_accepted(
    switches: Switches, job_body_now: dict[str, Any], location: str, status: int
) -> Response:
    """The answer of an accepted import: where it names the job is ``job-id-location``'s choice."""
    played = switches.choice(JOB_ID_LOCATION)
    job_id = job_body_now["id"]
    if played == "body-and-location":
        return json_response(job_body_now, status, headers={"Location": location})
    if played == "body-job-id":
        return json_response({"job_id": job_id}, status)
    if played == "body-job-id-status":
        return json_response({"job_id": job_id, "status": job_body_now["status"]}, status)
    headers = {"Location": location} if played == "location-only" else {"X-Job-Id": str(job_id)}
    return Response(b"", status, headers=headers)  # no media type: no Content-Type header


def job_body(switches: Switches, job: Job, min_job_seconds: float) -> dict[str, Any]:
    """An import job as the client sees it: ``in_progress`` (and no result) for ``min_job_seconds``
    (``queued`` first, where played); counts and refused contacts (stored in one shape, sent in the
    played ones) once it ended."""
    now_ms, min_job_ms = int(time.time() * 1000), int(min_job_seconds * 1000)
    status = job.observed_status(now_ms, min_job_ms)
    if status == JOB_IN_PROGRESS:
        if switches.choice(JOB_STATUSES) == "queued-first" and now_ms < job.created_ms + min_job_ms // 2:
            status = JOB_QUEUED
        body: dict[str, Any] = {"id": job.id, "status": status, "type": JOB_TYPE}
    else:
        body = {"id": job.id, "status": status, "type": job.type, **job.result}
        if "invalid_contacts" in body:
            body["invalid_contacts"] = [
                _stored_refusal(switches, item) for item in body["invalid_contacts"]
            ]
        if switches.choice(JOB_COUNTS) == "none":
            for key in _JOB_COUNTS:
                body.pop(key, None)
    if switches.fault(JOB_NO_DETAILS):
        body.pop("error_details", None)
        body.pop("error_message", None)
    if switches.fault(JOB_STATUS_CASE):
        body["status"] = status.capitalize()
    return body


def _stored_refusal(switches: Switches, item: dict[str, Any]) -> dict[str, Any]:
    """A refused contact of a job as stored (``{...sent, "index", "errors"}``), in the played shape."""
    sent = {key: value for key, value in item.items() if key not in ("index", "errors")}
    return refused(switches, sent, item.get("errors", []), item.get("index"))


def _break_record(switches: Switches, full: dict[str, Any]) -> None:
    if switches.fault(RECORD_NO_UPDATED_AT):
        del full["updated_at"]
    if switches.fault(RECORD_ID_STRING):
        full["id"] = str(full["id"])
    if switches.fault(RECORD_CAMPAIGN_NULL):
        full["campaign_id"] = None
    if switches.fault(STATUS_LOWERCASE):
        full["status"] = full["status"].lower()
