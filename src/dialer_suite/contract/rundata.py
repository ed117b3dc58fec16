"""The data one run writes: run-tagged contacts with fresh safe numbers, and their cleanup.

Cleanup does not trust a ledger of what the tests think they created (an
import, a lax target storing an invalid contact, an interrupted test...): at
the end it waits for the run's import jobs, then lists every campaign it may
have written to and removes every contact that carries the run id, and lists
again to say how many are left.
"""

from __future__ import annotations

import itertools
import threading
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dialer_suite.errors import UsageError
from dialer_suite.http.client import ContractViolation, DialerClient, iter_run_contacts
from dialer_suite.http.jobs import TERMINAL
from dialer_suite.vendor.testdata import PhoneFactory, fictional_blocks, make_contact

_JOB_WAIT_SECONDS = 30.0
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
        raise UsageError("the phone factory keeps repeating numbers; set DIALER_PHONE_RANGE")

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
    """Hands out run-tagged contacts and remembers the import jobs to wait for."""

    run_id: str
    phones: RunPhones
    _index: itertools.count[int] = field(default_factory=itertools.count)
    jobs: list[tuple[int, int]] = field(default_factory=list)

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

    def started_job(self, campaign_id: int, job_id: int) -> None:
        self.jobs.append((campaign_id, job_id))


@dataclass(frozen=True)
class CleanupResult:
    removed: int
    left: int
    problems: tuple[str, ...]


def clean_up(
    client: DialerClient, run_data: RunData, campaign_ids: Iterable[int],
    *, job_wait: float = _JOB_WAIT_SECONDS,
) -> CleanupResult:
    """Remove every contact of the run from ``campaign_ids``; never raises (it reports)."""
    problems: list[str] = []
    _wait_for_jobs(client, run_data.jobs, job_wait, problems)
    removed = left = 0
    for campaign_id in campaign_ids:
        try:
            for contact in list(iter_run_contacts(client.list_all(campaign_id), run_data.run_id)):
                key = ({"contact_id": contact["id"]} if isinstance(contact.get("id"), int)
                       else {"external_unique_id": contact.get("external_unique_id")})
                answer = client.delete_contact(campaign_id, key, validate=False)
                removed += answer.status == 200
            left += sum(1 for _ in iter_run_contacts(client.list_all(campaign_id), run_data.run_id))
        except ContractViolation as violation:
            problems.append(f"campaign {campaign_id}: {violation.problems[0]}")
    return CleanupResult(removed, left, tuple(problems))


def _wait_for_jobs(
    client: DialerClient, jobs: list[tuple[int, int]], budget: float, problems: list[str]
) -> None:
    """Jobs still running would import contacts after the cleanup: wait for them (bounded)."""
    deadline = time.monotonic() + budget
    for campaign_id, job_id in jobs:
        while time.monotonic() < deadline:
            answer = client.get_job(campaign_id, job_id, validate=False)
            status = answer.body.get("status") if isinstance(answer.body, dict) else None
            if answer.status != 200 or status in TERMINAL:
                break
            time.sleep(0.2)
        else:
            problems.append(f"import job {job_id} still running at cleanup")
            return
