"""``dialer-suite load``: run a load profile against a target or the embedded simulator."""

from __future__ import annotations

import argparse
import functools
from dataclasses import replace
from pathlib import Path
from typing import Any

from dialer_suite.config.flags import add_flags, given_by_flags
from dialer_suite.config.settings import Settings, settings_from, settings_layers
from dialer_suite.config.simulator import VENDOR_RATE_LIMIT
from dialer_suite.errors import UsageError
from dialer_suite.load.profiles import PROFILE_NAMES, Request, build_plan, describe
from dialer_suite.load.runner import LoadOptions, load_tests_dir, locustfile_for, run
from dialer_suite.load.tenant import DEFAULT_CLEANUP_LIMIT
from dialer_suite.load.writes import duration_text, parse_duration

# The suite's settings a load run takes from its command line; the others come from the
# environment and the file, as for every command.
_SETTINGS = ("base_url", "campaign_id", "allow_writes", "pace", "allow_rate_limit_tests", "run_id")

__all__ = ["parse_duration", "register"]


def _batch_sizes(text: str) -> tuple[int, ...]:
    """``500`` or ``200,500,1000``."""
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise UsageError(f"--batch-size {text!r}: expected a number or numbers separated by commas") from None


def register(subparsers: Any) -> None:
    profiles = "; ".join(f"{name}: {text}" for name, text in describe().items())
    parser = subparsers.add_parser(
        "load",
        help="run a load profile (locust) with SLO gates",
        description="Run a load profile with locust and check the SLO gates. With no base URL the "
        "embedded simulator starts with its rate limit off. With one — loopback or not — the run "
        f"is a tenant run: every request stays under the rate limit ({Settings.declared('pace').how()}, "
        "the vendor's 10/s by default), the gates are the tenant table's, what it will write and what "
        "removing it costs is said first, and every contact it wrote is removed at the end. "
        f"Profiles: {profiles}.",
    )
    parser.add_argument("--profile", required=True, choices=PROFILE_NAMES)
    parser.add_argument("--scenario", help="locustfile in load_tests/ (default: the profile's)")
    parser.add_argument(
        "--rate", type=float, help="operations/s offered (stress: the first step and step size)"
    )
    parser.add_argument("--users", type=int, help="users carrying the rate (default: from the rate)")
    parser.add_argument("--duration", type=parse_duration, help="how long the plan lasts (e.g. 30s, 10m)")
    parser.add_argument("--contacts", type=int, help="capacity: contacts to import (per batch size)")
    parser.add_argument(
        "--batch-size", type=_batch_sizes, metavar="N[,N...]",
        help="contacts per import file; capacity: several sizes compare which loads fastest",
    )
    parser.add_argument(
        "--campaign-size", type=int, metavar="N",
        help="capacity: forecast how long N contacts take to load, in how many requests",
    )
    parser.add_argument("--step-seconds", type=float, help="stress: seconds per step")
    parser.add_argument("--steps", type=int, help="stress: at most this many steps")
    parser.add_argument("--processes", type=int, default=0, help="locust worker processes (distributed)")
    parser.add_argument(
        "--poll-interval", type=float, help="seconds between job polls (default 0.25 on the embedded "
        "simulator, 0.5 on a tenant: every poll counts against its limit)",
    )
    parser.add_argument("--slo", type=Path, help="SLO file (default load_tests/slo.toml)")
    parser.add_argument(
        "--gate-table", metavar="NAME",
        help="the SLO file's gate table (default: tenant; simulator for the embedded simulator)",
    )
    parser.add_argument("--report-dir", type=Path, help="default reports/load/<profile>")
    add_flags(parser.add_argument, Settings, names=_SETTINGS)
    parser.add_argument(
        "--keep", action="store_true",
        help="tenant: keep what the run writes; remove it later with dialer-suite cleanup --run-id",
    )
    parser.add_argument(
        "--wait-for-cleanup", action="store_true",
        help="tenant: run even when removing what it writes takes longer than --cleanup-limit",
    )
    parser.add_argument(
        "--cleanup-limit", type=functools.partial(parse_duration, option="--cleanup-limit"),
        default=DEFAULT_CLEANUP_LIMIT,
        help="tenant: refuse a run whose cleanup takes longer "
        f"(default {duration_text(DEFAULT_CLEANUP_LIMIT)})",
    )
    parser.add_argument(
        "--simulator-latency-ms", type=float, default=0.0, help="embedded simulator: added latency"
    )
    parser.add_argument(
        "--locust-arg", action="append", default=[], help="passed through to locust (repeatable)"
    )
    parser.add_argument(
        "--write-plan",
        type=Path,
        metavar="FILE",
        help="only write the run plan to FILE (for locust -f LOCUSTFILE --dialer-plan FILE -H URL)",
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    return run(*options_from(args))


def options_from(args: argparse.Namespace) -> tuple[LoadOptions, Settings]:
    """The run ``args`` ask for, and its settings; a UsageError for a bad option."""
    layers = settings_layers(given_by_flags(Settings, lambda dest: getattr(args, dest), names=_SETTINGS))
    settings = settings_from(layers)
    if settings.embedded and args.write_plan is not None and not layers.given("pace"):
        # A plan for plain locust goes to a target named later: a tenant, at the vendor's limit
        # unless the person said otherwise (not the embedded simulator's pace).
        settings = replace(settings, pace=VENDOR_RATE_LIMIT)
    if args.processes < 0 or args.processes > 64:
        raise UsageError(f"--processes must be between 0 and 64, got {args.processes}")
    if args.poll_interval is not None and args.poll_interval <= 0:
        raise UsageError("--poll-interval must be positive")
    if args.campaign_size is not None and args.campaign_size < 1:
        raise UsageError("--campaign-size must be positive")
    if args.keep and args.wait_for_cleanup:
        raise UsageError("--keep and --wait-for-cleanup exclude each other: keep the contacts, or wait for "
                         "their removal")
    request = Request(
        profile=args.profile,
        scenario=args.scenario,
        rate=args.rate,
        users=args.users,
        duration=args.duration,
        contacts=args.contacts,
        batch_sizes=args.batch_size,
        step_seconds=args.step_seconds,
        steps=args.steps,
    )
    scenario = args.scenario or build_plan(request, rate_ceiling=None).scenario
    options = LoadOptions(
        request=request,
        locustfile=locustfile_for(scenario),
        report_dir=args.report_dir or settings.reports_dir / "load" / args.profile,
        slo_file=args.slo or load_tests_dir() / "slo.toml",
        processes=args.processes,
        poll_interval=args.poll_interval,
        simulator_latency_ms=args.simulator_latency_ms,
        extra_locust_args=tuple(args.locust_arg),
        write_plan=args.write_plan,
        gate_table=args.gate_table,
        campaign_size=args.campaign_size,
        keep=args.keep,
        wait_for_cleanup=args.wait_for_cleanup,
        cleanup_limit=args.cleanup_limit,
    )
    return options, settings
