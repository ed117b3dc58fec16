"""The load suite's locust side: options, the run's shared state, event wiring, request helpers.

Every locustfile of ``load_tests/`` imports this module (and ``shapes.py``);
it is the only place that ties the plain modules of ``dialer_suite.load``
(plans, pacing, HDR book, gates, charts) to locust's events:

- ``init``: custom options; the master (or the only process) checks the target
  and builds the plan, so a bad option ends the run before any request;
- ``test_start``/``spawning_complete``: every process builds the plan from the
  options the master sent, and starts its pacer once its users exist;
- ``request``: every finished request goes into the HDR book (429s apart);
- ``report_to_master``/``worker_report``: workers ship their book as a delta
  with each stats report, the master merges it, so the gates see merged data;
- ``quitting``/``quit``: the master judges the run, writes the reports, sets
  the exit code, and prints the summary last, under locust's own tables.

Users never decide *when* to send: paced operations take a ticket (an intended
send time) from the plan, and their latency is timed from it.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import gevent
import gevent.event
from locust import events
from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner

from dialer_suite.config.settings import Settings, load_settings
from dialer_suite.errors import UsageError
from dialer_suite.http.exchange import basic_authorization
from dialer_suite.http.jobs import JobIdProblem, locate_job_id
from dialer_suite.http.throttle import retry_after_seconds
from dialer_suite.load import chart, summary
from dialer_suite.load.analysis import Scenario, judge_run, judge_stage
from dialer_suite.load.book import Book
from dialer_suite.load.names import GET_IMPORT_JOB, IMPORT_CONTACTS, IMPORT_END_TO_END, IMPORT_REQUEST_TYPE
from dialer_suite.load.pacing import MAX_RETRY_AFTER, Ceiling, Pacer, Ticket
from dialer_suite.load.phones import PhoneSource
from dialer_suite.load.profiles import (
    PROFILE_NAMES,
    Plan,
    Request,
    build_plan,
    capacity_batches,
    capacity_files,
)
from dialer_suite.load.safety import check_target, rate_ceiling
from dialer_suite.load.slo import Gates, load_gates
from dialer_suite.vendor.testdata import make_contact

log = logging.getLogger("dialer_suite.load")

DEFAULT_SLO = Path(__file__).with_name("slo.toml")
# A 429 is retried after its Retry-After at most this many times, then the operation fails.
MAX_ATTEMPTS = 5
# A job whose reads fail this many times in a row (e.g. 404: the 202 named a job that is
# not there) ends as a failed import; fewer are tolerated for a job that appears late.
_MAX_FAILED_POLLS = 3
# Users whose plan is over idle in steps of this long until the shape ends the run.
IDLE = 0.2
# How long after a stage ends its data is complete on the master (workers report every 3 s).
_LOCAL_LAG = 0.5
_DISTRIBUTED_LAG = 4.5
# The shape keeps the run alive this long after the plan so the last operations finish.
END_GRACE = 2.0


# --------------------------------------------------------------------------- options


@events.init_command_line_parser.add_listener
def _add_options(parser: Any) -> None:
    group = parser.add_argument_group("dialer-suite load", "see load_tests/README.md")
    group.add_argument("--load-profile", choices=PROFILE_NAMES, default="smoke", help="load profile")
    group.add_argument("--target-rate", type=float, default=None, help="operations/s offered (all workers)")
    group.add_argument("--load-duration", type=float, default=None, help="seconds the plan lasts")
    group.add_argument("--pool-users", type=int, default=None, help="users carrying the arrival rate")
    group.add_argument("--contacts", type=int, default=None, help="capacity: contacts to import")
    group.add_argument("--batch-size", type=int, default=None, help="contacts per import file")
    group.add_argument("--step-seconds", type=float, default=None, help="stress: seconds per step")
    group.add_argument("--steps", type=int, default=None, help="stress: number of steps")
    group.add_argument("--poll-interval", type=float, default=0.25, help="seconds between job polls")
    group.add_argument("--slo-file", default=str(DEFAULT_SLO), help="SLO gates (TOML)")
    group.add_argument("--report-dir", default="", help="summary, charts (default reports/load/<profile>)")
    group.add_argument("--run-id", default="", help="tags every contact written (default: new)")
    group.add_argument(
        "--allow-writes", action="store_true", default=False, help="allow a non-loopback target"
    )


# --------------------------------------------------------------------------- the run


@dataclass
class Run:
    """State shared by every user and event handler of this process."""

    plan: Plan | None = None
    settings: Settings | None = None
    gates: Gates | None = None
    scenario: Scenario = field(default_factory=lambda: Scenario((), ()))
    book: Book = field(default_factory=Book)
    ceiling: Ceiling = field(default_factory=lambda: Ceiling(None))
    phones: PhoneSource | None = None
    pacers: dict[str, Pacer] = field(default_factory=dict)
    batches: list[int] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    workers: int = 1  # processes sharing the load, as this process sees it (1 on the master)
    worker: int = 0
    total_workers: int = 1  # the master's count of workers (spawn rate)
    distributed_master: bool = False
    started: float | None = None  # time.time() when the pacers started
    started_monotonic: float | None = None
    ready: gevent.event.Event = field(default_factory=gevent.event.Event)
    judged_stages: set[int] = field(default_factory=set)
    breached: bool = False
    summary_text: str = ""
    contact_index: int = 0
    reported: dict[str, int] = field(default_factory=dict)  # a worker's requests sent to the master
    user_totals: dict[str, int] = field(default_factory=dict)  # users per class in the whole run
    users_before: dict[str, int] = field(default_factory=dict)  # ... on workers before this one
    spawned: bool = False
    environment: Environment | None = None
    report_dir: Path = Path("reports/load")
    job_log: Any = None

    def log_job(self, **record: Any) -> None:
        """One line per import job in ``jobs-<worker>.jsonl``: when it was posted and seen done."""
        if self.job_log is None:
            self.report_dir.mkdir(parents=True, exist_ok=True)
            self.job_log = (self.report_dir / f"jobs-{self.worker}.jsonl").open("a", encoding="utf-8")
        self.job_log.write(json.dumps(record) + "\n")
        self.job_log.flush()

    def require_plan(self) -> Plan:
        if self.plan is None:
            raise RuntimeError("the load plan was not built (test_start did not run)")
        return self.plan

    def elapsed(self) -> float:
        return 0.0 if self.started_monotonic is None else time.monotonic() - self.started_monotonic

    def stage_now(self) -> int | None:
        return None if self.plan is None else self.plan.stage_index(self.elapsed())

    def next_ticket(self, operation: str) -> Ticket | None:
        """The next intended send time of ``operation`` in this process, or None when the plan is over."""
        self.ready.wait()
        pacer = self.pacers.get(operation)
        return pacer.next_ticket() if pacer is not None else None

    def next_contacts(self, count: int) -> list[dict[str, Any]]:
        """Fresh contacts; their index (in name and external id) is unique across workers too."""
        assert self.phones is not None and self.settings is not None
        first, self.contact_index = self.contact_index, self.contact_index + count
        return [
            make_contact(self.settings.run_id, (first + i) * self.workers + self.worker, phone)
            for i, phone in enumerate(self.phones.take(count))
        ]


RUN = Run()


def _plan_from(options: Any, host: str | None) -> tuple[Plan, Settings]:
    """The plan and settings from the options (on a worker: the master's, and its host)."""
    if not host:
        raise UsageError("no target: give -H/--host with the base URL (…/apps/api/v1)")
    settings = load_settings(
        {
            "base_url": host,
            "run_id": options.run_id or None,
            "allow_writes": True if options.allow_writes else None,
        }
    )
    check_target(host, settings)
    request = Request(
        profile=options.load_profile,
        scenario=Path(options.locustfile.split(",")[0]).stem,
        rate=options.target_rate,
        users=options.pool_users,
        duration=options.load_duration,
        contacts=options.contacts,
        batch_size=options.batch_size,
        step_seconds=options.step_seconds,
        steps=options.steps,
    )
    return build_plan(request, rate_ceiling=rate_ceiling(host, settings)), settings


def _scenario_of(environment: Environment) -> Scenario:
    expected: list[str] = []
    paced: list[str] = []
    for user_class in environment.user_classes:
        expected += getattr(user_class, "produces", ())
        paced += [getattr(user_class, "operation", "")] if getattr(user_class, "operation", "") else []
    return Scenario(tuple(dict.fromkeys(expected)), tuple(dict.fromkeys(paced)))


@events.init.add_listener
def _on_init(environment: Environment, **_: Any) -> None:
    """Check the options before any request: a bad one ends the run with one line."""
    options = environment.parsed_options
    if options is None or isinstance(environment.runner, WorkerRunner):
        return
    try:
        plan, settings = _plan_from(options, environment.host or options.host)
        load_gates(Path(options.slo_file), plan.profile)
    except UsageError as error:
        sys.stderr.write(f"dialer-suite load: error: {error}\n")
        sys.exit(2)
    if not options.run_id:
        # The master's options travel to the workers with every spawn message.
        options.run_id = settings.run_id
    # The shape's first tick comes before test_start: it needs the pool size already.
    RUN.plan, RUN.settings = plan, settings
    _clear_previous_run(Path(options.report_dir or f"reports/load/{plan.profile}"))
    if isinstance(environment.runner, MasterRunner):
        RUN.distributed_master = True


@events.init.add_listener
def _keep_environment(environment: Environment, **_: Any) -> None:
    RUN.environment = environment
    if isinstance(environment.runner, WorkerRunner):
        environment.runner.register_message(_USERS_MESSAGE, _on_users_message)


def _clear_previous_run(report_dir: Path) -> None:
    """Per-worker files are appended to during a run: start from none."""
    for pattern in ("jobs-*.jsonl", "worker-*.json"):
        for stale in report_dir.glob(pattern):
            stale.unlink()


@events.test_start.add_listener
def _on_test_start(environment: Environment, **_: Any) -> None:
    options = environment.parsed_options
    RUN.plan, RUN.settings = _plan_from(options, environment.host)
    plan = RUN.plan
    runner = environment.runner
    if not isinstance(runner, WorkerRunner):
        # Only the master judges; a worker on another host need not have the SLO file.
        RUN.gates = load_gates(Path(options.slo_file), plan.profile)
    RUN.report_dir = Path(options.report_dir or f"reports/load/{plan.profile}")
    RUN.scenario = _scenario_of(environment)
    RUN.book = Book(bucket_seconds=plan.bucket_seconds)
    expected_workers = max(1, int(getattr(options, "expect_workers", 1) or 1))
    if isinstance(runner, WorkerRunner):
        RUN.workers = expected_workers
        RUN.worker = max(0, runner.worker_index) % RUN.workers
    if isinstance(runner, MasterRunner):
        RUN.total_workers = expected_workers
    RUN.headers = {"Authorization": basic_authorization(RUN.settings.username, RUN.settings.api_token)}
    ceiling = rate_ceiling(environment.host, RUN.settings)
    RUN.ceiling = Ceiling(ceiling / RUN.workers if ceiling else None)
    RUN.phones = PhoneSource(
        loopback=RUN.settings.loopback,
        run_id=RUN.settings.run_id,
        worker=RUN.worker,
        workers=RUN.workers,
        extra=RUN.settings.phone_range,
    )
    RUN.batches = []
    RUN.pacers = {}
    RUN.ready.clear()
    RUN.judged_stages.clear()
    RUN.breached = False
    RUN.started = RUN.started_monotonic = None
    RUN.spawned = False
    RUN.reported.clear()
    RUN.user_totals.clear()
    RUN.users_before.clear()


@events.spawning_complete.add_listener
def _on_spawning_complete(**_: Any) -> None:
    """Start the plan's clock once the users exist (each process for its own pacers)."""
    runner = RUN.environment.runner if RUN.environment is not None else None
    if RUN.started is not None or runner is None:
        return
    if isinstance(runner, MasterRunner):
        _send_user_counts(runner)
        _start_clock()
        return
    RUN.spawned = True
    _start_when_ready()


def _send_user_counts(master: MasterRunner) -> None:
    """Tell each worker the run's users per class, and how many of them are on workers before it.

    With these a worker knows its share of each operation's rate, and which
    import files of a capacity run are its own, whatever users it was given.
    """
    totals = dict(master.target_user_classes_count)
    before: dict[str, int] = {}
    for node in sorted(master.clients.all, key=lambda node: node.id):
        master.send_message(_USERS_MESSAGE, {"totals": totals, "before": dict(before)}, client_id=node.id)
        for name, count in node.user_classes_count.items():
            before[name] = before.get(name, 0) + count


def _start_when_ready() -> None:
    """Start once the users are spawned and (on a worker) the master said how many there are in all."""
    runner = RUN.environment.runner if RUN.environment is not None else None
    if RUN.started is not None or not RUN.spawned or runner is None:
        return
    local = dict(runner.user_classes_count)
    if isinstance(runner, WorkerRunner) and not RUN.user_totals:
        return  # the master's message comes next; it starts the pacers
    totals = RUN.user_totals or local
    plan = RUN.require_plan()
    RUN.pacers = _pacers(plan, local, totals)
    if plan.profile == "capacity":
        RUN.batches = _capacity_share(plan, local, totals)
    _start_clock()


def _capacity_share(plan: Plan, local: dict[str, int], totals: dict[str, int]) -> list[int]:
    """The import files of this process's import users (by their rank among all import users)."""
    assert RUN.environment is not None
    files: list[int] = []
    for user_class in RUN.environment.user_classes:
        name = user_class.__name__
        if getattr(user_class, "operation", "") == IMPORT_CONTACTS and local.get(name) and totals.get(name):
            first = RUN.users_before.get(name, 0)
            files += capacity_batches(plan, first, local[name], totals[name])
    return files


def _start_clock() -> None:
    RUN.started = time.time()
    RUN.started_monotonic = time.monotonic()
    for pacer in RUN.pacers.values():
        pacer.start()
    RUN.ready.set()


_USERS_MESSAGE = "dialer_suite_users"


def _on_users_message(environment: Environment, msg: Any, **_: Any) -> None:
    """On a worker: how many users of each class the whole run has, and on workers before this one."""
    RUN.user_totals = dict(msg.data["totals"])
    RUN.users_before = dict(msg.data["before"])
    _start_when_ready()


def _pacers(plan: Plan, local: dict[str, int], totals: dict[str, int]) -> dict[str, Pacer]:
    """One pacer per paced operation, each with this process's share of the plan's rate.

    An operation gets ``weight / sum(weights)`` of the rate (the classes' weights), and
    this process carries the part of it that its users of that class are of all of them.
    """
    assert RUN.environment is not None
    classes = [c for c in RUN.environment.user_classes if getattr(c, "operation", "")]
    total_weight = sum(c.weight for c in classes) or 1
    pacers = {}
    for user_class in classes:
        mine, everyone = local.get(user_class.__name__, 0), totals.get(user_class.__name__, 0)
        if mine and everyone:
            share = user_class.weight / total_weight * mine / everyone
            pacers[user_class.operation] = Pacer(plan, share=share, phase=RUN.worker)
    return pacers


@events.request.add_listener
def _on_request(
    name: str, response_time: float, exception: Any, context: dict[str, Any] | None, **_: Any
) -> None:
    context = context or {}
    stage = context.get("stage")
    RUN.book.record(
        context.get("operation", name),
        response_time,
        failed=exception is not None,
        throttled=bool(context.get("throttled")),
        stage=stage if stage is not None else RUN.stage_now(),
        done_stage=RUN.stage_now(),
        contacts=int(context.get("contacts", 0)),
        now=time.time(),
    )


@events.report_to_master.add_listener
def _on_report_to_master(data: dict[str, Any], **_: Any) -> None:
    for name, window in RUN.book.overall().items():
        RUN.reported[name] = RUN.reported.get(name, 0) + window.requests
    data["dialer_book"] = RUN.book.to_wire()
    RUN.book.clear()


@events.worker_report.add_listener
def _on_worker_report(data: dict[str, Any], **_: Any) -> None:
    wire = data.get("dialer_book")
    if wire:
        RUN.book.merge_wire(wire)


# --------------------------------------------------------------------------- live judgement (shape)


def should_stop() -> bool:
    """True once the plan is over, a stress stage breached, or a capacity run has imported everything."""
    plan = RUN.plan
    if plan is None or RUN.started_monotonic is None:
        return False
    elapsed = RUN.elapsed()
    if elapsed >= plan.duration + END_GRACE:
        return True
    if plan.profile == "capacity":
        finished = RUN.book.overall().get(IMPORT_END_TO_END)
        return finished is not None and finished.requests >= len(capacity_files(plan))
    if plan.stop_on_breach:
        return _stress_breached(plan, elapsed)
    return False


def _stress_breached(plan: Plan, elapsed: float) -> bool:
    assert RUN.gates is not None
    lag = _DISTRIBUTED_LAG if RUN.distributed_master else _LOCAL_LAG
    for index in range(len(plan.stages)):
        if index in RUN.judged_stages or plan.stage_start(index + 1) + lag > elapsed:
            continue
        RUN.judged_stages.add(index)
        result = judge_stage(RUN.book, plan, RUN.gates, RUN.scenario, index)
        log.info(
            "stress %s at %.1f req/s: %s",
            result.label,
            result.offered_rps,
            "ok" if result.passed else "BREACHED",
        )
        if not result.passed:
            RUN.breached = True
    return RUN.breached


# --------------------------------------------------------------------------- the end


@events.quitting.add_listener
def _on_quitting(environment: Environment, **_: Any) -> None:
    """Judge the merged book, write the reports and set the exit code (master or the only process)."""
    if isinstance(environment.runner, WorkerRunner):
        _write_worker_totals(environment.runner.worker_index)
        return
    if RUN.plan is None or RUN.gates is None:
        return
    plan = RUN.plan
    options = environment.parsed_options
    seconds = _run_seconds(plan)
    verdict = judge_run(RUN.book, plan, RUN.gates, RUN.scenario, seconds)
    report_dir = RUN.report_dir
    title = f"dialer-suite load: {plan.profile} ({plan.scenario}) - {'PASS' if verdict.passed else 'FAIL'}"
    chart.over_time(
        RUN.book, plan, RUN.scenario.paced, report_dir / "over_time.png", title=title, started=RUN.started
    )
    if plan.stop_on_breach and verdict.stages:
        limits = [g.get("p95_ms") for n, g in RUN.gates.requests.items() if n in RUN.scenario.paced]
        chart.latency_vs_load(
            list(verdict.stages),
            RUN.book,
            RUN.scenario.paced,
            verdict.knee_rps,
            report_dir / "latency_vs_load.png",
            title=f"stress: latency vs offered load ({plan.scenario})",
            p95_limit=min((x for x in limits if x is not None), default=None),
        )
    RUN.summary_text = summary.render(
        plan,
        RUN.book,
        verdict,
        target=environment.host,
        slo_source=f"{options.slo_file} [{plan.profile}]",
        report_dir=str(report_dir),
    )
    (report_dir / "summary.txt").write_text(RUN.summary_text + "\n", encoding="utf-8")
    summary.write(
        report_dir / "summary.json", summary.to_json(plan, RUN.book, verdict, target=environment.host)
    )
    if not verdict.passed:
        environment.process_exit_code = 1


def _write_worker_totals(index: int) -> None:
    """What this worker reported to the master, so a run can show totals = sum of workers."""
    if RUN.plan is not None:
        summary.write(RUN.report_dir / f"worker-{index}.json", {"worker": index, "requests": RUN.reported})


def _run_seconds(plan: Plan) -> float:
    if RUN.started is None:
        return 0.0
    if plan.profile == "capacity" or plan.stop_on_breach:
        last = RUN.book.last_seen or time.time()
        return max(last - RUN.started, 1e-3)
    return min(time.time() - RUN.started, plan.duration)


@events.quit.add_listener
def _on_quit(**_: Any) -> None:
    if RUN.summary_text:
        sys.stdout.write("\n" + RUN.summary_text + "\n")
        sys.stdout.flush()


# --------------------------------------------------------------------------- request helpers


@dataclass(frozen=True)
class Outcome:
    """A response that passed its check: status, parsed JSON body (None if not JSON), headers."""

    status: int
    body: Any
    headers: Any


# (status, parsed body, headers) -> what is wrong with the response, or None.
Check = Callable[[int, Any, Any], str | None]


def call(
    send: Callable[[], Any],
    operation: str,
    check: Check,
    *,
    ticket: Ticket | None = None,
    contacts: int = 0,
) -> Outcome | None:
    """Send through the ceiling, honour 429s, time from ``ticket``, mark the result.

    ``send`` issues the request with ``catch_response=True`` and ``name=operation``;
    ``check(status, body)`` returns what is wrong with a response, or None.
    """
    for _attempt in range(MAX_ATTEMPTS):
        wait = RUN.ceiling.reserve()
        if wait > 0:
            gevent.sleep(wait)
        with send() as response:
            meta = response.request_meta
            meta["context"] = {**meta.get("context", {}), "operation": operation, "contacts": contacts}
            if ticket is not None:
                meta["context"]["stage"] = ticket.stage
                meta["response_time"] = (time.monotonic() - ticket.intended) * 1000
            if response.status_code == 429:
                RUN.ceiling.throttled(
                    retry_after_seconds(response.headers.get("Retry-After"), limit=MAX_RETRY_AFTER)
                )
                meta["context"]["throttled"] = True
                meta["name"] = f"{operation} (429 throttled)"
                response.success()
                continue
            RUN.ceiling.succeeded()
            body = _json(response)
            problem = check(response.status_code, body, response.headers)
            if problem is None:
                response.success()
                return Outcome(response.status_code, body, response.headers)
            response.failure(problem)
            return None
    return None


def _json(response: Any) -> Any:
    try:
        return json.loads(response.content or b"null")
    except ValueError:
        return None


def expect(status: int) -> Check:
    """A check that wants ``status`` and says what came instead."""

    def check(actual: int, body: Any, _headers: Any = None) -> str | None:
        if actual == status:
            return None
        detail = body.get("error") if isinstance(body, dict) else None
        return f"expected {status}, got {actual}" + (f" ({detail})" if detail else "")

    return check


def campaign_path(suffix: str) -> str:
    assert RUN.settings is not None
    return f"/outbound_dialer/campaigns/{RUN.settings.campaign_id}{suffix}"


def fire_import_result(
    environment: Environment, *, millis: float, contacts: int, problem: str | None, stage: int | None
) -> None:
    """The synthetic ``IMPORT import end-to-end`` entry: file posted → job seen completed."""
    environment.events.request.fire(
        request_type=IMPORT_REQUEST_TYPE,
        name=IMPORT_END_TO_END,
        response_time=millis,
        response_length=contacts,
        exception=RuntimeError(problem) if problem else None,
        context={"contacts": 0 if problem else contacts, "stage": stage},
    )


class PacedUser:
    """Mixin: the operation loop shared by every paced user class.

    A subclass names its ``operation`` (the paced request name), lists what it
    ``produces``, and implements ``perform(ticket)``. ``weight`` is both locust's
    user weight and the operation's share of the plan's rate.
    """

    operation: ClassVar[str] = ""
    produces: ClassVar[tuple[str, ...]] = ()

    def paced_loop(self) -> None:
        ticket = RUN.next_ticket(self.operation)
        if ticket is None:
            gevent.sleep(IDLE)
            return
        delay = ticket.intended - time.monotonic()
        if delay > 0:
            gevent.sleep(delay)
        self.perform(ticket)

    def perform(self, ticket: Ticket) -> None:
        raise NotImplementedError


# --------------------------------------------------------------------------- import behaviour


class ImportBehaviour:
    """Post a file of contacts, poll its job, fire the end-to-end entry.

    Used by HttpUser classes: FastHttpSession (geventhttpclient) has no ``files=``
    multipart support, requests' session builds the multipart body. Import
    throughput is bounded by the job, not by the client's speed.
    """

    environment: Environment
    client: Any

    def import_file(self, size: int, ticket: Ticket | None) -> None:
        contacts = RUN.next_contacts(size)
        payload = json.dumps(contacts, separators=(",", ":")).encode()
        posted = time.monotonic()
        posted_unix = time.time()

        def post() -> Any:
            nonlocal posted, posted_unix
            posted, posted_unix = time.monotonic(), time.time()
            return self.client.post(
                campaign_path("/contacts/import"),
                name=IMPORT_CONTACTS,
                files={"file": ("contacts.json", payload, "application/json")},
                headers=RUN.headers,
                catch_response=True,
            )

        accepted = call(post, IMPORT_CONTACTS, _accepted_job, ticket=ticket, contacts=size)
        accepted_unix = time.time()
        stage = ticket.stage if ticket else RUN.stage_now()
        if accepted is None:
            return
        # _accepted_job has already failed a 202 that does not name exactly one job.
        job_id = locate_job_id(accepted.body, accepted.headers).job_id
        end = self._poll(job_id, posted)
        millis = (time.monotonic() - posted) * 1000
        imported = end.job.get("imported_contacts") if isinstance(end.job, dict) else None
        done = imported if isinstance(imported, int) and not isinstance(imported, bool) else size
        fire_import_result(self.environment, millis=millis, contacts=done, problem=end.problem, stage=stage)
        RUN.log_job(
            job_id=job_id,
            posted_unix=posted_unix,
            accepted_unix=accepted_unix,
            last_poll_sent_unix=end.last_poll_sent_unix,
            seen_unix=time.time(),
            e2e_ms=millis,
            contacts=done,
            problem=end.problem,
        )

    def _poll(self, job_id: int, posted: float) -> JobEnd:
        """Read the job every poll interval until it ends or the job timeout runs out."""
        assert RUN.settings is not None
        interval = float(self.environment.parsed_options.poll_interval)
        deadline = posted + RUN.settings.job_timeout
        last: Any = None
        sent = time.time()
        misses = 0
        while time.monotonic() < deadline:
            sent = time.time()
            outcome = call(
                lambda: self.client.get(
                    campaign_path(f"/contacts/jobs/{job_id}"),
                    name=GET_IMPORT_JOB,
                    headers=RUN.headers,
                    catch_response=True,
                ),
                GET_IMPORT_JOB,
                _job_check,
            )
            misses = 0 if outcome else misses + 1
            if misses >= _MAX_FAILED_POLLS:
                return JobEnd(f"job {job_id}: {misses} polls in a row failed", last, sent)
            last = outcome.body if outcome else last
            status = last.get("status") if isinstance(last, dict) else None
            if status == "completed":
                return JobEnd(None, last, sent)
            if status == "failed":
                return JobEnd(f"job {job_id} failed: {last.get('error_details')}", last, sent)
            gevent.sleep(interval)
        timeout = f"job {job_id} not completed after {RUN.settings.job_timeout:g} s (DIALER_JOB_TIMEOUT)"
        return JobEnd(timeout, last, sent)


@dataclass(frozen=True)
class JobEnd:
    """How polling a job ended: ``problem`` None when it completed; when the last poll was sent."""

    problem: str | None
    job: Any
    last_poll_sent_unix: float


def _accepted_job(status: int, body: Any, headers: Any) -> str | None:
    if status != 202:
        return expect(202)(status, body)
    try:
        locate_job_id(body, headers)
    except JobIdProblem as problem:
        return str(problem)
    return None


def _job_check(status: int, body: Any, _headers: Any) -> str | None:
    if status != 200:
        return expect(200)(status, body)
    if not isinstance(body, dict) or body.get("status") not in ("in_progress", "completed", "failed"):
        return f"job body is not a job: {str(body)[:80]}"
    return None
