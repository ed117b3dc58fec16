"""Run a load profile: build the run plan, start the embedded simulator if needed, run locust.

The plan is built and written once, here (``run_plan.py``); locust runs in a
child process (``python -m locust``) that reads it: importing locust here would
monkey-patch this process with gevent. The child is bounded in time: it is
killed if it outlives the plan by more than a fixed margin.

Against a tenant (every named target) the run is framed by what it costs the
tenant (``tenant.py``): before anything is sent, what it will send and write
and what removing that costs; then one read to see the target is usable; at
the end — after a Ctrl-C too — the removal of everything it wrote.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from dialer_suite.config.settings import Settings, credentials_environment
from dialer_suite.errors import UsageError
from dialer_suite.load.preflight import check_usable
from dialer_suite.load.profiles import Plan, Request
from dialer_suite.load.run_plan import RunPlan, Target, build_run_plan
from dialer_suite.load.tenant import DEFAULT_CLEANUP_LIMIT, TenantRun

# Start-up, worker connection and report writing, beyond the plan and the last job.
_MARGIN_SECONDS = 60.0
# How long locust gets to write its reports after a Ctrl-C.
_STOP_SECONDS = 30.0
# The plan of a run, in its report directory.
PLAN_FILE = "plan.json"


@dataclass(frozen=True)
class LoadOptions:
    """A load run as the ``load`` command (or a test) asks for it."""

    request: Request
    locustfile: Path
    report_dir: Path
    slo_file: Path
    processes: int = 0
    poll_interval: float | None = None  # None: the target's default
    simulator_latency_ms: float = 0.0
    extra_locust_args: tuple[str, ...] = ()
    write_plan: Path | None = None  # only write the plan there, run nothing
    gate_table: str | None = None  # None: tenant, or simulator for the embedded one
    campaign_size: int | None = None
    keep: bool = False  # leave what a tenant run wrote (dialer-suite cleanup removes it later)
    wait_for_cleanup: bool = False  # accept a removal longer than cleanup_limit
    cleanup_limit: float = DEFAULT_CLEANUP_LIMIT


def load_tests_dir() -> Path:
    """``load_tests/`` of the working directory, else of the source checkout, else the packaged copy."""
    checkout = Path(__file__).resolve().parents[3] / "load_tests"
    packaged = Path(__file__).resolve().parents[1] / "_suite" / "load_tests"
    return next((d for d in (Path("load_tests"), checkout) if d.is_dir()), packaged)


def locustfile_for(scenario: str) -> Path:
    """The locustfile of ``scenario`` (a name in load_tests/ or a path to a .py file)."""
    path = Path(scenario) if scenario.endswith(".py") else load_tests_dir() / f"{scenario}.py"
    if not path.is_file():
        known = sorted(p.stem for p in load_tests_dir().glob("*.py"))
        raise UsageError(f"no locustfile for scenario {scenario!r} ({path}); scenarios: {', '.join(known)}")
    return path


def plan_for(options: LoadOptions, settings: Settings, target: Target) -> RunPlan:
    return build_run_plan(
        options.request,
        settings,
        target,
        slo_file=options.slo_file,
        report_dir=options.report_dir,
        poll_interval=options.poll_interval,
        gate_table=options.gate_table,
        campaign_size=options.campaign_size,
        managed=options.write_plan is None and not target.embedded,
        keep_run_id=options.write_plan is None,
    )


def prepare(options: LoadOptions, run_plan: RunPlan, base_url: str) -> list[str]:
    """Write the run's plan into its report directory; the locust command that runs it."""
    for stale in ("summary.txt", "summary.json"):
        (options.report_dir / stale).unlink(missing_ok=True)
    plan_file = run_plan.write(options.report_dir / PLAN_FILE)
    return locust_command(options, plan_file, base_url)


