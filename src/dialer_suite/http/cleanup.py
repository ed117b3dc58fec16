"""Removing what runs wrote: wait for their import jobs, then sweep until none of it is listed.

One core for every remover: the contract suite at the end of a run
(``contract.rundata.clean_up``), the load suite after a run, and
``dialer-suite cleanup`` for what an interrupted run left. It does not trust
what a run thinks it created (an import, a lax target storing an invalid
contact, an interrupted test...): it lists the campaigns, removes every listed
contact the selection picks, and lists again, until a listing shows none —
naming any that stay, with why. Everything it sends goes through the client,
so it is paced under the target's limit like every other request; it keeps
nothing of its own, so a removal cut short is resumed by running it again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, Protocol

from dialer_suite.http.client import ContractViolation, DialerClient, iter_run_contacts
from dialer_suite.http.jobs import JobNotFinished, StuckJobs, wait_for_job

# Sweeps at most, and the pause between them: a target that applies writes late gets a moment.
SWEEPS = 5
_SWEEP_PAUSE_SECONDS = 1.0

# Which listed contacts to remove.
Select = Callable[[dict[str, Any]], bool]


class Progress(Protocol):
    """Who hears how a removal goes (a progress bar; nothing, by default)."""

    def found(self, count: int) -> None:
        """A listing showed ``count`` more contacts to remove."""

    def done(self, count: int) -> None:
        """``count`` more delete requests were answered."""


class _Silent:
    def found(self, count: int) -> None:
        pass

    def done(self, count: int) -> None:
        pass


@dataclass(frozen=True)
class Leftover:
    """A contact still listed after the cleanup, and why it could not be removed."""

    campaign_id: int
    contact: str
    why: str

    def __str__(self) -> str:
        return f"campaign {self.campaign_id}: {self.contact} ({self.why})"


@dataclass(frozen=True)
class CleanupResult:
    """What a removal did: contacts removed, those still listed, what went wrong on the way."""

    removed: int
    left: tuple[Leftover, ...]
    problems: tuple[str, ...]
    # Delete requests sent and seconds spent (listings and job reads included in the time).
    deletes: int = 0
    seconds: float = 0.0


@dataclass
class _Tally:
    removed: int = 0
    deletes: int = 0
    why: dict[tuple[int, str], str] = field(default_factory=dict)


def clean_up_run(
    client: DialerClient,
    run_id: str,
    campaign_ids: Iterable[int],
    *,
    jobs: Iterable[tuple[int, int]] = (),
    job_timeout: float,
    stuck: StuckJobs | None = None,
    sweeps: int = SWEEPS,
    workers: int = 1,
    progress: Progress | None = None,
) -> CleanupResult:
    """Remove every contact of run ``run_id`` from ``campaign_ids``; never raises (it reports).

    First every import job in ``jobs`` ((campaign, job) pairs) must end, within
    ``job_timeout`` in all: a job still running would add contacts after the sweep.
    """
    started = time.monotonic()
    problems: list[str] = []
    wait_for_jobs(client, jobs, job_timeout, stuck or StuckJobs(), problems)
    result = remove_contacts(
        client, campaign_ids, lambda contact: any(iter_run_contacts([contact], run_id)),
        sweeps=sweeps, workers=workers, progress=progress, problems=problems,
    )
    return CleanupResult(result.removed, result.left, result.problems, result.deletes,
                         time.monotonic() - started)


def remove_contacts(
    client: DialerClient,
    campaign_ids: Iterable[int],
    select: Select,
    *,
    sweeps: int = SWEEPS,
    workers: int = 1,
    progress: Progress | None = None,
    problems: list[str] | None = None,
) -> CleanupResult:
    """Delete what the listings of ``campaign_ids`` show that ``select`` picks, until they show
    none, ``sweeps`` times at most; ``workers`` deletes in flight at once (the client's throttle
    still paces them)."""
    started = time.monotonic()
    campaigns = list(campaign_ids)
    problems = [] if problems is None else problems
    heard = progress or _Silent()
    tally = _Tally()
    for sweep in range(sweeps):
        if sweep:
            time.sleep(_SWEEP_PAUSE_SECONDS)
        remaining = listed(client, campaigns, select, problems)
        if not remaining:
            return CleanupResult(tally.removed, (), tuple(problems), tally.deletes,
                                 time.monotonic() - started)
        heard.found(len(remaining))
        _delete_all(client, remaining, tally, heard, workers)
    left = tuple(
        Leftover(campaign_id, _name(contact), tally.why.get((campaign_id, _name(contact)), "not deleted"))
        for campaign_id, contact in listed(client, campaigns, select, problems)
    )
    return CleanupResult(tally.removed, left, tuple(problems), tally.deletes, time.monotonic() - started)


def listed(
    client: DialerClient, campaigns: Iterable[int], select: Select, problems: list[str]
) -> list[tuple[int, dict[str, Any]]]:
    """(campaign, contact) for every listed contact ``select`` picks; a campaign whose list
    cannot be read is a problem, not an error."""
    found: list[tuple[int, dict[str, Any]]] = []
    for campaign_id in campaigns:
        try:
            found += [(campaign_id, c) for c in client.list_all(campaign_id) if isinstance(c, dict)
                      and select(c)]
        except ContractViolation as violation:
            problems.append(f"campaign {campaign_id}: {violation.problems[0]}")
    return found


def _delete_all(
    client: DialerClient, contacts: list[tuple[int, dict[str, Any]]], tally: _Tally, progress: Progress,
    workers: int,
) -> None:
    def delete(item: tuple[int, dict[str, Any]]) -> tuple[int, dict[str, Any], int]:
        campaign_id, contact = item
        answer = client.delete_contact(campaign_id, delete_key(contact), validate=False)
        return campaign_id, contact, answer.status

    for campaign_id, contact, status in _in_flight(delete, contacts, workers):
        tally.deletes += 1
        tally.removed += status == 200
        tally.why[(campaign_id, _name(contact))] = (
            "listed again after its delete answered 200" if status == 200 else f"delete answered {status}"
        )
        progress.done(1)


def _in_flight(
    work: Callable[[Any], Any], items: list[Any], workers: int
) -> Iterator[Any]:
    """``work`` on each item, at most ``workers`` at a time, results as they come. An
    interruption stops handing out work at once; what is in flight ends on its own."""
    if workers <= 1:
        yield from map(work, items)
        return
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="cleanup")
    pending: set[Future[Any]] = set()
    try:
        for item in items:
            pending.add(pool.submit(work, item))
            if len(pending) >= workers:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from (future.result() for future in finished)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            yield from (future.result() for future in finished)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def delete_key(contact: dict[str, Any]) -> dict[str, Any]:
    """The most precise key the listing gives: the id, else the run-tagged external id, else the number."""
    if isinstance(contact.get("id"), int):
        return {"contact_id": contact["id"]}
    if contact.get("external_unique_id"):
        return {"external_unique_id": contact["external_unique_id"]}
    return {"phone_number": contact.get("phone_number")}


def _name(contact: dict[str, Any]) -> str:
    return f"{contact.get('external_unique_id') or contact.get('phone_number')} (id {contact.get('id')})"


def wait_for_jobs(
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
