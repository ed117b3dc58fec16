"""The ``load`` command's own arguments, and what stays out of the command's process."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dialer_suite.errors import UsageError
from dialer_suite.load.cli import parse_duration
from dialer_suite.load.profiles import PROFILE_NAMES, Request, build_plan
from dialer_suite.load.runner import load_tests_dir, locustfile_for


@pytest.mark.parametrize(("text", "seconds"), [("90", 90.0), ("90s", 90.0), ("2.5m", 150.0), ("2h", 7200.0)])
def test_durations_take_seconds_minutes_or_hours(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5 days", "-3s", "1e3"])
def test_a_malformed_duration_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match="--duration"):
        parse_duration(text)


@pytest.mark.parametrize("profile", PROFILE_NAMES)
def test_every_profile_runs_a_shipped_locustfile(profile: str) -> None:
    assert locustfile_for(build_plan(Request(profile), rate_ceiling=None).scenario).is_file()


def test_an_unknown_scenario_lists_every_locustfile() -> None:
    known = "add_contact, import_contacts, import_while_dialing, list_contacts, mix"
    with pytest.raises(UsageError, match=known):
        locustfile_for("nosuch")


def test_load_tests_holds_locustfiles_only() -> None:
    """Every .py file there is a scenario: user classes and the shape; the glue lives in the package."""
    for path in load_tests_dir().glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "from dialer_suite.load.locust import" in text and "PlanShape" in text, path


def test_the_command_side_of_the_load_suite_never_imports_locust() -> None:
    """locust monkey-patches the process with gevent: only locust processes may import
    ``dialer_suite.load.locust``; every other module of the package stays free of it."""
    code = """
import importlib, pkgutil, sys
import dialer_suite.cli, dialer_suite.load
plain = [m.name for m in pkgutil.iter_modules(dialer_suite.load.__path__) if not m.ispkg]
assert "runner" in plain and "locust" not in plain, plain
for name in plain:
    importlib.import_module("dialer_suite.load." + name)
dialer_suite.cli.build_parser()
loaded = [m for m in sys.modules if m.split(".")[0] in ("locust", "gevent")]
assert not loaded, loaded
"""
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
