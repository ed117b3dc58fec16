"""The schemathesis side of the suite: the schema object, its configuration and hooks.

Built once per test module from the session settings (seed, examples per
operation). Checks that are wrong for this API are switched off or re-tuned
*per operation*, each with the reason; everything else, built-in and ours
(``dialer_suite.contract.checks``), runs on every response.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator
from typing import Any, cast

import schemathesis
from schemathesis import Case, HookContext
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import (
    AcceptedNegativeData,
    CustomFailure,
    FailureGroup,
    ServerError,
)
from schemathesis.openapi.checks import (
    AllowHeaderMismatch,
    EnsureResourceAvailability,
    MissingHeaderNotRejected,
    RejectedPositiveData,
    UnsupportedMethodResponse,
)

from dialer_suite.api import spec
from dialer_suite.config.settings import Settings
from dialer_suite.contract.checks import operation_of  # importing registers the suite's checks
from dialer_suite.contract.data_policy import DataPolicy
from dialer_suite.contract.session import PacedSession

# Body-addressed resources: a contact is named by `contact_id` *in the body* of
# PATCH/DELETE .../contact, not by a path like /contacts/{id}. The built-in
# stateful checks below infer "the resource" from path parameters, so on these
# operations they compare unrelated contacts. Our own read-back check
# (dialer_writes_are_read_back) covers the same ground by contact id.
_BODY_ADDRESSED = {
    # After an add, schemathesis looks for the new resource through the add's
    # links; our links carry the id in a request body, which this check cannot follow.
    "ensure_resource_availability": ["addContact", "updateContact", "deleteContact"],
    # "Deleted, then still reachable" is decided by path prefix, singular and
    # plural segments alike: a DELETE of .../campaigns/1/contact (contact A, named
    # in the body) is taken to free every later PATCH of .../contact (contact B),
    # the list .../contacts and .../contacts/jobs/{id}. It judges the methods
    # that cannot create (GET, PATCH), i.e. exactly these three operations.
    # dialer_writes_are_read_back checks by contact id that a delete removed
    # its contact and that an update reached a listed one.
    "use_after_free": ["updateContact", "listContacts", "getImportJob"],
}

# The documented add answers 200 and lists refused contacts in `invalid_contacts`
# (the vendor's own example): invalid data is rejected *inside* a 200, not with a
# 4xx. The same holds for an import: the 202 starts a job that reports refused
# contacts (assumption import-invalid-contacts). Our read-back check verifies
# that nothing refused was stored.
_REFUSED_INSIDE = {"addContact": "200", "importContacts": "202"}


def _refusal_statuses(operation: spec.Operation) -> list[str]:
    """The statuses with which ``operation`` may refuse invalid data: the 4xx the spec declares
    for it (and the success that carries refusals inside, for add and import)."""
    declared = [key for key in operation.definition.get("responses", {}) if key.startswith("4")]
    inside = _REFUSED_INSIDE.get(operation.operation_id)
    return ([inside] if inside else []) + declared


def _operations_config() -> list[dict[str, Any]]:
    operations: list[dict[str, Any]] = []
    for check, operation_ids in _BODY_ADDRESSED.items():
        operations += [
            {"include-operation-id": op, "checks": {check: {"enabled": False}}}
            for op in operation_ids
        ]
    operations += [
        {"include-operation-id": op.operation_id, "checks": {"negative_data_rejection": {
            "expected-statuses": _refusal_statuses(op)}}}
        for op in spec.iter_operations()
    ]
    return _merged(operations)


def _merged(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per operation: schemathesis applies the first entry that matches."""
    by_operation: dict[str, dict[str, Any]] = {}
    for entry in entries:
        target = by_operation.setdefault(
            entry["include-operation-id"], {"include-operation-id": entry["include-operation-id"],
                                             "checks": {}}
        )
        target["checks"].update(entry["checks"])
    return list(by_operation.values())


