"""The top-level ``dialer-suite`` command speaks to users: its help, its version, its errors."""

from __future__ import annotations

from importlib.metadata import version

import pytest

from dialer_suite.cli import build_parser, main


def test_version_prints_the_installed_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"dialer-suite {version('dialer-suite')}"


def test_top_level_help_describes_the_tool_not_the_module(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--help"])
    shown = capsys.readouterr().out
    assert "Outbound Dialer" in shown and "``" not in shown and "module" not in shown


def test_a_missing_command_is_one_line_with_the_prefix_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    error = capsys.readouterr().err
    assert error.count("dialer-suite") == 1 and error.count("\n") == 1, error


@pytest.mark.parametrize("command", ["faults", "baseline"])
def test_every_command_has_a_description(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args([command, "--help"])
    usage_and_description = capsys.readouterr().out.split("\n\n")
    assert len(usage_and_description) > 2 and not usage_and_description[1].startswith(
        ("positional", "options")), usage_and_description[:2]
