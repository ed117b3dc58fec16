"""What the twin plays beyond the assumptions: the keys, the drift and the status values seen."""

from __future__ import annotations

from tests.twin.baselines import answer, as_baseline, baseline_data

from dialer_suite.contract.twin.build import CANNOT, read_twin

_LISTED = ["*/id", "*/name", "*/email", "*/phone_number", "*/outbound_number",
           "*/external_unique_id", "*/status"]


def test_the_spec_keys_a_tenant_never_sent_at_a_level_it_was_seen_at_are_left_out() -> None:
    twin = read_twin(as_baseline(baseline_data(operations={
        "listContacts": {"200": answer(_LISTED)},
        "addContact": {"200": answer(["valid_contacts", "invalid_contacts", "valid_contacts/*/name"])},
    })))
    assert set(twin.play.dropped["listContacts"]["200"]) == {
        "*/campaign_id", "*/assigned_call_id", "*/assigned_participant_id", "*/priority",
        "*/created_at", "*/updated_at", "*/user_custom_metadata"}
    # Refused contacts were never seen: nothing is known of their keys, none is left out.
    assert not [p for p in twin.play.dropped["addContact"]["200"] if p.startswith("invalid_contacts/")]
    assert "valid_contacts/*/id" in twin.play.dropped["addContact"]["200"]


def test_an_answer_only_generated_data_saw_keeps_every_key() -> None:
    twin = read_twin(as_baseline(baseline_data(operations={
        "listContacts": {"200": answer(by="generated data")}})))
    assert twin.play.dropped == {}


def test_drift_keys_are_served_back_wherever_they_were_seen() -> None:
    twin = read_twin(as_baseline(baseline_data(operations={
        "updateContact": {"200": answer(["id", "status"], drift=["last_called_at"])},
        "getImportJob": {"200": answer(by="generated data", drift=["queue"])},
    })))
    assert twin.play.drift == {"updateContact": {"200": ("last_called_at",)},
                               "getImportJob": {"200": ("queue",)}}
    assert "2 key(s) the spec does not know" in next(
        line.observed for line in twin.lines if line.subject == "drift keys")


def test_a_status_spelled_otherwise_is_played_in_that_spelling_and_one_of_no_status_is_not() -> None:
    twin = read_twin(as_baseline(baseline_data(
        statuses={"upcoming": "scenarios", "Not Picked Up": "generated data", "Paused": "scenarios"})))
    assert twin.play.statuses == {"Upcoming": "upcoming"}
    cannot = [line for line in twin.subjects(CANNOT) if line.subject == "contact statuses"]
    assert len(cannot) == 1 and "Paused" in cannot[0].observed, twin.lines
