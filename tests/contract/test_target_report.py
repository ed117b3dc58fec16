"""How a run reports its target: by host, never credentials; outages and vendor server errors apart
from the vendor's contract; one line when the target cannot run the suite."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from dialer_suite import cli
from dialer_suite.cli import build_parser
from dialer_suite.contract import rendering
from dialer_suite.contract.cli import short_summary
from dialer_suite.contract.ledger import RunLedger
from dialer_suite.contract.report import DOCUMENTED, Outcome, RunReport
from dialer_suite.http.availability import (
    SERVER_ERROR,
    UNAVAILABLE,
    Availability,
    Outage,
    TargetUnavailable,
    Verdict,
)


def _report() -> RunReport:
    availability = Availability(60.0)
    availability.outages.append(Outage(started=1_800_000_000.0, ended=1_800_000_020.0))
    availability.outages[0].failures.update({"503": 6})
    availability.verdicts.append(Verdict(UNAVAILABLE, "POST /x", "connection reset: ..."))
    report = RunReport(RunLedger("run9"), target="https://staging.vendor.test/apps/api/v1",
                       target_host="staging.vendor.test", availability=availability)
    report.add_outcome(Outcome("t::documented", DOCUMENTED, True))
    report.add_outcome(Outcome("t::five-hundred", SERVER_ERROR, False, (), "vendor server error: ..."))
    report.add_outcome(Outcome("t::outage", UNAVAILABLE, False, (), "target unavailable: ..."))
    return report


def test_failures_of_each_kind_are_listed_apart_and_none_as_documented() -> None:
    data = rendering.summary(_report())
    assert data["documented_failures"] == [] and data["assumption_failures"] == []
    assert data["server_error_failures"] == ["t::five-hundred"]
    assert data["unavailable_failures"] == ["t::outage"]
    assert data["availability"]["outages"] == [
        "08:00:00–08:00:20 UTC (20 s): 6 attempt(s) failed (503×6)"]


def test_the_terminal_names_the_target_by_host_and_shows_the_outage_with_its_times() -> None:
    lines = rendering.terminal_lines(_report())
    assert lines[0].startswith("run run9 against staging.vendor.test (a tenant, not the embedded simulator)")
    assert "target unavailable (not the vendor's behaviour): 1 outage(s), 1 test(s) could not finish" in lines
    assert "  - outage 08:00:00–08:00:20 UTC (20 s): 6 attempt(s) failed (503×6)" in lines
    assert "vendor server error (a 5xx while the target answered others): 1 test(s)" in lines


def test_a_target_that_cannot_run_the_suite_is_one_line_of_the_command() -> None:
    report = RunReport(RunLedger("run9"), target_host="staging.vendor.test", availability=Availability(60.0))
    report.unusable = "staging.vendor.test refused the credentials (401); check DIALER_API_TOKEN"
    line = short_summary(rendering.summary(report), 69, Path("reports"))
    assert line == ("dialer-suite contract: TARGET NOT USABLE (exit 69) — staging.vendor.test refused the "
                    "credentials (401); check DIALER_API_TOKEN; no test ran (reports/contract-junit.xml)")


def test_a_run_that_left_contacts_says_how_to_remove_them() -> None:
    data = {**rendering.summary(_report()), "left": 3}
    assert "  remove what this run left: dialer-suite cleanup --run-id run9" in short_summary(
        data, 69, Path("reports")).splitlines()


def test_every_exit_code_is_in_the_contract_commands_help() -> None:
    text = " ".join(build_parser().format_help().split())
    for code in ("exit 0 green", "1 the vendor's behaviour", "2 usage or settings",
                 "69 the target is not usable", "130 interrupted"):
        assert code in text, code


def test_a_command_its_target_fails_ends_with_one_line_and_exit_69(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def handler(args: argparse.Namespace) -> int:
        raise TargetUnavailable("target unavailable: GET /x: connection refused; no usable answer for 60 s")

    parser = argparse.ArgumentParser()
    parser.set_defaults(handler=handler)
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    assert cli.main([]) == 69
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("dialer-suite: target not usable: target unavailable")
