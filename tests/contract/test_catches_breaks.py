"""The suite fails, naming what broke, for each kind of vendor break (issue 4, items 2-4).

Each case runs a few contract tests in a child pytest against the embedded
simulator with one catalog fault switched on, and checks that they fail with
a message that says what broke. The faults are the simulator's; the checks
that catch them are the suite's general ones (spec validation, read-back,
bounded job polling), not written for these faults.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from dialer_suite.simulator.faults import catalog

_ROOT = Path(__file__).resolve().parents[2]
_SUITE = _ROOT / "contract_tests"

# (fault, "module::-k expression" of the tests to run, words the failure must contain)
_BREAKS = [
    # item 2: property tests (schemathesis + the suite's checks) on the wire format
    ("record-id-as-string", "test_properties.py::test_valid_requests and PATCH",
     "is not of type 'integer'"),
    ("import-answers-200", "test_properties.py::test_valid_requests and POST and import",
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
    ("import-duplicate-not-atomic", "test_imports.py::test_import_with_a_phone_already",
     "still lists"),
    ("failed-job-without-error-details", "test_imports.py::test_import_with_a_phone_already",
     "'error_details' is a required property"),
    # item 4: isolation, auth, rate limit
    ("jobs-visible-across-campaigns", "test_isolation.py::test_job_of_one_campaign", "expected 404"),
    ("list-skips-auth", "test_auth.py::test_operation_refuses_bad_credentials and listContacts",
     "expected 401"),
    ("rate-limit-without-retry-after", "test_rate_limit.py::test_burst_past_the_rate_limit",
     "required header Retry-After is missing"),
]


def test_the_table_names_only_catalog_faults() -> None:
    unknown = {fault for fault, _, _ in _BREAKS} - set(catalog())
    assert not unknown, f"not in the simulator's fault catalog: {sorted(unknown)}"


def _run(fault: str, selection: str, folder: Path) -> subprocess.CompletedProcess[str]:
    module, expression = selection.split("::")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIALER_")}
    env.update(DIALER_SIMULATOR_FAULTS=fault, DIALER_JOB_TIMEOUT="2", DIALER_SEED="1",
               DIALER_REPORTS_DIR=str(folder))
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(_SUITE / module), "-k", expression, "-p",
         "no:cacheprovider", "-q", "-x", "--junitxml", str(folder / "junit.xml")],
        cwd=_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


@pytest.fixture(scope="module")
def runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> dict[str, subprocess.CompletedProcess[str]]:
    """The child runs of every selected case, two at a time (each is mostly waiting)."""
    wanted = {item.callspec.params["fault"] for item in request.session.items
              if isinstance(item, pytest.Function) and hasattr(item, "callspec")
              and "fault" in item.callspec.params and item.module is request.module}
    cases = [(fault, selection) for fault, selection, _ in _BREAKS if fault in wanted]
    # Made here, not in the threads: pytest's temp factory is not thread-safe (two first
    # calls at once each create a base directory, and one of them fails its own check).
    folders = [tmp_path_factory.mktemp(fault) for fault, _ in cases]
    with ThreadPoolExecutor(2) as pool:
        done = pool.map(lambda case, folder: _run(case[0], case[1], folder), cases, folders)
        return dict(zip([fault for fault, _ in cases], done, strict=True))


@pytest.mark.slow
@pytest.mark.parametrize(("fault", "selection", "words"), _BREAKS, ids=[b[0] for b in _BREAKS])
def test_the_suite_fails_naming_the_break(
    runs: dict[str, subprocess.CompletedProcess[str]], fault: str, selection: str, words: str
) -> None:
    run = runs[fault]
    output = run.stdout + run.stderr
    assert run.returncode == 1, f"the suite did not fail with {fault} on {selection}:\n{output[-3000:]}"
    assert words in output, f"the failure with {fault} does not say {words!r}:\n{output[-3000:]}"
