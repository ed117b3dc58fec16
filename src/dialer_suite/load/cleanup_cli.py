"""``dialer-suite cleanup``: remove what runs left on a tenant — by run id, or by age.

A load run kept with ``--keep``, a run interrupted before its own cleanup
ended, a contract run that was killed: their contacts carry their run id
(``dsuite-RUN-N`` in the external id, ``dialer-suite RUN #N`` in the name).
``--run-id RUN_ID`` removes one run's; ``--older-than AGE`` every run-tagged
contact older than AGE — by its ``created_at`` when the list shows one, else by
the start time a generated run id carries (a run id a person chose carries
none: such contacts are listed by run id, to remove with ``--run-id``).

What it finds and what removing it costs is said first; the removal is paced
under the tenant's limit, with a progress bar and an ETA. It keeps no state:
interrupted, the same command lists what is left and carries on. Exit codes:
0 nothing left, 1 contacts the target would not remove, 2 a bad option, 69 the
target is not usable, 130 interrupted.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from dialer_suite.api.testdata import is_run_contact, run_id_of, run_started
from dialer_suite.config.flags import add_flags, given_by_flags
from dialer_suite.config.settings import Settings, settings_from, settings_layers
from dialer_suite.config.values import SettingError
from dialer_suite.errors import UsageError
from dialer_suite.http.cleanup import Select, listed
from dialer_suite.http.client import DialerClient
from dialer_suite.load.preflight import check_usable
from dialer_suite.load.removal import pace_of, remove_selected, result_lines
from dialer_suite.load.writes import duration_text, parse_duration, rate_text, removal

_SETTINGS = ("base_url", "campaign_id", "other_campaign_id", "allow_writes", "pace")
# A run id shorter than this matches too much (the run's contacts are found by substring).
_MIN_RUN_ID = 4
_INTERRUPTED = 130


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "cleanup",
        help="remove what runs left on a tenant (by run id, or older than an age)",
        description="Remove the contacts that load or contract runs wrote and left on a tenant: "
        "those of --run-id RUN_ID (repeatable), or every run-tagged contact older than --older-than "
        "AGE. Sweeps the campaign (and the other campaign, when one is set), paced under the rate "
        "limit, with progress; says first what it found and how long removing it takes. Run it again "
        "to resume after an interruption.",
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--run-id", action="append", dest="run_ids", metavar="RUN_ID",
                       help="the run whose contacts to remove (repeatable)")
    which.add_argument("--older-than", type=functools.partial(parse_duration, option="--older-than"),
                       metavar="AGE", help="every run-tagged contact older than AGE (e.g. 12h, 2d)")
    parser.add_argument("--dry-run", action="store_true", help="only say what would be removed, and the cost")
    add_flags(parser.add_argument, Settings, names=_SETTINGS)
    parser.set_defaults(handler=_run)


def target(args: argparse.Namespace) -> tuple[Settings, tuple[int, ...]]:
    """The settings and campaigns of a cleanup as ``args`` ask for it; a UsageError before any
    request when it may not run (no target, writes not allowed)."""
    layers = settings_layers(given_by_flags(Settings, lambda dest: getattr(args, dest), names=_SETTINGS))
    settings = settings_from(layers)
    if settings.base_url is None:
        raise UsageError(f"no target: give {Settings.declared('base_url').how()} (the embedded simulator "
                         "is discarded with its data; there is nothing to clean)")
    reason = settings.refuse_writes_reason()
    if reason:
        raise UsageError(reason)
    campaigns: tuple[int, ...] = (settings.campaign_id,)
    if layers.given("other_campaign_id"):
        campaigns += (settings.other_campaign_id,)
    return settings, campaigns


def _run(args: argparse.Namespace) -> int:
    settings, campaigns = target(args)
    select, what, unknown = selection(args)
    check_usable(settings, campaigns)
    where = ", ".join(str(c) for c in campaigns)
    print(f"dialer-suite cleanup: {what} on campaign(s) {where} of {settings.base_url}, at most "
          f"{rate_text(pace_of(settings))}", flush=True)
    if args.dry_run:
        return _dry_run(settings, campaigns, select, unknown)
    try:
        result, _ = remove_selected(settings, campaigns, select, what)
    except KeyboardInterrupt:
        print("dialer-suite cleanup: interrupted; run the same command again to remove the rest",
              file=sys.stderr)
        return _INTERRUPTED
    for line in result_lines(result):
        print(line)
    _report_unknown(unknown)
    return 1 if result.left else 0


def selection(args: argparse.Namespace) -> tuple[Select, str, dict[str, set[str]]]:
    """Which contacts to remove, how to say so, and (for an age) the runs whose age is unknown."""
    unknown: dict[str, set[str]] = {}  # run id -> its contacts (the listing is read more than once)
    if args.run_ids:
        run_ids = [_checked_run_id(run_id) for run_id in args.run_ids]
        return (lambda contact: any(is_run_contact(contact, run_id) for run_id in run_ids),
                f"contacts of run {', '.join(run_ids)}", unknown)
    return _older_than(args.older_than, unknown, time.time()), (
        f"run-tagged contacts older than {duration_text(args.older_than)}"), unknown


def _checked_run_id(value: str) -> str:
    try:
        run_id: str = Settings.declared("run_id").convert(value)
    except SettingError as error:
        raise UsageError(f"--run-id {error}") from None
    if len(run_id) < _MIN_RUN_ID:
        raise UsageError(f"--run-id {run_id!r} is too short to tell a run's contacts apart "
                         f"(at least {_MIN_RUN_ID} characters)")
    return run_id


def _older_than(age: float, unknown: dict[str, set[str]], now: float) -> Callable[[dict[str, Any]], bool]:
    def select(contact: dict[str, Any]) -> bool:
        run_id = run_id_of(contact)
        if run_id is None:
            return False
        written = _created_at(contact) or run_started(run_id)
        if written is None:
            unknown.setdefault(run_id, set()).add(str(contact.get("id") or contact.get("external_unique_id")))
            return False
        return now - written >= age

    return select


def _created_at(contact: dict[str, Any]) -> float | None:
    value = contact.get("created_at")
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _dry_run(
    settings: Settings, campaigns: tuple[int, ...], select: Select, unknown: dict[str, set[str]]
) -> int:
    problems: list[str] = []
    with DialerClient.from_settings(settings) as client:
        found = listed(client, campaigns, select, problems)
    cost = removal(len(found), settings.pace)
    print(f"would remove {len(found):,} contact(s); that takes about {duration_text(cost.seconds)} at "
          f"{rate_text(cost.rate)} (dry run: nothing removed)")
    for problem in problems:
        print(f"  problem: {problem}")
    _report_unknown(unknown)
    return 0


def _report_unknown(unknown: dict[str, set[str]]) -> None:
    if unknown:
        runs = ", ".join(f"{run_id} ({len(contacts)})" for run_id, contacts in sorted(unknown.items()))
        print(f"not removed, age unknown (no created_at listed, a run id with no time in it): {runs}; "
              "remove them with --run-id")
