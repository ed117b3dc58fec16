"""The suite's settings: layers (file < environment < options), defaults that depend on the
target, one-line errors naming what the person wrote, masked token, loopback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dialer_suite.config.settings import (
    EMBEDDED_JOB_TIMEOUT,
    TARGET_JOB_TIMEOUT,
    is_loopback,
    load_settings,
)
from dialer_suite.config.simulator import EMBEDDED_RATE_LIMIT, VENDOR_RATE_LIMIT
from dialer_suite.errors import UsageError

REMOTE = "https://acme.example.com/apps/api/v1"
LOCAL = "http://127.0.0.1:8080/apps/api/v1"


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
        "[tool.dialer-suite]\nmissing-campaign-id = 77\n\n[tool.dialer-suite.simulator]\nport = 9\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    # The simulator's table belongs to `dialer-suite serve`: the suite neither reads nor refuses it.
    assert load_settings(environ={}).missing_campaign_id == 77


def test_the_file_named_by_dialer_config_is_read(tmp_path: Path) -> None:
    path = _config(tmp_path, "[tool.dialer-suite]\nmax-examples = 3\n")
    assert load_settings(environ={"DIALER_CONFIG": str(path)}).max_examples == 3


def test_a_named_config_file_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        load_settings(environ={"DIALER_CONFIG": str(tmp_path / "nowhere.toml")})


def test_the_embedded_simulators_settings_are_file_keys_of_the_suites_table(tmp_path: Path) -> None:
    path = _config(tmp_path, "simulator_faults = ['list-skips-auth']\nsimulator-rate-limit = 50\n"
                             "simulator_assume = {job-counts = 'none'}\n")
    settings = load_settings(environ={}, config_path=path)
    assert settings.simulator.faults == ("list-skips-auth",)
    assert settings.simulator.assume == {"job-counts": "none"}
    assert settings.simulator.rate_limit == settings.pace == 50.0


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"DIALER_CAMPAIGN_ID": "seven"}, "DIALER_CAMPAIGN_ID"),
        ({"DIALER_BASE_URL": "ftp://host/x"}, "http(s) URL"),
        ({"DIALER_BASE_URL": REMOTE}, "DIALER_API_TOKEN"),
        ({"DIALER_ALLOW_WRITES": "maybe"}, "DIALER_ALLOW_WRITES"),
        ({"DIALER_RATE_LIMIT": "-3"}, "DIALER_RATE_LIMIT"),
        ({"DIALER_RATE_LIMIT": "off"}, "DIALER_RATE_LIMIT"),
        ({"DIALER_SIMULATOR_RATE_LIMIT": "0"}, "DIALER_SIMULATOR_RATE_LIMIT"),
        ({"DIALER_PHONE_RANGE": "555"}, "DIALER_PHONE_RANGE"),
        ({"DIALER_OTHER_CAMPAIGN_ID": "1"}, "three different campaigns"),
        ({"DIALER_CAMPAIGN_ID": ""}, "DIALER_CAMPAIGN_ID"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(environ: dict[str, str], named: str) -> None:
    with pytest.raises(UsageError) as raised:
        load_settings(environ=environ, config_path=None)
    message = str(raised.value)
    assert named in message and "\n" not in message


def test_a_blank_variable_of_an_optional_setting_means_not_set() -> None:
    settings = load_settings(environ={"DIALER_SEED": "", "DIALER_MAX_BODY_BYTES": "",
                                      "DIALER_SIM_FAULTS": ""})
    assert settings.embedded and settings.seed is None and settings.max_body_bytes is None
    assert settings.simulator.faults == ()


@pytest.mark.parametrize("blank", ["", " "])
def test_a_base_url_set_but_blank_is_refused_not_taken_for_the_embedded_simulator(blank: str) -> None:
    with pytest.raises(UsageError) as raised:
        load_settings(environ={"DIALER_BASE_URL": blank}, config_path=None)
    assert str(raised.value).startswith("DIALER_BASE_URL is set but blank; give the target's base URL")


def test_a_base_url_carrying_credentials_is_refused() -> None:
    with pytest.raises(UsageError, match="must not carry credentials") as raised:
        load_settings(environ={"DIALER_BASE_URL": "https://acme:s3cret@vendor.test/apps/api/v1",
                               "DIALER_API_TOKEN": "t"}, config_path=None)
    assert "s3cret" not in str(raised.value)


def test_a_tenant_run_sizes_the_large_import_for_the_tenant_and_keeps_bursts_opt_in() -> None:
    tenant = load_settings(environ={"DIALER_BASE_URL": "http://127.0.0.1:9/apps/api/v1"}, config_path=None)
    embedded = load_settings(environ={}, config_path=None)
    assert (tenant.large_import_size, embedded.large_import_size) == (105, 1000)
    assert not tenant.rate_limit_tests_allowed and embedded.rate_limit_tests_allowed
    assert (tenant.target_name, embedded.target_name) == ("127.0.0.1:9", "the embedded simulator")


def test_unknown_key_in_a_config_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"unknown setting.*campain_id"):
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
    settings = load_settings(environ={"DIALER_BASE_URL": REMOTE, "DIALER_API_TOKEN": "t"})
    reason = settings.refuse_writes_reason()
    assert reason is not None and "DIALER_ALLOW_WRITES=1" in reason and "--allow-writes" in reason


def test_writes_to_a_remote_host_can_be_allowed() -> None:
    settings = load_settings(environ={
        "DIALER_BASE_URL": REMOTE, "DIALER_API_TOKEN": "t", "DIALER_ALLOW_WRITES": "1",
    })
    assert settings.refuse_writes_reason() is None


def test_a_given_target_is_paced_at_the_vendors_limit_and_waits_longer_for_jobs() -> None:
    settings = load_settings(environ={"DIALER_BASE_URL": REMOTE, "DIALER_API_TOKEN": "t"})
    assert (settings.pace, settings.job_timeout) == (VENDOR_RATE_LIMIT, TARGET_JOB_TIMEOUT)


def test_a_loopback_target_needs_no_token_and_gets_the_target_defaults() -> None:
    settings = load_settings({"base_url": LOCAL}, environ={})
    assert (settings.pace, settings.job_timeout) == (VENDOR_RATE_LIMIT, TARGET_JOB_TIMEOUT)


def test_embedded_runs_allow_writes_and_pace_at_the_simulator_limit() -> None:
    settings = load_settings(environ={})
    assert settings.embedded and settings.writes_allowed
    assert settings.pace == settings.simulator.rate_limit == EMBEDDED_RATE_LIMIT
    assert settings.job_timeout == EMBEDDED_JOB_TIMEOUT
    raised = load_settings(environ={"DIALER_SIMULATOR_RATE_LIMIT": "300"})
    assert raised.pace == raised.simulator.rate_limit == 300.0


def test_a_pace_or_job_timeout_given_wins_over_the_target_defaults() -> None:
    settings = load_settings({"pace": "4", "base_url": REMOTE},
                             environ={"DIALER_API_TOKEN": "t", "DIALER_JOB_TIMEOUT": "30"})
    assert (settings.pace, settings.job_timeout) == (4.0, 30.0)


def test_the_contract_command_ends_a_bad_setting_with_one_line_and_exit_2(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "dialer_suite.cli", "contract", "--base-url", "ftp://host/x", "-m", "quick"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 2, completed.stdout + completed.stderr
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "--base-url" in lines[0] and "http(s) URL" in lines[0], completed.stderr
    assert "Traceback" not in completed.stdout + completed.stderr


def test_an_unknown_fault_for_the_embedded_simulator_is_one_line_naming_its_variable(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIALER_")}
    completed = subprocess.run(
        [sys.executable, "-m", "dialer_suite.cli", "contract", "-m", "quick"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={**env, "DIALER_SIM_FAULTS": "no-such-fault"},
    )
    assert completed.returncode == 2, completed.stdout + completed.stderr
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "DIALER_SIM_FAULTS: unknown fault(s) no-such-fault" in lines[0], lines
