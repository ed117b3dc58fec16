"""``dialer-suite load``: run a load profile against a target or the embedded simulator."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from dialer_suite.config.flags import add_flags, given_by_flags
from dialer_suite.config.settings import Settings, load_settings
from dialer_suite.errors import UsageError
from dialer_suite.load.profiles import PROFILE_NAMES, Request, build_plan, describe
from dialer_suite.load.runner import LoadOptions, load_tests_dir, locustfile_for, run

_DURATION = re.compile(r"^\s*(?P<number>[0-9]+(?:\.[0-9]+)?)\s*(?P<unit>[smh]?)\s*$")
_UNIT_SECONDS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0}
_SETTINGS = ("base_url", "allow_writes")


def parse_duration(text: str) -> float:
    """``90``, ``90s``, ``5m``, ``2h`` → seconds."""
    match = _DURATION.match(text)
    if match is None:
        raise UsageError(f"--duration {text!r}: expected seconds or a number with s, m or h (e.g. 30s, 5m)")
    return float(match["number"]) * _UNIT_SECONDS[match["unit"]]


def register(subparsers: Any) -> None:
    profiles = "; ".join(f"{name}: {text}" for name, text in describe().items())
    parser = subparsers.add_parser(
        "load",
        help="run a load profile (locust) with SLO gates",
        description="Run a load profile with locust and check the SLO gates. With no base URL the "
        f"embedded simulator starts with its rate limit off. Profiles: {profiles}.",
    )
    parser.add_argument("--profile", required=True, choices=PROFILE_NAMES)
    parser.add_argument("--scenario", help="locustfile in load_tests/ (default: the profile's)")
    parser.add_argument(
        "--rate", type=float, help="operations/s offered (stress: the first step and step size)"
    )
    parser.add_argument("--users", type=int, help="users carrying the rate (default: from the rate)")
    parser.add_argument("--duration", type=parse_duration, help="how long the plan lasts (e.g. 30s, 10m)")
    parser.add_argument("--contacts", type=int, help="capacity: contacts to import")
    parser.add_argument("--batch-size", type=int, help="contacts per import file")
    parser.add_argument("--step-seconds", type=float, help="stress: seconds per step")
    parser.add_argument("--steps", type=int, help="stress: at most this many steps")
    parser.add_argument("--processes", type=int, default=0, help="locust worker processes (distributed)")
    parser.add_argument("--poll-interval", type=float, default=0.25, help="seconds between job polls")
    parser.add_argument("--slo", type=Path, help="SLO file (default load_tests/slo.toml)")
    parser.add_argument("--report-dir", type=Path, help="default reports/load/<profile>")
    # The suite's settings a load run takes from its command line; the others come from the
    # environment and the file, as for every command.
    add_flags(parser.add_argument, Settings, names=_SETTINGS)
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
    settings = load_settings(given_by_flags(Settings, lambda dest: getattr(args, dest), names=_SETTINGS))
    if args.processes < 0 or args.processes > 64:
        raise UsageError(f"--processes must be between 0 and 64, got {args.processes}")
    if args.poll_interval <= 0:
        raise UsageError("--poll-interval must be positive")
    request = Request(
        profile=args.profile,
        scenario=args.scenario,
        rate=args.rate,
        users=args.users,
        duration=args.duration,
        contacts=args.contacts,
        batch_size=args.batch_size,
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
    )
    return run(options, settings)
