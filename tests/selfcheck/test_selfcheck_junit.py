"""The kill evidence is read correctly from pytest's and schemathesis's JUnit XML."""

from __future__ import annotations

import pytest

from dialer_suite.selfcheck.junit import JUnitError, read_failures, read_schemathesis_failures
from dialer_suite.selfcheck.model import Failure

PYTEST_XML = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="4">
  <testcase classname="contract_tests.test_contacts" name="test_add_is_listed" time="0.1"/>
  <testcase classname="contract_tests.test_contacts" name="test_update_is_persisted[e164]" time="0.2">
    <failure message="AssertionError: PATCH /contact did not persist&#10;second line">trace</failure>
  </testcase>
  <testcase classname="contract_tests.test_jobs" name="test_job_finishes" time="0.2">
    <error message="">
setup failed: simulator refused
more</error>
  </testcase>
  <testcase classname="contract_tests.test_jobs" name="test_skipped" time="0.0">
    <skipped message="not against staging"/>
  </testcase>
</testsuite></testsuites>
"""

SCHEMATHESIS_XML = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="schemathesis" tests="2">
  <testcase name="POST /outbound_dialer/campaigns/{campaign_id}/contacts" time="1.0">
    <failure message="ST101, ST301">1. Test Case ID: x
- ST101 Server error
2. Test Case ID: y
- ST301 Response violates schema</failure>
  </testcase>
  <testcase name="GET /outbound_dialer/campaigns/{campaign_id}/contacts" time="1.0"/>
</testsuite></testsuites>
"""


def test_failed_and_errored_cases_are_read_with_the_first_line_of_their_message() -> None:
    assert read_failures(PYTEST_XML) == [
        Failure(
            "contract_tests.test_contacts::test_update_is_persisted[e164]",
            "AssertionError: PATCH /contact did not persist",
        ),
        Failure("contract_tests.test_jobs::test_job_finishes", "error: setup failed: simulator refused"),
    ]


def test_passed_and_skipped_cases_are_not_failures() -> None:
    ids = {failure.test_id for failure in read_failures(PYTEST_XML)}
    assert not any("test_add_is_listed" in test_id or "test_skipped" in test_id for test_id in ids), ids


def test_a_case_without_classname_is_named_by_its_label() -> None:
    failures = read_failures(SCHEMATHESIS_XML)
    assert [f.test_id for f in failures] == ["POST /outbound_dialer/campaigns/{campaign_id}/contacts"]


def test_long_messages_are_cut_to_one_readable_line() -> None:
    xml = f'<testsuite><testcase name="t"><failure message="{"x" * 500}"/></testcase></testsuite>'
    (failure,) = read_failures(xml)
    assert len(failure.message) == 200 and failure.message.endswith("…"), failure


def test_schemathesis_failures_are_split_into_one_per_code_with_its_title() -> None:
    label = "POST /outbound_dialer/campaigns/{campaign_id}/contacts"
    assert read_schemathesis_failures(SCHEMATHESIS_XML) == [
        Failure(label, "ST101 Server error"),
        Failure(label, "ST301 Response violates schema"),
    ]


def test_a_schemathesis_error_is_kept_with_its_first_line() -> None:
    xml = (
        '<testsuite><testcase name="Stateful tests">'
        "<error>Connection refused\nmore</error></testcase></testsuite>"
    )
    assert read_schemathesis_failures(xml) == [Failure("Stateful tests", "error: Connection refused")]


@pytest.mark.parametrize("text", ["", "not xml at all", "<html><body/></html>"])
def test_a_report_that_is_not_junit_is_an_error_not_a_clean_pass(text: str) -> None:
    with pytest.raises(JUnitError):
        read_failures(text)


def test_a_message_line_ending_in_a_colon_keeps_the_line_that_says_what_broke() -> None:
    xml = (
        '<testsuite><testcase classname="c" name="t"><failure message="ContractViolation: contract violated:'
        '&#10;- addContact: status 201 is not declared&#10;[+7 more lines]"/></testcase></testsuite>'
    )
    assert read_failures(xml) == [
        Failure("c::t", "ContractViolation: contract violated: - addContact: status 201 is not declared")
    ]