_DUPLICATED_CHECKS = (
    "status_code_conformance", "content_type_conformance", "response_schema_conformance",
    "response_headers_conformance",
)

# Probes of methods a path does not declare (the `unsupported_method` check).
# Against a real tenant only methods that cannot change data: an undocumented
# DELETE on .../contacts might exist and empty the campaign.
_SAFE_UNEXPECTED_METHODS = ["options", "trace"]


def schemathesis_config(settings: Settings, mode: str = "all") -> SchemathesisConfig:
    phases: dict[str, Any] = {}
    if not settings.loopback:
        phases["coverage"] = {"unexpected-methods": _SAFE_UNEXPECTED_METHODS}
    return SchemathesisConfig.from_dict({
        "phases": phases,
        "seed": settings.seed,
        "generation": {
            "mode": mode,
            "max-examples": settings.max_examples,
            # Reproducible from the seed alone: no example database between runs.
            "database": "none",
        },
        # Every check, built-in and ours; the per-operation exceptions are above. The
        # conformance of status, media type, headers and body is ``dialer_response_conforms``
        # (the same validation as every scenario's, which also says whether the part of the
        # spec a response broke is documented or an assumption), so schemathesis's
        # duplicates of it are off.
        "checks": {"enabled": True, **{name: {"enabled": False} for name in _DUPLICATED_CHECKS}},
        "operations": _operations_config(),
        # Declared to schemathesis (not set on the session) so that `ignored_auth`
        # can send the request without them, or with wrong ones.
        "auth": {"basic": {"username": settings.username, "password": settings.api_token}},
    })


def call_and_validate(case: Case, session: PacedSession, policy: DataPolicy) -> Any:
    """Send a generated case through the paced session and run every check on the answer.

    A failure gets the suite's curl (credentials from the environment) added,
    next to the one schemathesis prints.
    """
    policy.bind_contact_id(case)
    try:
        with filed_by_request(case):
            response = case.call_and_validate(base_url=session.base_url, session=session)
    except FailureGroup as failure:
        exchange = session.last_exchange_for(case.id)
        if exchange is not None:
            failure.add_note(
                "Reproduce (credentials from the environment):\n    " + exchange.curl()
            )
        raise
    policy.learn(operation_of(case).operation_id, response.status_code, response_json(response))
    return response


# Failures of schemathesis's own checks about statuses the vendor does not document:
# which 4xx a refused request gets, and whether a request is refused at all.
_ERROR_CODE_FAILURES = (
    AcceptedNegativeData, RejectedPositiveData, MissingHeaderNotRejected, UnsupportedMethodResponse,
    AllowHeaderMismatch,
)
_ERROR_CODES = ("error-codes",)
_AUTH = ("auth-401",)
# A resource a link names cannot be read: the check runs on importContacts alone (it is off for
# the body-addressed operations, above), whose link reads the job id from where the 202 names it.
_LINKED_JOB = ("job-id-location",)
_NOT_SAID = object()
# Set on each failure of a case: the assumptions its own request relied on.
_RELIED_ON = "dialer_relied_on"


def request_assumptions(case: Case) -> tuple[str, ...]:
    """The ``x-assumption`` ids of the parameters a case sent: what its request itself relies on.

    A page size the target refuses, say, breaks no error code: the size was
    ours to assume (``list-pagination``), and so is the refusal of one past it.
    """
    operation = operation_of(case)
    document = spec.load_spec()
    declared = [spec.deref(document, parameter) for parameter in (
        *document["paths"][operation.path].get("parameters", []),
        *operation.definition.get("parameters", []))]
    sent = {("query", name) for name in case.query or {}} | {
        ("path", name) for name in case.path_parameters or {}} | {
        ("header", name.lower()) for name in case.headers or {}}
    ids = [i for parameter in declared
           if (parameter.get("in"), _parameter_key(parameter)) in sent
           for i in spec.assumption_ids_of(parameter)]
    return tuple(dict.fromkeys(ids))


