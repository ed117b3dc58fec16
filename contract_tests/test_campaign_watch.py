"""campaign_watch: sample a live campaign and check every status and transition seen.

Also, against the simulator only: what update and delete do to a contact in a
live call (assumption ``dialing-writes``).

Against any target the watch only reads: it lists the watch campaign for at
most ``watch_seconds`` and checks each contact's sequence of statuses against
the documented state machine (``dialer_suite.api.statuses``, diagram in
``docs/dialer.md``). Against the simulator the suite started, it first fills a
campaign with the showcase contacts and starts that campaign's dialer sped up
(admin surface), samples until the campaign is idle, and also checks that all
21 status values were observed; then it pauses the dialer and removes its
contacts.

A value outside the 21 breaks the documented enum; a transition the machine
does not allow breaks our assumption ``status-transitions`` (the vendor
documents the values and their meanings, not the transitions).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from dialer_suite.api.phones import same_phone
from dialer_suite.api.spec import contact_statuses
from dialer_suite.api.statuses import IN_CALL, StatusWatch, Violation
from dialer_suite.config.settings import Settings
from dialer_suite.contract.checks import CheckFailed
from dialer_suite.http.client import ContractViolation, DialerClient, Result
from dialer_suite.simulator.admin import SimulatorAdmin
from dialer_suite.simulator.dialer import showcase_campaign

pytestmark = [pytest.mark.dialer]

# The simulator's dialer, sped up: each status of a call is visible for 0.25 s,
# long enough for several samples, and the whole showcase campaign takes ~5 s.
_SHOWCASE_SPEED = {"time_scale": 20.0, "step_seconds": 5.0, "redial_interval": 10.0, "agents": 8}
# Between samples: against the simulator the throttle is the real limit; against a
# real campaign statuses change in seconds, and the tenant's rate limit is shared.
_SIMULATOR_SAMPLE_SECONDS = 0.02
_TENANT_SAMPLE_SECONDS = 1.0
_PAUSE_SECONDS = 10.0
# One call of a few seconds: long enough to send an update and a delete while it lasts.
_ONE_SLOW_CALL = {"time_scale": 1.0, "step_seconds": 1.5, "agents": 4, "skip": 0.0,
                  "skip_and_close": 0.0, "redial": 0.0, "number_checks": False,
                  "weights": {"finished": 1}}
_IN_CALL_SECONDS = 10.0
_RECORD_FIELDS = ("record-input-fields",)


@dataclass
class Watched:
    """What the watch saw: the sequences, the first impossible one, responses that broke the spec."""

    campaign_id: int
    watch: StatusWatch = field(default_factory=StatusWatch)
    first_violation: tuple[Any, Violation] | None = None
    broken_responses: list[ContractViolation] = field(default_factory=list)
    elapsed: float = 0.0
    stopped: str = "the time limit (watch_seconds)"
    # Contacts listed without a ``status`` (the documented list shows none; record-input-fields).
    without_status: int = 0

    def require_statuses(self) -> None:
        """Fail as the assumption it is when the target lists contacts but never their status."""
        if self.without_status and not self.watch.sequences:
            raise CheckFailed(
                f"campaign {self.campaign_id}: {self.without_status} listed contact(s) carried no "
                "`status`; the statuses cannot be watched", assumptions=_RECORD_FIELDS,
            )


def _sample(client: DialerClient, campaign_id: int, watched: Watched) -> None:
    """One sample of the whole list; violations are kept, not raised, so the sequence is shown."""
    results: list[Result] = []
    listed = client.list_all(campaign_id, validate=False, answers=results)
    contacts = [contact for contact in listed if "status" in contact]
    watched.without_status += len(listed) - len(contacts)
    broken = watched.watch.observe(contacts)
    if broken and watched.first_violation is None:
        watched.first_violation = broken[0]
    watched.broken_responses += [ContractViolation.of(r.findings, r.exchange)
                                 for r in results if r.findings.documented]


def _watch(client: DialerClient, watched: Watched, seconds: float, pause: float,
           admin: SimulatorAdmin | None) -> None:
    """Sample until ``seconds`` pass, something breaks, or the simulator's campaign is idle."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        _sample(client, watched.campaign_id, watched)
        if watched.first_violation or watched.broken_responses:
            watched.stopped = "the first violation"
            break
        if admin is not None and admin.dialer(watched.campaign_id)["idle"]:
            _sample(client, watched.campaign_id, watched)  # the final statuses
            watched.stopped = "the end of the campaign"
            break
        time.sleep(pause)
    watched.elapsed = time.monotonic() - started


def _watch_campaign(settings: Settings, admin: SimulatorAdmin | None) -> int:
    if settings.watch_campaign_id is not None:
        return settings.watch_campaign_id
    if admin is None:
        return settings.campaign_id
    used = {settings.campaign_id, settings.other_campaign_id}
    spare = [c for c in admin.campaigns() if c not in used]
    # Without a spare campaign the showcase shares the suite's campaign; its contacts
    # carry the run id, so the session's cleanup would remove them too.
    return max(spare) if spare else settings.campaign_id


def _showcase(client: DialerClient, admin: SimulatorAdmin, watched: Watched, settings: Settings) -> list[int]:
    """Add the showcase contacts (removing leftovers of an interrupted run) and start dialing."""
    contacts, dialer_settings = showcase_campaign(settings.run_id)
    campaign_id = watched.campaign_id
    admin.pause_dialer(campaign_id)
    ours = [contact["phone_number"] for contact in contacts]
    for listed in client.list_all(campaign_id):
        if any(same_phone(listed.get("phone_number"), phone) for phone in ours):
            client.delete_contact(campaign_id, {"contact_id": listed["id"]}).expect(200)
    ids = []
    for contact in contacts:
        result = client.add_contact(campaign_id, contact).expect(200)
        ids.append(client.added_contact_id(campaign_id, result, contact))
    _sample(client, campaign_id, watched)  # every contact seen Upcoming before the dialer starts
    admin.start_dialer(campaign_id, {**dialer_settings, **_SHOWCASE_SPEED})
    return ids


