"""The dialer engine, driven tick by tick with a fake clock over an in-memory store."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dialer_suite.api import statuses as sm
from dialer_suite.api.spec import contact_statuses
from dialer_suite.api.testdata import fictional_blocks
from dialer_suite.simulator.dialer import (
    DialerEngine,
    DialerSettings,
    DialerSettingsError,
    showcase_campaign,
)
from dialer_suite.simulator.dialer.engine import FAULT_RENAMED_STATUS, FAULT_REOPENED_CLOSED
from dialer_suite.simulator.exceptions import ContactInCall
from dialer_suite.simulator.rules import refuse_while_in_call
from dialer_suite.simulator.switches import Switches

MakeEngine = Callable[..., DialerEngine]
Store = Any  # conftest.MemoryStore (conftest modules are not imported by tests)
Clock = Any  # conftest.FakeClock
RunUntilIdle = Callable[[DialerEngine, Any, float], int]
AdvanceUntil = Callable[[DialerEngine, Any, Callable[[], bool], float], None]
ShowcaseHistory = Callable[..., dict[int, list[str]]]


def _valid_numbers(count: int) -> list[str]:
    block = fictional_blocks()[0]
    return [block.number(i) for i in range(count)]


def _showcase(store: Store, make_engine: MakeEngine, **extra: object) -> DialerEngine:
    contacts, settings = showcase_campaign("test")
    store.add_all(contacts)
    return make_engine(**settings, **extra)


def test_the_showcase_campaign_visits_all_21_statuses(
    store: Store, clock: Clock, make_engine: MakeEngine,
    run_until_idle: RunUntilIdle,
) -> None:
    run_until_idle(_showcase(store, make_engine), clock, 0.05)
    seen = {status for history in store.history.values() for status in history}
    assert sorted(set(contact_statuses()) - seen) == []


def test_every_transition_the_engine_makes_is_a_documented_step(
    store: Store, clock: Clock, make_engine: MakeEngine,
    run_until_idle: RunUntilIdle,
) -> None:
    run_until_idle(_showcase(store, make_engine), clock, 0.05)
    for contact_id, history in store.history.items():
        violation = sm.check_sequence(history, sampled=False, from_start=True)
        assert violation is None, violation.explain(f"contact {contact_id}")


def test_every_contact_ends_in_a_final_status(
    store: Store, clock: Clock, make_engine: MakeEngine,
    run_until_idle: RunUntilIdle,
) -> None:
    run_until_idle(_showcase(store, make_engine), clock, 0.05)
    kinds = {sm.machine().kind(history[-1]) for history in store.history.values()}
    assert sm.Kind.TRANSIENT not in kinds


def test_the_same_seed_gives_the_same_campaign_whatever_the_tick(
    showcase_history: ShowcaseHistory,
) -> None:
    assert showcase_history(0.01) == showcase_history(0.37)


def test_another_seed_gives_another_campaign(showcase_history: ShowcaseHistory) -> None:
    assert showcase_history(0.05, seed=1) != showcase_history(0.05, seed=2)


def test_no_more_contacts_are_in_a_call_than_there_are_agents(
    store: Store, clock: Clock, make_engine: MakeEngine
) -> None:
    store.add_all({"phone_number": phone} for phone in _valid_numbers(30))
    engine = make_engine(agents=3)
    engine.start()
    most = 0
    for _ in range(2000):
        engine.advance()
        in_call = sum(c.status in sm.IN_CALL for c in store.contacts.values())
        most = max(most, in_call)
        clock.now += 0.05
    assert 0 < most <= 3


def test_contacts_are_picked_up_in_id_order(
    store: Store, make_engine: MakeEngine
) -> None:
    ids = store.add_all({"phone_number": phone} for phone in _valid_numbers(10))
    engine = make_engine(agents=2, skip=0.0, skip_and_close=0.0)
    engine.start()
    engine.advance()
    dialed = [i for i in ids if store.history[i][1:2] == [sm.DIALING]]
    assert dialed == ids[:2]


def test_a_paused_dialer_finishes_its_calls_and_picks_up_nobody(
    store: Store, clock: Clock, make_engine: MakeEngine
) -> None:
    store.add_all({"phone_number": phone} for phone in _valid_numbers(10))
    engine = make_engine(agents=2, skip=0.0, skip_and_close=0.0, redial=0.0)
    engine.start()
    engine.advance()
    engine.pause()
    for _ in range(100):
        clock.now += 0.1
        engine.advance()
    touched = [h for h in store.history.values() if len(h) > 1]
    assert len(touched) == 2 and engine.busy_lines == 0
    assert all(sm.machine().kind(h[-1]) is not sm.Kind.TRANSIENT for h in touched)


def test_a_redial_waits_for_the_redial_interval(
    store: Store, clock: Clock, make_engine: MakeEngine, advance_until: AdvanceUntil
) -> None:
    contact_id = store.add(_valid_numbers(1)[0])
    engine = make_engine(weights={"not_picked_up": 1}, redial=1.0, skip=0.0, skip_and_close=0.0,
                         time_scale=1.0, step_seconds=1.0, redial_interval=10.0)
    engine.start()
    advance_until(engine, clock, lambda: store.contacts[contact_id].status == sm.REDIAL_SCHEDULED,
                  0.5)
    scheduled_at = clock.now
    advance_until(engine, clock, lambda: store.contacts[contact_id].status == sm.DIALING, 0.5)
    assert 10.0 <= clock.now - scheduled_at <= 11.0


def test_calls_stop_after_max_attempts(
    store: Store, clock: Clock, make_engine: MakeEngine,
    run_until_idle: RunUntilIdle,
) -> None:
    contact_id = store.add(_valid_numbers(1)[0])
    engine = make_engine(weights={"carrier_error": 1}, redial=1.0, max_attempts=3)
    run_until_idle(engine, clock, 0.05)
    assert store.history[contact_id].count(sm.DIALING) == 3
    assert store.history[contact_id][-1] == sm.CARRIER_ERROR


def test_skipped_and_closed_contacts_are_never_dialed_again(
    store: Store, clock: Clock, make_engine: MakeEngine,
    run_until_idle: RunUntilIdle,
) -> None:
    store.add_all({"phone_number": phone} for phone in _valid_numbers(5))
    engine = make_engine(skip_and_close=1.0, skip=0.0)
    run_until_idle(engine, clock, 0.05)
    for _ in range(50):
        clock.now += 1.0
        engine.advance()
    assert all(h == [sm.UPCOMING, sm.SKIPPED_AND_CLOSED] for h in store.history.values())


def test_a_number_on_the_do_not_call_list_is_never_dialed(
    store: Store, clock: Clock, make_engine: MakeEngine,
    run_until_idle: RunUntilIdle,
) -> None:
    phone = _valid_numbers(1)[0]
    contact_id = store.add(phone)
    run_until_idle(make_engine(do_not_call=[phone]), clock, 0.05)
    assert store.history[contact_id] == [sm.UPCOMING, sm.DO_NOT_CALL]


def test_a_contact_deleted_while_waiting_for_a_redial_is_dropped(
    store: Store, clock: Clock, make_engine: MakeEngine,
    run_until_idle: RunUntilIdle, advance_until: AdvanceUntil,
) -> None:
    contact_id = store.add(_valid_numbers(1)[0])
    engine = make_engine(weights={"voicemail": 1}, redial=1.0, skip=0.0, skip_and_close=0.0)
    engine.start()
    advance_until(engine, clock, lambda: store.contacts[contact_id].status == sm.REDIAL_SCHEDULED,
                  0.05)
    store.delete(contact_id)
    run_until_idle(engine, clock, 0.05)  # raises unless the engine lets the contact go
    assert engine.waiting == 0 and engine.busy_lines == 0


def test_calls_left_in_progress_by_an_earlier_process_end_on_start(
    store: Store, make_engine: MakeEngine
) -> None:
    dialing = store.add(_valid_numbers(2)[0], status=sm.DIALING)
    transferred = store.add(_valid_numbers(2)[1], status=sm.TRANSFERRED)
    make_engine().start()
    assert store.contacts[dialing].status == sm.DIALER_GENERAL_ERROR
    assert store.contacts[transferred].status == sm.TRANSFERRED_AND_FINISHED


def test_the_renaming_fault_writes_a_value_outside_the_enum(
    store: Store, clock: Clock, make_engine: MakeEngine,
    run_until_idle: RunUntilIdle,
) -> None:
    store.add(_valid_numbers(1)[0])
    engine = make_engine(weights={"not_picked_up": 1}, redial=1.0, faults={FAULT_RENAMED_STATUS})
    run_until_idle(engine, clock, 0.05)
    written = {status for history in store.history.values() for status in history}
    assert sm.NOT_PICKED_UP.lower() in written and sm.NOT_PICKED_UP not in written


def test_the_reopening_fault_dials_closed_contacts_again(
    store: Store, clock: Clock, make_engine: MakeEngine
) -> None:
    contact_id = store.add(_valid_numbers(1)[0])
    engine = make_engine(skip_and_close=1.0, skip=0.0, faults={FAULT_REOPENED_CLOSED})
    engine.start()
    for _ in range(10):
        engine.advance()
        clock.now += 0.05
    violation = sm.check_sequence(store.history[contact_id])
    assert violation is not None and "terminal" in violation.reason


@pytest.mark.parametrize("status", sm.IN_CALL)
def test_a_contact_in_a_call_cannot_be_written(status: str) -> None:
    with pytest.raises(ContactInCall, match="live call"):
        refuse_while_in_call(Switches(), 7, status, "update")


@pytest.mark.parametrize("status", sorted(set(contact_statuses()) - set(sm.IN_CALL)))
def test_a_contact_outside_a_call_can_be_written(status: str) -> None:
    refuse_while_in_call(Switches(), 7, status, "delete")


@pytest.mark.parametrize("settings, message", [
    ({"agents": 0}, "agents"),
    ({"skip": 1.5}, "skip"),
    ({"weights": {"nonsense": 1}}, "unknown call path"),
    ({"weights": {"finished": 0}}, "not all zero"),
    ({"tempo": 3}, "unknown dialer setting"),
    ({"time_scale": "fast"}, "time_scale"),
    ({"do_not_call": ["not a number"]}, "do_not_call"),
    ({"number_checks": 1}, "number_checks"),
    ({"agents": True}, "agents"),
    ({"time_scale": 10**400}, "too large"),
])
def test_bad_settings_are_refused_with_the_setting_named(
    settings: dict[str, object], message: str
) -> None:
    with pytest.raises(DialerSettingsError, match=message):
        DialerSettings.from_mapping(settings)


def test_weights_given_replace_the_whole_table() -> None:
    settings = DialerSettings.from_mapping({"weights": {"finished": 2}})
    assert {path for path, weight in settings.weights.items() if weight} == {"finished"}


def test_steps_applied_late_are_counted_with_their_lateness(
    store: Store, clock: Clock, make_engine: MakeEngine, run_until_idle: RunUntilIdle,
) -> None:
    store.add_all({"phone_number": phone} for phone in _valid_numbers(5))
    engine = make_engine(skip=0.0, skip_and_close=0.0)  # a step is 0.1 s of wall time
    run_until_idle(engine, clock, 0.25)
    assert engine.scheduled_steps > 0
    assert 0 < engine.lateness_ms_total / engine.scheduled_steps <= 250


def test_without_number_checks_a_possible_number_is_dialed(
    store: Store, clock: Clock, make_engine: MakeEngine, run_until_idle: RunUntilIdle,
) -> None:
    contact_id = store.add("+1 111-111-1111")
    engine = make_engine(number_checks=False, skip=0.0, skip_and_close=0.0)
    run_until_idle(engine, clock, 0.05)
    assert sm.DIALING in store.history[contact_id]
