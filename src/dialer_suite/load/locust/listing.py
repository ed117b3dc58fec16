"""How long a file takes from posted to its contacts listed: the capacity question a job's
``completed`` does not answer (a tenant may list them later).

Once per process in a capacity run, after a file's job completed, the
campaign's whole list is read — through the suite's one list reader
(``DialerClient.list_all``, however the target pages), under the run's
throttle, every answer a ``listContacts`` entry of the run (a page size the
target refuses while the reader finds the one it takes is no failure) — every
poll interval until every contact of the file is there, within the job timeout.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import urlsplit

import gevent

from dialer_suite.api.validation import Findings
from dialer_suite.http.client import ContractViolation, DialerClient
from dialer_suite.http.exchange import Exchange
from dialer_suite.http.pages import PARAMETERS_REFUSED
from dialer_suite.load.locust.run import LoadRun
from dialer_suite.load.names import LIST_CONTACTS, POSTED_TO_LISTED

_CLIENT = "dialer_suite_lister"
log = logging.getLogger("dialer_suite.load")
# Locust logs at INFO: httpx would log every page; the pages are entries of the run instead.
logging.getLogger("httpx").setLevel(logging.WARNING)


class _Entries:
    """The list reader's observer: each page it reads is a ``listContacts`` entry of the run."""

    def __init__(self, run: LoadRun) -> None:
        self._run = run

    def record(self, exchange: Exchange, findings: Findings | None) -> None:
        throttled = exchange.status == 429
        # The reader asks for page sizes the target may refuse: that is how it finds the one it takes.
        probe = bool(urlsplit(exchange.url).query) and exchange.status in PARAMETERS_REFUSED
        failed = not (throttled or probe or exchange.status == 200)
        self._run.environment.events.request.fire(
            request_type="GET",
            name=f"{LIST_CONTACTS} (429 throttled)" if throttled else LIST_CONTACTS,
            response_time=exchange.elapsed * 1000,
            response_length=len(exchange.response_body),
            exception=RuntimeError(f"listContacts answered {exchange.status}") if failed else None,
            context={"operation": LIST_CONTACTS, "throttled": throttled},
        )

    def observe(self, assumption_id: str, held: bool, detail: str) -> None:
        """What paging the target does is the contract suite's question, not this one's."""


def _lister(run: LoadRun) -> DialerClient:
    client = getattr(run, _CLIENT, None)
    if client is None:
        username, token = run.credentials
        client = DialerClient(
            run.environment.host or "", username, token, rate_limit=1.0, report=_Entries(run),
            throttle=run.throttle,
        )
        setattr(run, _CLIENT, client)
    return client


def time_until_listed(run: LoadRun, contacts: list[dict[str, Any]], posted: float) -> None:
    """Read the list until every one of ``contacts`` is in it; an aside entry from ``posted``
    (the clock value the file was sent at), failed when the job timeout runs out first."""
    wanted = {contact["external_unique_id"] for contact in contacts}
    plan = run.run_plan
    posted_unix = time.time() - (time.monotonic() - posted)
    problem = None
    while True:
        try:
            listed = {c.get("external_unique_id") for c in _lister(run).list_all(plan.campaign_id)}
        except ContractViolation as violation:
            problem = violation.problems[0]
            break
        if wanted <= listed:
            break
        if time.monotonic() - posted > plan.job_timeout:
            problem = f"{len(wanted - listed)} of {len(wanted)} contacts still not listed"
            break
        gevent.sleep(plan.poll_interval)
    if problem is not None:
        log.warning("file posted -> listed: %s", problem)
    run.book.aside(POSTED_TO_LISTED, (time.monotonic() - posted) * 1000, contacts=len(wanted),
                   failed=problem is not None, started=posted_unix, now=time.time())
