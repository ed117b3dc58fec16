"""Response validation against the spec: every kind of wire break is named."""

from __future__ import annotations

import json

import pytest

from dialer_suite.api.validation import ResponseValidator

BASE = "http://vendor.test/apps/api/v1"
LIST = BASE + "/outbound_dialer/campaigns/1/contacts"
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def validator() -> ResponseValidator:
    return ResponseValidator()


@pytest.mark.parametrize(
    ("status", "headers", "body", "named"),
    [
        (200, {"Content-Type": "text/html"}, b"[]", "Content-Type 'text/html'"),
        (200, JSON, b'{"contacts": []}', "is not of type 'array'"),
        (200, JSON, b"not json", "body is not JSON"),
        (200, JSON, b"", "empty body"),
        (200, JSON, json.dumps([{"phone_number": None}]).encode(), "at /0/phone_number"),
        (200, JSON, json.dumps([{"phone_number": "+1", "created_at": "2024-08-05 14:51:49 UTC"}]
                               ).encode(), "is not a 'date-time'"),
        (201, JSON, b"[]", "status 201 is not declared"),
        (401, JSON, b"{}", "required header WWW-Authenticate is missing"),
        (200, {**JSON, "X-Total-Count": "many"}, b"[]", "header X-Total-Count"),
    ],
)
def test_a_broken_list_answer_is_a_named_violation(
    validator: ResponseValidator, status: int, headers: dict[str, str], body: bytes, named: str
) -> None:
    findings = validator.validate("GET", LIST, status, headers, body, BASE)
    assert any(named in v for v in findings.violations), findings.violations


def test_error_bodies_may_be_empty(validator: ResponseValidator) -> None:
    findings = validator.validate("GET", LIST, 404, {}, b"", BASE)
    assert findings.ok, findings.violations


def test_the_documented_202_without_body_is_accepted(validator: ResponseValidator) -> None:
    findings = validator.validate("POST", LIST + "/import", 202, {}, b"", BASE)
    assert findings.ok, findings.violations


def test_a_request_outside_the_spec_is_a_violation(validator: ResponseValidator) -> None:
    findings = validator.validate("GET", BASE + "/outbound_dialer/campaigns", 200, JSON, b"[]", BASE)
    assert "is not an operation of the spec" in findings.violations[0]


# -- job statuses: the examples show three; the page lists no others, nor rules them out ----

JOB = LIST + "/jobs/7"


def _job(status: object) -> bytes:
    return json.dumps({"id": 7, "status": status, "type": "Jobs::Bulk::Campaign::ParentJob"}).encode()


@pytest.mark.parametrize("status", ["in_progress", "completed"])
def test_the_job_statuses_of_the_examples_pass(validator: ResponseValidator, status: str) -> None:
    findings = validator.validate("GET", JOB, 200, JSON, _job(status), BASE)
    assert findings.ok and findings.job_statuses == [status], findings.violations


@pytest.mark.parametrize("status", ["queued", "Completed"])
def test_a_job_status_outside_the_examples_is_filed_under_job_statuses_not_as_documented(
    validator: ResponseValidator, status: str
) -> None:
    findings = validator.validate("GET", JOB, 200, JSON, _job(status), BASE)
    assert [(p.message, p.assumptions) for p in findings.problems] == [
        (f"getImportJob 200: at /status: {status!r} is not one of the 3 allowed values", ("job-statuses",))
    ]
    assert findings.job_statuses == [status]


def test_a_job_status_outside_the_examples_in_the_202_body_breaks_both_assumptions(
    validator: ResponseValidator,
) -> None:
    findings = validator.validate("POST", LIST + "/import", 202, JSON, _job("queued"), BASE)
    assert [p.assumptions for p in findings.problems] == [("job-id-location", "job-statuses")]


def test_a_job_status_that_is_not_a_string_stays_a_documented_break(validator: ResponseValidator) -> None:
    findings = validator.validate("GET", JOB, 200, JSON, _job(3), BASE)
    documented = [p.message for p in findings.documented]
    assert documented == ["getImportJob 200: at /status: 3 is not of type 'string'"], findings.problems
