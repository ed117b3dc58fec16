"""``dialer-suite cleanup`` against the independent tenant: by run id, by age, paced, nothing else touched.

The tenant (``tests/tenant``) is not this project's simulator: it pages its list
(25 by default), answers imports with only a Location and counts every request
and contact on its side, so these tests check what the command really left.
It runs with a higher rate limit than the vendor's, and the suite's ceiling is
set to match: the counts matter here, not the time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from tests.tenant import RunningTenant, TenantOptions, running_tenant

from dialer_suite.api.testdata import make_contact, new_run_id
from dialer_suite.cli import main
from dialer_suite.contract.rundata import RunData, RunPhones
from dialer_suite.http.client import DialerClient
from dialer_suite.http.jobs import find_job_id, poll_job
from dialer_suite.load.removal import workers_for

RATE = 100.0
pytestmark = pytest.mark.load


@pytest.fixture
def tenant(monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningTenant]:
    with running_tenant(TenantOptions(rate_limit=RATE)) as running:
        for name, value in running.environ(DIALER_RATE_LIMIT=str(RATE)).items():
            monkeypatch.setenv(name, value)
        yield running


def _client(tenant: RunningTenant) -> DialerClient:
    options = tenant.options
    return DialerClient(tenant.base_url, options.username, options.token, rate_limit=RATE)


def _write(tenant: RunningTenant, run_id: str, campaign: int, adds: int, imported: int = 0) -> None:
    """``adds`` single adds and one file of ``imported`` contacts of run ``run_id``, as the contract
    suite writes them (its names carry more than the run tag)."""
    data = RunData(run_id, RunPhones(_factory(run_id), run_id))
    with _client(tenant) as client:
        for contact in data.contacts(adds):
            client.add_contact(campaign, contact).expect(200)
        if imported:
            answer = client.import_contacts(campaign, data.contacts(imported)).expect(202)
            poll_job(client, campaign, find_job_id(answer).job_id, timeout=10)


def _factory(run_id: str) -> Any:
    from dialer_suite.api.testdata import PhoneFactory

    return PhoneFactory(run_id)


def _stored(tenant: RunningTenant) -> dict[str, int]:
    stored: dict[str, int] = tenant.stats()["contacts_stored"]
    return stored


def test_cleanup_by_run_id_removes_what_an_interrupted_contract_run_left_on_both_campaigns(
    tenant: RunningTenant, capsys: pytest.CaptureFixture[str]
) -> None:
    mine, theirs = new_run_id(), new_run_id()
    _write(tenant, mine, 11, adds=20, imported=40)
    _write(tenant, mine, 12, adds=10)
    _write(tenant, theirs, 11, adds=5)
    before = tenant.stats()["by_operation"]
    code = main(["cleanup", "--run-id", mine])
    out = capsys.readouterr()
    assert code == 0, out.out + out.err
    assert _stored(tenant) == {"11": 5, "12": 0}, out.out + out.err  # only the other run's are left
    deletes = tenant.stats()["by_operation"]["deleteContact"] - before.get("deleteContact", 0)
    assert deletes == 70  # one DELETE per contact, nothing else
    assert "removed 70 contact(s)" in out.out and "left on the target: 0" in out.out
    assert f"removing 70 contacts of run {mine} at 90/s: about" in out.err  # the cost first
    assert "[##############################] 70/70 100%" in out.err


def test_cleanup_by_age_removes_old_runs_only_and_names_runs_of_unknown_age(
    tenant: RunningTenant, capsys: pytest.CaptureFixture[str]
) -> None:
    """The tenant lists no created_at: the age comes from the start time a generated run id carries."""
    old, recent = new_run_id(time.time() - 2 * 86400), new_run_id()
    for run_id in (old, recent, "nightly-42"):
        _write(tenant, run_id, 11, adds=3)
    code = main(["cleanup", "--older-than", "1d"])
    out = capsys.readouterr().out
    assert code == 0, out
    with _client(tenant) as client:
        left = {contact["external_unique_id"].rsplit("-", 1)[0] for contact in client.list_all(11)}
    assert left == {f"dsuite-{recent}", "dsuite-nightly-42"}
    assert "removed 3 contact(s)" in out
    assert "age unknown" in out and "nightly-42 (3)" in out and "--run-id" in out


def test_a_dry_run_says_what_it_would_remove_and_the_cost_and_removes_nothing(
    tenant: RunningTenant, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id = new_run_id()
    _write(tenant, run_id, 11, adds=4)
    assert main(["cleanup", "--run-id", run_id, "--dry-run"]) == 0
    assert "would remove 4 contact(s); that takes about" in capsys.readouterr().out
    assert _stored(tenant)["11"] == 4


def test_a_target_that_refuses_the_credentials_is_not_usable(
    tenant: RunningTenant, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIALER_API_TOKEN", "not-the-token")
    assert main(["cleanup", "--run-id", new_run_id()]) == 69
    assert "refused the credentials (401)" in capsys.readouterr().err


def test_a_campaign_the_target_does_not_have_is_not_usable(
    tenant: RunningTenant, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cleanup", "--run-id", new_run_id(), "--campaign-id", "99"]) == 69
    assert "has no campaign 99 (404)" in capsys.readouterr().err


def test_a_run_id_too_short_to_tell_its_contacts_apart_is_refused(
    tenant: RunningTenant, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cleanup", "--run-id", "ab"]) == 2
    assert "too short" in capsys.readouterr().err
    assert tenant.stats()["requests"] == 0


def test_deletes_in_flight_keep_the_pace_when_answers_are_slow() -> None:
    """At 10/s, answers of up to half a second still fill the pace: five deletes in flight."""
    assert workers_for(10.0) == 5 and workers_for(1.0) == 1 and workers_for(1000.0) == 8


def test_contacts_without_an_id_in_the_list_are_removed_by_their_external_id() -> None:
    from dialer_suite.http.cleanup import delete_key

    contact = make_contact("r1", 1, "+15555550100")
    assert delete_key(contact) == {"external_unique_id": "dsuite-r1-1"}
    assert delete_key({**contact, "id": 7}) == {"contact_id": 7}
