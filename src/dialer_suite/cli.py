"""The ``dialer-suite`` command: one entry point, one module per family of subcommands.

Each module in ``_COMMAND_MODULES`` exposes ``register(subparsers)``, which adds
its subcommands and sets ``handler`` on them. Handlers return an exit code.
A ``UsageError`` anywhere becomes one plain line on stderr and exit code 2.
``--help`` speaks to users (``_DESCRIPTION``), not to developers of this module.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from dialer_suite.errors import TARGET_NOT_USABLE, TargetNotUsable, UsageError

_COMMAND_MODULES = (
    "dialer_suite.simulator.cli",
    "dialer_suite.contract.cli",
    "dialer_suite.contract.baseline_cli",
    "dialer_suite.contract.twin.cli",  # adds --from-baseline to the simulator's `serve`
    "dialer_suite.load.cli",
    "dialer_suite.load.cleanup_cli",
    "dialer_suite.selfcheck.cli",
)


_DESCRIPTION = (
    "Contract and load tests for the Outbound Dialer campaign contacts API (CCAI Platform / UJET "
    "Apps API), with an embedded simulator of that API. Without a base URL every command runs "
    "against a simulator it starts itself; with one, against your tenant, paced under its rate "
    "limit and cleaning up what it wrote."
)
_EPILOG = (
    "Start with `dialer-suite contract` (the contract suite against the embedded simulator). "
    "`dialer-suite COMMAND --help` describes each command; the README describes them all."
)


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad arguments in the same one-line form as bad settings."""

    def error(self, message: str) -> None:  # type: ignore[override]
        # The top-level handler adds "dialer-suite: error:"; a subcommand names itself.
        prefix = "" if self.prog == "dialer-suite" else f"{self.prog}: "
        raise UsageError(f"{prefix}{message}")


def _version() -> str:
    try:
        return version("dialer-suite")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="dialer-suite", description=_DESCRIPTION, epilog=_EPILOG)
    parser.add_argument("--version", action="version", version=f"dialer-suite {_version()}")
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=_Parser,
                                       metavar="COMMAND", title="commands")
    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        code: int = args.handler(args)
    except UsageError as error:
        print(f"dialer-suite: error: {error}", file=sys.stderr)
        return 2
    except TargetNotUsable as error:
        print(f"dialer-suite: target not usable: {error}", file=sys.stderr)
        return TARGET_NOT_USABLE
    except KeyboardInterrupt:
        print("dialer-suite: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``dialer-suite faults | head``): not an error of ours.
        # Point stdout at devnull so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
