"""Record → compare → change detected, on synthetic runs (no target, no child process).

A small vendor answers through the real spec validation into a run report,
exactly as the suite's clients feed it; the run becomes a baseline
(``baseline.snapshot``) and two of them are compared (``compare.compare``).
One kind of assumption per test: status codes (which 4xx a refusal gets),
headers (the 401 challenge, the ``Retry-After`` form), body shape (ids in the
add answer, the shapes validation breaks) and job behaviour (where the 202
names its job, what a job reports). And the other half: the same vendor on
another run (other run id, ids, seed) changes nothing, and the rules that
keep the check from crying wolf.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import pytest

from dialer_suite.api import spec
from dialer_suite.api.validation import ResponseValidator
from dialer_suite.contract import compare
from dialer_suite.contract.baseline import FACT, GENERATED_DATA, RUN, snapshot
from dialer_suite.contract.facts import SCENARIOS, Seen, key_paths, path_ids
from dialer_suite.contract.ledger import RunLedger
from dialer_suite.contract.normalize import stable_fact
from dialer_suite.contract.report import ASSUMPTION, DOCUMENTED, Outcome, RunReport
from dialer_suite.http.exchange import Exchange

BASE = "https://vendor.test/apps/api/v1"
_VALIDATOR = ResponseValidator()
WHEN = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
REFUSAL = "contract_tests/test_refusals.py::test_a_body_not_sent_as_json_is_refused_with_415[addContact]"
AUTH = "contract_tests/test_auth.py::test_operation_refuses_bad_credentials[listContacts-none]"
IMPORT = "contract_tests/test_imports.py::test_import_job_completes_and_every_contact_is_listed_once"
PROPERTY = "contract_tests/test_properties.py::test_invalid_requests_are_rejected[POST /x]"
SHAPES = "contract_tests/test_assumed_shapes.py::test_every_response_has_the_shapes_we_assume"


@dataclass(frozen=True)
class Vendor:
    """One reading of the vendor page, as the synthetic target plays it."""

    refusal: int = 415  # what a body sent as text/plain gets (error-codes)
    challenge: bool = True  # WWW-Authenticate on 401 (auth-401)
    retry_after: str | None = "1"  # the 429's Retry-After (rate-limit-429)
    add_ids: bool = True  # ids in valid_contacts (add-returns-id)
    job_in_body: bool = True  # the 202's body is the job (job-id-location)
    job_counts: bool = True  # total_contacts on the job (job-counts)
    drift: bool = False  # a key the spec does not know on the list
    property_fails: bool = False


def answer(report: RunReport, operation_id: str, status: int, body: Any = None,
           headers: dict[str, str] | None = None) -> None:
    """One response through the spec validation into the report, as the suite's clients do."""
    sent = dict(headers or {})
    content = b""
    if body is not None:
        sent.setdefault("Content-Type", "application/json")
        content = json.dumps(body).encode()
    operation = spec.operation(operation_id)
    findings = _VALIDATOR.validate_operation(operation, status, sent, content)
    url = BASE + operation.path.replace("{campaign_id}", "1").replace("{job_id}", "7")
    report.record(Exchange(operation.method, url, {}, status=status, response_headers=sent,
                           response_body=content), findings)


