"""``dialer-suite serve --from-baseline FILE`` and ``dialer-suite baseline explain FILE``.

``serve`` belongs to the simulator, which sits below the contract suite and
cannot read a baseline; this module adds ``--from-baseline`` to it from the
layer that can (``dialer_suite.cli`` registers it after the simulator's
commands). Without the option ``serve`` runs as it always did. The baseline
and the twin are read only when asked for, so ``--help`` stays light.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dialer_suite.errors import UsageError
from dialer_suite.simulator.cli import serve_config
from dialer_suite.simulator.server import serve_forever

if TYPE_CHECKING:
    from dialer_suite.contract.twin.build import Twin

Handler = Callable[[argparse.Namespace], int]


def register(subparsers: Any) -> None:
    serve: argparse.ArgumentParser = subparsers.choices["serve"]
    serve.add_argument(
        "--from-baseline", type=Path, metavar="FILE",
        help="serve the twin of the tenant a baseline was recorded against: every assumption as "
        "the baseline observed it (see `dialer-suite baseline explain FILE`); --assume and the "
        "other options win over it",
    )
    plain: Handler = serve.get_default("handler")
    serve.set_defaults(handler=lambda args: _serve(plain, args))


def add_explain(commands: Any) -> None:
    """``baseline explain``: added to the ``baseline`` command by ``contract.baseline_cli``."""
    explain = commands.add_parser(
        "explain", help="what a twin of the baseline plays, assumption by assumption",
        description="One table: for every assumption the vendor page leaves open, the evidence "
        "the baseline holds and the choice `dialer-suite serve --from-baseline FILE` plays (or "
        "why it cannot match it), then what the twin plays beyond the assumptions.",
    )
    explain.add_argument("file", type=Path, help="a recorded baseline")
    explain.add_argument("--json", action="store_true", help="machine-readable output")
    explain.set_defaults(handler=_explain)


def _serve(plain: Handler, args: argparse.Namespace) -> int:
    if args.from_baseline is None or args.list_assumptions:
        return plain(args)
    from dialer_suite.contract.twin import twin_of

    config, given = serve_config(args)
    if "vendor_profile" in given:
        raise UsageError("--from-baseline plays the baseline's reading of every assumption; it "
                         "takes no --vendor-profile (--assume ID=CHOICE overrides one)")
    twin = twin_of(args.from_baseline)
    config = twin.config(config, given)
    print("\n".join(start_lines(twin, args.from_baseline, config.assume, given)), flush=True)
    return serve_forever(config)


def start_lines(twin: Twin, path: Path, assume: Mapping[str, str], given: frozenset[str]) -> list[str]:
    """What a twin says when it starts: whose twin, and every place it plays something else
    than what was observed."""
    from dialer_suite.contract.twin.build import CANNOT, UNTESTED

    lines = [f"twin of {twin.source}"]
    overridden = {i: c for i, c in assume.items() if "assume" in given and c != twin.choices.get(i)}
    if overridden:
        lines.append("  played as you asked, not as observed: "
                     + ", ".join(f"{i}={c}" for i, c in overridden.items()))
    untested = [f"{found.subject}={twin.choices[found.subject]}" for found in twin.subjects(UNTESTED)]
    lines.append(f"  untested, the default played: {', '.join(untested) or 'none'}")
    cannot = twin.subjects(CANNOT)
    lines.append(f"  cannot match: {len(cannot) or 'none'}")
    lines += [f"    - {found.subject}: {found.observed} → {found.plays}" for found in cannot]
    lines.append(f"  every line, with its evidence: dialer-suite baseline explain {path}")
    return lines


def _explain(args: argparse.Namespace) -> int:
    from dialer_suite.contract.twin import twin_of

    twin = twin_of(args.file)
    if args.json:
        print(json.dumps({"baseline": twin.source, "choices": dict(twin.choices),
                          "lines": [vars(found) for found in twin.lines]}, indent=2))
        return 0
    print(f"twin of {twin.source}\n")
    print("| assumption | observed evidence | the twin plays |")
    print("|---|---|---|")
    for found in twin.lines:
        print(f"| {found.subject} | {_cell(found.observed)} | {_cell(found.plays)} |")
    return 0


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
