"""Where the plugin keeps the session's settings and report, for fixtures and test modules.

Separate from the plugin module so that conftest and test modules can import
it without importing the plugin before pytest registers it (pytest would then
warn that it cannot rewrite the plugin's assertions).
"""

from __future__ import annotations

import functools

import pytest

from dialer_suite.api.testdata import PhoneFactory
from dialer_suite.config.settings import Settings
from dialer_suite.contract.data_policy import DataPolicy
from dialer_suite.contract.report import RunReport
from dialer_suite.contract.rundata import RunPhones
from dialer_suite.http.availability import Availability

SETTINGS_KEY = pytest.StashKey[Settings]()
REPORT_KEY = pytest.StashKey[RunReport]()
# Contacts of a generated import file at most, on a tenant (each costs a DELETE at the end).
_TENANT_FILE_CONTACTS = 3
# Set in pytest_configure; schemathesis needs the seed when test modules are imported.
_CURRENT: list[Settings] = []


def remember(config: pytest.Config, settings: Settings, report: RunReport) -> None:
    config.stash[SETTINGS_KEY] = settings
    config.stash[REPORT_KEY] = report
    _CURRENT[:] = [settings]


def current_settings() -> Settings:
    """The settings of the running session, for test modules that build objects at import."""
    if not _CURRENT:
        raise RuntimeError("the dialer-suite plugin is not configured (load contract_tests/conftest.py)")
    return _CURRENT[0]


@functools.cache
def run_phones(run_id: str) -> RunPhones:
    """The run's one source of numbers: scenarios and generated requests never share one."""
    settings = current_settings()
    # Real-looking numbers only for the simulator the suite starts: a tenant on loopback may be
    # a tunnel to a real one, whose dialer calls what it is given.
    factory = PhoneFactory(run_id, extra=settings.phone_range, allow_possible=settings.embedded,
                           more_numbers=Settings.declared("phone_range").how())
    return RunPhones(factory, run_id)


@functools.cache
def run_policy(run_id: str) -> DataPolicy:
    """The run's rules for generated requests (needed at collection: schemathesis builds
    its coverage cases then)."""
    settings = current_settings()
    # Generated requests go to our campaign or the missing one. The other campaign
    # is for the isolation scenarios (and holds the large imports, which would make
    # every read-back of a generated write page through thousands of contacts).
    return DataPolicy(run_id, run_phones(run_id), (settings.campaign_id, settings.missing_campaign_id),
                      max_file_contacts=None if settings.embedded else _TENANT_FILE_CONTACTS)


def session_settings(config: pytest.Config) -> Settings:
    return config.stash[SETTINGS_KEY]


def session_report(config: pytest.Config) -> RunReport:
    return config.stash[REPORT_KEY]


def session_availability(config: pytest.Config) -> Availability:
    """The target's availability, shared by every sender of the run (the plugin makes it)."""
    availability = config.stash[REPORT_KEY].availability
    assert availability is not None, "the plugin gives the run report its availability"
    return availability
