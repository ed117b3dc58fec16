"""The simulator as a process: graceful SIGTERM, SIGKILL mid-import, concurrent imports.

These start real simulator processes (``start_simulator``) on their own
databases, because signals and concurrency are what they test.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from dialer_suite.api.testdata import PhoneFactory, make_contacts
from dialer_suite.simulator import SimulatorConfig, SimulatorHandle, start_simulator

CAMPAIGN = "/outbound_dialer/campaigns/1"
_TERMINAL = ("completed", "failed")


class _Client:
    """An authenticated client of one simulator process."""

    def __init__(self, handle: SimulatorHandle) -> None:
        self.http = httpx.Client(
            base_url=handle.base_url, auth=(handle.username, handle.token), timeout=60.0
        )

    def import_file(self, contacts: list[dict[str, Any]]) -> int:
        files = {"file": ("contacts.json", json.dumps(contacts).encode(), "application/json")}
        response = self.http.post(f"{CAMPAIGN}/contacts/import", files=files)
        assert response.status_code == 202, response.text
        job_id: int = response.json()["id"]
        return job_id

    def job_when_done(self, job_id: int, timeout: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            body: dict[str, Any] = self.http.get(f"{CAMPAIGN}/contacts/jobs/{job_id}").json()
            if body["status"] in _TERMINAL:
                return body
            time.sleep(0.05)
        raise AssertionError(f"job {job_id} still {body['status']} after {timeout} s")

    def phones(self) -> list[str]:
        response = self.http.get(f"{CAMPAIGN}/contacts")
        assert response.status_code == 200, response.text
        return [item["phone_number"] for item in response.json()]


@pytest.fixture
def config(tmp_path: Path) -> SimulatorConfig:
    return SimulatorConfig(db_path=str(tmp_path / "sim.db"), rate_limit=None, min_job_seconds=0.0)


@pytest.fixture
def simulator(config: SimulatorConfig) -> Iterator[SimulatorHandle]:
    handle = start_simulator(config)
    yield handle
    handle.kill()


def test_sigterm_lets_the_request_in_flight_finish_and_keeps_its_write(config: SimulatorConfig) -> None:
    handle = start_simulator(dataclasses.replace(config, latency_ms=1500))
    results: list[httpx.Response] = []
    request = threading.Thread(
        target=lambda: results.append(
            _Client(handle).http.post(f"{CAMPAIGN}/contacts", json={"phone_number": "+12015550180"})
        )
    )
    request.start()
    time.sleep(0.5)  # the request is now inside its 1.5 s latency
    # uvicorn re-raises the signal after its graceful shutdown, so the exit status names it.
    assert handle.stop() in (0, -signal.SIGTERM)
    request.join(30)
    assert [response.status_code for response in results] == [200]
    restarted = start_simulator(config)
    try:
        assert _Client(restarted).phones() == ["+12015550180"]
    finally:
        restarted.stop()


@pytest.mark.slow
def test_sigkill_during_an_import_never_leaves_half_a_file(config: SimulatorConfig) -> None:
    factory = PhoneFactory(seed="kill", allow_possible=True)
    earlier = make_contacts("early", factory.take(100))
    big = make_contacts("big", factory.take(50_000))
    handle = start_simulator(config)
    client = _Client(handle)
    assert client.job_when_done(client.import_file(earlier))["status"] == "completed"
    job_id = client.import_file(big)
    time.sleep(0.1)
    handle.kill()

    restarted = start_simulator(config)
    try:
        client = _Client(restarted)
        job = client.job_when_done(job_id)
        phones = set(client.phones())
        imported = len(phones & {contact["phone_number"] for contact in big})
        assert {contact["phone_number"] for contact in earlier} <= phones
        assert imported == (len(big) if job["status"] == "completed" else 0), job
    finally:
        restarted.stop()


@pytest.mark.slow
def test_ten_concurrent_imports_of_ten_thousand_put_every_contact_in_exactly_once(
    simulator: SimulatorHandle,
) -> None:
    phones = PhoneFactory(seed="concurrent", allow_possible=True).take(100_000)
    files = [make_contacts(f"f{i}", phones[i * 10_000:(i + 1) * 10_000]) for i in range(10)]
    job_ids: list[int] = []
    lock = threading.Lock()

    def post(contacts: list[dict[str, Any]]) -> None:
        job_id = _Client(simulator).import_file(contacts)
        with lock:
            job_ids.append(job_id)

    threads = [threading.Thread(target=post, args=(contacts,)) for contacts in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    client = _Client(simulator)
    jobs = [client.job_when_done(job_id) for job_id in job_ids]
    assert [job["status"] for job in jobs] == ["completed"] * 10, jobs
    listed = Counter(client.phones())
    assert len(listed) == 100_000 and set(listed.values()) == {1}
    assert set(listed) == set(phones)


def test_simulator_exits_by_itself_when_the_process_that_started_it_dies() -> None:
    starter = (
        "import os; from dialer_suite.simulator import start_simulator; "
        "print(start_simulator().pid, flush=True); os._exit(0)"
    )
    pid = int(subprocess.run([sys.executable, "-c", starter], capture_output=True, text=True,
                             check=True, timeout=60).stdout)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.1)
    assert not _alive(pid), f"orphaned simulator {pid} is still running"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
