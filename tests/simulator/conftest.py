"""Fixtures for the simulator's own tests.

Layered by scope: most tests talk to an in-process app through Starlette's test
client (a fresh database each, milliseconds to set up); the few that need a
real process (signals, concurrency, schemathesis) share one started simulator
per module or start their own.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
from starlette.testclient import TestClient

from dialer_suite.simulator import SimulatorConfig
from dialer_suite.simulator.app import create_app

API = "/apps/api/v1/outbound_dialer/campaigns"
AUTH = ("acme", "dev-token")
# Starlette's TestClient is built on httpx2, a started simulator is read with httpx.
Reply = httpx.Response | httpx2.Response


def describe(response: Reply) -> str:
    """The request and the response, for assertion messages."""
    request = response.request
    body = request.content[:500].decode("utf-8", "replace") if request.content else ""
    return (
        f"\n> {request.method} {request.url}\n> {body}\n"
        f"< {response.status_code} {dict(response.headers)}\n< {response.text[:1000]}"
    )


class Api:
    """The six operations against one app, authenticated, with campaign 1 by default."""

    prefix = API
    auth = AUTH
    describe = staticmethod(describe)

    def __init__(self, client: httpx.Client | TestClient) -> None:
        self.client = client

    def add(self, contact: Any, campaign: int = 1, **kwargs: Any) -> Reply:
        return self.client.post(f"{API}/{campaign}/contacts", json=contact, auth=AUTH, **kwargs)

    def list(self, campaign: int = 1, **params: Any) -> Reply:
        return self.client.get(f"{API}/{campaign}/contacts", params=params, auth=AUTH)

    def update(self, body: Any, campaign: int = 1) -> Reply:
        return self.client.patch(f"{API}/{campaign}/contact", json=body, auth=AUTH)

    def delete(self, body: Any, campaign: int = 1) -> Reply:
        return self.client.request("DELETE", f"{API}/{campaign}/contact", json=body, auth=AUTH)

    def import_file(self, content: Any, campaign: int = 1) -> Reply:
        data = content if isinstance(content, bytes) else json.dumps(content).encode()
        files = {"file": ("contacts.json", data, "application/json")}
        return self.client.post(f"{API}/{campaign}/contacts/import", files=files, auth=AUTH)

    def job(self, job_id: int, campaign: int = 1) -> Reply:
        return self.client.get(f"{API}/{campaign}/contacts/jobs/{job_id}", auth=AUTH)

    def finished_job(self, job_id: int, campaign: int = 1, timeout: float = 20.0) -> dict[str, Any]:
        """Poll a job until it leaves ``in_progress`` (bounded); its last body."""
        deadline = time.monotonic() + timeout
        while True:
            response = self.job(job_id, campaign)
            assert response.status_code == 200, describe(response)
            body: dict[str, Any] = response.json()
            if str(body["status"]).lower() != "in_progress" or time.monotonic() > deadline:
                return body
            time.sleep(0.02)

    def added_id(self, phone: str, campaign: int = 1, **fields: str) -> int:
        """Add a contact that must be accepted; its id."""
        response = self.add({"phone_number": phone, **fields}, campaign)
        assert response.status_code == 200 and response.json()["valid_contacts"], describe(response)
        contact_id: int = response.json()["valid_contacts"][0]["id"]
        return contact_id


@pytest.fixture
def sim_config(tmp_path: Path) -> SimulatorConfig:
    """A config for one in-process app: its own database, no rate limit, jobs visible at once."""
    return SimulatorConfig(db_path=str(tmp_path / "sim.db"), rate_limit=None, min_job_seconds=0.0)


@pytest.fixture
def make_client(sim_config: SimulatorConfig) -> Iterator[Any]:
    """Build an in-process client with some settings changed; closed after the test."""
    clients: list[TestClient] = []

    def make(**changes: Any) -> TestClient:
        app = create_app(dataclasses.replace(sim_config, **changes))
        # Server errors come back as 500 responses, as from a real server, so tests can see them.
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def make_api(make_client: Any) -> Any:
    """``make_api(**config_changes)``: an ``Api`` on an app with those settings."""

    def make(**changes: Any) -> Api:
        return Api(make_client(**changes))

    return make


@pytest.fixture
def api(make_api: Any) -> Api:
    return make_api()
