"""Stateful property test: sequences of calls through the spec's OpenAPI links.

The links carry ids from one answer into the next request: add → update →
delete (``contact_id`` from ``valid_contacts/0/id`` into the request *body*)
and import → job (``job_id`` from the 202's body, or — links the suite adds
at run time — from ``Location``, ``X-Job-Id`` or a body ``job_id``: the
vendor documents the 202's body as "None"). Schemathesis 4 evaluates
``requestBody`` link expressions (``evaluate_nested``) and merges them into the
generated body, so the spec's links are used as written; the test also checks
that they were really followed, or it would prove nothing about them.
"""

from __future__ import annotations

import json
from typing import Any

import hypothesis
import pytest
from schemathesis import Case, Response

from dialer_suite.config.settings import Settings
from dialer_suite.contract.checks import CheckFailed
from dialer_suite.contract.data_policy import DataPolicy
from dialer_suite.contract.property import build_schema, filed_by_request, operation_of, response_json
from dialer_suite.contract.session import PacedSession
from dialer_suite.contract.state import current_settings, run_policy

_settings = current_settings()
_schema = build_schema(_settings, run_policy(_settings.run_id), mode="positive")
# Scenarios and steps per scenario: enough to walk add → update → delete a few
# times without blowing the suite's time budget against a 10 requests/s tenant.
_SCENARIOS = 6
_STEPS = 6


@pytest.mark.stateful
@pytest.mark.writes
def test_linked_operations_keep_their_promises(
    st_session: PacedSession, data_policy: DataPolicy, settings: Settings
) -> None:
    followed: list[str] = []
    added_ids: set[int] = set()

    class Machine(_schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Case) -> dict[str, Any]:
            return {"base_url": st_session.base_url, "session": st_session}

        def before_call(self, case: Case) -> None:
            data_policy.bind_contact_id(case)
            body = case.body if isinstance(case.body, dict) else {}
            if body.get("contact_id") in added_ids:
                followed.append(operation_of(case).operation_id)

        def validate_response(self, response: Response, case: Case, **kwargs: Any) -> None:
            with filed_by_request(case):
                super().validate_response(response, case, **kwargs)

        def after_call(self, response: Response, case: Case) -> None:
            super().after_call(response, case)
            operation_id = operation_of(case).operation_id
            answer = response_json(response)
            data_policy.learn(operation_id, response.status_code, answer)
            if operation_id == "addContact" and response.status_code == 200:
                added_ids.update(
                    c["id"] for c in answer.get("valid_contacts", []) if isinstance(c.get("id"), int)
                )

    hypothesis.seed(settings.seed)(Machine)
    Machine.run(settings=hypothesis.settings(
        max_examples=_SCENARIOS, stateful_step_count=_STEPS, deadline=None, database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
    ))
    if added_ids and not followed:
        # The links carry the id an add answers, which the vendor documents no more than that.
        raise CheckFailed(
            "the stateful run added contacts "
            f"{json.dumps(sorted(added_ids))} but never followed a link into an update or delete",
            assumptions=("add-returns-id",),
        )
