"""``dialer-suite contract`` speaks for itself before pytest does: its help, its refusals, its verdict.

Its ``--help`` is the suite's options with their defaults, short; pytest's own
help is behind ``--`` (as ``cargo test -- --help``). A bad setting or an old
option spelling is one line and exit 2, before pytest starts. After a run the
command adds one verdict line to pytest's summary section, not a second summary.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from dialer_suite.cli import main
from dialer_suite.contract import rendering
from dialer_suite.contract.cli import short_summary
from dialer_suite.contract.ledger import RunLedger
from dialer_suite.contract.report import Outcome, RunReport

# Two screens of a terminal 50 lines high.
_TWO_SCREENS = 100


def _help(capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["contract", "--help"]) == 0
    return capsys.readouterr().out


def test_contract_help_fits_two_screens(capsys: pytest.CaptureFixture[str]) -> None:
    shown = _help(capsys)
    assert len(shown.splitlines()) <= _TWO_SCREENS, shown


def test_contract_help_shows_the_suite_s_options_before_anything_of_pytest(
    capsys: pytest.CaptureFixture[str]
) -> None:
    shown = _help(capsys)
    assert shown.startswith("usage: dialer-suite contract [OPTIONS]"), shown[:200]
    assert "--base-url" in shown and "--report-dir DIR" in shown and "python -m pytest" not in shown


def test_contract_help_says_how_to_reach_pytest_s_own_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert "dialer-suite contract -- --help" in " ".join(_help(capsys).split())


def test_contract_help_does_not_end_with_a_missing_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert "no summary was written" not in _help(capsys)


@pytest.mark.slow
def test_pytest_s_own_help_is_behind_a_double_dash(capfd: pytest.CaptureFixture[str]) -> None:
    assert main(["contract", "--", "--help"]) == 0
    shown = capfd.readouterr().out
    assert "usage: python -m pytest" in shown and "--report-dir=DIR" in shown, shown[-2000:]
    assert "no summary was written" not in shown


@pytest.mark.parametrize(("given", "said"), [
    (["--rate-limit", "abc"], "--rate-limit must be a number, got 'abc'"),
    (["--reports-dir", "out"], "argument --reports-dir: is now spelled --report-dir"),
])
def test_a_bad_contract_option_is_one_line_and_exit_2_before_pytest_starts(
    given: list[str], said: str, capfd: pytest.CaptureFixture[str]
) -> None:
    assert main(["contract", *given]) == 2
    captured = capfd.readouterr()
    assert captured.err.startswith("dialer-suite: error: ") and captured.err.count("\n") == 1, captured.err
    assert said in captured.err and captured.out == "", captured


def test_an_old_spelling_of_the_selfcheck_report_folder_is_refused_with_the_new_one(
    capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["selfcheck", "--reports", "out"]) == 2
    assert "argument --reports: is now spelled --report-dir" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["contract", "load", "selfcheck"])
def test_every_command_that_writes_reports_spells_the_folder_option_report_dir(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with contextlib.suppress(SystemExit):  # argparse's own --help exits; contract's returns
        main([command, "--help"])
    shown = capsys.readouterr().out
    assert "--report-dir" in shown and "--reports" not in shown, shown


def test_the_command_s_verdict_is_one_line_not_the_summary_again() -> None:
    report = RunReport(RunLedger("run1"), embedded=True)
    report.add_outcome(Outcome("t::a", "documented", True))
    said = short_summary(rendering.summary(report), 0, Path("reports"))
    assert said == ("dialer-suite contract: PASSED (exit 0) — 1/1 tests passed, run id run1; reports: "
                    "reports/contract-summary.md, reports/contract-junit.xml")
