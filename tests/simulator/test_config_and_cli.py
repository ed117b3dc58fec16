"""Settings and the two commands: bad values are one-line UsageErrors, never tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from dialer_suite.cli import main
from dialer_suite.errors import UsageError
from dialer_suite.simulator.config import SimulatorConfig, parse_rate_limit, with_environment


@pytest.mark.parametrize(("text", "rate"), [("off", None), ("10", 10.0), ("2.5", 2.5)])
def test_rate_limit_accepts_off_or_a_positive_number(text: str, rate: float | None) -> None:
    assert parse_rate_limit(text) == rate


@pytest.mark.parametrize("text", ["-1", "fast", "nan", "inf"])
def test_rate_limit_refuses_anything_else(text: str) -> None:
    with pytest.raises(UsageError):
        parse_rate_limit(text)


@pytest.mark.parametrize("changes", [{"campaigns": ()}, {"username": "a:b"}, {"token": ""}, {"port": 70000}])
def test_impossible_settings_are_usage_errors(changes: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        SimulatorConfig(**changes)  # type: ignore[arg-type]


def test_environment_sets_credentials_and_adds_faults() -> None:
    config = with_environment(
        SimulatorConfig(faults=("slow-responses",)),
        {"DIALER_SIM_USERNAME": "t", "DIALER_SIM_TOKEN": "s", "DIALER_SIMULATOR_FAULTS": "list-skips-auth, "},
    )
    assert (config.username, config.token) == ("t", "s")
    assert config.faults == ("slow-responses", "list-skips-auth")


def test_config_survives_the_trip_to_the_server_process() -> None:
    config = SimulatorConfig(campaigns=(4, 5), faults=("slow-responses",), rate_limit=None)
    assert SimulatorConfig.from_json(config.to_json()) == config


def test_token_never_appears_in_the_repr() -> None:
    assert "s3cret" not in repr(SimulatorConfig(token="s3cret"))


def test_faults_command_lists_every_fault_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["faults", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {"name", "kind", "operations", "summary", "speed"} <= set(listed[0])


def test_serve_with_an_unknown_fault_is_one_line_listing_the_valid_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["serve", "--fault", "no-such-fault"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "list-truncated-at-50" in error


def test_listing_into_a_closed_pipe_ends_quietly() -> None:
    # ``dialer-suite faults | head -1``: the reader is gone before we write; no traceback, exit 0.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "dialer_suite.cli", "faults"],
            stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=60,
        )
    finally:
        os.close(write_end)
    assert completed.returncode == 0, completed.stderr
    assert "Traceback" not in completed.stderr, completed.stderr
