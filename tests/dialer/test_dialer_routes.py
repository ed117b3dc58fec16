"""The dialer's admin surface, and what update and delete do while a contact is dialed."""

from __future__ import annotations

import time
from typing import Any

import pytest
from starlette.testclient import TestClient

from dialer_suite.api import statuses as sm
from dialer_suite.api.testdata import FICTIONAL_OUTBOUND, fictional_blocks

API = "/apps/api/v1/outbound_dialer/campaigns"
AUTH = ("acme", "dev-token")
DIALER = "/_simulator/campaigns/{}/dialer"
# A call step that outlasts any test: a dialed contact stays ``Dialing``.
_FROZEN_CALL = {"time_scale": 1.0, "step_seconds": 3600.0, "skip": 0.0, "skip_and_close": 0.0}


def _add(client: TestClient, index: int, campaign: int = 1) -> int:
    phone = fictional_blocks()[0].number(index)
    contact = {"phone_number": phone, "outbound_number": FICTIONAL_OUTBOUND}
    response = client.post(f"{API}/{campaign}/contacts", json=contact, auth=AUTH)
    assert response.status_code == 200, response.text
    return int(response.json()["valid_contacts"][0]["id"])


def _status_of(client: TestClient, contact_id: int, campaign: int = 1) -> str:
    listed = client.get(f"{API}/{campaign}/contacts", auth=AUTH).json()
    return next(str(c["status"]) for c in listed if c["id"] == contact_id)


def _wait_for(client: TestClient, contact_id: int, status: str, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while _status_of(client, contact_id) != status:
        assert time.monotonic() < deadline, f"contact {contact_id} never reached {status!r}"
        time.sleep(0.01)


def _start(client: TestClient, settings: dict[str, Any], campaign: int = 1) -> dict[str, Any]:
    response = client.post(DIALER.format(campaign) + "/start", json=settings)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_new_campaign_dialer_is_paused(app_client: TestClient) -> None:
    body = app_client.get(DIALER.format(1)).json()
    assert body["state"] == "paused" and body["busy_lines"] == 0


def test_start_applies_the_settings_given(app_client: TestClient) -> None:
    body = _start(app_client, {"agents": 7, "seed": 3})
    assert body["state"] == "running"
    assert body["settings"]["agents"] == 7 and body["settings"]["seed"] == 3


def test_the_overview_lists_every_campaign(app_client: TestClient) -> None:
    assert app_client.get("/_simulator/dialers").json()["campaigns"] == [1, 2, 3]


def test_an_unknown_campaign_is_404(app_client: TestClient) -> None:
    response = app_client.post(DIALER.format(99) + "/start")
    assert response.status_code == 404 and response.json()["error"] == "campaign_not_found"


@pytest.mark.parametrize("body, status", [
    (b"{not json", 400),
    (b"[1, 2]", 422),
    (b'{"agents": 0}', 422),
    (b'{"warp": 9}', 422),
])
def test_bad_settings_are_a_4xx_that_says_what_to_fix(
    app_client: TestClient, body: bytes, status: int
) -> None:
    response = app_client.post(DIALER.format(1) + "/start", content=body)
    assert response.status_code == status, response.text
    assert response.json()["message"]


def test_the_dialer_picks_up_an_added_contact(app_client: TestClient) -> None:
    contact_id = _add(app_client, 0)
    _start(app_client, _FROZEN_CALL)
    _wait_for(app_client, contact_id, sm.DIALING)


def test_a_contact_being_dialed_cannot_be_updated(app_client: TestClient) -> None:
    contact_id = _add(app_client, 0)
    _start(app_client, _FROZEN_CALL)
    _wait_for(app_client, contact_id, sm.DIALING)
    response = app_client.patch(f"{API}/1/contact", json={"contact_id": contact_id, "name": "x"},
                                auth=AUTH)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "contact_in_call"


def test_a_contact_being_dialed_cannot_be_deleted(app_client: TestClient) -> None:
    contact_id = _add(app_client, 0)
    _start(app_client, _FROZEN_CALL)
    _wait_for(app_client, contact_id, sm.DIALING)
    response = app_client.request("DELETE", f"{API}/1/contact", json={"contact_id": contact_id},
                                  auth=AUTH)
    assert response.status_code == 422, response.text
    assert _status_of(app_client, contact_id) == sm.DIALING


def test_a_waiting_contact_can_be_updated_and_keeps_its_status(app_client: TestClient) -> None:
    first, second = _add(app_client, 0), _add(app_client, 1)
    _start(app_client, {**_FROZEN_CALL, "agents": 1})
    _wait_for(app_client, first, sm.DIALING)
    response = app_client.patch(f"{API}/1/contact", json={"contact_id": second, "name": "y"},
                                auth=AUTH)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == sm.UPCOMING


def test_an_updated_skipped_and_closed_contact_is_never_dialed_again(
    app_client: TestClient,
) -> None:
    contact_id = _add(app_client, 0)
    _start(app_client, {"time_scale": 100.0, "skip_and_close": 1.0, "skip": 0.0})
    _wait_for(app_client, contact_id, sm.SKIPPED_AND_CLOSED)
    response = app_client.patch(f"{API}/1/contact", json={"contact_id": contact_id, "name": "z"},
                                auth=AUTH)
    assert response.status_code == 200 and response.json()["status"] == sm.SKIPPED_AND_CLOSED
    time.sleep(0.3)  # 30 campaign seconds: six call steps
    assert _status_of(app_client, contact_id) == sm.SKIPPED_AND_CLOSED


def test_pause_lets_the_calls_in_progress_end(app_client: TestClient) -> None:
    contact_id = _add(app_client, 0)
    _start(app_client, {"time_scale": 100.0, "skip": 0.0, "skip_and_close": 0.0, "redial": 0.0})
    _wait_for(app_client, contact_id, sm.DIALING)
    assert app_client.post(DIALER.format(1) + "/pause").json()["state"] == "paused"
    deadline = time.monotonic() + 5
    while app_client.get(DIALER.format(1)).json()["busy_lines"]:
        assert time.monotonic() < deadline, "the call never ended after pause"
        time.sleep(0.01)
    assert sm.machine().kind(_status_of(app_client, contact_id)) is not sm.Kind.TRANSIENT


def test_reset_stops_every_dialer_and_forgets_its_calls(app_client: TestClient) -> None:
    contact_id = _add(app_client, 0)
    _start(app_client, _FROZEN_CALL)
    _wait_for(app_client, contact_id, "Dialing")
    assert app_client.post("/_simulator/reset").status_code == 200
    body = app_client.get(DIALER.format(1)).json()
    assert body["state"] == "paused" and body["busy_lines"] == 0, body
    fresh = _add(app_client, 1)
    time.sleep(0.1)  # several ticks: a dialer still running would pick the new contact up
    assert _status_of(app_client, fresh) == "Upcoming"