def _stop_and_remove(client: DialerClient, admin: SimulatorAdmin, campaign_id: int, ids: list[int]) -> None:
    """Pause, let the calls in progress end (a contact in a call cannot be deleted), remove ours."""
    admin.pause_dialer(campaign_id)
    deadline = time.monotonic() + _PAUSE_SECONDS
    while admin.dialer(campaign_id)["busy_lines"]:
        assert time.monotonic() < deadline, f"campaign {campaign_id}: calls still running after pause"
        time.sleep(0.05)
    for contact_id in ids:
        client.delete_contact(campaign_id, {"contact_id": contact_id}).expect(200, 404)


@pytest.fixture(scope="module")
def admin(target: Any) -> Iterator[SimulatorAdmin | None]:
    """The simulator's admin surface, or None when the target is not a simulator we started."""
    if target.simulator is None:
        yield None
        return
    with SimulatorAdmin(target.simulator.root_url) as surface:
        yield surface


@pytest.fixture(scope="module")
def watched(target: Any, client: DialerClient, admin: SimulatorAdmin | None) -> Watched:
    """The watch campaign sampled once for the module's tests (bounded by ``watch_seconds``)."""
    settings: Settings = target.settings
    watched = Watched(_watch_campaign(settings, admin))
    if admin is None:
        _watch(client, watched, settings.watch_seconds, _TENANT_SAMPLE_SECONDS, None)
        return watched
    ids = _showcase(client, admin, watched, settings)
    try:
        _watch(client, watched, settings.watch_seconds, _SIMULATOR_SAMPLE_SECONDS, admin)
    finally:
        _stop_and_remove(client, admin, watched.campaign_id, ids)
    return watched


def test_every_status_value_seen_is_one_of_the_documented_21(watched: Watched) -> None:
    watched.require_statuses()
    unknown = watched.watch.seen() - set(contact_statuses())
    if unknown:
        contact_id, sequence = next((i, s) for i, s in watched.watch.sequences.items()
                                    if set(s) & unknown)
        pytest.fail(f"campaign {watched.campaign_id}: status value(s) outside the documented enum: "
                    f"{sorted(unknown)}; contact {contact_id} was seen as "
                    + " → ".join(repr(s) for s in sequence))
    if watched.broken_responses:
        raise watched.broken_responses[0]


@pytest.mark.assumption("status-transitions")
def test_every_transition_seen_follows_the_documented_state_machine(watched: Watched) -> None:
    if not watched.watch.sequences:
        pytest.skip(f"campaign {watched.campaign_id} listed no statuses to follow")
    # A value outside the enum fails the test above; here only changes between known values count.
    if watched.first_violation is not None and not watched.first_violation[1].unknown_value:
        contact_id, violation = watched.first_violation
        pytest.fail(f"campaign {watched.campaign_id}, after {watched.watch.samples} samples in "
                    f"{watched.elapsed:.1f} s: " + violation.explain(f"contact {contact_id}"))


def test_the_simulated_campaign_shows_all_21_statuses(target: Any, watched: Watched) -> None:
    if target.simulator is None:
        pytest.skip("only the simulator's campaign can be driven through every status")
    watched.require_statuses()
    if watched.first_violation is not None:
        pytest.skip("the watch stopped at the first impossible sequence (the test above reports it)")
    missing = [s for s in contact_statuses() if s not in watched.watch.seen()]
    assert not missing, (
        f"campaign {watched.campaign_id}: never observed {missing} in {watched.watch.samples} "
        f"samples over {watched.elapsed:.1f} s ({watched.watch.transitions()} transitions seen; "
        f"the watch stopped at {watched.stopped})"
    )


@pytest.mark.assumption("dialing-writes")
def test_a_contact_in_a_live_call_is_neither_updated_nor_deleted(
    client: DialerClient, admin: SimulatorAdmin | None, watched: Watched,
    new_contact: Callable[..., dict[str, Any]],
) -> None:
    if admin is None:
        pytest.skip("a contact can be held in a call only on the simulator")
    campaign_id = watched.campaign_id
    contact = new_contact()
    contact_id = client.added_contact_id(
        campaign_id, client.add_contact(campaign_id, contact).expect(200), contact)
    admin.start_dialer(campaign_id, _ONE_SLOW_CALL)
    try:
        _wait_until_in_call(client, campaign_id, contact_id)
        client.update_contact(campaign_id, {"contact_id": contact_id, "name": contact["name"]}) \
            .expect(422, why="the contact is in a live call")
        client.delete_contact(campaign_id, {"contact_id": contact_id}) \
            .expect(422, why="the contact is in a live call")
    finally:
        _stop_and_remove(client, admin, campaign_id, [contact_id])


def _wait_until_in_call(client: DialerClient, campaign_id: int, contact_id: int) -> None:
    deadline = time.monotonic() + _IN_CALL_SECONDS
    while time.monotonic() < deadline:
        listed = client.find_contacts(campaign_id, contact_id=contact_id)
        if listed and "status" not in listed[0]:
            raise CheckFailed(f"contact {contact_id} is listed without a `status`; a live call "
                              "cannot be told", assumptions=_RECORD_FIELDS)
        if listed and listed[0].get("status") in IN_CALL:
            return
        time.sleep(_SIMULATOR_SAMPLE_SECONDS)
    pytest.fail(f"contact {contact_id} of campaign {campaign_id} was not dialed within "
                f"{_IN_CALL_SECONDS:g} s of starting the dialer")
