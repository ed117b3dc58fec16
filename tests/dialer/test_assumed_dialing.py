"""The dialer's side of the assumption choices: writes during a call, the redial status, odd phones.

``dialing-writes`` is played through the simulator's routes with a real
dialer; ``status-transitions`` and the phones the API may now store
(``phone-required``, ``phone-validation``, ``phone-normalization``) through
the engine over an in-memory store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from dialer_suite.api import statuses as sm
from dialer_suite.api.testdata import FICTIONAL_OUTBOUND, fictional_blocks
from dialer_suite.simulator import SimulatorConfig
from dialer_suite.simulator.app import create_app
from dialer_suite.simulator.dialer import ContactView, DialerEngine, DialerSettings
from dialer_suite.simulator.dialer.pickup import plan_pickup

API = "/apps/api/v1/outbound_dialer/campaigns/1"
AUTH = ("acme", "dev-token")
# A call step that outlasts any test: a dialed contact stays ``Dialing``.
_FROZEN_CALL = {"time_scale": 1.0, "step_seconds": 3600.0, "skip": 0.0, "skip_and_close": 0.0}
_NUMBER = fictional_blocks()[0].number(0)


@pytest.fixture
def dialing(tmp_path: Path) -> Iterator[Callable[..., tuple[TestClient, int]]]:
    """``dialing(**assume)``: an app playing those choices with one contact in a live call."""
    clients: list[TestClient] = []

    def start(**assume: str) -> tuple[TestClient, int]:
        config = SimulatorConfig(db_path=str(tmp_path / f"sim{len(clients)}.db"), rate_limit=None,
                                 assume=assume)
        client = TestClient(create_app(config))
        client.__enter__()
        clients.append(client)
        added = client.post(f"{API}/contacts", auth=AUTH,
                            json={"phone_number": _NUMBER, "outbound_number": FICTIONAL_OUTBOUND})
        contact_id = int(added.json()["valid_contacts"][0]["id"])
        assert client.post("/_simulator/campaigns/1/dialer/start", json=_FROZEN_CALL).status_code == 200
        for _ in range(500):
            if client.get(f"{API}/contacts", auth=AUTH).json()[0]["status"] == sm.DIALING:
                return client, contact_id
        raise AssertionError("the contact was never dialed")

    yield start
    for client in clients:
        client.__exit__(None, None, None)


def _write(client: TestClient, method: str, body: dict[str, Any]) -> Any:
    return client.request(method, f"{API}/contact", json=body, auth=AUTH)


def test_allow_updates_and_deletes_a_contact_in_a_live_call(
    dialing: Callable[..., tuple[TestClient, int]],
) -> None:
    client, contact_id = dialing(**{"dialing-writes": "allow"})
    updated = _write(client, "PATCH", {"contact_id": contact_id, "name": "during the call"})
    assert updated.status_code == 200 and updated.json()["status"] == sm.DIALING, updated.text
    assert _write(client, "DELETE", {"contact_id": contact_id}).status_code == 200
    assert client.get(f"{API}/contacts", auth=AUTH).json() == []


@pytest.mark.parametrize(
    ("assume", "status"),
    [({"dialing-writes": "409"}, 409), ({"error-codes": "all-400"}, 422)],
    ids=["409", "not-an-error-codes-matter"],
)
def test_a_write_during_a_call_is_refused_with_the_status_dialing_writes_says(
    dialing: Callable[..., tuple[TestClient, int]], assume: dict[str, str], status: int
) -> None:
    client, contact_id = dialing(**assume)
    for method, body in (("PATCH", {"contact_id": contact_id, "name": "x"}),
                         ("DELETE", {"contact_id": contact_id})):
        response = _write(client, method, body)
        assert response.status_code == status and response.json()["error"] == "contact_in_call"


def test_a_call_of_a_contact_deleted_meanwhile_just_ends(
    store: Any, clock: Any, make_engine: Callable[..., DialerEngine]
) -> None:
    first, second = store.add(_NUMBER), store.add(fictional_blocks()[0].number(1))
    engine = make_engine(agents=1, weights={"finished": 1}, skip=0.0, skip_and_close=0.0)
    engine.start()
    engine.advance()
    assert store.contacts[first].status == sm.DIALING and engine.busy_lines == 1
    store.delete(first)
    for _ in range(5):
        clock.now += 0.1
        engine.advance()
    assert store.history[second][:2] == [sm.UPCOMING, sm.DIALING]


def test_redial_via_upcoming_goes_back_to_upcoming_and_still_waits_the_interval(
    store: Any, clock: Any, make_engine: Callable[..., DialerEngine],
    advance_until: Callable[..., None],
) -> None:
    contact_id = store.add(_NUMBER)
    engine = make_engine(weights={"not_picked_up": 1}, redial=1.0, skip=0.0, skip_and_close=0.0,
                         max_attempts=2, time_scale=1.0, step_seconds=1.0, redial_interval=10.0,
                         assume={"status-transitions": "redial-via-upcoming"})
    engine.start()
    history = store.history[contact_id]
    advance_until(engine, clock, lambda: history[-1] == sm.UPCOMING and len(history) > 1, 0.5)
    back_at = clock.now
    advance_until(engine, clock, lambda: engine.idle(), 0.5)
    assert history == [sm.UPCOMING, sm.DIALING, sm.NOT_PICKED_UP, sm.UPCOMING, sm.DIALING,
                       sm.NOT_PICKED_UP]
    assert engine.visited[sm.REDIAL_SCHEDULED] == 0
    assert clock.now - back_at >= 10.0
    violation = sm.check_sequence(history)
    assert violation is not None and violation.sequence[violation.index] == sm.UPCOMING


def test_a_contact_without_a_phone_is_an_invalid_number_even_without_the_checks() -> None:
    settings = DialerSettings.from_mapping({"number_checks": False})
    assert plan_pickup(ContactView(1, None, None, sm.UPCOMING), 0, 0, settings, redial=False) == (
        sm.INVALID_NUMBER,)


@pytest.mark.parametrize("typed", ["not a phone", "+999 1234 5678"])
def test_a_phone_only_a_lax_validation_took_is_an_invalid_number(typed: str) -> None:
    plan = plan_pickup(ContactView(1, typed, None, sm.UPCOMING), 0, 0, DialerSettings(), redial=False)
    assert plan == (sm.INVALID_NUMBER,)


def test_a_number_compared_as_typed_makes_the_same_calls_as_in_e164() -> None:
    settings = DialerSettings.from_mapping({"do_not_call": ["+12015550100"], "skip": 0.3})
    for e164, typed in (("+12015550100", "+1 201-555-0100"), ("+12015550101", "+1-(201)-555-0101")):
        for pickup in range(5):
            plans = {plan_pickup(ContactView(1, phone, None, sm.UPCOMING), pickup, 0, settings,
                                 redial=False) for phone in (e164, typed)}
            assert len(plans) == 1, plans
