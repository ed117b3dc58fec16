"""How a load run hears locust: the option ``--dialer-plan``, and at ``init`` a ``LoadRun``
with every listener bound to it.

Only these two listeners are registered on import (``__init__``); the run's
own listeners live as long as the environment they are bound to:

- ``test_start``: every process starts its book, throttle and phone source;
- ``spawning_complete`` and the worker messages: each process starts its
  arrival schedules once its users exist (``workers.py``);
- ``request``: every finished request goes into the HDR book (429s apart);
- ``report_to_master``/``worker_report``: workers ship their book as a delta
  with each stats report, the master merges it, so the gates see merged data;
- ``quitting``/``quit``: the master judges the run and writes the reports
  (``report.py``).
"""

from __future__ import annotations

import functools
import logging
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner

from dialer_suite.api.testdata import new_run_id
from dialer_suite.config.settings import load_settings
from dialer_suite.errors import UsageError
from dialer_suite.load.locust import report, workers
from dialer_suite.load.locust.run import LoadRun
from dialer_suite.load.run_plan import RunPlan

log = logging.getLogger("dialer_suite.load")


def add_options(parser: Any, **_: Any) -> None:
    """``init_command_line_parser``: the one option of the load suite."""
    group = parser.add_argument_group("dialer-suite load", "see load_tests/README.md")
    group.add_argument(
        "--dialer-plan",
        default="",
        metavar="FILE",
        help="the run plan (dialer-suite load --write-plan FILE ...); workers get it from their master",
    )


def on_init(environment: Environment, **_: Any) -> None:
    """Make the environment's load run; a bad plan or target ends the process with one line (exit 2)."""
    if environment.parsed_options is None:
        return  # locust as a library: no command line, no plan
    try:
        run = _new_run(environment, environment.parsed_options)
    except UsageError as error:
        sys.stderr.write(f"dialer-suite load: error: {error}\n")
        sys.exit(2)
    _bind(run)


def _new_run(environment: Environment, options: Any) -> LoadRun:
    host = environment.host or options.host
    settings = load_settings({"base_url": host})  # the credentials, from the environment
    credentials = (settings.username, settings.api_token)
    if isinstance(environment.runner, WorkerRunner):
        return LoadRun(environment, None, credentials)  # the master sends the plan
    if not host:
        raise UsageError("no target: give -H/--host with the base URL (…/apps/api/v1)")
    if not options.dialer_plan:
        raise UsageError("no plan: give --dialer-plan FILE (dialer-suite load --write-plan FILE ...)")
    run_plan = RunPlan.read(Path(options.dialer_plan))
    run_plan.check_target(host)
    # The scenario is the locustfile that runs; a plan without a run id gets a new one per run.
    run_plan = replace(
        run_plan,
        plan=replace(run_plan.plan, scenario=Path(options.locustfile.split(",")[0]).stem),
        run_id=run_plan.run_id or new_run_id(),
    )
    log.info("dialer-suite load: run id %s, plan %s", run_plan.run_id, options.dialer_plan)
    _clear_previous_run(Path(run_plan.report_dir))
    return LoadRun(environment, run_plan, credentials)


def _clear_previous_run(report_dir: Path) -> None:
    """Per-worker files are appended to during a run: start from none."""
    for pattern in ("jobs-*.jsonl", "worker-*.json"):
        for stale in report_dir.glob(pattern):
            stale.unlink()


def _bind(run: LoadRun) -> None:
    events = run.environment.events
    events.test_start.add_listener(run.begin_test)
    events.spawning_complete.add_listener(functools.partial(workers.on_spawning_complete, run))
    events.request.add_listener(run.record)
    events.report_to_master.add_listener(run.ship_book)
    events.worker_report.add_listener(run.merge_book)
    events.quitting.add_listener(functools.partial(report.on_quitting, run))
    events.quit.add_listener(functools.partial(report.on_quit, run))
    runner = run.environment.runner
    if isinstance(runner, MasterRunner):
        events.test_start.add_listener(functools.partial(workers.send_plan, run))
    if isinstance(runner, WorkerRunner):
        runner.register_message(workers.PLAN_MESSAGE, functools.partial(workers.receive_plan, run))
        runner.register_message(workers.USERS_MESSAGE, functools.partial(workers.receive_user_counts, run))