def locust_command(options: LoadOptions, plan_file: Path, base_url: str) -> list[str]:
    """The ``python -m locust`` command line of a run (no credentials: they go by environment)."""
    report = options.report_dir
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(options.locustfile),
        "--headless",
        "--only-summary",
        "-H",
        base_url,
        "--dialer-plan",
        str(plan_file),
        "--html",
        str(report / "locust.html"),
        "--csv",
        str(report / "locust"),
        "--json-file",
        str(report / "locust"),  # locust adds .json
    ]
    if options.processes:
        command += ["--processes", str(options.processes)]
    return command + list(options.extra_locust_args)


def time_limit(plan: Plan, settings: Settings) -> float:
    """Seconds after which the locust child is killed, whatever it is doing."""
    return plan.duration + settings.job_timeout + _MARGIN_SECONDS


def run(options: LoadOptions, settings: Settings) -> int:
    """Run locust against the target (the embedded simulator when there is no base URL),
    or only write the plan (``options.write_plan``)."""
    if options.write_plan is not None:
        return _write_plan(options, settings)
    if settings.embedded:
        with _embedded(options, settings) as (base_url, env):
            run_plan = plan_for(options, settings, Target(base_url, embedded=True))
            command = prepare(options, run_plan, base_url)
            return _run_bounded(command, env, time_limit(run_plan.plan, settings))
    tenant_run = checked_tenant_run(options, settings)
    run_plan = tenant_run.run_plan
    assert settings.base_url is not None
    check_usable(settings)
    tenant_run.announce()
    env = {**os.environ, **credentials_environment(settings)}
    command = prepare(options, run_plan, settings.base_url)
    try:
        code = _run_bounded(command, env, time_limit(run_plan.plan, settings))
    except KeyboardInterrupt:
        return tenant_run.finish(130, interrupted=True)
    return tenant_run.finish(code)


def checked_tenant_run(options: LoadOptions, settings: Settings) -> TenantRun:
    """A tenant run's plan and cost, with every refusal it makes before sending anything."""
    run_plan = plan_for(options, settings, Target(settings.base_url))
    tenant_run = TenantRun(run_plan, settings, options.locustfile, keep=options.keep)
    tenant_run.check_cost(wait=options.wait_for_cleanup, limit=options.cleanup_limit)
    return tenant_run


def _write_plan(options: LoadOptions, settings: Settings) -> int:
    run_plan = plan_for(options, settings, Target(settings.base_url))
    path = run_plan.write(options.write_plan or Path(PLAN_FILE))
    print(
        f"dialer-suite load: wrote the plan to {path}; run it with\n"
        f"  locust -f {options.locustfile} --dialer-plan {path} -H {settings.base_url or 'BASE_URL'}"
    )
    if settings.base_url is not None:
        for line in TenantRun(run_plan, settings, options.locustfile, keep=True).cost_lines():
            print(f"  {line}")
    return 0


@contextlib.contextmanager
def _embedded(options: LoadOptions, settings: Settings) -> Iterator[tuple[str, dict[str, str]]]:
    from dialer_suite.simulator.embedded import embedded_simulator

    env = {**os.environ, **credentials_environment(settings)}
    print(
        f"dialer-suite load: starting the embedded simulator (rate limit off, faults: "
        f"{', '.join(settings.simulator.faults) or 'none'}, latency {options.simulator_latency_ms:g} ms)",
        flush=True,
    )
    with embedded_simulator(settings, rate_limit=None, latency_ms=options.simulator_latency_ms) as simulator:
        yield simulator.base_url, env


def _run_bounded(command: Sequence[str], env: dict[str, str], limit: float) -> int:
    process = subprocess.Popen(list(command), env=env, start_new_session=True)
    try:
        return process.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        print(f"dialer-suite load: locust still running after {limit:.0f} s; killing it", file=sys.stderr)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return 3
    except KeyboardInterrupt:
        # locust writes its reports on SIGINT, within a bound; a second Ctrl-C ends it at once.
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=_STOP_SECONDS)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        raise KeyboardInterrupt from None