def _parameter_key(parameter: dict[str, Any]) -> str:
    name = str(parameter.get("name", ""))
    return name.lower() if parameter.get("in") == "header" else name


@contextlib.contextmanager
def filed_by_request(case: Case) -> Iterator[None]:
    """Checks of ``case`` that fail under an assumption are filed under the ones its own request
    relied on too (``broken_assumptions`` reads them back)."""
    try:
        yield
    except FailureGroup as failure:
        relied = request_assumptions(case)
        for member in failure.exceptions if relied else ():
            setattr(member, _RELIED_ON, relied)
        raise


def broken_assumptions(error: BaseException | None) -> tuple[str, ...] | None:
    """What a failure says it broke, as ``ContractViolation.assumptions``: ``()`` a documented
    part of the spec, ids the assumptions, None nothing (the test's marks decide).

    Our exceptions say it themselves. Schemathesis gathers the failures of a
    generated test into groups of its own making (across phases and examples), so
    a group is read member by member: a server error breaks the documented
    contract; its checks of which status refuses what test our assumptions
    (``error-codes``; ``auth-401`` for missing credentials); a group is
    documented when any member is, an assumption when every member is one. An
    assumption failure of a case is also filed under what its request relied on
    (``filed_by_request``).
    """
    broke = _broken(error)
    relied: tuple[str, ...] = getattr(error, _RELIED_ON, ())
    return tuple(dict.fromkeys((*broke, *relied))) if broke and relied else broke


def _broken(error: BaseException | None) -> tuple[str, ...] | None:
    if error is None:
        return None
    own = getattr(error, "assumptions", _NOT_SAID)
    if own is not _NOT_SAID:
        return cast("tuple[str, ...] | None", own)
    if isinstance(error, CustomFailure):
        return broken_assumptions(error.exception)
    if isinstance(error, MissingHeaderNotRejected) and error.header_name.lower() == "authorization":
        return _AUTH
    if isinstance(error, ServerError):
        return ()
    if isinstance(error, EnsureResourceAvailability):
        return _LINKED_JOB
    if isinstance(error, _ERROR_CODE_FAILURES):
        return _ERROR_CODES
    if isinstance(error, BaseExceptionGroup):
        kinds = [broken_assumptions(member) for member in error.exceptions]
        if any(kind == () for kind in kinds):
            return ()
        if kinds and all(kinds):
            return tuple(dict.fromkeys(i for kind in kinds if kind for i in kind))
    return None


def response_json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


# The import → job link of the spec reads the job id from the 202's body, which the
# vendor documents as "None". These follow it wherever else the 202 may carry it
# (assumption job-id-location, as ``http.jobs.locate_job_id`` looks), so the
# stateful run walks import → job also against a target that answers an empty 202.
# The ``#regex:`` extractor is schemathesis's own extension of runtime expressions,
# hence added here and not written into the spec that other tools read.
_JOB_LINKS = {
    "GetJobFromLocation": r"$response.header.Location#regex:/contacts/jobs/([0-9]+)",
    "GetJobFromJobIdHeader": "$response.header.X-Job-Id",
    "GetJobFromBodyJobId": "$response.body#/job_id",
}


def _with_job_links(document: dict[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(document)
    accepted = spec.operation("importContacts", document).definition["responses"]["202"]
    for name, expression in _JOB_LINKS.items():
        accepted.setdefault("links", {})[name] = {
            "operationId": "getImportJob",
            "parameters": {"campaign_id": "$request.path.campaign_id", "job_id": expression},
        }
    return document


def build_schema(settings: Settings, policy: DataPolicy, mode: str = "all") -> Any:
    """The spec as a schemathesis schema generating ``mode`` data (positive, negative, all)."""
    schema = schemathesis.openapi.from_dict(
        _with_job_links(spec.load_spec()), config=schemathesis_config(settings, mode)
    )

    def map_case(context: HookContext, case: Case) -> Case:
        return policy.map_case(context, case)

    schema.hook(map_case)
    return schema
