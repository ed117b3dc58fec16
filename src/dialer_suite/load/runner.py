"""Run a load profile: check the request, start the embedded simulator if needed, run locust.

Locust runs in a child process (``python -m locust``): importing it here would
monkey-patch this process with gevent. The child is bounded in time: it is
killed if it outlives the plan by more than a fixed margin.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dialer_suite.config.settings import Settings
from dialer_suite.errors import UsageError
from dialer_suite.load.profiles import Plan, Request, build_plan
from dialer_suite.load.safety import check_target, rate_ceiling

# Start-up, worker connection and report writing, beyond the plan and the last job.
_MARGIN_SECONDS = 60.0


@dataclass(frozen=True)
class LoadOptions:
    """A load run as the ``load`` command (or a test) asks for it."""

    request: Request
    locustfile: Path
    report_dir: Path
    slo_file: Path
    processes: int = 0
    poll_interval: float = 0.25
    simulator_latency_ms: float = 0.0
    extra_locust_args: tuple[str, ...] = field(default_factory=tuple)


def load_tests_dir() -> Path:
    """``load_tests/`` of the working directory, else of the source checkout."""
    here = Path("load_tests")
    return here if here.is_dir() else Path(__file__).resolve().parents[3] / "load_tests"


def locustfile_for(scenario: str) -> Path:
    """The locustfile of ``scenario`` (a name in load_tests/ or a path to a .py file)."""
    path = Path(scenario) if scenario.endswith(".py") else load_tests_dir() / f"{scenario}.py"
    if not path.is_file():
        known = sorted(p.stem for p in load_tests_dir().glob("*.py") if p.stem not in _HELPERS)
        raise UsageError(f"no locustfile for scenario {scenario!r} ({path}); scenarios: {', '.join(known)}")
    return path


_HELPERS = {"common", "shapes", "users"}


def locust_command(
    options: LoadOptions, plan: Plan, base_url: str, run_id: str, allow_writes: bool
) -> list[str]:
    """The ``python -m locust`` command line of a run (no credentials: they go by environment)."""
    request = options.request
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
        "--load-profile",
        plan.profile,
        "--pool-users",
        str(plan.users),
        "--poll-interval",
        str(options.poll_interval),
        "--slo-file",
        str(options.slo_file),
        "--report-dir",
        str(report),
        "--run-id",
        run_id,
        "--html",
        str(report / "locust.html"),
        "--csv",
        str(report / "locust"),
        "--json-file",
        str(report / "locust"),  # locust adds .json
    ]
    optional = {
        "--target-rate": request.rate,
        "--load-duration": request.duration,
        "--contacts": request.contacts,
        "--batch-size": request.batch_size,
        "--step-seconds": request.step_seconds,
        "--steps": request.steps,
    }
    for flag, value in optional.items():
        if value is not None:
            command += [flag, f"{value:g}" if isinstance(value, float) else str(value)]
    if allow_writes:
        command.append("--allow-writes")
    if options.processes:
        command += ["--processes", str(options.processes)]
    return command + list(options.extra_locust_args)


def time_limit(plan: Plan, settings: Settings) -> float:
    """Seconds after which the locust child is killed, whatever it is doing."""
    return plan.duration + settings.job_timeout + _MARGIN_SECONDS


def run(options: LoadOptions, settings: Settings) -> int:
    """Run locust against the target (the embedded simulator when there is no base URL)."""
    with _target(options, settings) as (base_url, env):
        check_target(base_url, settings)
        plan = build_plan(options.request, rate_ceiling=rate_ceiling(base_url, settings))
        options.report_dir.mkdir(parents=True, exist_ok=True)
        command = locust_command(options, plan, base_url, settings.run_id, settings.allow_writes)
        return _run_bounded(command, env, time_limit(plan, settings))


@contextlib.contextmanager
def _target(options: LoadOptions, settings: Settings) -> Iterator[tuple[str, dict[str, str]]]:
    env = {**os.environ, "DIALER_USERNAME": settings.username, "DIALER_API_TOKEN": settings.api_token}
    if settings.base_url is not None:
        yield settings.base_url, env
        return
    from dialer_suite.simulator import SimulatorConfig, running_simulator

    config = SimulatorConfig(
        rate_limit=None,
        username=settings.username,
        token=settings.api_token,
        campaigns=(settings.campaign_id, settings.other_campaign_id),
        faults=settings.simulator_faults,
        latency_ms=options.simulator_latency_ms,
    )
    print(
        f"dialer-suite load: starting the embedded simulator (rate limit off, faults: "
        f"{', '.join(config.faults) or 'none'}, latency {config.latency_ms:g} ms)",
        flush=True,
    )
    with running_simulator(config) as simulator:
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
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=30)
        raise
