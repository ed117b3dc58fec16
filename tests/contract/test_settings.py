"""Settings: layers (file < environment < options), one-line errors, masked token, loopback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dialer_suite.config.settings import VENDOR_RATE_LIMIT, is_loopback, load_settings
from dialer_suite.errors import UsageError


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "dialer.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_options_win_over_environment_which_wins_over_the_file(tmp_path: Path) -> None:
    path = _config(tmp_path, "campaign_id = 11\nother_campaign_id = 12\nusername = 'file'\n")
    settings = load_settings(
        {"campaign_id": "31"},
        environ={"DIALER_CAMPAIGN_ID": "21", "DIALER_USERNAME": "env"},
        config_path=path,
    )
    assert (settings.campaign_id, settings.username, settings.other_campaign_id) == (31, "env", 12)


def test_pyproject_table_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.dialer-suite]\nmissing-campaign-id = 77\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    assert load_settings(environ={}).missing_campaign_id == 77


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"DIALER_CAMPAIGN_ID": "seven"}, "DIALER_CAMPAIGN_ID"),
        ({"DIALER_BASE_URL": "ftp://host/x"}, "http(s) URL"),
        ({"DIALER_BASE_URL": "https://acme.example.com/apps/api/v1"}, "DIALER_API_TOKEN"),
        ({"DIALER_ALLOW_WRITES": "maybe"}, "DIALER_ALLOW_WRITES"),
        ({"DIALER_RATE_LIMIT": "-3"}, "DIALER_RATE_LIMIT"),
        ({"DIALER_PHONE_RANGE": "555"}, "phone range"),
        ({"DIALER_OTHER_CAMPAIGN_ID": "1"}, "three different campaigns"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(environ: dict[str, str], named: str) -> None:
    with pytest.raises(UsageError) as raised:
        load_settings(environ=environ, config_path=None)
    message = str(raised.value)
    assert named in message and "\n" not in message


def test_unknown_key_in_a_config_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown setting"):
        load_settings(environ={}, config_path=_config(tmp_path, "campain_id = 3\n"))


def test_token_never_shows_in_repr() -> None:
    settings = load_settings(environ={"DIALER_API_TOKEN": "tok-4f9a1c"})
    assert "tok-4f9a1c" not in repr(settings) and "tok-4f9a1c" not in str(settings)


@pytest.mark.parametrize(
    ("value", "loopback"),
    [
        ("http://127.0.0.1:8080/apps/api/v1", True),
        ("http://127.9.8.7/", True),
        ("http://[::1]:80/x", True),
        ("http://localhost:1/", True),
        ("https://acme.ccaiplatform.com/apps/api/v1", False),
        ("http://10.0.0.1/", False),
        ("::1", True),
        (None, False),
    ],
)
def test_loopback_detection(value: str | None, loopback: bool) -> None:
    assert is_loopback(value) is loopback


def test_writes_to_a_remote_host_are_refused_with_how_to_allow_them() -> None:
    settings = load_settings(environ={
        "DIALER_BASE_URL": "https://acme.example.com/apps/api/v1", "DIALER_API_TOKEN": "t",
    })
    reason = settings.refuse_writes_reason()
    assert reason is not None and "DIALER_ALLOW_WRITES" in reason and "--allow-writes" in reason
    assert settings.rate_limit == VENDOR_RATE_LIMIT


def test_writes_to_a_remote_host_can_be_allowed() -> None:
    settings = load_settings(environ={
        "DIALER_BASE_URL": "https://acme.example.com/apps/api/v1", "DIALER_API_TOKEN": "t",
        "DIALER_ALLOW_WRITES": "1",
    })
    assert settings.refuse_writes_reason() is None


def test_embedded_runs_allow_writes_and_pace_at_the_simulator_limit() -> None:
    settings = load_settings(environ={})
    assert settings.embedded and settings.writes_allowed
    assert settings.rate_limit == settings.simulator_rate_limit


def test_the_contract_command_ends_a_bad_setting_with_one_line_and_exit_2(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "dialer_suite.cli", "contract", "--base-url", "ftp://host/x", "-m", "quick"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 2, completed.stdout + completed.stderr
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "http(s) URL" in lines[0], completed.stderr
    assert "Traceback" not in completed.stdout + completed.stderr