def run(vendor: Vendor, *, run_id: str = "aaaa1111", first_id: int = 865,
        skip_import: bool = False) -> dict[str, Any]:
    """A run of a few scenario tests (and one property test) against ``vendor``, as a baseline."""
    report = RunReport(RunLedger(run_id), seed=first_id, target="https://acme:s3cret@vendor.test/apps/api/v1")
    report.seen = seen = Seen(run_id=run_id)
    seen.source = SCENARIOS
    added: dict[str, Any] = {"name": f"dialer-suite {run_id} #1", "phone_number": "+12015550123",
                             "email": f"dsuite-{run_id}-1@example.com"}
    answer(report, "addContact", 200, {"valid_contacts": [
        {**added, "id": first_id} if vendor.add_ids else added], "invalid_contacts": []})
    report.observe("add-returns-id", vendor.add_ids, "id in valid_contacts" if vendor.add_ids
                   else "no id in valid_contacts; found by list")  # as DialerClient.added_contact_id
    answer(report, "addContact", vendor.refusal, {"message": "refused"})
    answer(report, "listContacts", 401, {"message": "who?"},
           {"WWW-Authenticate": 'Basic realm="api"'} if vendor.challenge else {})
    answer(report, "listContacts", 429, {"message": "slow down"},
           {} if vendor.retry_after is None else {"Retry-After": vendor.retry_after})
    listed = {"id": first_id, **added, "external_unique_id": f"dsuite-{run_id}-1"}
    answer(report, "listContacts", 200, [{**listed, "tier": "gold"} if vendor.drift else listed],
           {"X-Total-Count": "1"})
    _outcome(report, REFUSAL, vendor.refusal == 415, ("error-codes",),
             f"dialer_suite.http.result.ContractViolation: addContact: expected 415 (Content-Type "
             f"text/plain), got {vendor.refusal}")
    _outcome(report, AUTH, vendor.challenge, ("auth-401",), "")
    if not skip_import:
        job = first_id + 1000
        accepted = {"id": job, "status": "in_progress", "type": "Jobs::Bulk"} if vendor.job_in_body else None
        answer(report, "importContacts", 202, accepted,
               {"Location": f"{BASE}/outbound_dialer/campaigns/1/contacts/jobs/{job}"})
        report.observe("job-id-location", True, "job id found in "
                       + ("body id + Location header" if vendor.job_in_body else "Location header"))
        counts = {"total_contacts": 1, "imported_contacts": 1} if vendor.job_counts else {}
        answer(report, "getImportJob", 200,
               {"id": job, "status": "completed", "type": "Jobs::Bulk", **counts})
        _outcome(report, IMPORT, True, (), "")
    seen.source = None  # a property test: generated data
    _outcome(report, PROPERTY, not vendor.property_fails, ("error-codes",), "AcceptedNegativeData(...)",
             level=GENERATED_DATA)
    shapes = bool(report.assumed_shapes)
    _outcome(report, SHAPES, not shapes, tuple(i for (ids, _) in report.assumed_shapes for i in ids),
             "responses that differ from our assumptions:", level=RUN)
    return snapshot(report, WHEN)


def _outcome(report: RunReport, nodeid: str, passed: bool, ids: tuple[str, ...], message: str,
             level: str = FACT) -> None:
    assert report.seen is not None
    report.seen.levels[nodeid] = level
    report.add_outcome(Outcome(nodeid, ASSUMPTION if ids else DOCUMENTED, passed, ids,
                               "" if passed else message))


LEAN = Vendor(refusal=400, challenge=False, retry_after=None, add_ids=False, job_in_body=False,
              job_counts=False)


def _lines(result: compare.Comparison) -> str:
    return "\n".join(compare.lines(result, "baseline of 2026-11-27"))


def test_the_same_vendor_on_another_run_changes_nothing() -> None:
    for vendor in (Vendor(), LEAN):
        before = run(vendor)
        after = run(vendor, run_id="bbbb2222", first_id=40213)
        result = compare.compare(before, after)
        assert result.changes == [], _lines(result)
        assert compare.lines(result, "baseline of 2026-11-27") == [
            "no vendor behaviour changed since the baseline of 2026-11-27"]


def test_the_file_says_what_the_vendor_did_without_run_data() -> None:
    data = run(LEAN)
    text = json.dumps(data)
    assert "aaaa1111" not in text and "s3cret" not in text and "acme" not in text
    assert data["target"] == "https://vendor.test/apps/api/v1"
    assert data["tests"][REFUSAL] == {
        "assumptions": ["error-codes"], "fact": "addContact: expected 415 (Content-Type text/plain), got 400",
        "judged": FACT, "kind": ASSUMPTION, "outcome": "failed"}
    assert data["assumptions"]["auth-401"] == {"evidence": ["differs: 401 without WWW-Authenticate"],
                                               "state": "differs"}
    assert data["assumptions"]["job-id-location"]["evidence"] == ["held: job id found in Location header"]
    assert data["assumptions"]["rate-limit-429"]["evidence"] == ["differs: 429 with no Retry-After"]
    assert data["assumptions"]["status-transitions"] == {"state": "untested"}
    add = data["operations"]["addContact"]
    assert set(add) == {"200", "400"} and add["200"]["by"] == SCENARIOS
    assert "valid_contacts/*/id" not in add["200"]["keys"]
    assert data["operations"]["importContacts"]["202"] == {"by": SCENARIOS, "headers": ["location"]}
    assert data["contact_statuses"] == {}
    assert data["tests"][PROPERTY] == {"assumptions": ["error-codes"], "judged": GENERATED_DATA,
                                       "outcome": "passed"}


