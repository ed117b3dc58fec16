"""Import jobs: find the job id a 202 carries, then poll the job until it ends (bounded).

The vendor documents the 202's body as "None" (assumption ``job-id-location``):
client code in the wild looks in the body (``job_id``, ``id``), then the
``X-Job-Id`` header, then ``Location``. We look in all of them, report which
one answered, and fail when they disagree — a 202 pointing at two different
jobs is broken whichever one a client reads.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from dialer_suite.api import spec
from dialer_suite.config.settings import Settings
from dialer_suite.http.client import DialerClient, Result

TERMINAL = frozenset({"completed", "failed"})
# Where a 202 carries its job is our assumption: the vendor documents no body.
JOB_ID_LOCATION = ("job-id-location",)
# That a job reads only the examples' three statuses, too: the page shows no list of them.
JOB_STATUSES = ("job-statuses",)
_LOCATION = re.compile(r"/contacts/jobs/(?P<id>[0-9]+)/?$")


@dataclass(frozen=True)
class JobRef:
    """A job id and where the 202 carried it."""

    job_id: int
    source: str


class JobNotFinished(AssertionError):
    """The job did not reach a terminal status in time.

    ``assumptions`` as ``ContractViolation``'s: when the last status read is none
    of the vendor's examples' values, the job may have ended under a name the page
    does not show, so the failure is about ``job-statuses``; otherwise None (the
    test's marks decide).
    """

    def __init__(self, message: str, status: Any = None) -> None:
        unknown = isinstance(status, str) and status not in spec.job_statuses()
        self.assumptions: tuple[str, ...] | None = JOB_STATUSES if unknown else None
        if unknown:
            message += (f"; {status!r} is none of the job statuses the vendor's examples show, "
                        f"so whether the job ended cannot be told ({JOB_STATUSES[0]})")
        super().__init__(message)


@dataclass(frozen=True)
class StuckJob:
    """A job that outlived the timeout: which, in which status, after how long."""

    describe: str
    status: Any
    elapsed: float


class StuckJobs:
    """The first job of a run that outlived its timeout.

    Once one has, the target's jobs are not finishing: a run that waited out the
    timeout for every later import would take minutes per test, so later waits
    read their job once and, unless it has ended, fail at once naming the stuck
    one. A healthy target never fills this in, so nothing changes for it.
    """

    def __init__(self) -> None:
        self.first: StuckJob | None = None

    def record(self, job: StuckJob) -> None:
        if self.first is None:
            self.first = job


class JobIdProblem(AssertionError):
    """The 202 does not name one job."""


def locate_job_id(body: Any, headers: Mapping[str, str]) -> JobRef:
    """The job id of an import's 202, from every place it may be; they must agree."""
    lowered = {name.lower(): value for name, value in headers.items()}
    found: list[JobRef] = []
    fields = body if isinstance(body, dict) else {}
    for key in ("job_id", "id"):
        value = fields.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            found.append(JobRef(value, f"body {key}"))
    header = lowered.get("x-job-id")
    if header is not None:
        if not header.strip().isdigit():
            raise JobIdProblem(f"importContacts 202: X-Job-Id {header!r} is not a job id")
        found.append(JobRef(int(header), "X-Job-Id header"))
    location = lowered.get("location")
    if location is not None:
        match = _LOCATION.search(location.split("?")[0])
        if match is None:
            raise JobIdProblem(
                f"importContacts 202: Location {location!r} does not name a job (…/contacts/jobs/ID)"
            )
        found.append(JobRef(int(match["id"]), "Location header"))
    if not found:
        raise JobIdProblem(
            "importContacts 202: no job id in the body (job_id, id), X-Job-Id or Location"
        )
    if len({ref.job_id for ref in found}) > 1:
        places = ", ".join(f"{ref.source}={ref.job_id}" for ref in found)
        raise JobIdProblem(f"importContacts 202: the places that name the job disagree: {places}")
    return JobRef(found[0].job_id, " + ".join(ref.source for ref in found))


def find_job_id(result: Result) -> JobRef:
    """``locate_job_id`` for a client result; a problem fails with the exchange shown."""
    try:
        return locate_job_id(result.body, result.headers)
    except JobIdProblem as problem:
        raise result.fail(str(problem), assumptions=JOB_ID_LOCATION) from None


@dataclass(frozen=True)
class Backoff:
    """Seconds between job reads: ``first``, then times ``factor`` each read, at most ``most``."""

    first: float = 0.05
    factor: float = 2.0
    most: float = 2.0

    def intervals(self) -> Iterator[float]:
        interval = self.first
        while True:
            yield interval
            interval = min(interval * self.factor, self.most)


# A read that answers nothing usable this many times in a row ends the wait.
MAX_MISSED_READS = 3


def wait_for_job(
    read: Callable[[], Any],
    *,
    describe: str,
    timeout: float,
    backoff: Backoff = Backoff(),
    started: float | None = None,
    stuck: StuckJobs | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Call ``read`` (the job's body, or None when a read failed) until the job ends.

    The one job-polling loop of the suite: the scenarios, the cleanup and the
    load users all wait here. Raises ``JobNotFinished`` naming ``describe``, the
    last status and the time spent once ``timeout`` seconds (from ``started``,
    the clock value the wait began at; default now) run out, or after
    ``MAX_MISSED_READS`` failed reads in a row. With ``stuck``, a job that runs
    out the timeout is recorded there, and once one has, this wait reads its job
    once and fails at once unless it has ended.
    """
    started = clock() if started is None else started
    status: Any = None
    misses = 0
    for reads, interval in enumerate(backoff.intervals(), start=1):
        job = read()
        misses = 0 if job is not None else misses + 1
        if job is not None:
            status = job.get("status") if isinstance(job, dict) else None
            if status in TERMINAL:
                return dict(job)
        elapsed = clock() - started
        if misses >= MAX_MISSED_READS:
            raise JobNotFinished(f"{describe}: {misses} reads in a row failed (last status {status!r})")
        if stuck is not None and stuck.first is not None:
            first = stuck.first
            raise JobNotFinished(
                f"not waiting for {describe} (still {status!r}): {first.describe} was still "
                f"{first.status!r} after {first.elapsed:.1f} s, the target's jobs are not finishing",
                first.status,
            )
        if elapsed + interval > timeout:
            if stuck is not None:
                stuck.record(StuckJob(describe, status, elapsed))
            raise JobNotFinished(
                f"{describe} still {status!r} after {elapsed:.1f} s ({reads} polls; timeout "
                f"{timeout:.0f} s, {Settings.declared('job_timeout').env})",
                status,
            )
        sleep(interval)
    raise AssertionError("unreachable: the intervals never end")


def poll_job(
    client: DialerClient,
    campaign_id: int,
    job_id: int,
    *,
    timeout: float,
    stuck: StuckJobs | None = None,
    backoff: Backoff = Backoff(),
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Read the job with exponential backoff until it is completed or failed (``wait_for_job``);
    every read is validated by the client, and an answer other than 200 fails at once — under
    ``job-id-location``: the page names no job in a 202, so the id read from it may not be one."""

    def read() -> Any:
        answer = client.get_job(campaign_id, job_id)
        if answer.status != 200:
            raise answer.fail(f"getImportJob: expected 200 (the job the 202 named), got {answer.status}",
                              assumptions=JOB_ID_LOCATION)
        return answer.body

    return wait_for_job(
        read, describe=f"import job {job_id} of campaign {campaign_id}", timeout=timeout,
        backoff=backoff, stuck=stuck, clock=clock, sleep=sleep,
    )
