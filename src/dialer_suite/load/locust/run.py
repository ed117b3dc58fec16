"""One load run in one locust process: created at locust's ``init`` event, one per Environment.

Users, the shape and the listeners reach it through their environment
(``run_of``); nothing about a run lives in a module. The master (or the only
process) has the run plan from ``--dialer-plan`` at ``init``; a worker gets it
from the master's message before its first spawn (``workers.py``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, TextIO

import gevent
import gevent.event
from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner

from dialer_suite.api.testdata import make_contact
from dialer_suite.http.exchange import basic_authorization
from dialer_suite.http.throttle import AdaptiveThrottle
from dialer_suite.load.analysis import Scenario
from dialer_suite.load.arrivals import ArrivalSchedule, Ticket
from dialer_suite.load.book import Book
from dialer_suite.load.names import SYNTHETIC
from dialer_suite.load.phones import PhoneSource
from dialer_suite.load.profiles import Plan
from dialer_suite.load.run_plan import RunPlan

_ATTRIBUTE = "dialer_suite_load_run"


def run_of(environment: Environment) -> LoadRun:
    """The load run of ``environment`` (made at ``init`` when a locustfile imports this package)."""
    run = getattr(environment, _ATTRIBUTE, None)
    if not isinstance(run, LoadRun):
        raise RuntimeError("this locust environment has no dialer-suite load run (see load_tests/README.md)")
    return run


def operation_of(user_class: Any) -> str:
    """The operation a user class paces ("" for one the plan does not pace)."""
    return str(getattr(user_class, "operation", ""))


def scenario_of(user_classes: list[Any]) -> Scenario:
    """The request names the user classes produce, and the operations the plan paces."""
    expected: list[str] = []
    paced: list[str] = []
    for user_class in user_classes:
        expected += getattr(user_class, "produces", ())
        if operation_of(user_class):
            paced.append(operation_of(user_class))
    return Scenario(tuple(dict.fromkeys(expected)), tuple(dict.fromkeys(paced)))


class LoadRun:
    """The plan, the HDR book, the throttle, the arrival schedules and the clock of this process."""

    def __init__(
        self, environment: Environment, run_plan: RunPlan | None, credentials: tuple[str, str]
    ) -> None:
        self.environment = environment
        self._run_plan = run_plan
        self.credentials = credentials
        self.headers = {"Authorization": basic_authorization(*credentials)}
        self.scenario = Scenario((), ())
        self.book = Book()
        self.throttle = AdaptiveThrottle(None, sleep=gevent.sleep)
        self.phones: PhoneSource | None = None
        self.arrivals: dict[str, ArrivalSchedule] = {}
        # A capacity run's files of this process: (batch size, contacts in the file).
        self.batches: list[tuple[int, int]] = []
        self.listing_timed = False  # a capacity run times one file posted -> listed per process
        self.workers = 1  # processes sharing the load, as this process sees it (1 on the master)
        self.worker = 0
        self.started: float | None = None  # time.time() when the arrival schedules started
        self.started_monotonic: float | None = None
        self.ready = gevent.event.Event()
        self.spawned = False
        self.judged_stages: set[int] = set()
        self.breached = False
        self.summary_text = ""
        self.contact_index = 0
        self.reported: dict[str, int] = {}  # a worker's requests sent to the master
        self.user_totals: dict[str, int] = {}  # users per class in the whole run (from the master)
        self.users_before: dict[str, int] = {}  # ... on workers before this one
        self._job_log: TextIO | None = None
        setattr(environment, _ATTRIBUTE, self)

    @property
    def has_plan(self) -> bool:
        return self._run_plan is not None

    @property
    def run_plan(self) -> RunPlan:
        if self._run_plan is None:
            raise RuntimeError("no load plan: a worker gets it from its master before the first spawn")
        return self._run_plan

    @run_plan.setter
    def run_plan(self, run_plan: RunPlan) -> None:
        self._run_plan = run_plan

    @property
    def plan(self) -> Plan:
        """The offered load: profile, stages, users."""
        return self.run_plan.plan

    @property
    def report_dir(self) -> Path:
        return Path(self.run_plan.report_dir)

    @property
    def expected_workers(self) -> int:
        return max(1, int(getattr(self.environment.parsed_options, "expect_workers", 1) or 1))

    @property
    def distributed_master(self) -> bool:
        return isinstance(self.environment.runner, MasterRunner)

    @property
    def worker_processes(self) -> int:
        """Processes the users are spread over (the master's workers; 1 in a local run)."""
        return self.expected_workers if self.distributed_master else 1

    def begin_test(self, **_: Any) -> None:
        """``test_start``: a fresh book, throttle and phone source for this process's share."""
        plan = self.plan
        runner = self.environment.runner
        self.scenario = scenario_of(self.environment.user_classes)
        self.book = Book(bucket_seconds=plan.bucket_seconds)
        if isinstance(runner, WorkerRunner):
            self.workers = self.expected_workers
            self.worker = max(0, runner.worker_index) % self.workers
        cap = self.run_plan.send_cap
        self.throttle = AdaptiveThrottle(cap / self.workers if cap else None, sleep=gevent.sleep)
        # Numbers from the whole possible space only for the simulator the command started: a
        # tenant, reached on loopback or not, may dial what it is given.
        self.phones = PhoneSource(
            loopback=self.run_plan.embedded,
            run_id=self.run_id,
            worker=self.worker,
            workers=self.workers,
            extra=self.run_plan.phone_range,
        )
        self.batches = []
        self.listing_timed = False
        self.arrivals = {}
        self.ready.clear()
        self.judged_stages.clear()
        self.breached = False
        self.started = self.started_monotonic = None
        self.spawned = False
        self.reported.clear()

    @property
    def run_id(self) -> str:
        run_id = self.run_plan.run_id
        assert run_id is not None, "the master gives a plan without one a run id at init"
        return run_id

    def start_clock(self) -> None:
        self.started = time.time()
        self.started_monotonic = time.monotonic()
        for schedule in self.arrivals.values():
            schedule.start()
        self.ready.set()

    def elapsed(self) -> float:
        return 0.0 if self.started_monotonic is None else time.monotonic() - self.started_monotonic

    def stage_now(self) -> int | None:
        return self.plan.stage_index(self.elapsed()) if self.has_plan else None

    def next_ticket(self, operation: str) -> Ticket | None:
        """The next intended send time of ``operation`` in this process, or None when the plan is over."""
        self.ready.wait()
        schedule = self.arrivals.get(operation)
        return schedule.next_ticket() if schedule is not None else None

    def next_contacts(self, count: int) -> list[dict[str, Any]]:
        """Fresh contacts; their index (in name and external id) is unique across workers too."""
        assert self.phones is not None
        first, self.contact_index = self.contact_index, self.contact_index + count
        return [
            make_contact(self.run_id, (first + i) * self.workers + self.worker, phone)
            for i, phone in enumerate(self.phones.take(count))
        ]

    def campaign_path(self, suffix: str) -> str:
        return f"/outbound_dialer/campaigns/{self.run_plan.campaign_id}{suffix}"

    def log_job(self, **record: Any) -> None:
        """One line per import job in ``jobs-<worker>.jsonl``: when it was posted and seen done."""
        if self._job_log is None:
            self.report_dir.mkdir(parents=True, exist_ok=True)
            self._job_log = (self.report_dir / f"jobs-{self.worker}.jsonl").open("a", encoding="utf-8")
        self._job_log.write(json.dumps(record) + "\n")
        self._job_log.flush()

    # -- the HDR book: every request, and the workers' deltas -------------------------------

    def record(
        self, name: str, response_time: float, exception: Any, context: dict[str, Any] | None, **_: Any
    ) -> None:
        """``request``: every finished request goes into the book (429s apart)."""
        context = context or {}
        stage = context.get("stage")
        now_stage = self.stage_now()
        self.book.record(
            context.get("operation", name),
            response_time,
            failed=exception is not None,
            throttled=bool(context.get("throttled")),
            stage=stage if stage is not None else now_stage,
            done_stage=now_stage,
            contacts=int(context.get("contacts", 0)),
            intended_ms=context.get("intended_ms"),
            wait_ms=context.get("wait_ms"),
            sent=name not in SYNTHETIC,
            now=time.time(),
        )

    def ship_book(self, data: dict[str, Any], **_: Any) -> None:
        """``report_to_master``: a worker's book since its last report, then a fresh one."""
        for name, window in self.book.overall().items():
            self.reported[name] = self.reported.get(name, 0) + window.requests
        data["dialer_book"] = self.book.to_wire()
        self.book.clear()

    def merge_book(self, data: dict[str, Any], **_: Any) -> None:
        """``worker_report``: the master merges each worker's delta, so the gates see the whole run."""
        wire = data.get("dialer_book")
        if wire:
            self.book.merge_wire(wire)
