"""``dialer-suite serve`` and ``dialer-suite faults``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from dialer_suite.errors import UsageError
from dialer_suite.simulator import faults
from dialer_suite.simulator.config import SimulatorConfig, parse_rate_limit, with_environment
from dialer_suite.simulator.server import serve_forever


def register(subparsers: Any) -> None:
    serve = subparsers.add_parser(
        "serve",
        help="run the embedded vendor simulator",
        description="Run the simulator of the vendor's campaign contacts API until Ctrl-C. "
        "Credentials: DIALER_SIM_USERNAME / DIALER_SIM_TOKEN (default acme / dev-token).",
    )
    defaults = SimulatorConfig()
    serve.add_argument("--host", default=defaults.host)
    serve.add_argument("--port", type=int, default=8080, help="0 = any free port (default 8080)")
    serve.add_argument("--db", help="SQLite file to keep state in (default: a temporary file)")
    serve.add_argument("--rate-limit", default="10", help="requests/s per tenant, or 'off' (default 10)")
    serve.add_argument("--burst", type=float, help="requests allowed at once (default: one second's worth)")
    serve.add_argument("--seed", type=int, default=defaults.seed, help="seeds the first contact and job ids")
    serve.add_argument(
        "--campaigns", default=",".join(map(str, defaults.campaigns)),
        help="comma-separated campaign ids that exist (default 1,2,3)",
    )
    serve.add_argument(
        "--fault", action="append", default=[], metavar="NAME",
        help="switch on a vendor regression (repeatable; see `dialer-suite faults`)",
    )
    serve.add_argument("--latency-ms", type=float, default=0.0, help="added to every vendor response")
    serve.add_argument(
        "--min-job-seconds", type=float, default=defaults.min_job_seconds,
        help="how long an import job reads in_progress at least",
    )
    serve.add_argument("--max-body-bytes", type=int, default=defaults.max_body_bytes)
    serve.add_argument("--max-import-bytes", type=int, default=defaults.max_import_bytes)
    serve.add_argument("--max-import-contacts", type=int, default=defaults.max_import_contacts)
    serve.set_defaults(handler=_serve)

    listing = subparsers.add_parser("faults", help="list the simulator's switchable vendor regressions")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(handler=_list_faults)


def _serve(args: argparse.Namespace) -> int:
    config = with_environment(
        SimulatorConfig(
            host=args.host,
            port=args.port,
            db_path=args.db,
            campaigns=_campaigns(args.campaigns),
            rate_limit=parse_rate_limit(args.rate_limit),
            burst=args.burst,
            seed=args.seed,
            faults=tuple(args.fault),
            latency_ms=args.latency_ms,
            min_job_seconds=args.min_job_seconds,
            max_body_bytes=args.max_body_bytes,
            max_import_bytes=args.max_import_bytes,
            max_import_contacts=args.max_import_contacts,
        )
    )
    faults.validate(config.faults)
    return serve_forever(config)


def _campaigns(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise UsageError(f"--campaigns {text!r}: expected comma-separated integers, e.g. 1,2,3") from None


def _list_faults(args: argparse.Namespace) -> int:
    catalog = faults.catalog()
    if args.json:
        print(json.dumps([vars(fault) for fault in catalog.values()], indent=2))
        return 0
    width = max(len(name) for name in catalog)
    for fault in catalog.values():
        print(f"{fault.name:<{width}}  {fault.kind:<10}  {fault.summary}")
    return 0
