"""``dialer-suite selfcheck``: the kill matrix of the simulator's faults, suite vs schemathesis alone."""

from __future__ import annotations

import argparse
import os
import re
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path

from dialer_suite.config.flags import refuse_renamed
from dialer_suite.errors import UsageError
from dialer_suite.selfcheck import readings
from dialer_suite.selfcheck.catalog import choose_faults, load_catalog
from dialer_suite.selfcheck.matrix import build_matrix
from dialer_suite.selfcheck.model import RunResult
from dialer_suite.selfcheck.plan import plan_runs
from dialer_suite.selfcheck.report import render_json, render_markdown, render_terminal
from dialer_suite.selfcheck.runner import RunOptions, run_all

# The source checkout this package is installed from (editable install): contract_tests/ lives there.
_CHECKOUT = Path(__file__).resolve().parents[3]
_DURATION = re.compile(r"^\d+(\.\d+)?[smh]?$")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "selfcheck",
        help="run the suite against the clean simulator and each catalog fault; print the kill matrix",
        description=(
            "Run the contract suite against the clean simulator and once per simulator fault "
            "(the load smoke profile for speed faults), and schemathesis's CLI alone against the "
            "same faults; print the kill matrix and write reports/selfcheck.md and .json. "
            "Exits 1 if a clean run fails or any fault survives the suite."
        ),
    )
    parser.add_argument("--faults", help="comma-separated fault names (default: the whole catalog)")
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="runs in parallel (default: cores)"
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the fault runs and first clean run (default 0)"
    )
    parser.add_argument(
        "--repeat-clean",
        type=int,
        default=1,
        metavar="K",
        help="run the clean suite K times with seeds seed..seed+K-1 (false-alarm check)",
    )
    parser.add_argument("--clean-only", action="store_true", help="only the clean runs (with --repeat-clean)")
    parser.add_argument(
        "--assumptions", action="store_true",
        help="instead of the fault catalog: the assumption matrix, the contract suite against the "
        "lean profile and every alternative choice of every x-assumption (reports/assumptions.md)",
    )
    # Every test by default: the quick selection lets 15 of the 38 catalog faults survive.
    selection = parser.add_mutually_exclusive_group()
    selection.add_argument(
        "--full",
        dest="quick",
        action="store_false",
        default=False,
        help="contract suite: every test (default)",
    )
    selection.add_argument(
        "--quick",
        dest="quick",
        action="store_true",
        help="contract suite: only the quick selection (-m quick)",
    )
    parser.add_argument(
        "--no-schemathesis",
        dest="schemathesis",
        action="store_false",
        help="skip the schemathesis-alone column",
    )
    parser.add_argument(
        "--timeout", type=float, default=240.0, help="seconds before one run is killed (default 240)"
    )
    parser.add_argument(
        "--job-timeout",
        type=float,
        default=10.0,
        help="seconds the suite waits for an import job (default 10; simulator jobs take <1 s)",
    )
    parser.add_argument(
        "--load-duration", default="15s", help="smoke profile duration for speed faults (default 15s)"
    )
    parser.add_argument("--st-max-examples", type=int, default=20, help="schemathesis alone: --max-examples")
    parser.add_argument(
        "--st-phases", default="examples,coverage,fuzzing,stateful", help="schemathesis alone: --phases"
    )
    parser.add_argument(
        "--report-dir", type=Path, default=Path("reports"), metavar="DIR",
        help="the folder the reports go to (default reports)",
    )
    refuse_renamed(parser.add_argument, "--reports", "--report-dir")
    parser.set_defaults(handler=run_selfcheck)


def run_selfcheck(args: argparse.Namespace) -> int:
    _validate(args)
    if args.assumptions:
        return _run_readings(args)
    faults = [] if args.clean_only else choose_faults(load_catalog(), args.faults)
    requests = plan_runs(
        faults, seed=args.seed, repeat_clean=args.repeat_clean, schemathesis=args.schemathesis
    )
    options = _options(args, "selfcheck")
    print(f"selfcheck: {len(requests)} runs ({len(faults)} faults), {args.jobs} at a time", flush=True)
    started = time.monotonic()
    results = run_all(requests, options, args.jobs, on_done=_progress(len(requests)))
    matrix = build_matrix(faults, results)
    info = {**_info(args, started), "clean suite runs": str(args.repeat_clean)}
    args.report_dir.mkdir(parents=True, exist_ok=True)
    (args.report_dir / "selfcheck.md").write_text(render_markdown(matrix, info), encoding="utf-8")
    (args.report_dir / "selfcheck.json").write_text(render_json(matrix, info), encoding="utf-8")
    print(render_terminal(matrix, info))
    print(f"reports: {args.report_dir / 'selfcheck.md'}, {args.report_dir / 'selfcheck.json'}")
    return 0 if matrix.ok else 1


