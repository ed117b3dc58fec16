"""Settings and the two commands: bad values are one-line UsageErrors, never tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dialer_suite.cli import main
from dialer_suite.errors import UsageError
from dialer_suite.simulator.config import SimulatorConfig, load_simulator_config


@pytest.mark.parametrize(("text", "rate"), [("off", None), ("10", 10.0), ("2.5", 2.5)])
def test_rate_limit_accepts_off_or_a_positive_number(text: str, rate: float | None) -> None:
    assert load_simulator_config({"rate_limit": text}, environ={}).rate_limit == rate


@pytest.mark.parametrize("text", ["-1", "fast", "nan", "inf"])
def test_rate_limit_refuses_anything_else(text: str) -> None:
    with pytest.raises(UsageError, match="--rate-limit"):
        load_simulator_config({"rate_limit": text}, environ={})


@pytest.mark.parametrize("changes", [{"campaigns": ()}, {"username": "a:b"}, {"token": ""}, {"port": 70000}])
def test_impossible_settings_are_usage_errors(changes: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        SimulatorConfig(**changes)  # type: ignore[arg-type]


def test_options_win_over_the_environment_which_wins_over_the_file(tmp_path: Path) -> None:
    config_file = tmp_path / "dialer.toml"
    config_file.write_text("[simulator]\nseed = 3\nlatency-ms = 5\nusername = 'file'\n", encoding="utf-8")
    config = load_simulator_config(
        {"seed": "9", "username": None},
        environ={"DIALER_SIM_USERNAME": "env", "DIALER_SIM_SEED": "7", "DIALER_SIM_TOKEN": "s",
                 "DIALER_SIM_FAULTS": "list-skips-auth, "},
        config_path=config_file,
    )
    assert (config.seed, config.username, config.latency_ms) == (9, "env", 5.0)
    assert (config.token, config.faults) == ("s", ("list-skips-auth",))


def test_a_bad_value_in_the_environment_is_one_line_naming_the_variable() -> None:
    with pytest.raises(UsageError) as raised:
        load_simulator_config(environ={"DIALER_SIM_CAMPAIGNS": "1,two"})
    assert "DIALER_SIM_CAMPAIGNS" in str(raised.value) and "\n" not in str(raised.value)


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