def _changes(before: Vendor, after: Vendor) -> tuple[list[str], list[str]]:
    result = compare.compare(run(before), run(after, run_id="bbbb2222", first_id=52))
    return [change.line() for change in result.changes], result.assumption_lines()


def test_a_status_code_that_changed_is_named_before_and_after() -> None:
    lines, assumptions = _changes(Vendor(), replace(Vendor(), refusal=400))
    assert f"[error-codes] {REFUSAL}: passed → failed [error-codes]: addContact: expected 415 " \
           "(Content-Type text/plain), got 400" in lines
    assert "[error-codes] addContact answered 400: never (200, 415) → seen (200, 400)" in lines
    assert "[error-codes] addContact answered 415: seen (200, 415) → never (200, 400)" in lines
    assert assumptions == ["error-codes: held → differs"]
    lines, _ = _changes(replace(Vendor(), refusal=400), replace(Vendor(), refusal=422))
    assert any(line.startswith(f"[error-codes] {REFUSAL}: failed [error-codes]: addContact: "
                               "expected 415 (Content-Type text/plain), got 400 → failed") for line in lines)


def test_a_header_that_changed_is_named_before_and_after() -> None:
    lines, assumptions = _changes(Vendor(), replace(Vendor(), challenge=False))
    assert "[auth-401] listContacts 401 header www-authenticate: present → absent" in lines
    assert "[auth-401] auth-401 evidence: held: 401 with WWW-Authenticate → differs: 401 without " \
           "WWW-Authenticate" in lines
    assert "auth-401: held → differs" in assumptions
    lines, _ = _changes(Vendor(), replace(Vendor(), retry_after="Wed, 21 Oct 2026 07:28:00 GMT"))
    assert "[rate-limit-429] listContacts 429 header Retry-After as an HTTP date: absent → present" in lines
    assert "[rate-limit-429] listContacts 429 header Retry-After in seconds: present → absent" in lines


def test_a_body_shape_that_changed_is_named_before_and_after() -> None:
    lines, assumptions = _changes(Vendor(), replace(Vendor(), add_ids=False))
    assert "[add-returns-id] addContact 200 key valid_contacts/*/id: present → absent" in lines
    assert assumptions == ["add-returns-id: held → differs"]
    lines, _ = _changes(replace(Vendor(), add_ids=False), Vendor())
    assert "[add-returns-id] addContact 200 key valid_contacts/*/id: absent → present" in lines
    assert "[add-returns-id] addContact 200 assumed shape [add-returns-id] addContact 200: at " \
           "/valid_contacts/*: 'id' is a required property: present → absent" not in lines


def test_job_behaviour_that_changed_is_named_before_and_after() -> None:
    lines, assumptions = _changes(LEAN, replace(LEAN, job_in_body=True, job_counts=True))
    assert "[job-id-location] job-id-location evidence: held: job id found in Location header → " \
           "held: job id found in body id + Location header" in lines
    assert "[job-id-location] importContacts 202 key id: absent → present" in lines
    assert "[job-id-location] importContacts 202 header content-type application/json: absent → present" \
        in lines
    assert "[job-counts] getImportJob 200 key total_contacts: absent → present" in lines
    assert "job-id-location: held → held, other evidence" in assumptions


def test_a_run_that_asked_less_judges_only_what_appeared() -> None:
    # The baseline ran the import test; this run did not (-k): its facts are untested, not gone.
    result = compare.compare(run(Vendor()), run(Vendor(), run_id="bbbb2222", skip_import=True))
    assert result.changes == [] and not result.complete
    # What appears is still a change, whatever was selected; what went missing is only noted.
    result = compare.compare(run(Vendor()), run(replace(Vendor(), challenge=False), skip_import=True))
    lines = [change.line() for change in result.changes]
    assert "[auth-401] listContacts 401 assumed shape [auth-401] listContacts 401: required header " \
           "WWW-Authenticate is missing: absent → present" in lines
    assert not any("www-authenticate: present → absent" in line for line in lines)
    assert any("www-authenticate: present → absent" in note for note in result.notes)


