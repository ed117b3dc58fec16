"""The data one run writes: run-tagged contacts with fresh safe numbers, and their cleanup.

Cleanup does not trust what the tests think they created (an import, a lax
target storing an invalid contact, an interrupted test...): at the end it waits
for every import job the run started (the run's ``RunLedger`` booked each 202),
then sweeps every campaign it may have written to, removing every contact that
carries the run id, until a listing shows none — and names any that stay, with
why, booking how many in the ledger.
"""

from __future__ import annotations

import itertools
import threading
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dialer_suite.api.testdata import PhoneFactory, fictional_blocks, make_contact
from dialer_suite.config.settings import Settings
from dialer_suite.contract.ledger import RunLedger
from dialer_suite.errors import UsageError
from dialer_suite.http.client import ContractViolation, DialerClient, iter_run_contacts
from dialer_suite.http.jobs import JobNotFinished, StuckJobs, wait_for_job

# Sweeps of the cleanup at most, and the pause between them.
_SWEEPS = 5
_SWEEP_PAUSE_SECONDS = 1.0
_MAX_SKIPS = 1000
_NAMES = ("José Müller", "Zoë Ørsted", "李小龙", "Đặng Thị")


class RunPhones:
    """The run's numbers: the safe factory, plus North American ones on request.

    Only +1 numbers have the vendor's third spelling (``+1-(201)-471-6992``).
    The factory hands out a consecutive stretch of its pool (often outside
    North America), so those come from the fictional +1 blocks directly, and
    every number issued either way is remembered so none is issued twice.
    """

    def __init__(self, factory: PhoneFactory, run_id: str) -> None:
        self._factory = factory
        self._issued: set[str] = set()
        blocks = [b for b in fictional_blocks() if b.prefix.startswith("+1")]
        start = zlib.crc32(run_id.encode())
        total = sum(b.count for b in blocks)
        self._north_american = (
            blocks[(start + i) % total // 100 % len(blocks)].number((start + i) % 100)
            for i in range(total)
        )
        self._lock = threading.Lock()

    def one(self) -> str:
        with self._lock:
            for _ in range(_MAX_SKIPS):
                number = self._factory.one()
                if number not in self._issued:
                    self._issued.add(number)
                    return number
        raise UsageError(
            f"the phone factory keeps repeating numbers; set {Settings.declared('phone_range').how()}"
        )

    def take(self, count: int) -> list[str]:
        return [self.one() for _ in range(count)]

    def one_north_american(self) -> str:
        with self._lock:
            for number in self._north_american:
                if number not in self._issued:
                    self._issued.add(number)
                    return number
        raise UsageError("no fictional +1 numbers left for this run")


@dataclass
class RunData:
    """Hands out run-tagged contacts, and knows whether the target's import jobs are stuck."""

    run_id: str
    phones: RunPhones
    # The first import job of the run that outlived the job timeout (see StuckJobs).
    stuck: StuckJobs = field(default_factory=StuckJobs)
    _index: itertools.count[int] = field(default_factory=itertools.count)

    def contact(self, **fields: Any) -> dict[str, Any]:
        """A fresh contact (fictional number, run id in name and external_unique_id).

        Names are not ASCII-only, as real contact names are not.
        """
        index = next(self._index)
        contact = make_contact(self.run_id, index, self.phones.one())
        contact["name"] = f"{contact['name']} {_NAMES[index % len(_NAMES)]}"
        contact.update(fields)
        return contact

    def contacts(self, count: int) -> list[dict[str, Any]]:
        return [self.contact() for _ in range(count)]


@dataclass(frozen=True)
class Leftover:
    """A contact of the run still listed after the cleanup, and why it could not be removed."""

    campaign_id: int
    contact: str
    why: str

    def __str__(self) -> str:
        return f"campaign {self.campaign_id}: {self.contact} ({self.why})"


@dataclass(frozen=True)
class CleanupResult:
    removed: int
    left: tuple[Leftover, ...]
    problems: tuple[str, ...]


def clean_up(
    client: DialerClient, run_data: RunData, ledger: RunLedger, campaign_ids: Iterable[int],
    *, job_timeout: float, sweeps: int = _SWEEPS,
) -> CleanupResult:
    """Remove every contact of the run from ``campaign_ids``; never raises (it reports).

    First every import job of the ``ledger`` must end (bounded by ``job_timeout``
    in all): a job still running would add contacts after the sweep. Then the
    campaigns are swept until a listing shows none of the run's contacts, at most
    ``sweeps`` times (a target that applies writes late gets a moment between
    sweeps); what is still listed then is named with the reason, and its count
    booked in the ledger.
    """
    problems: list[str] = []
    _wait_for_jobs(client, ledger.jobs, job_timeout, run_data.stuck, problems)
    result = _sweep(client, list(campaign_ids), run_data.run_id, sweeps, problems)
    ledger.record_left(len(result.left))
    return result


def _sweep(
    client: DialerClient, campaigns: list[int], run_id: str, sweeps: int, problems: list[str]
) -> CleanupResult:
    """Delete what the listings show of the run until they show none, ``sweeps`` times at most."""
    removed = 0
    why: dict[tuple[int, str], str] = {}
    for sweep in range(sweeps):
        if sweep:
            time.sleep(_SWEEP_PAUSE_SECONDS)
        remaining = _listed(client, campaigns, run_id, problems)
        if not remaining:
            return CleanupResult(removed, (), tuple(problems))
        for campaign_id, contact in remaining:
            answer = client.delete_contact(campaign_id, _delete_key(contact), validate=False)
            removed += answer.status == 200
            why[(campaign_id, _name(contact))] = (
                "listed again after its delete answered 200" if answer.status == 200
                else f"delete answered {answer.status}"
            )
    left = tuple(
        Leftover(campaign_id, _name(contact), why.get((campaign_id, _name(contact)), "not deleted"))
        for campaign_id, contact in _listed(client, campaigns, run_id, problems)
    )
    return CleanupResult(removed, left, tuple(problems))


def _listed(
    client: DialerClient, campaigns: list[int], run_id: str, problems: list[str]
) -> list[tuple[int, dict[str, Any]]]:
    found: list[tuple[int, dict[str, Any]]] = []
    for campaign_id in campaigns:
        try:
            found += [(campaign_id, c) for c in iter_run_contacts(client.list_all(campaign_id), run_id)]
        except ContractViolation as violation:
            problems.append(f"campaign {campaign_id}: {violation.problems[0]}")
    return found


def _delete_key(contact: dict[str, Any]) -> dict[str, Any]:
    """The most precise key the listing gives: the id, else the run-tagged external id, else the number."""
    if isinstance(contact.get("id"), int):
        return {"contact_id": contact["id"]}
    if contact.get("external_unique_id"):
        return {"external_unique_id": contact["external_unique_id"]}
    return {"phone_number": contact.get("phone_number")}


def _name(contact: dict[str, Any]) -> str:
    return f"{contact.get('external_unique_id') or contact.get('phone_number')} (id {contact.get('id')})"


def _wait_for_jobs(
    client: DialerClient, jobs: Iterable[tuple[int, int]], budget: float, stuck: StuckJobs,
    problems: list[str],
) -> None:
    """Jobs still running would import contacts after the sweep: wait for them, ``budget`` in all."""
    deadline = time.monotonic() + budget
    pending = list(jobs)
    for index, (campaign_id, job_id) in enumerate(pending):

        def read(campaign_id: int = campaign_id, job_id: int = job_id) -> Any:
            answer = client.get_job(campaign_id, job_id, validate=False)
            return answer.body if answer.status == 200 else None

        try:
            wait_for_job(read, describe=f"import job {job_id} of campaign {campaign_id}",
                         timeout=max(deadline - time.monotonic(), 0.0), stuck=stuck)
        except JobNotFinished as unfinished:
            if stuck.first is not None:
                # The target's jobs are not finishing: one line for all, not one per job.
                left = len(pending) - index
                problems.append(f"at cleanup: {left} import job(s) not waited for: {unfinished}")
                return
            problems.append(f"at cleanup: {unfinished}")
