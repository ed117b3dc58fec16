"""What the master tells its workers, and when each process starts its arrival schedules.

Two custom messages, master to worker:

- the run plan, at the master's ``test_start``, to every connected worker:
  locust sends the first spawn messages right after it, on the same
  connections, so each worker has the plan at its own ``test_start``. A worker
  on another host needs no plan file, and every worker runs the master's plan.
  Workers connect before the run starts (``--expect-workers``); one that joins
  a running test gets no plan. Not sent at ``worker_connect``: a worker
  registers its message handlers at its ``init``, after connecting, and drops
  a custom message that comes before;
- after spawning — once every worker reported the users it spawned —, how
  many users of each class the run has, and how many of them sit on workers
  before this one. A worker paces every operation at the part of its rate that
  its own users of that class are of all of them, and in a capacity run import
  user *k* of *N* takes files *k*, *k+N*, ...
"""

from __future__ import annotations

import time
from typing import Any

import gevent
from locust.runners import MasterRunner, WorkerRunner

from dialer_suite.load.arrivals import ArrivalSchedule
from dialer_suite.load.locust.run import LoadRun, operation_of
from dialer_suite.load.names import IMPORT_CONTACTS
from dialer_suite.load.profiles import capacity_batches
from dialer_suite.load.run_plan import RunPlan

PLAN_MESSAGE = "dialer_suite_plan"
USERS_MESSAGE = "dialer_suite_users"
# How long the master waits for the workers to report the users they spawned, and how often it looks.
_REPORT_WAIT_SECONDS = 30.0
_REPORT_POLL_SECONDS = 0.05


def send_plan(run: LoadRun, **_: Any) -> None:
    """``test_start`` on the master: the plan goes to every worker, before their spawn messages."""
    runner = run.environment.runner
    if isinstance(runner, MasterRunner):
        runner.send_message(PLAN_MESSAGE, run.run_plan.to_json())


def receive_plan(run: LoadRun, msg: Any, **_: Any) -> None:
    """The plan of the run about to start; the user counts of any earlier run are void."""
    run.run_plan = RunPlan.from_json(msg.data, source="the master's plan message")
    run.user_totals.clear()
    run.users_before.clear()


def on_spawning_complete(run: LoadRun, **_: Any) -> None:
    """Start the plan's clock once the users exist (each process for its own schedules)."""
    runner = run.environment.runner
    if run.started is not None or runner is None:
        return
    if isinstance(runner, MasterRunner):
        gevent.spawn(_count_then_start, run, runner)
        return
    run.spawned = True
    start_when_ready(run)


def _count_then_start(run: LoadRun, master: MasterRunner) -> None:
    """Tell the workers the user counts once every worker reported its own, then start the clock.

    Locust fires the master's ``spawning_complete`` after waiting about a second for the
    workers' reports; a busy worker may report later, and counts taken before would be
    zeros (its share of the rate, its capacity files). So wait for them, bounded.
    """
    wanted = sum(master.target_user_classes_count.values())
    deadline = time.monotonic() + _REPORT_WAIT_SECONDS
    while _reported(master) < wanted and time.monotonic() < deadline:
        gevent.sleep(_REPORT_POLL_SECONDS)
    _send_user_counts(master)
    run.start_clock()


def _reported(master: MasterRunner) -> int:
    return sum(sum(node.user_classes_count.values()) for node in master.clients.all)


def _send_user_counts(master: MasterRunner) -> None:
    totals = dict(master.target_user_classes_count)
    before: dict[str, int] = {}
    for node in sorted(master.clients.all, key=lambda node: node.id):
        master.send_message(USERS_MESSAGE, {"totals": totals, "before": dict(before)}, client_id=node.id)
        for name, count in node.user_classes_count.items():
            before[name] = before.get(name, 0) + count


def receive_user_counts(run: LoadRun, msg: Any, **_: Any) -> None:
    """On a worker: how many users of each class the whole run has, and on workers before this one."""
    run.user_totals = dict(msg.data["totals"])
    run.users_before = dict(msg.data["before"])
    start_when_ready(run)


def start_when_ready(run: LoadRun) -> None:
    """Start once the users are spawned and (on a worker) the master said how many there are in all."""
    runner = run.environment.runner
    if run.started is not None or not run.spawned or runner is None:
        return
    local = dict(runner.user_classes_count)
    if isinstance(runner, WorkerRunner) and not run.user_totals:
        return  # the master's message comes next; it starts the schedules
    totals = run.user_totals or local
    run.arrivals = _arrivals(run, local, totals)
    if run.plan.profile == "capacity":
        run.batches = _capacity_share(run, local, totals)
    run.start_clock()


def _arrivals(run: LoadRun, local: dict[str, int], totals: dict[str, int]) -> dict[str, ArrivalSchedule]:
    """One schedule per paced operation, each with this process's share of the plan's rate.

    An operation gets ``weight / sum(weights)`` of the rate (the classes' weights), and
    this process carries the part of it that its users of that class are of all of them.
    """
    classes = [c for c in run.environment.user_classes if operation_of(c)]
    total_weight = sum(c.weight for c in classes) or 1
    schedules = {}
    for user_class in classes:
        mine, everyone = local.get(user_class.__name__, 0), totals.get(user_class.__name__, 0)
        if mine and everyone:
            share = user_class.weight / total_weight * mine / everyone
            schedules[operation_of(user_class)] = ArrivalSchedule(run.plan, share=share, phase=run.worker)
    return schedules


def _capacity_share(run: LoadRun, local: dict[str, int], totals: dict[str, int]) -> list[tuple[int, int]]:
    """The import files of this process's import users (by their rank among all import users)."""
    files: list[tuple[int, int]] = []
    for user_class in run.environment.user_classes:
        name = user_class.__name__
        if operation_of(user_class) == IMPORT_CONTACTS and local.get(name) and totals.get(name):
            first = run.users_before.get(name, 0)
            files += capacity_batches(run.plan, first, local[name], totals[name])
    return files
