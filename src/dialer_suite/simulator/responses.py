"""The vendor's six operations as request handlers, and the simulator's health, reset and HTTP errors.

A handler turns a request into a call on the tenant or its import jobs, and
the result into the vendor's wire format: parsing is in ``parsing.py``, the
bodies in ``wire.py``, and auth, rate limit and the campaign were checked by
the wrapper of ``operations.py`` before the handler runs. Every refusal is a
``SimulatorError`` rendered as ``{"error", "message"}``; anything else that
escapes a handler is a simulator bug and is left to surface as a 500, never
turned into a 4xx.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from dialer_suite.simulator import faults, paging, parsing
from dialer_suite.simulator.delete_lookup import find_contact
from dialer_suite.simulator.exceptions import DuplicatePhone, MalformedBody, Unprocessable
from dialer_suite.simulator.import_jobs import refuse_file_of_wrong_shape, unreadable_file
from dialer_suite.simulator.operations import Runtime
from dialer_suite.simulator.rules import UPDATE_FIELDS, contact_errors, type_errors
from dialer_suite.simulator.wire import (
    add_result,
    added,
    contact_list,
    import_accepted,
    job_body,
    json_response,
    record,
    refused,
)

# -- faults that live in the handlers (status codes and ids they choose) -----
_fault = faults.register_fault
ADD_201 = _fault(
    "add-answers-201", "wire", ["addContact"],
    "add answers 201 Created instead of the documented 200 (a framework default leaked through)",
)
IMPORT_200 = _fault(
    "import-answers-200", "wire", ["importContacts"],
    "import answers 200 instead of 202 Accepted although the job runs later",
)
JOB_ID_UNFINDABLE = _fault(
    "import-returns-child-job-id", "jobs", ["importContacts", "getImportJob"],
    "the 202 names the internal child job (id + 1), which the job endpoint does not know",
)


# -- the six operations (wrapped by operations.vendor_operation) -------------


async def add_contact(request: Request, runtime: Runtime, campaign_id: int) -> Response:
    """addContact: 200 with the contact in ``valid_contacts``, or in ``invalid_contacts`` with why."""
    switches = runtime.switches
    body = await parsing.json_body(switches, request, runtime.config.max_body_bytes)
    contact = parsing.require_object(body, "the contact")
    errors = type_errors(contact)
    if errors:
        raise Unprocessable("; ".join(errors))
    problems = contact_errors(switches, contact)
    if problems:
        return json_response(add_result(switches, [], [refused(switches, contact, problems)]))
    try:
        stored = runtime.tenant.add_contact(campaign_id, contact)
    except DuplicatePhone as duplicate:
        return json_response(
            add_result(switches, [], [refused(switches, contact, [duplicate.message])])
        )
    return json_response(
        add_result(switches, [added(switches, contact, stored.id)], []),
        201 if switches.fault(ADD_201) else 200,
    )


async def list_contacts(request: Request, runtime: Runtime, campaign_id: int) -> Response:
    """listContacts: the campaign's contacts, or the page ``page`` and a size ask for, as the
    played ``list-pagination`` pages the list (``paging``)."""
    switches = runtime.switches
    sliced = paging.cut(switches, request.query_params)
    contacts, total = runtime.tenant.list_contacts(campaign_id, offset=sliced.offset, limit=sliced.limit)
    return contact_list(switches, contacts, total, paging.headers(switches, sliced, total, str(request.url)))


async def import_contacts(request: Request, runtime: Runtime, campaign_id: int) -> Response:
    """importContacts: 202 naming an ``in_progress`` job (where: ``job-id-location``); the worker
    imports later."""
    config, switches = runtime.config, runtime.switches
    content = await parsing.import_file(switches, request, config.max_import_bytes)
    try:
        entries = parsing.parse_json(content, "the `file` part")
    except MalformedBody as refusal:
        raise unreadable_file(switches, refusal) from None
    refuse_file_of_wrong_shape(switches, entries)
    most = parsing.limit(switches, config.max_import_contacts)
    if most is not None and isinstance(entries, list) and len(entries) > most:
        raise parsing.too_large(
            switches,
            f"the file holds {len(entries)} contacts; at most {most} per import: split it into "
            "several files"
        )
    job = runtime.import_jobs.create_job(campaign_id, content)
    runtime.worker.submit(job.id)
    accepted = job_body(switches, job, config.min_job_seconds)
    if switches.fault(JOB_ID_UNFINDABLE):
        accepted["id"] += 1
    jobs_url = str(request.url.replace(query="", fragment="")).removesuffix("/import") + "/jobs"
    location = f"{jobs_url}/{accepted['id']}"
    return import_accepted(switches, accepted, location, 200 if switches.fault(IMPORT_200) else 202)


async def get_import_job(request: Request, runtime: Runtime, campaign_id: int) -> Response:
    """getImportJob: the job's status, and once it ended its counts and refused contacts."""
    job_id = parsing.path_int(request.path_params["job_id"])
    job = runtime.import_jobs.get_job(campaign_id, -1 if job_id is None else job_id)
    return json_response(job_body(runtime.switches, job, runtime.config.min_job_seconds))


async def update_contact(request: Request, runtime: Runtime, campaign_id: int) -> Response:
    """updateContact: the fields sent replace the contact's; 200 with the full record."""
    body = await parsing.json_body(runtime.switches, request, runtime.config.max_body_bytes)
    update = parsing.require_object(body, "the update")
    contact_id = update.get("contact_id")
    if type(contact_id) is not int:
        raise Unprocessable("`contact_id` (an integer) is required: it says which contact to update")
    errors = type_errors(update, UPDATE_FIELDS)
    if errors:
        raise Unprocessable("; ".join(errors))
    changes = {name: update[name] for name in UPDATE_FIELDS if name in update}
    updated = runtime.tenant.update_contact(campaign_id, contact_id, changes)
    return json_response(record(runtime.switches, updated))


async def delete_contact(request: Request, runtime: Runtime, campaign_id: int) -> Response:
    """deleteContact by ``contact_id``, ``phone_number`` or ``external_unique_id``: 200 with the record."""
    body = await parsing.json_body(runtime.switches, request, runtime.config.max_body_bytes)
    which = parsing.require_object(body, "the delete request")
    if "contact_id" in which and type(which["contact_id"]) is not int:
        raise Unprocessable("`contact_id` must be an integer")
    errors = type_errors(which, ("phone_number", "external_unique_id"))
    if errors:
        raise Unprocessable("; ".join(errors))
    contact = find_contact(runtime.switches, runtime.tenant, campaign_id, which)
    return json_response(record(runtime.switches, runtime.tenant.delete_contact(contact)))


# -- outside the vendor contract -----------------------------------------------


async def health(request: Request) -> Response:
    """What the parent process polls until the simulator answers; the faults that are on and the
    choice played for every assumption."""
    runtime: Runtime = request.app.state.runtime
    switches = runtime.switches
    return json_response({
        "status": "ok", "faults": sorted(switches.faults), "assumptions": switches.every_choice(),
    })


async def reset(request: Request) -> Response:
    """Forget every contact and job (ids keep counting up), after the reset hooks (the dialers)."""
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
