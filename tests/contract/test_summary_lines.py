"""The summary's lines about what a run did not see and what it left, as ``rendering`` writes them."""

from __future__ import annotations

from dialer_suite.contract import rendering
from dialer_suite.contract.ledger import RunLedger
from dialer_suite.contract.report import NOT_PRODUCED, RunReport


def test_a_tenant_run_that_could_not_count_its_leftovers_says_unknown() -> None:
    line = rendering.contacts_line(RunReport(RunLedger("run1"), embedded=False))
    assert line == "created 0, removed 0, left on target unknown"


def test_an_embedded_run_says_its_contacts_went_with_the_simulator() -> None:
    line = rendering.contacts_line(RunReport(RunLedger("run1"), embedded=True))
    assert line == ("created 0, removed 0; the rest went with the embedded simulator, discarded with "
                    "everything in it")


def test_a_deselected_generated_test_accounts_for_every_status_of_its_operation() -> None:
    report = RunReport(RunLedger("run1"))
    report.not_exercised("addContact", None, "deselected (-m quick)")
    why = {(op, status): reason for op, status, _, reason in report.coverage()}
    assert {reason for (op, _), reason in why.items() if op == "addContact"} == {"deselected (-m quick)"}
    assert why[("listContacts", 400)] == NOT_PRODUCED


def test_statuses_not_exercised_are_grouped_by_why_one_operation_a_line() -> None:
    report = RunReport(RunLedger("run1"))
    report.not_exercised("*", None, "deselected (-m quick)")
    lines = rendering.terminal_lines(report)
    at = lines.index("  deselected (-m quick):")
    assert lines[at + 1].startswith("    listContacts 200, 400, ") and lines[at - 1].startswith(
        "declared but not exercised: "), lines
