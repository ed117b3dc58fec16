"""The schemathesis side of the suite: the schema object, its configuration and hooks.

Built once per test module from the session settings (seed, examples per
operation). Checks that are wrong for this API are switched off or re-tuned
*per operation*, each with the reason; everything else, built-in and ours
(``dialer_suite.contract.checks``), runs on every response.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis import Case, HookContext
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup

from dialer_suite.config.settings import Settings
from dialer_suite.contract.checks import operation_of  # importing registers the suite's checks
from dialer_suite.contract.data_policy import DataPolicy
from dialer_suite.contract.session import PacedSession
from dialer_suite.vendor.spec import spec_path

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
_NEGATIVE_ACCEPTED_WITH = {
    "addContact": ["200", "400", "401", "404", "413", "415", "422", "429"],
    "importContacts": ["202", "400", "401", "404", "413", "415", "422", "429"],
}


def _operations_config() -> list[dict[str, Any]]:
    operations: list[dict[str, Any]] = []
    for check, operation_ids in _BODY_ADDRESSED.items():
        operations += [
            {"include-operation-id": op, "checks": {check: {"enabled": False}}}
            for op in operation_ids
        ]
    operations += [
        {"include-operation-id": op, "checks": {"negative_data_rejection": {
            "expected-statuses": statuses}}}
        for op, statuses in _NEGATIVE_ACCEPTED_WITH.items()
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
        # Every check, built-in and ours; the per-operation exceptions are above.
        "checks": {"enabled": True},
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


def response_json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def build_schema(settings: Settings, policy: DataPolicy, mode: str = "all") -> Any:
    """The spec as a schemathesis schema generating ``mode`` data (positive, negative, all)."""
    schema = schemathesis.openapi.from_path(
        str(spec_path()), config=schemathesis_config(settings, mode)
    )

    def map_case(context: HookContext, case: Case) -> Case:
        return policy.map_case(context, case)

    schema.hook(map_case)
    return schema
