"""Switches belong to the app: each simulator plays its own faults and readings, whatever else runs.

``create_app`` makes the app's ``Switches`` from its config; nothing reads a
switch from anywhere else, so two simulators in one process answer each their
own way, request after request, and no test needs to reset anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dialer_suite.errors import UsageError
from dialer_suite.simulator.switches import Switches

_FAULT = "record-id-as-string"  # a wire fault: listed records carry their id as a string
_CHOICES = {"add-returns-id": "no-id", "job-counts": "none"}


def test_two_simulators_in_one_process_each_play_their_own_faults_and_readings(
    make_api: Any, tmp_path: Path,
) -> None:
    broken = make_api(faults=(_FAULT,), assume=_CHOICES, db_path=str(tmp_path / "broken.db"))
    clean = make_api(db_path=str(tmp_path / "clean.db"))
    for round_ in range(3):
        for api, as_documented in ((broken, False), (clean, True)):
            phone = f"+1201555{round_:02d}{int(as_documented):02d}"
            added = api.add({"phone_number": phone})
            assert added.status_code == 200, api.describe(added)
            assert ("id" in added.json()["valid_contacts"][0]) is as_documented, api.describe(added)
            listed = api.list()
            ids = {type(item["id"]) for item in listed.json()}
            assert ids == ({int} if as_documented else {str}), api.describe(listed)
    for api, as_documented in ((broken, False), (clean, True)):
        # The job runs on the app's worker thread, which plays the app's switches too.
        job = api.finished_job(api.import_file([{"phone_number": "+12015550199"}]).json()["id"])
        assert job["status"] == "completed" and ("total_contacts" in job) is as_documented, job


def test_each_simulator_lists_its_own_switches_on_health(make_client: Any, tmp_path: Path) -> None:
    apps = (make_client(faults=(_FAULT,), assume=_CHOICES, db_path=str(tmp_path / "broken.db")),
            make_client(db_path=str(tmp_path / "clean.db")))
    broken, clean = (app.get("/_simulator/health").json() for app in apps)
    assert broken["faults"] == [_FAULT] and clean["faults"] == []
    assert {key: broken["assumptions"][key] for key in _CHOICES} == _CHOICES
    assert clean["assumptions"] == Switches().every_choice()


def test_a_fault_asked_for_applies_only_to_the_operations_it_declares() -> None:
    switches = Switches(faults=("list-skips-auth",))
    assert switches.fault("list-skips-auth")
    assert switches.fault_for("list-skips-auth", "listContacts")
    assert not switches.fault_for("list-skips-auth", "addContact")
    assert not Switches().fault("list-skips-auth")


def test_switches_with_a_fault_nobody_declared_are_a_usage_error_listing_the_valid_ones() -> None:
    with pytest.raises(UsageError, match="list-truncated-at-50"):
        Switches(faults=("no-such-fault",))


def test_asking_for_a_fault_nobody_declared_is_a_bug() -> None:
    with pytest.raises(KeyError):
        Switches().fault("never-declared")


def test_switches_cannot_be_changed_once_made() -> None:
    switches = Switches(faults=(_FAULT,), choices=_CHOICES)
    with pytest.raises(AttributeError):
        switches.faults = frozenset()  # type: ignore[misc]
    with pytest.raises(TypeError):
        switches.choices["job-counts"] = "counts"  # type: ignore[index]
