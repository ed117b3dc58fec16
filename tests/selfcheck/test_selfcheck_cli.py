"""Bad selfcheck arguments end with one plain line (UsageError), before anything runs."""

from __future__ import annotations

import argparse

import pytest

from dialer_suite.cli import main
from dialer_suite.errors import UsageError
from dialer_suite.selfcheck import cli
from dialer_suite.selfcheck.model import FaultInfo


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="dialer-suite")
    cli.register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["selfcheck", *argv])


@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        (["--jobs", "0"], "--jobs must be at least 1"),
        (["--repeat-clean", "0"], "--repeat-clean must be at least 1"),
        (["--timeout", "-1"], "must be positive"),
        (["--load-duration", "soon"], "is not a duration"),
        (["--clean-only", "--faults", "a"], "exclude each other"),
    ],
)
def test_bad_settings_are_refused_with_what_to_fix(argv: list[str], complaint: str) -> None:
    args = _parse(*argv)
    with pytest.raises(UsageError, match=complaint):
        args.handler(args)


def test_an_unknown_fault_is_refused_before_any_run(
    monkeypatch: pytest.MonkeyPatch, wire_fault: FaultInfo
) -> None:
    monkeypatch.setattr(cli, "load_catalog", lambda: {wire_fault.name: wire_fault})
    monkeypatch.setattr(cli, "run_all", lambda *a, **k: pytest.fail("a run started despite a bad fault name"))
    args = _parse("--faults", "no-such-fault")
    with pytest.raises(UsageError, match="unknown fault\\(s\\): no-such-fault"):
        args.handler(args)


def test_every_test_is_the_default_selection_and_quick_is_opt_in() -> None:
    assert _parse().quick is False
    assert _parse("--quick").quick is True


def test_an_unknown_catalog_fault_ends_the_command_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["selfcheck", "--faults", "add-answers-201,no-such-fault"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.splitlines() == [
        "dialer-suite: error: unknown fault(s): no-such-fault (list them with: dialer-suite faults)"
    ], err
