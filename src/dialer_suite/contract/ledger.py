"""The run's ledger: what it wrote on the target, as the target's answers showed it.

The cleanup needs two things from the whole run — every import job the run
started (a job still running would add contacts after the sweep) and, for the
summary, how many of the run's contacts were created, removed and left. Both
come from the answers, not from what the tests think they did: every exchange
of the run is handed here (the run report passes each one on), whoever sent it
— a scenario, a generated request, a check's own request, the cleanup itself.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from dialer_suite.api.testdata import is_run_contact
from dialer_suite.api.validation import Findings
from dialer_suite.http.exchange import Exchange
from dialer_suite.http.jobs import JobIdProblem, locate_job_id

_CAMPAIGN = re.compile(r"/campaigns/(?P<id>[0-9]+)/")


class RunLedger:
    """Contacts of the run created and removed, import jobs started, contacts left after cleanup.

    Thread-safe: the scenario client and the schemathesis session send at once.
    """

    def __init__(self, run_id: str = "") -> None:
        self.run_id = run_id
        self._seen: set[str] = set()
        self._removed: set[str] = set()
        # (campaign id, job id) of every import the target accepted, in order.
        self._jobs: dict[tuple[int, int], None] = {}
        self._left: int | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (f"RunLedger({self.run_id!r}, created={self.created}, removed={self.removed}, "
                f"jobs={len(self.jobs)}, left={self.left})")

    def record(self, exchange: Exchange, findings: Findings) -> None:
        """Book what one answer shows the run wrote (answers without a status show nothing)."""
        if exchange.status is None:
            return
        job = _job_started(exchange, findings)
        with self._lock:
            self._book_contacts(findings)
            if job is not None:
                self._jobs.setdefault(job, None)

    def _book_contacts(self, findings: Findings) -> None:
        """Count the run's contacts by what responses show (imports included, once listed)."""
        if not self.run_id or findings.status != 200:
            return
        body = findings.body
        if findings.operation_id == "addContact" and isinstance(body, dict):
            contacts = body.get("valid_contacts") or []
        elif isinstance(body, list):
            contacts = body
        elif isinstance(body, dict) and findings.operation_id in ("updateContact", "deleteContact"):
            contacts = [body]
        else:
            return
        mine = [_key(c) for c in contacts if isinstance(c, dict) and is_run_contact(c, self.run_id)]
        self._seen.update(mine)
        if findings.operation_id == "deleteContact":
            self._removed.update(mine)

    def record_left(self, count: int) -> None:
        """What the cleanup could not remove: how many contacts of the run are still listed."""
        with self._lock:
            self._left = count

    @property
    def jobs(self) -> tuple[tuple[int, int], ...]:
        """(campaign id, job id) of every import job the run started, in order."""
        with self._lock:
            return tuple(self._jobs)

    @property
    def created(self) -> int:
        """Distinct contacts of this run that any response showed (added, imported, listed)."""
        with self._lock:
            return len(self._seen)

    @property
    def removed(self) -> int:
        with self._lock:
            return len(self._removed)

    @property
    def left(self) -> int | None:
        """Contacts of the run still listed after the cleanup; None when no cleanup ran."""
        with self._lock:
            return self._left


def _job_started(exchange: Exchange, findings: Findings) -> tuple[int, int] | None:
    """The (campaign, job) an accepted import started, whoever sent it: the cleanup waits for it."""
    if findings.operation_id != "importContacts" or exchange.status != 202:
        return None
    campaign = _CAMPAIGN.search(exchange.url)
    if campaign is None:
        return None
    try:
        ref = locate_job_id(findings.body, exchange.response_headers)
    except JobIdProblem:
        return None  # the test that sent it fails on this; there is no job to wait for
    return int(campaign["id"]), ref.job_id


def _key(contact: dict[str, Any]) -> str:
    # The id is stable across updates; a vendor whose add echo has no id is keyed by
    # the run-tagged external id, unique per contact.
    if contact.get("id") is not None:
        return f"id:{contact['id']}"
    return f"eid:{contact.get('external_unique_id')}"
