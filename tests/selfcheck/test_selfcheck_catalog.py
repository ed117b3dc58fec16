"""The gate of issue 6: the whole fault catalog through ``dialer-suite selfcheck``.

Every catalog fault must be caught by the contract suite (the load gates for
speed faults) and the clean run must pass; and for each kind of vendor break
the failing test must say what broke, naming it in its own words. The faults
are the simulator's; the checks that catch them are the suite's general ones
(spec validation, read-back, bounded job polling), not written for these
faults.

It runs every contract test once per fault, several minutes on two cores
(``benchmarks/README.md``), so it is one of the ``exhaustive`` tests that CI
runs after the test suite (``pytest -m exhaustive``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from dialer_suite.simulator import faults

pytestmark = [pytest.mark.exhaustive, pytest.mark.slow]

# Four runs at a time on two cores: a contract-suite run spends much of its wall
# time waiting on pacing and jobs (benchmarks/README.md, "Why --jobs 4").
_JOBS = 4
_BUDGET_SECONDS = 30 * 60  # a bound, not a target

# (fault, "module::test name start" that catches it, words its failure must contain)
_BREAKS = [
    # item 2: property tests (schemathesis + the suite's checks) on the wire format
    ("record-id-as-string", "test_properties.py::test_valid_requests_are_answered_as_documented[PATCH",
     "is not of type 'integer'"),
    ("import-answers-200", "test_properties.py::test_valid_requests_are_answered_as_documented[POST "
     "/outbound_dialer/campaigns/{campaign_id}/contacts/import",
     "status 200 is not declared"),
    # item 3: every response validated, the status enum shown verbatim
    ("contact-status-lowercase", "test_contacts.py::test_added_contact_is_listed",
     "contact status 'upcoming'"),
    ("list-content-type-html", "test_contacts.py::test_added_contact_is_listed",
     "Content-Type 'text/html"),
    # item 4: contact scenarios, every write read back
    ("add-echoes-but-does-not-store", "test_contacts.py::test_added_contact_is_listed",
     "is listed 0 time(s)"),
    ("update-not-persisted", "test_contacts.py::test_update_is_answered", "is listed with name"),
    ("delete-answers-but-keeps", "test_contacts.py::test_delete_by_contact_id", "still lists"),
    ("delete-by-phone-exact-text-only", "test_contacts.py::test_delete_by_phone", "expected 200"),
    ("invalid-phone-accepted", "test_contacts.py::test_invalid_contact_is_reported",
     "unparsable phone number was accepted"),
    ("duplicate-phone-accepted", "test_contacts.py::test_phone_already_on_the_campaign",
     "added again"),
    # item 4: import lifecycle
    ("job-never-finishes", "test_imports.py::test_import_job_completes", "still 'in_progress' after"),
    ("import-duplicate-not-atomic", "test_imports.py::test_import_failing_on_a_phone_already",
     "still lists"),
    ("failed-job-without-error-details", "test_imports.py::test_import_with_a_phone_already",
     "'error_details' is a required property"),
    # item 4: isolation, auth, rate limit
    ("jobs-visible-across-campaigns", "test_isolation.py::test_job_of_one_campaign", "expected 404"),
    ("list-skips-auth", "test_auth.py::test_operation_refuses_bad_credentials[listContacts",
     "expected 401"),
    ("rate-limit-without-retry-after", "test_assumed_shapes.py::test_every_response_has_the_shapes",
     "required header Retry-After is missing"),
]


@pytest.fixture(scope="module")
def catalog_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    reports = tmp_path_factory.mktemp("catalog")
    command = [
        sys.executable, "-m", "dialer_suite.cli", "selfcheck",
        "--jobs", str(_JOBS), "--no-schemathesis", "--seed", "0", "--report-dir", str(reports),
    ]  # fmt: skip
    completed = subprocess.run(command, capture_output=True, text=True, timeout=_BUDGET_SECONDS)
    return completed, reports


def test_the_suite_catches_every_catalog_fault_and_passes_the_clean_simulator(
    catalog_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    completed, reports = catalog_run
    output = completed.stdout[-6000:] + completed.stderr[-3000:]
    document = json.loads((reports / "selfcheck.json").read_text())
    clean = [(run["run"], run["status"]) for run in document["clean"]]
    assert clean and all(status == "passed" for _, status in clean), f"clean runs {clean}\n{output}"
    verdicts = {row["name"]: row["suite"]["verdict"] for row in document["faults"]}
    assert set(verdicts) == set(faults.catalog()), output
    survived = sorted(name for name, verdict in verdicts.items() if verdict != "caught")
    assert not survived, f"faults not caught: {survived}\n{output}"
    assert completed.returncode == 0, output


def test_the_table_names_only_catalog_faults() -> None:
    unknown = {fault for fault, _, _ in _BREAKS} - set(faults.catalog())
    assert not unknown, f"not in the simulator's fault catalog: {sorted(unknown)}"


@pytest.mark.parametrize(("fault", "test", "words"), _BREAKS, ids=[b[0] for b in _BREAKS])
def test_the_suite_fails_naming_the_break(
    catalog_run: tuple[subprocess.CompletedProcess[str], Path], fault: str, test: str, words: str
) -> None:
    _, reports = catalog_run
    junit = reports / "selfcheck" / f"suite-{fault}-seed0" / "junit.xml"
    failures = _failures(junit.read_text(encoding="utf-8"))
    module, name = test.split("::")
    named = [text for (where, test_name), text in failures.items()
             if where.endswith(module.removesuffix(".py")) and test_name.startswith(name)]
    assert named, f"{test} did not fail with {fault}; the failing tests: {sorted(failures)}"
    assert any(words in text for text in named), (
        f"the failure of {test} with {fault} does not say {words!r}:\n{named[0][-3000:]}"
    )


def _failures(xml_text: str) -> dict[tuple[str, str], str]:
    """(classname, test name) → the whole text of its failure or error."""
    found: dict[tuple[str, str], str] = {}
    for case in ElementTree.fromstring(xml_text).iter("testcase"):
        for outcome in [*case.findall("failure"), *case.findall("error")]:
            text = f"{outcome.get('message', '')}\n{outcome.text or ''}"
            key: Any = (case.get("classname", ""), case.get("name", ""))
            found[key] = found.get(key, "") + text
    return found