def _run_readings(args: argparse.Namespace) -> int:
    """The assumption matrix: every reading of the vendor page, labels judged per run."""
    from dialer_suite.simulator.assumptions import catalog

    all_readings = readings.readings(catalog())
    options = _options(args, "assumptions")
    requests = readings.plan_readings(all_readings, args.seed)
    print(f"selfcheck: {len(requests)} readings of the vendor page, {args.jobs} at a time", flush=True)
    started = time.monotonic()
    results = run_all(requests, options, args.jobs, on_done=_progress(len(requests)))
    verdicts = [
        readings.judge(reading, result, options.artifacts / result.request.label)
        for reading, result in zip(all_readings, results, strict=True)
    ]
    info = _info(args, started)
    reports = args.report_dir
    reports.mkdir(parents=True, exist_ok=True)
    (reports / "assumptions.md").write_text(readings.render_markdown(verdicts, info), encoding="utf-8")
    (reports / "assumptions.json").write_text(readings.render_json(verdicts, info), encoding="utf-8")
    print(readings.render_terminal(verdicts, info))
    print(f"reports: {reports / 'assumptions.md'}, {reports / 'assumptions.json'}")
    return 0 if all(verdict.ok for verdict in verdicts) else 1


def _options(args: argparse.Namespace, artifacts: str) -> RunOptions:
    return RunOptions(
        root=_checkout(),
        artifacts=(args.report_dir / artifacts).resolve(),
        timeout=args.timeout,
        quick=args.quick,
        job_timeout=args.job_timeout,
        load_duration=args.load_duration,
        schemathesis_max_examples=args.st_max_examples,
        schemathesis_phases=args.st_phases,
    )


def _info(args: argparse.Namespace, started: float) -> dict[str, str]:
    return {
        "command": "dialer-suite " + shlex.join(sys.argv[1:] or ["selfcheck"]),
        "contract suite selection": "-m quick" if args.quick else "all tests",
        "seed": str(args.seed),
        "parallel runs": str(args.jobs),
        "wall time": f"{time.monotonic() - started:.0f} s",
    }


def _validate(args: argparse.Namespace) -> None:
    if args.jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {args.jobs}")
    if args.repeat_clean < 1:
        raise UsageError(f"--repeat-clean must be at least 1, not {args.repeat_clean}")
    if args.timeout <= 0 or args.job_timeout <= 0:
        raise UsageError("--timeout and --job-timeout must be positive seconds")
    if args.st_max_examples < 1:
        raise UsageError(f"--st-max-examples must be at least 1, not {args.st_max_examples}")
    if not _DURATION.match(args.load_duration):
        raise UsageError(f"--load-duration {args.load_duration!r} is not a duration like 15s, 1m")
    if args.clean_only and args.faults:
        raise UsageError("--clean-only and --faults exclude each other")
    if args.assumptions and (args.faults or args.clean_only):
        raise UsageError("--assumptions runs the readings of the vendor page, not faults: drop "
                         "--faults / --clean-only")


def _checkout() -> Path:
    if not (_CHECKOUT / "contract_tests").is_dir():
        raise UsageError(
            f"selfcheck runs the contract suite from the project checkout, and {_CHECKOUT} has no "
            "contract_tests/ (install the project editable: pip install -e .)"
        )
    return _CHECKOUT


def _progress(total: int) -> Callable[[RunResult], None]:
    """A callback that prints one line per finished run, so a long selfcheck shows it is alive."""
    done = 0

    def report(result: RunResult) -> None:
        nonlocal done
        done += 1
        failing = f", {len(result.failures)} failing" if result.failures else ""
        print(
            f"  [{done}/{total}] {result.request.label}: {result.status} ({result.seconds:.0f} s{failing})",
            flush=True,
        )

    return report
