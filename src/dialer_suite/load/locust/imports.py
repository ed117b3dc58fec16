"""The import flow: post a file of contacts, wait for its job, fire ``IMPORT import end-to-end``.

The end-to-end time runs from sending the file (the last attempt, when a 429
was retried) to the poll that shows the job ended, so it is at most one poll
interval late. The job is read every ``poll_interval`` through the suite's one
job-waiting loop (``dialer_suite.http.jobs.wait_for_job``): a job that fails,
outlives the job timeout, or cannot be read three polls in a row is a failed
import naming why. Every job is also a line of ``jobs-<worker>.jsonl``. In a
capacity run each job is also booked under its batch size (the answers compare
them), and the first file of each process is timed until its contacts are listed.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import gevent

from dialer_suite.http.jobs import Backoff, JobNotFinished, locate_job_id, wait_for_job
from dialer_suite.load.arrivals import Ticket
from dialer_suite.load.locust.calls import Answer, a_job, accepted_job, call, request
from dialer_suite.load.locust.listing import time_until_listed
from dialer_suite.load.locust.run import LoadRun
from dialer_suite.load.names import (
    GET_IMPORT_JOB,
    IMPORT_CONTACTS,
    IMPORT_END_TO_END,
    IMPORT_REQUEST_TYPE,
    files_of,
)


@dataclass
class _Polls:
    """What the job's reads have seen: its last body, and when the last read was sent."""

    job: Any = None
    sent_unix: float = 0.0


def import_file(
    run: LoadRun, client: Any, size: int, ticket: Ticket | None, *, batch_size: int | None = None
) -> None:
    """One import of ``size`` new contacts, from the post to the job's end (``client``: requests-based);
    ``batch_size``: the capacity run's batch size the file belongs to."""
    contacts = run.next_contacts(size)
    payload = json.dumps(contacts, separators=(",", ":")).encode()
    post = request(
        run, client, "POST", "/contacts/import", IMPORT_CONTACTS,
        files={"file": ("contacts.json", payload, "application/json")},
    )
    posted, posted_unix = time.monotonic(), time.time()

    def timed_post() -> Any:
        nonlocal posted, posted_unix
        posted, posted_unix = time.monotonic(), time.time()
        return post()

    accepted = call(run, timed_post, IMPORT_CONTACTS, accepted_job, ticket=ticket, contacts=size)
    accepted_unix = time.time()
    stage = ticket.stage if ticket else run.stage_now()
    if accepted is None:
        return
    # accepted_job has already failed a 202 that does not name exactly one job.
    job_id = locate_job_id(accepted.body, accepted.headers).job_id
    polls = _Polls(sent_unix=time.time())
    problem = _wait(run, client, job_id, posted, polls)
    millis, seen_unix = (time.monotonic() - posted) * 1000, time.time()
    imported = polls.job.get("imported_contacts") if isinstance(polls.job, dict) else None
    done = imported if isinstance(imported, int) and not isinstance(imported, bool) else size
    if batch_size is not None:
        run.book.aside(files_of(batch_size), millis, contacts=0 if problem else done,
                       failed=problem is not None, started=posted_unix, now=seen_unix)
        if problem is None and not run.listing_timed:
            # Before the job's entry: a capacity run ends once every job has one.
            run.listing_timed = True
            time_until_listed(run, contacts, posted)
    run.environment.events.request.fire(
        request_type=IMPORT_REQUEST_TYPE,
        name=IMPORT_END_TO_END,
        response_time=millis,
        response_length=done,
        exception=RuntimeError(problem) if problem else None,
        context={"contacts": 0 if problem else done, "stage": stage},
    )
    run.log_job(
        job_id=job_id,
        posted_unix=posted_unix,
        accepted_unix=accepted_unix,
        last_poll_sent_unix=polls.sent_unix,
        seen_unix=seen_unix,
        e2e_ms=millis,
        contacts=done,
        problem=problem,
    )


def _wait(run: LoadRun, client: Any, job_id: int, posted: float, polls: _Polls) -> str | None:
    """Read the job every poll interval until it ends; what went wrong, or None when it completed."""
    read_job = request(run, client, "GET", f"/contacts/jobs/{job_id}", GET_IMPORT_JOB)

    def read() -> Any:
        polls.sent_unix = time.time()
        answer: Answer | None = call(run, read_job, GET_IMPORT_JOB, a_job)
        if answer is not None:
            polls.job = answer.body
        return answer.body if answer is not None else None

    interval = run.run_plan.poll_interval
    try:
        job = wait_for_job(
            read,
            describe=f"job {job_id}",
            timeout=run.run_plan.job_timeout,
            backoff=Backoff(first=interval, factor=1.0, most=interval),
            started=posted,
            sleep=gevent.sleep,
        )
    except JobNotFinished as unfinished:
        return str(unfinished)
    if job.get("status") == "failed":
        return f"job {job_id} failed: {job.get('error_details')}"
    return None
