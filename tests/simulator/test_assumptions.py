"""The assumption registry and every way to switch it: code, settings layers, the command line.

The registry must cover exactly the spec's ``x-assumptions-index``, each id
with the assumed behaviour and at least one alternative; a bad id, choice or
profile is one plain line (exit 2 on the command line) that lists the valid
ones. What each choice does is tested in ``test_assumed_*.py``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from dialer_suite.api.spec import assumption_ids
from dialer_suite.cli import main
from dialer_suite.config.settings import load_settings
from dialer_suite.errors import UsageError
from dialer_suite.simulator import assumptions
from dialer_suite.simulator.config import (
    SimulatorConfig,
    load_simulator_config,
)
from dialer_suite.simulator.embedded import embedded_config
from dialer_suite.simulator.switches import Switches

CATALOG = assumptions.catalog()


def test_the_registry_covers_exactly_the_spec_index() -> None:
    assert set(CATALOG) == set(assumption_ids())


@pytest.mark.parametrize("assumption_id", sorted(CATALOG))
def test_each_assumption_has_the_default_first_and_a_lean_alternative(assumption_id: str) -> None:
    item = CATALOG[assumption_id]
    assert len(item.choices) >= 2
    assert next(iter(item.choices)) == item.default
    assert item.lean in item.choices and item.lean != item.default
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name) for name in item.choices)
    assert all(description and "\n" not in description for description in item.choices.values())
    assert item.module.startswith("dialer_suite.simulator.")


def test_nothing_is_played_but_the_defaults_unless_asked() -> None:
    assert Switches().every_choice() == {i: item.default for i, item in CATALOG.items()}


@pytest.mark.parametrize(
    ("mapping", "listed"),
    [({"no-such-id": "x"}, "job-id-location"), ({"job-id-location": "nowhere"}, "location-only")],
    ids=["id", "choice"],
)
def test_an_unknown_id_or_choice_is_one_line_listing_the_valid_ones(
    mapping: dict[str, str], listed: str
) -> None:
    with pytest.raises(UsageError) as raised:
        assumptions.validate(mapping)
    assert listed in str(raised.value) and "\n" not in str(raised.value)


def test_switches_play_the_choices_asked_and_the_default_of_every_other_id() -> None:
    switches = Switches(choices={"job-counts": "none"})
    assert switches.choice("job-counts") == "none"
    assert switches.choice("auth-401") == "401-challenge"


def test_switches_with_a_choice_nobody_declared_are_a_usage_error() -> None:
    with pytest.raises(UsageError, match="valid choices: counts, none"):
        Switches(choices={"job-counts": "some"})


def test_an_id_nobody_declared_is_a_bug() -> None:
    with pytest.raises(KeyError):
        Switches().choice("never-declared")


def test_declaring_an_id_again_differently_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        assumptions.register_assumption("job-counts", "counts", {"counts": "a", "none": "b"},
                                        lean="none")


def test_the_lean_profile_plays_an_alternative_everywhere_and_assume_wins_over_it() -> None:
    lean = assumptions.resolve("lean", {})
    assert lean == {i: item.lean for i, item in CATALOG.items()}
    played = assumptions.resolve("lean", {"job-id-location": "x-job-id"})
    assert played["job-id-location"] == "x-job-id" and played["job-counts"] == "none"


# -- SimulatorConfig and the settings layers ----------------------------------------------


def test_a_config_built_in_code_plays_its_choices() -> None:
    config = SimulatorConfig(assume={"job-id-location": "location-only"})
    assert config.choices == {"job-id-location": "location-only"}
    assert SimulatorConfig(vendor_profile="lean").choices["add-returns-id"] == "no-id"


@pytest.mark.parametrize(
    "changes",
    [{"assume": {"job-id-location": "nowhere"}}, {"assume": {"nope": "x"}}, {"assume": "a"},
     {"assume": {"job-counts": 3}}, {"vendor_profile": "fat"}],
    ids=["choice", "id", "no-pair", "not-text", "profile"],
)
def test_a_bad_choice_or_profile_in_code_is_a_one_line_usage_error(changes: dict[str, Any]) -> None:
    with pytest.raises(UsageError) as raised:
        SimulatorConfig(**changes)
    assert "\n" not in str(raised.value)


def test_choices_survive_the_trip_to_the_server_process() -> None:
    config = SimulatorConfig(assume={"job-counts": "none", "auth-401": "403"}, vendor_profile="lean")
    assert SimulatorConfig.from_json(config.to_json()) == config
    assert json.loads(config.to_json())["assume"] == {"auth-401": "403", "job-counts": "none"}


def test_a_config_stays_hashable() -> None:
    assert hash(SimulatorConfig(assume={"job-counts": "none"})) == hash(SimulatorConfig())


def test_the_command_line_wins_over_the_environment_which_wins_over_the_file(tmp_path: Path) -> None:
    config_file = tmp_path / "dialer.toml"
    config_file.write_text(
        '[simulator]\nvendor-profile = "lean"\nassume = {"job-counts" = "none", "auth-401" = "403"}\n',
        encoding="utf-8",
    )
    environ = {"DIALER_SIM_ASSUME": "auth-401=401-bare, list-pagination=no-total"}
    from_env = load_simulator_config(environ=environ, config_path=config_file)
    assert from_env.assume == {"auth-401": "401-bare", "list-pagination": "no-total"}
    assert from_env.vendor_profile == "lean"
    given = {"assume": ["auth-401=403-wrong"], "vendor_profile": None}
    config = load_simulator_config(given, environ=environ, config_path=config_file)
    assert config.assume == {"auth-401": "403-wrong"}
    # The profile still plays every id the command line does not name.
    assert config.choices["auth-401"] == "403-wrong" and config.choices["job-counts"] == "none"


def test_a_bad_choice_in_the_environment_names_the_variable_on_one_line() -> None:
    with pytest.raises(UsageError) as raised:
        load_simulator_config(environ={"DIALER_SIM_ASSUME": "job-counts=few"})
    assert "DIALER_SIM_ASSUME" in str(raised.value) and "counts, none" in str(raised.value)
    assert "\n" not in str(raised.value)


def test_an_embedded_simulator_takes_its_choices_from_the_suites_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no pyproject.toml here: only the environment counts
    environ = {"DIALER_SIM_ASSUME": "job-id-location=x-job-id", "DIALER_SIM_VENDOR_PROFILE": "lean",
               "DIALER_SIM_PORT": "not a port"}  # the suite's own settings decide the port
    config = embedded_config(load_settings(environ=environ), rate_limit=None)
    assert config.choices["job-id-location"] == "x-job-id" and config.vendor_profile == "lean"


# -- the command line ---------------------------------------------------------------------


def test_list_assumptions_shows_every_choice_the_default_and_the_lean_pick(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["serve", "--list-assumptions"]) == 0
    out = capsys.readouterr().out
    for assumption_id, item in CATALOG.items():
        assert f"{assumption_id}: {assumption_ids()[assumption_id]}" in out
        for name, description in item.choices.items():
            assert re.search(rf"^  {re.escape(name)}( \(.*\))? +{re.escape(description)}$", out, re.M)
        assert re.search(rf"^  {re.escape(item.default)} \(default\)", out, re.M)
        assert re.search(rf"^  {re.escape(item.lean)} \(lean\)", out, re.M)


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["--assume", "job-id-location=nowhere"], "location-only"),
        (["--assume", "no-such-id=x"], "job-id-location"),
        (["--assume", "job-id-location"], "ID=CHOICE"),
        (["--vendor-profile", "fat"], "lean"),
    ],
    ids=["choice", "id", "no-pair", "profile"],
)
def test_serve_with_a_bad_choice_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], named: str
) -> None:
    assert main(["serve", "--port", "0", *argv]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and named in error, error


@pytest.fixture
def served_lean(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """``dialer-suite serve --vendor-profile lean --assume ...`` as a user starts it: the start
    line and the root URL; stopped with SIGTERM."""
    process = subprocess.Popen(
        [sys.executable, "-m", "dialer_suite.cli", "serve", "--port", "0", "--rate-limit", "off",
         "--vendor-profile", "lean", "--assume", "job-id-location=x-job-id"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path,
        # Replaced by --assume, as every option given replaces its variable.
        env={**os.environ, "DIALER_SIM_ASSUME": "job-counts=counts"},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"listening on (http://[\d.:]+)/apps/api/v1", line)
        assert match, line
        yield line, match.group(1)
    finally:
        process.terminate()
        process.wait(30)


def test_serve_shows_the_choices_played_on_its_start_line_and_in_health(
    served_lean: tuple[str, str],
) -> None:
    line, root = served_lean
    assert "job-id-location=x-job-id" in line and "add-returns-id=no-id" in line, line
    health = httpx.get(root + "/_simulator/health", timeout=10).json()
    assert health["faults"] == []
    assert health["assumptions"] == {
        **{i: item.lean for i, item in CATALOG.items()}, "job-id-location": "x-job-id",
    }
