"""``dialer-suite baseline diff OLD NEW``: what changed between two recorded baselines.

For the pull request that updates a baseline after a vendor release: the same
before → after lines a judged run prints, by the same rules
(``dialer_suite.contract.compare``), without a target. Exit code 1 when
vendor behaviour changed, 0 when not, 2 when a file is missing, unreadable,
not a baseline or recorded against another spec.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from dialer_suite.contract.twin.cli import add_explain


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "baseline", help="work with recorded vendor baselines",
        description="A baseline is what one tenant was recorded doing (`dialer-suite contract "
        "--record-baseline FILE`): for every assumption the vendor page leaves open, what the "
        "tenant really does. `diff` shows what changed in vendor behaviour between two of them.",
    )
    commands = parser.add_subparsers(dest="baseline_command", required=True,
                                     parser_class=type(parser))
    diff = commands.add_parser(
        "diff", help="what changed in vendor behaviour from OLD to NEW (exit 1 when anything did)",
    )
    diff.add_argument("old", type=Path, help="the baseline before (e.g. from the main branch)")
    diff.add_argument("new", type=Path, help="the baseline after (e.g. recorded after a release)")
    diff.set_defaults(handler=run_diff)
    add_explain(commands)


def run_diff(args: argparse.Namespace) -> int:
    from dialer_suite.contract import compare
    from dialer_suite.contract.baseline import load

    old, new = load(args.old), load(args.new)
    result = compare.compare(old.data, new.data)
    print(f"{old.path} (recorded {old.data['recorded']} against {old.data['target']}) → "
          f"{new.path} (recorded {new.data['recorded']} against {new.data['target']})")
    for line in compare.lines(result, old.label):
        print(line)
    if result.new_drift:
        print(f"drift new since the {old.label} (reported, not failed):")
        print("\n".join(f"  - {line}" for line in result.new_drift))
    if result.notes:
        print(f"not judged: {len(result.notes)}")
        print("\n".join(f"  - {line}" for line in result.notes))
    return 1 if result.changes else 0