def test_new_drift_is_listed_and_never_a_change() -> None:
    result = compare.compare(run(Vendor()), run(replace(Vendor(), drift=True)))
    assert result.changes == []
    assert result.new_drift == ["listContacts 200: */tier"]


def test_generated_data_is_never_compared_line_by_line() -> None:
    known = compare.known_differences(run(LEAN))
    assert "error-codes" in known
    failed = {"outcome": "failed", "kind": ASSUMPTION, "assumptions": ["error-codes"],
              "judged": GENERATED_DATA}
    passed = {"outcome": "passed", "judged": GENERATED_DATA}
    # A difference the baseline knew is known, whichever operation generated data met it on.
    assert compare.verdict_for(passed, failed, known) == compare.KNOWN
    # One it never saw is not judged (other data may not have met it); nor is a pass after a failure.
    assert compare.verdict_for(passed, failed, set()) == compare.NOT_JUDGED
    assert compare.verdict_for(failed, passed, known) == compare.NOT_JUDGED
    # A documented break is never excused.
    documented = {**failed, "kind": DOCUMENTED, "assumptions": []}
    assert compare.verdict_for(passed, documented, known) == compare.CHANGED
    result = compare.compare(run(Vendor()), run(replace(Vendor(), property_fails=True)))
    assert result.changes == [] and any(PROPERTY in note for note in result.notes)


def test_a_failure_the_baseline_did_not_run_is_new_and_a_summary_test_is_judged_by_facts() -> None:
    failed = {"outcome": "failed", "kind": ASSUMPTION, "assumptions": ["auth-401"], "judged": FACT,
              "fact": "x"}
    assert compare.verdict_for(None, failed, set()) == compare.NEW
    assert compare.verdict_for({"outcome": "skipped"}, failed, set()) == compare.NEW
    assert compare.verdict_for(None, {"outcome": "passed", "judged": FACT}, set()) == compare.SAME
    summary = {**failed, "judged": RUN}
    assert compare.verdict_for({"outcome": "passed", "judged": RUN}, summary, set()) == compare.NOT_JUDGED


def test_a_429_comes_and_goes_with_load() -> None:
    quiet = run(Vendor())
    del quiet["operations"]["listContacts"]["429"]
    assert compare.compare(run(Vendor()), quiet).changes == []
    assert compare.compare(quiet, run(Vendor())).changes == []


@pytest.mark.parametrize("message, fact", [
    ("AssertionError: contact 4711 is listed 2 time(s) at http://127.0.0.1:53211/x after 3.52 s",
     "contact <n> is listed 2 time(s) at <url> after <x> s"),
    ("importContacts 202 named job 395 (body id), but reading it answered 404: {}",
     "importContacts 202 named job <n> (body id), but reading it answered 404: {}"),
    ("ended {'id': 381, 'status': 'failed', 'error_details': 'NativePowerDial::X'}",
     "ended {'id': <n>, 'status': 'failed', 'error_details': 'NativePowerDial::X'}"),
    ("status 200 is not declared (declared: 200, 400, 401)",
     "status 200 is not declared (declared: 200, 400, 401)"),
    ("added again: [{'name': 'dialer-suite aaaa1111 #3 Ann', 'email': 'a@b.c', 'phone_number': 'x y'}]",
     "added again: [{'name': '…', 'email': '…', 'phone_number': 'x y'}]"),
    ("created at 2026-11-27T10:00:00Z\nsecond line", "created at <time>"),
])
def test_failure_messages_become_facts_without_run_data(message: str, fact: str) -> None:
    assert stable_fact(message, "aaaa1111") == fact


def test_keys_follow_the_schema_and_know_their_assumption() -> None:
    known, drift = key_paths("listContacts", 200, [
        {"id": 1, "phone_number": "+1", "user_custom_metadata": {"Tier": "gold"}, "vip": True}])
    assert known == {"*/id", "*/phone_number", "*/user_custom_metadata"}
    assert drift == {"*/vip"}  # the free-form map's keys are data, not vendor keys
    assert path_ids("addContact", 200, "valid_contacts/*/id") == ("add-returns-id",)
    assert path_ids("getImportJob", 200, "total_contacts") == ("job-counts",)
    assert path_ids("addContact", 415) == ("error-codes",)
    assert path_ids("listContacts", 418) == ("error-codes",)  # an undeclared 4xx
