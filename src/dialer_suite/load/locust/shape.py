"""The one load shape of every locustfile: the plan decides, users only carry it.

The shape keeps the plan's pool of users alive until the plan is over, a
stress stage breached, or a capacity run imported everything; the arrival rate
itself comes from the arrival schedules, not from the user count, so it holds
when responses slow down. A stress stage is judged once its data has reached
the master, and the first one that breaches ends the run.
"""

from __future__ import annotations

import logging

from locust import LoadTestShape

from dialer_suite.load.analysis import judge_stage
from dialer_suite.load.locust.run import LoadRun, run_of
from dialer_suite.load.names import IMPORT_END_TO_END
from dialer_suite.load.profiles import capacity_files

log = logging.getLogger("dialer_suite.load")

# Locust warns above 100 new users per second per worker; the pool is up in ~1 s anyway.
_MAX_SPAWN_RATE = 100.0
# The shape keeps the run alive this long after the plan so the last operations finish.
_END_GRACE = 2.0
# How long after a stage ends its data is complete on the master (workers report every 3 s).
_LOCAL_LAG = 0.5
_DISTRIBUTED_LAG = 4.5


class PlanShape(LoadTestShape):
    """Users = the plan's pool; ends the run when ``should_stop`` says so."""

    def tick(self) -> tuple[int, float] | None:
        if self.runner is None:
            return None
        run = run_of(self.runner.environment)
        if not run.has_plan or should_stop(run):
            return None
        users = run.plan.users
        return (users, min(float(users), _MAX_SPAWN_RATE * run.worker_processes))


def should_stop(run: LoadRun) -> bool:
    """True once the plan is over, a stress stage breached, or a capacity run has imported everything."""
    plan = run.plan
    if run.started_monotonic is None:
        return False
    elapsed = run.elapsed()
    if elapsed >= plan.duration + _END_GRACE:
        return True
    if plan.profile == "capacity":
        finished = run.book.overall().get(IMPORT_END_TO_END)
        return finished is not None and finished.requests >= len(capacity_files(plan))
    if plan.stop_on_breach:
        return _stress_breached(run, elapsed)
    return False


def _stress_breached(run: LoadRun, elapsed: float) -> bool:
    plan = run.plan
    lag = _DISTRIBUTED_LAG if run.distributed_master else _LOCAL_LAG
    for index in range(len(plan.stages)):
        if index in run.judged_stages or plan.stage_start(index + 1) + lag > elapsed:
            continue
        run.judged_stages.add(index)
        result = judge_stage(run.book, plan, run.run_plan.gates, run.scenario, index)
        verdict = "ok" if result.passed else "BREACHED"
        log.info("stress %s at %.1f req/s: %s", result.label, result.offered_rps, verdict)
        if not result.passed:
            run.breached = True
    return run.breached

