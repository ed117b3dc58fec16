"""Execute selfcheck runs: each tool against a clean or faulty simulator, bounded in time, in parallel.

The contract suite and the load command start the embedded simulator
themselves and switch faults on from ``DIALER_SIM_FAULTS``; schemathesis
alone needs a target, so selfcheck starts a simulator for it. Every run gets
its own folder under the artifacts directory (JUnit XML, log, hypothesis
database, the tool's own reports), so parallel runs never share state.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from dialer_suite.config.layers import ENV_PREFIX
from dialer_suite.config.settings import Settings
from dialer_suite.selfcheck.junit import JUnitError, read_failures, read_schemathesis_failures
from dialer_suite.selfcheck.load_gates import LoadSummaryError, read_breaches
from dialer_suite.selfcheck.model import Failure, RunOptions, RunRequest, RunResult, RunStatus, Tool
from dialer_suite.selfcheck.process import ProcessOutcome, log_tail, run_bounded, terminate_all
from dialer_suite.selfcheck.schemathesis_alone import (
    credentials_environment,
    schemathesis_command,
    simulator_for,
)

_JUNIT = "junit.xml"
_LOG = "output.log"
_HYPOTHESIS = "hypothesis"


def run_all(
    requests: Iterable[RunRequest],
    options: RunOptions,
    jobs: int,
    on_done: Callable[[RunResult], None] = lambda result: None,
) -> list[RunResult]:
    """Run everything, at most ``jobs`` at a time; results come back in request order.

    On Ctrl-C every running tool is ended (they run in their own sessions and
    would not see the terminal's SIGINT) before the interrupt propagates.
    """
    requests = list(requests)
    results: dict[RunRequest, RunResult] = {}
    with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="selfcheck") as pool:
        futures = {pool.submit(run_one, request, options): request for request in requests}
        try:
            for future in as_completed(futures):
                result = future.result()
                results[futures[future]] = result
                on_done(result)
        except BaseException:
            for future in futures:
                future.cancel()
            terminate_all()
            raise
    return [results[request] for request in requests]


def run_one(request: RunRequest, options: RunOptions) -> RunResult:
    """Execute one run and classify how it ended; its JUnit XML, log and reports stay in its folder."""
    folder = options.artifacts / request.label
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.monotonic()
    try:
        return _execute(request, options, folder)
    except Exception as error:  # one broken run (a simulator that will not start) must not end it all
        why = f"selfcheck could not run it: {type(error).__name__}: {error}"
        return RunResult(request, RunStatus.ERROR, (), time.monotonic() - started, why)
    finally:
        # Only there to keep runs apart; hypothesis also caches source constants in it.
        shutil.rmtree(folder / _HYPOTHESIS, ignore_errors=True)


def _execute(request: RunRequest, options: RunOptions, folder: Path) -> RunResult:
    if request.tool is Tool.SCHEMATHESIS:
        return _run_schemathesis(request, options, folder)
    command = (
        _suite_command(request, options, folder) if request.tool is Tool.SUITE else _load_command(options)
    )
    outcome = run_bounded(
        command,
        env=_environment(request, options, folder),
        cwd=options.root,
        log_path=folder / _LOG,
        timeout=options.timeout,
    )
    if request.tool is Tool.LOAD:
        return _load_result(request, outcome, folder, options.timeout)
    return _junit_result(request, outcome, folder, options.timeout, read_failures)


def child_environment(
    environ: Mapping[str, str], faults: tuple[str, ...], vendor: str | None = None
) -> dict[str, str]:
    """The environment of a run: no ``DIALER_*`` target settings, only the faults to switch on
    and the reading of the vendor page (``ID=CHOICE`` or a profile name) the simulator plays.

    Selfcheck is about the embedded simulator; a ``DIALER_BASE_URL`` or token
    left in the caller's shell must not point a faulty-simulator run at a real
    tenant, nor change what the clean run checks.
    """
    env = {key: value for key, value in environ.items() if not key.startswith(ENV_PREFIX)}
    # Every run imports and compiles the same few hundred modules (pytest also rewrites
    # the plugins' assertions); letting the runs keep their bytecode saves seconds of CPU each.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    chosen = {"simulator.faults": ",".join(faults)} if faults else {}
    if vendor:
        chosen["simulator.assume" if "=" in vendor else "simulator.vendor_profile"] = vendor
    return env | _variables(chosen)


def _environment(request: RunRequest, options: RunOptions, folder: Path) -> dict[str, str]:
    env = child_environment(os.environ, (request.fault,) if request.fault else (), request.vendor)
    env |= _variables({
        "seed": str(request.seed),
        # The suite derives its phone numbers from the run id; a run id from the seed makes a
        # fault run reproducible from its seed alone. Every run has its own simulator, so
        # runs sharing an id cannot see each other's data.
        "run_id": f"sc{request.seed:06d}",
        "job_timeout": str(options.job_timeout),
        "reports_dir": str(folder / "reports"),
    })
    env["HYPOTHESIS_STORAGE_DIRECTORY"] = str(folder / _HYPOTHESIS)
    return env


def _variables(values: Mapping[str, str]) -> dict[str, str]:
    """The environment that gives each of the suite's settings ``values`` (by name) to a child."""
    return {str(Settings.declared(name).env): value for name, value in values.items()}


def _suite_command(request: RunRequest, options: RunOptions, folder: Path) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "pytest",
        "contract_tests",
        "-p",
        "no:cacheprovider",
        "-q",
        "--junitxml",
        str(folder / _JUNIT),
        "--hypothesis-seed",
        str(request.seed),
    ]
    return command + (["-m", "quick"] if options.quick else [])


