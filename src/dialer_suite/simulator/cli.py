"""``dialer-suite serve`` (and ``serve --list-assumptions``) and ``dialer-suite faults``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from dialer_suite.api import spec
from dialer_suite.simulator import assumptions, faults
from dialer_suite.simulator.config import SimulatorConfig, load_simulator_config
from dialer_suite.simulator.server import serve_forever

# What `serve` listens on unless told otherwise; the other defaults are SimulatorConfig's.
_SERVE_DEFAULTS = SimulatorConfig(port=8080)


def register(subparsers: Any) -> None:
    serve = subparsers.add_parser(
        "serve",
        help="run the embedded vendor simulator",
        description="Run the simulator of the vendor's campaign contacts API until Ctrl-C. "
        "Every option can also come from DIALER_SIM_<OPTION> (e.g. DIALER_SIM_RATE_LIMIT) or "
        "[tool.dialer-suite.simulator] in pyproject.toml; options win over the environment, "
        "which wins over the file. Credentials: DIALER_SIM_USERNAME / DIALER_SIM_TOKEN "
        f"(default {_SERVE_DEFAULTS.username} / {_SERVE_DEFAULTS.token}); faults also from "
        "DIALER_SIMULATOR_FAULTS; assumption choices from DIALER_SIM_ASSUME=\"id=choice,...\" "
        "and DIALER_SIM_VENDOR_PROFILE.",
    )
    defaults = _SERVE_DEFAULTS
    serve.add_argument("--host", help=f"default {defaults.host}")
    serve.add_argument("--port", help=f"0 = any free port (default {defaults.port})")
    serve.add_argument("--db", dest="db_path", help="SQLite file to keep state in (default: a temp file)")
    serve.add_argument(
        "--rate-limit", help=f"requests/s per tenant, or 'off' (default {defaults.rate_limit:g})"
    )
    serve.add_argument("--burst", help="requests allowed at once (default: one second's worth)")
    serve.add_argument("--seed", help=f"seeds the first contact and job ids (default {defaults.seed})")
    serve.add_argument(
        "--campaigns", help="comma-separated campaign ids that exist (default "
        f"{','.join(map(str, defaults.campaigns))})",
    )
    serve.add_argument(
        "--fault", dest="faults", action="append", metavar="NAME",
        help="switch on a vendor regression (repeatable; see `dialer-suite faults`)",
    )
    serve.add_argument("--latency-ms", help="added to every vendor response (default 0)")
    serve.add_argument(
        "--min-job-seconds", help=f"how long an import job reads in_progress at least "
        f"(default {defaults.min_job_seconds:g})",
    )
    serve.add_argument("--max-body-bytes", help=f"default {defaults.max_body_bytes}")
    serve.add_argument("--max-import-bytes", help=f"default {defaults.max_import_bytes}")
    serve.add_argument("--max-import-contacts", help=f"default {defaults.max_import_contacts}")
    serve.add_argument(
        "--assume", action="append", metavar="ID=CHOICE",
        help="play another choice for an x-assumption of the spec (repeatable; wins over "
        "--vendor-profile for the ids it names; see --list-assumptions)",
    )
    serve.add_argument(
        "--vendor-profile", metavar="NAME",
        help=f"play a whole vendor at once: {', '.join(assumptions.PROFILES)} (the least the page promises)",
    )
    serve.add_argument(
        "--list-assumptions", action="store_true",
        help="list every assumption id, its choices and what each profile picks, then exit",
    )
    serve.set_defaults(handler=_serve)

    listing = subparsers.add_parser("faults", help="list the simulator's switchable vendor regressions")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(handler=_list_faults)


def _serve(args: argparse.Namespace) -> int:
    if args.list_assumptions:
        return _list_assumptions()
    given = {name: value for name, value in vars(args).items()
             if name not in ("command", "handler", "list_assumptions")}
    config = load_simulator_config(given, base=_SERVE_DEFAULTS)
    faults.validate(config.faults)
    return serve_forever(config)


def _list_faults(args: argparse.Namespace) -> int:
    catalog = faults.catalog()
    if args.json:
        print(json.dumps([vars(fault) for fault in catalog.values()], indent=2))
        return 0
    width = max(len(name) for name in catalog)
    for fault in catalog.values():
        print(f"{fault.name:<{width}}  {fault.kind:<10}  {fault.summary}")
    return 0


def _list_assumptions() -> int:
    """Each id with the spec's summary, then its choices: the default and the lean pick marked."""
    summaries = spec.assumption_ids()
    for assumption in assumptions.catalog().values():
        print(f"{assumption.id}: {summaries.get(assumption.id, '')}")
        marks = {
            name: ", ".join(mark for mark, chosen in (("default", assumption.default),
                                                      (assumptions.LEAN, assumption.lean))
                            if chosen == name)
            for name in assumption.choices
        }
        labels = {name: f"{name} ({mark})" if mark else name for name, mark in marks.items()}
        width = max(len(label) for label in labels.values())
        for name, description in assumption.choices.items():
            print(f"  {labels[name]:<{width}}  {description}")
    return 0
