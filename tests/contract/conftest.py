"""Self-tests of the contract library: a scriptable fake vendor on httpx.MockTransport."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from dialer_suite.contract.ledger import RunLedger
from dialer_suite.contract.report import RunReport
from dialer_suite.http.client import DialerClient
from dialer_suite.http.throttle import SpacedThrottle

BASE = "http://vendor.test/apps/api/v1"
USER, TOKEN = "acme", "s3cret-token-9d1e"

Handler = Callable[[httpx.Request], httpx.Response]


def json_response(status: int, body: Any, **headers: str) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(body).encode(),
                          headers={"Content-Type": "application/json", **headers})


def record(contact_id: int, **fields: Any) -> dict[str, Any]:
    """A full contact record as the spec declares it."""
    return {
        "id": contact_id, "name": "n", "campaign_id": 1, "assigned_call_id": None,
        "assigned_participant_id": None, "outbound_number": None, "priority": None,
        "created_at": "2024-08-05T14:51:49.000Z", "updated_at": "2024-08-05T14:51:49.000Z",
        "status": "Upcoming", "user_custom_metadata": {}, "phone_number": "+12015550123",
        "email": None, "external_unique_id": f"e{contact_id}", **fields,
    }


@pytest.fixture
def make_client() -> Iterator[Callable[[Handler], DialerClient]]:
    clients: list[DialerClient] = []

    def make(handler: Handler) -> DialerClient:
        client = DialerClient(
            BASE, USER, TOKEN, rate_limit=1e6, report=RunReport(RunLedger("r1")),
            transport=httpx.MockTransport(handler), throttle=SpacedThrottle(1e6),
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
