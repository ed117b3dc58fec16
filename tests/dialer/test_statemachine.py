"""The documented state machine of contact statuses, and the sequence checker built on it."""

from __future__ import annotations

import pytest

from dialer_suite.api import statuses as sm
from dialer_suite.api.spec import contact_statuses, load_spec


def test_each_constant_is_named_after_the_spec_value_it_holds() -> None:
    for status in contact_statuses():
        assert getattr(sm, sm.identifier(status)) == status, status


def test_the_machine_has_exactly_the_spec_statuses() -> None:
    assert sm.machine().states == contact_statuses()
    targets = {after for following in sm.machine().transitions.values() for after in following}
    assert targets <= set(contact_statuses())


def test_the_initial_state_is_the_status_of_the_documented_record() -> None:
    documented = load_spec()["components"]["examples"]["BobSmithRecord"]["value"]["status"]
    assert sm.machine().initial == documented


def test_every_status_is_reachable_from_the_initial_state() -> None:
    machine = sm.machine()
    unreachable = [s for s in machine.states if s != machine.initial
                   and not machine.reachable(machine.initial, s)]
    assert unreachable == []


def test_terminal_statuses_have_no_way_out() -> None:
    machine = sm.machine()
    assert sm.SKIPPED_AND_CLOSED in machine.terminal()
    for status in machine.terminal():
        assert machine.transitions[status] == frozenset(), status


def test_skipped_and_closed_is_never_dialed_again() -> None:
    assert not sm.machine().reachable(sm.SKIPPED_AND_CLOSED, sm.DIALING)


def test_skipped_is_available_again() -> None:
    assert sm.machine().allows(sm.SKIPPED, sm.DIALING)


def test_a_redial_goes_back_to_dialing() -> None:
    assert sm.machine().allows(sm.REDIAL_SCHEDULED, sm.DIALING)
    for outcome in sm.CALL_OUTCOMES:
        assert sm.machine().allows(outcome, sm.REDIAL_SCHEDULED), outcome


@pytest.mark.parametrize("status", [sm.INVALID_NUMBER, sm.INVALID_OUTBOUND_NUMBER,
                                    sm.BLOCKED_PHONE_NUMBER])
def test_number_checks_are_decided_before_dialing(status: str) -> None:
    assert not sm.machine().reachable(sm.DIALING, status)


def test_statuses_fall_into_transient_outcome_and_terminal() -> None:
    kinds = {status: sm.machine().kind(status) for status in contact_statuses()}
    assert {s for s, k in kinds.items() if k is sm.Kind.OUTCOME} == set(sm.CALL_OUTCOMES)
    assert set(sm.IN_CALL) | set(sm.READY) <= {s for s, k in kinds.items()
                                               if k is sm.Kind.TRANSIENT}


def test_a_complete_call_passes_step_by_step() -> None:
    path = [sm.UPCOMING, sm.DIALING, sm.QUEUED, sm.CONNECTED, sm.TRANSFERRED,
            sm.TRANSFERRED_AND_FINISHED]
    assert sm.check_sequence(path, sampled=False, from_start=True) is None


def test_a_redialed_contact_passes_step_by_step() -> None:
    path = [sm.UPCOMING, sm.DIALING, sm.NOT_PICKED_UP, sm.REDIAL_SCHEDULED, sm.DIALING,
            sm.CONNECTED, sm.FINISHED]
    assert sm.check_sequence(path, sampled=False) is None


def test_repeated_observations_of_one_status_are_not_transitions() -> None:
    assert sm.check_sequence([sm.UPCOMING, sm.UPCOMING, sm.DIALING, sm.DIALING],
                             sampled=False) is None


def test_a_sampled_sequence_may_skip_intermediate_statuses() -> None:
    assert sm.check_sequence([sm.UPCOMING, sm.FINISHED]) is None


def test_a_step_by_step_sequence_may_not_skip_statuses() -> None:
    violation = sm.check_sequence([sm.UPCOMING, sm.FINISHED], sampled=False)
    assert violation is not None and violation.index == 1
    assert "may only be followed by" in violation.reason


def test_an_unknown_value_is_reported_verbatim_with_the_sequence() -> None:
    renamed = sm.NOT_PICKED_UP.lower()
    violation = sm.check_sequence([sm.UPCOMING, sm.DIALING, renamed])
    assert violation is not None and violation.index == 2
    message = violation.explain("contact 7")
    assert repr(renamed) in message and "not one of the 21" in message
    assert message.startswith("contact 7:") and repr(sm.DIALING) in message


def test_leaving_a_terminal_status_is_explained() -> None:
    violation = sm.check_sequence([sm.SKIPPED, sm.SKIPPED_AND_CLOSED, sm.DIALING])
    assert violation is not None and violation.index == 2
    assert "terminal" in violation.reason


def test_an_unreachable_status_is_explained() -> None:
    violation = sm.check_sequence([sm.DIALING, sm.UPCOMING])
    assert violation is not None
    assert "cannot follow" in violation.reason


def test_a_contact_watched_from_creation_must_start_at_the_initial_status() -> None:
    violation = sm.check_sequence([sm.DIALING], from_start=True)
    assert violation is not None and violation.index == 0


def test_only_the_first_impossible_observation_is_reported() -> None:
    violation = sm.check_sequence([sm.FINISHED, sm.DIALING, "bogus"])
    assert violation is not None and violation.index == 1


def test_a_watch_reports_a_contact_once_at_its_first_impossible_change() -> None:
    watch = sm.StatusWatch()
    assert watch.observe([{"id": 1, "status": sm.UPCOMING}, {"id": 2, "status": sm.DIALING}]) == []
    broken = watch.observe([{"id": 1, "status": sm.FINISHED}, {"id": 2, "status": sm.UPCOMING}])
    assert [contact_id for contact_id, _ in broken] == [2]
    assert watch.observe([{"id": 2, "status": sm.DIALING}]) == []
    assert watch.sequences[2] == [sm.DIALING, sm.UPCOMING, sm.DIALING]


def test_a_watch_counts_samples_statuses_and_transitions() -> None:
    watch = sm.StatusWatch()
    watch.observe([{"id": 1, "status": sm.UPCOMING}])
    watch.observe([{"id": 1, "status": sm.UPCOMING}])
    watch.observe([{"id": 1, "status": sm.DIALING}])
    assert (watch.samples, watch.transitions(), watch.seen()) == (3, 1, {sm.UPCOMING, sm.DIALING})


def test_a_contact_gone_from_a_sample_is_not_a_transition() -> None:
    watch = sm.StatusWatch()
    watch.observe([{"id": 1, "status": sm.DIALING}])
    assert watch.observe([]) == [] and watch.transitions() == 0
