"""The data one run writes: run-tagged contacts with fresh safe numbers, and their cleanup.

Cleanup does not trust what the tests think they created (an import, a lax
target storing an invalid contact, an interrupted test...): at the end it waits
for every import job the run started (the run's ``RunLedger`` booked each 202),
then sweeps every campaign it may have written to, removing every contact that
carries the run id, until a listing shows none — and names any that stay, with
why, booking how many in the ledger. The sweeping is the cleanup core the load
suite and ``dialer-suite cleanup`` share (``http.cleanup``).
"""

from __future__ import annotations

import itertools
import threading
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dialer_suite.api.testdata import PhoneFactory, fictional_blocks, make_contact
from dialer_suite.config.settings import Settings
from dialer_suite.contract.ledger import RunLedger
from dialer_suite.errors import UsageError
from dialer_suite.http.cleanup import SWEEPS, CleanupResult, Leftover, clean_up_run
from dialer_suite.http.client import DialerClient
from dialer_suite.http.jobs import StuckJobs

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


def clean_up(
    client: DialerClient, run_data: RunData, ledger: RunLedger, campaign_ids: Iterable[int],
    *, job_timeout: float, sweeps: int = SWEEPS,
) -> CleanupResult:
    """Remove every contact of the run from ``campaign_ids``; never raises (it reports).

    The cleanup core (``http.cleanup``) first waits for every import job of the
    ``ledger`` (bounded by ``job_timeout`` in all), then sweeps the campaigns until a
    listing shows none of the run's contacts, at most ``sweeps`` times; what is still
    listed then is named with the reason, and its count booked in the ledger.
    """
    result = clean_up_run(
        client, run_data.run_id, campaign_ids, jobs=ledger.jobs, job_timeout=job_timeout,
        stuck=run_data.stuck, sweeps=sweeps,
    )
    ledger.record_left(len(result.left))
    return result


__all__ = ["CleanupResult", "Leftover", "RunData", "RunPhones", "clean_up"]
