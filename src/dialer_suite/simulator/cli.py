"""``dialer-suite serve`` (and ``serve --list-assumptions``) and ``dialer-suite faults``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from dialer_suite.api import spec
from dialer_suite.config.flags import add_flags, given_by_flags, without_flags
from dialer_suite.simulator import assumptions, faults
from dialer_suite.simulator.config import SimulatorConfig, simulator_layers
from dialer_suite.simulator.server import serve_forever

# What `serve` listens on unless told otherwise; the other defaults are the declared ones.
_SERVE_DEFAULTS = {"port": 8080}


def register(subparsers: Any) -> None:
    serve = subparsers.add_parser(
        "serve",
        help="run the embedded vendor simulator",
        description="Run the simulator of the vendor's campaign contacts API until Ctrl-C. "
        "Every option can also come from the variable named with it, or from "
        "[tool.dialer-suite.simulator] in pyproject.toml; options win over the environment, "
        "which wins over the file. Settings with no option: "
        f"{without_flags(SimulatorConfig)}.",
    )
    add_flags(serve.add_argument, SimulatorConfig, defaults=_SERVE_DEFAULTS)
    serve.add_argument(
        "--list-assumptions", action="store_true",
        help="list every assumption id, its choices and what each profile picks, then exit",
    )
    serve.set_defaults(handler=_serve)

    listing = subparsers.add_parser(
        "faults", help="list the simulator's switchable vendor regressions",
        description="The fault catalog: vendor regressions the simulator can play (`serve --fault "
        f"NAME`, {SimulatorConfig.declared('faults').env} for every simulator), one line each: "
        "name, kind, what breaks. `dialer-suite selfcheck` proves the suite catches each of them.",
    )
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(handler=_list_faults)


def _serve(args: argparse.Namespace) -> int:
    if args.list_assumptions:
        return _list_assumptions()
    config, _ = serve_config(args)
    return serve_forever(config)


def serve_config(args: argparse.Namespace) -> tuple[SimulatorConfig, frozenset[str]]:
    """The simulator ``serve`` is asked for, and the settings a person gave (by flag, variable
    or file; not the defaults)."""
    given = given_by_flags(SimulatorConfig, lambda dest: getattr(args, dest))
    layers = simulator_layers(given, defaults=_SERVE_DEFAULTS)
    config = layers.build(SimulatorConfig)
    faults.validate(config.faults)
    return config, frozenset(key[0] for key in layers.origins)


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
