"""Fixtures of the contract suite, layered by scope.

session:  ``settings`` → ``target`` (the embedded simulator on a free port when
          no base URL is set, honouring ``DIALER_SIM_FAULTS``; stopped at
          the end) → ``client`` (paced, validating ``DialerClient``) and
          ``st_session`` (the same for schemathesis) → ``run_data`` (run-tagged
          contacts with fictional numbers; every contact of the run is removed
          at the end, also after failures or Ctrl-C) → ``data_policy`` (the
          rewrite rules of generated requests, with contacts of the run's own).
function: ``campaign`` / ``other_campaign`` / ``missing_campaign`` (ids; the
          first two skip the test when writes are refused), ``new_contact``
          (a factory), ``added`` (add a contact, read it back, return its id).

For ``contract_tests/test_campaign_watch.py`` (dialer helper): use ``target``
(``target.simulator`` is the handle or None), ``client``, ``campaign``,
``new_contact`` and ``added``; every request through ``client`` is validated
against the spec and counted in the summary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest

from dialer_suite.api.validation import ResponseValidator
from dialer_suite.config.settings import Settings
from dialer_suite.config.simulator import VENDOR_RATE_LIMIT
from dialer_suite.contract.data_policy import DataPolicy
from dialer_suite.contract.readback import REFUSED_OURS
from dialer_suite.contract.report import RunReport
from dialer_suite.contract.rundata import RunData, clean_up
from dialer_suite.contract.session import PacedSession
from dialer_suite.contract.state import run_phones, run_policy, session_report, session_settings
from dialer_suite.http.client import DialerClient
from dialer_suite.simulator import SimulatorHandle
from dialer_suite.simulator.embedded import embedded_simulator

pytest_plugins = ("dialer_suite.contract.plugin",)

# The run's own contacts that generated updates and deletes are pointed at.
OWN_CONTACTS = 4


@dataclass(frozen=True)
class Target:
    """Where the run points: settings with the real base URL, and the simulator if we started it."""

    settings: Settings
    simulator: SimulatorHandle | None

    @property
    def base_url(self) -> str:
        assert self.settings.base_url is not None
        return self.settings.base_url


@pytest.fixture(scope="session")
def settings(pytestconfig: pytest.Config) -> Settings:
    return session_settings(pytestconfig)


@pytest.fixture(scope="session")
def report(pytestconfig: pytest.Config) -> RunReport:
    return session_report(pytestconfig)


@pytest.fixture(scope="session")
def target(settings: Settings) -> Iterator[Target]:
    if settings.base_url is not None:
        yield Target(settings, None)
        return
    with embedded_simulator(settings, rate_limit=settings.simulator.rate_limit) as handle:
        # The simulator's size limits are known, so its 413s are checked too.
        known = replace(
            settings.with_target(handle.base_url),
            max_body_bytes=settings.max_body_bytes or handle.config.max_body_bytes,
            max_import_bytes=settings.max_import_bytes or handle.config.max_import_bytes,
        )
        yield Target(known, handle)


@pytest.fixture(scope="module")
def rate_limited(target: Target) -> Iterator[tuple[str, float]]:
    """A base URL that enforces a known rate limit, and that limit, for the burst test.

    Against a real tenant: the tenant, at the vendor's documented limit. Embedded:
    a simulator of its own (same faults) at the vendor's 10 requests/s, because
    the suite's simulator allows 200/s and a busy 2-core machine cannot always
    send that fast; the burst must measure the limiter, not the machine.
    """
    if target.simulator is None:
        yield target.base_url, VENDOR_RATE_LIMIT
        return
    with embedded_simulator(target.settings, rate_limit=VENDOR_RATE_LIMIT) as handle:
        yield handle.base_url, VENDOR_RATE_LIMIT


@pytest.fixture(scope="session")
def validator() -> ResponseValidator:
    return ResponseValidator()


@pytest.fixture(scope="session")
def client(target: Target, report: RunReport, validator: ResponseValidator) -> Iterator[DialerClient]:
    with DialerClient.from_settings(target.settings, report) as dialer:
        dialer.validator = validator
        yield dialer
        if dialer.paging.describe():
            report.note("list paging", dialer.paging.describe())


@pytest.fixture(scope="session")
def st_session(
    target: Target, client: DialerClient, report: RunReport, validator: ResponseValidator
) -> Iterator[PacedSession]:
    settings = target.settings
    with PacedSession(
        target.base_url, settings.username, settings.api_token, throttle=client.throttle,
        report=report, validator=validator, timeout=settings.request_timeout, paging=client.paging,
    ) as session:
        yield session


@pytest.fixture(scope="session")
def run_data(target: Target, client: DialerClient, report: RunReport) -> Iterator[RunData]:
    settings = target.settings
    data = RunData(settings.run_id, run_phones(settings.run_id))
    try:
        yield data
    finally:
        if target.simulator is not None:
            # The embedded simulator's database goes with it; deleting one by one would
            # only cost time. Cleanup itself is tested in tests/contract.
            report.note("cleanup", "skipped: the embedded simulator is discarded with its data")
        elif settings.writes_allowed:
            result = clean_up(
                client, data, report.ledger, (settings.campaign_id, settings.other_campaign_id),
                job_timeout=settings.job_timeout,
            )
            report.note("cleanup", f"removed {result.removed} contact(s) of run {settings.run_id}")
            for index, leftover in enumerate(result.left, start=1):
                report.note(f"left on target #{index}", str(leftover))
            for index, problem in enumerate(result.problems, start=1):
                report.note(f"cleanup problem #{index}", problem)


@pytest.fixture(scope="session")
def data_policy(
    target: Target, client: DialerClient, run_data: RunData, st_session: PacedSession
) -> DataPolicy:
    settings = target.settings
    policy = run_policy(settings.run_id)
    if settings.writes_allowed and not policy.own_contact_ids:
        for contact in run_data.contacts(OWN_CONTACTS):
            result = client.add_contact(settings.campaign_id, contact).expect(200)
            policy.own(client.added_contact_id(settings.campaign_id, result, contact))
    return policy


@pytest.fixture
def campaign(settings: Settings) -> int:
    _require_writes(settings)
    return settings.campaign_id


@pytest.fixture
def other_campaign(settings: Settings) -> int:
    _require_writes(settings)
    return settings.other_campaign_id


@pytest.fixture
def missing_campaign(settings: Settings) -> int:
    return settings.missing_campaign_id


def _require_writes(settings: Settings) -> None:
    reason = settings.refuse_writes_reason()
    if reason:
        pytest.skip(reason)


@pytest.fixture
def new_contact(run_data: RunData) -> Callable[..., dict[str, Any]]:
    return run_data.contact


@pytest.fixture
def added(client: DialerClient, campaign: int) -> Callable[[dict[str, Any]], int]:
    """Add a contact, check it is listed exactly once, return its id."""

    def add(contact: dict[str, Any]) -> int:
        result = client.add_contact(campaign, contact).expect(200)
        if result.body["invalid_contacts"]:
            raise result.fail(f"addContact refused a valid contact: {result.body['invalid_contacts']}",
                              assumptions=REFUSED_OURS)
        contact_id = client.added_contact_id(campaign, result, contact)
        # Found by what the documented list shows: listed ids are an assumption.
        listed = client.find_contacts(campaign, external_unique_id=contact["external_unique_id"],
                                      phone=contact["phone_number"])
        if len(listed) != 1:
            raise result.fail(f"contact {contact_id} is listed {len(listed)} time(s) after the add")
        if isinstance(listed[0].get("id"), int) and listed[0]["id"] != contact_id:
            raise result.fail(f"addContact answered id {contact_id}, but the list shows the contact "
                              f"with id {listed[0]['id']}", assumptions=("add-returns-id",))
        return contact_id

    return add
