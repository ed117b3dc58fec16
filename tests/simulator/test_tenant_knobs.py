"""The simulator plays a hosted tenant for the load suite's self-tests: latency per operation,
and an import speed (a job's contacts are listed only once the file's time has passed)."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from dialer_suite.errors import UsageError
from dialer_suite.simulator import SimulatorConfig
from dialer_suite.simulator.config import load_simulator_config


def _timed(call: Any) -> tuple[Any, float]:
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_one_operations_latency_slows_that_operation_only(make_api: Any) -> None:
    api = make_api(operation_latency_ms={"addContact": 300.0})
    added, add_seconds = _timed(lambda: api.add({"phone_number": "+1 201-555-0123"}))
    listed, list_seconds = _timed(lambda: api.list())
    assert added.status_code == 200 and listed.status_code == 200, api.describe(added)
    assert add_seconds >= 0.3 and list_seconds < 0.3, (add_seconds, list_seconds)


def test_a_jobs_contacts_are_listed_only_after_the_import_speed_allows(make_api: Any) -> None:
    api = make_api(import_rate=500.0)  # 200 contacts: 0.4 s
    contacts = [{"phone_number": f"+1201555{i:04d}"} for i in range(200)]
    posted = time.monotonic()
    accepted = api.import_file(contacts)
    assert accepted.status_code == 202, api.describe(accepted)
    job_id = accepted.json()["id"]
    assert api.job(job_id).json()["status"] == "in_progress"
    assert api.list().json() == []
    assert api.finished_job(job_id)["status"] == "completed"
    assert time.monotonic() - posted >= 0.4
    assert len(api.list().json()) == 200


def test_operation_latencies_come_from_the_environment_as_pairs() -> None:
    config = load_simulator_config(
        environ={"DIALER_SIM_OPERATION_LATENCY_MS": "addContact=1500, listContacts=20",
                 "DIALER_SIM_IMPORT_RATE": "2000"}
    )
    assert config.operation_latency_ms == {"addContact": 1500.0, "listContacts": 20.0}
    assert config.import_rate == 2000.0


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ({"addContacts": 5.0}, "names no operation of the spec: 'addContacts'"),
        ({"addContact": -1.0}, "at least 0"),
    ],
)
def test_a_latency_for_no_operation_or_below_zero_is_one_plain_line(
    value: dict[str, float], said: str
) -> None:
    with pytest.raises(UsageError, match=re.escape(said)):
        SimulatorConfig(operation_latency_ms=value)
