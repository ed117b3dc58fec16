"""Fixtures of the dialer tests: an in-memory store and a clock the test moves by hand."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from dialer_suite.simulator import SimulatorConfig
from dialer_suite.simulator.app import create_app
from dialer_suite.simulator.dialer import (
    ContactView,
    DialerEngine,
    DialerSettings,
    showcase_campaign,
)
from dialer_suite.simulator.phones import normalize_phone
from dialer_suite.simulator.switches import Switches


class FakeClock:
    """Wall time that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class MemoryStore:
    """The dialer's two storage operations over a dict, recording every status a contact had."""

    def __init__(self) -> None:
        self.contacts: dict[int, ContactView] = {}
        self.history: dict[int, list[str]] = {}
        self._next_id = 100

    def add(self, phone: str, outbound: str | None = None, status: str = "Upcoming") -> int:
        e164 = normalize_phone(phone)
        assert e164 is not None, phone
        contact_id = self._next_id
        self._next_id += 1
        self.contacts[contact_id] = ContactView(contact_id, e164, outbound, status)
        self.history[contact_id] = [status]
        return contact_id

    def add_all(self, contacts: Iterable[Mapping[str, Any]]) -> list[int]:
        return [self.add(c["phone_number"], c.get("outbound_number")) for c in contacts]

    def delete(self, contact_id: int) -> None:
        del self.contacts[contact_id]

    def candidates(self, campaign_id: int, status: str, after_id: int, limit: int) -> list[ContactView]:
        del campaign_id  # one campaign per store
        found = [c for i, c in sorted(self.contacts.items()) if c.status == status and i > after_id]
        return found[:limit]

    def move(self, campaign_id: int, contact_id: int, before: str, after: str) -> bool:
        del campaign_id
        contact = self.contacts.get(contact_id)
        if contact is None or contact.status != before:
            return False
        self.contacts[contact_id] = replace(contact, status=after)
        self.history[contact_id].append(after)
        return True


def _run_until_idle(engine: DialerEngine, clock: FakeClock, tick: float, limit: int = 100_000) -> int:
    """Advance ``tick`` wall seconds at a time until the campaign is idle; returns the ticks."""
    engine.start()
    for ticks in range(limit):
        engine.advance()
        if engine.idle():
            return ticks
        clock.now += tick
    raise AssertionError(f"campaign not idle after {limit} ticks: {engine.status()}")


RunUntilIdle = Callable[[DialerEngine, FakeClock, float], int]


def _advance_until(engine: DialerEngine, clock: FakeClock, done: Callable[[], bool], tick: float,
                   limit: int = 10_000) -> None:
    """Advance ``tick`` at a time until ``done()`` (the engine must be started)."""
    for _ in range(limit):
        if done():
            return
        engine.advance()
        clock.now += tick
    raise AssertionError(f"condition not reached after {limit} ticks: {engine.status()}")


AdvanceUntil = Callable[[DialerEngine, FakeClock, Callable[[], bool], float], None]
# A sped-up campaign: a step is 0.1 s of fake wall time, a redial waits 0.3 s.
FAST = {"time_scale": 10.0, "step_seconds": 1.0, "redial_interval": 3.0}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


def _engine(store: MemoryStore, clock: FakeClock, switches: Switches, settings: Any) -> DialerEngine:
    return DialerEngine(1, store, clock, DialerSettings.from_mapping({**FAST, **settings}),
                        switches=switches)


@pytest.fixture
def make_engine(store: MemoryStore, clock: FakeClock) -> Callable[..., DialerEngine]:
    """An engine over the fixture store and clock, sped up (``FAST``); keyword arguments are
    dialer settings, ``faults`` the simulator faults it plays and ``assume`` its assumption
    choices."""

    def make(*, faults: Iterable[str] = (), assume: Mapping[str, str] | None = None,
             **settings: Any) -> DialerEngine:
        return _engine(store, clock, Switches(faults, assume), settings)

    return make


@pytest.fixture
def run_until_idle() -> RunUntilIdle:
    return _run_until_idle


@pytest.fixture
def advance_until() -> AdvanceUntil:
    return _advance_until


@pytest.fixture
def showcase_history() -> Callable[..., dict[int, list[str]]]:
    """Run the showcase campaign on a fresh store: ``(tick, **settings)`` → each contact's statuses."""

    def run(tick: float, **settings: Any) -> dict[int, list[str]]:
        store, clock = MemoryStore(), FakeClock()
        contacts, showcase_settings = showcase_campaign("test")
        store.add_all(contacts)
        _run_until_idle(_engine(store, clock, Switches(), {**showcase_settings, **settings}), clock,
                        tick)
        return store.history

    return run


API = "/apps/api/v1/outbound_dialer/campaigns"
AUTH = ("acme", "dev-token")


def describe(response: httpx.Response) -> str:
    """The request and the response, for assertion messages."""
    request = response.request
    body = request.content[:300].decode("utf-8", "replace") if request.content else ""
    return (f"\n> {request.method} {request.url}\n> {body}\n"
            f"< {response.status_code}\n< {response.text[:800]}")


@pytest.fixture
def app_client(tmp_path: Path) -> Iterator[TestClient]:
    """The simulator app in-process (its lifespan runs), on a fresh database, no rate limit."""
    config = SimulatorConfig(db_path=str(tmp_path / "sim.db"), rate_limit=None)
    with TestClient(create_app(config)) as client:
        yield client