def _load_command(options: RunOptions) -> list[str]:
    return [
        sys.executable,
        "-m",
        "dialer_suite.cli",
        "load",
        "--profile",
        "smoke",
        "--duration",
        options.load_duration,
    ]


def _run_schemathesis(request: RunRequest, options: RunOptions, folder: Path) -> RunResult:
    """``st run`` with the project's spec and every check, against a simulator started for it."""
    with simulator_for(request.fault, request.seed) as target:
        outcome = run_bounded(
            schemathesis_command(target, request.seed, options, folder / _JUNIT, folder),
            env=_environment(request, options, folder) | credentials_environment(target),
            cwd=folder,  # keeps st away from any schemathesis.toml in the checkout
            log_path=folder / _LOG,
            timeout=options.timeout,
        )
        return _junit_result(
            request,
            outcome,
            folder,
            options.timeout,
            lambda xml: _normalised(read_schemathesis_failures(xml), target.base_url),
        )


def _normalised(failures: list[Failure], base_url: str) -> list[Failure]:
    """Messages without the run's random port, so clean and faulty runs compare equal."""
    return [Failure(f.test_id, f.message.replace(base_url, "<base-url>")) for f in failures]


def _junit_result(
    request: RunRequest,
    outcome: ProcessOutcome,
    folder: Path,
    timeout: float,
    reader: Callable[[str], list[Failure]],
) -> RunResult:
    if outcome.timed_out:
        return _broken(request, outcome, folder, RunStatus.TIMEOUT, f"killed after {timeout:.0f} s")
    try:
        failures = reader((folder / _JUNIT).read_text(encoding="utf-8"))
    except (OSError, JUnitError) as error:
        return _broken(
            request, outcome, folder, RunStatus.ERROR, f"exit {outcome.returncode}, no JUnit report ({error})"
        )
    if failures:
        return RunResult(request, RunStatus.FAILED, tuple(failures), outcome.seconds)
    if outcome.returncode != 0:
        return _broken(
            request, outcome, folder, RunStatus.ERROR, f"exit {outcome.returncode} with no failing test"
        )
    return RunResult(request, RunStatus.PASSED, (), outcome.seconds)


def _load_result(request: RunRequest, outcome: ProcessOutcome, folder: Path, timeout: float) -> RunResult:
    """Judge a load run by its summary's gates; the exit code must agree with them."""
    if outcome.timed_out:
        return _broken(request, outcome, folder, RunStatus.TIMEOUT, f"killed after {timeout:.0f} s")
    summary = folder / "reports" / "load" / "smoke" / "summary.json"
    try:
        breaches = read_breaches(summary.read_text(encoding="utf-8"))
    except (OSError, LoadSummaryError) as error:
        why = f"load exited {outcome.returncode}, no gate verdict ({error})"
        return _broken(request, outcome, folder, RunStatus.ERROR, why)
    if breaches and outcome.returncode != 0:
        return RunResult(request, RunStatus.FAILED, tuple(breaches), outcome.seconds)
    if not breaches and outcome.returncode == 0:
        return RunResult(request, RunStatus.PASSED, (), outcome.seconds)
    why = f"load exited {outcome.returncode} but its summary lists {len(breaches)} breached gates"
    return _broken(request, outcome, folder, RunStatus.ERROR, why)


def _broken(
    request: RunRequest, outcome: ProcessOutcome, folder: Path, status: RunStatus, why: str
) -> RunResult:
    detail = f"{why}; log: {folder / _LOG}\n{log_tail(folder / _LOG)}"
    return RunResult(request, status, (), outcome.seconds, detail)
