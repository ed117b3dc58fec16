"""What a run will send and write, and what removing it will cost — said before it starts.

A tenant's contacts are removed one DELETE at a time at its rate, so a run
that writes 200,000 contacts in minutes leaves hours of cleanup behind. The
``load`` command prints this estimate before anything is sent and refuses a
run whose cleanup would take longer than its limit unless the person chose.

Which operations a scenario offers comes from its locustfile, read with
``ast`` (the command process never imports locust): each user class of the
package's (``AddContactUser``, ``ImportContactsUser``, ...) with its
``weight``. A class it cannot tell is counted as an add, so the estimate errs
on the side of more writes.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass
from pathlib import Path

from dialer_suite.errors import UsageError
from dialer_suite.http.throttle import HEADROOM
from dialer_suite.load.profiles import Plan

# Import jobs are read until they end: reads per job, a guess a measured run corrects.
POLLS_PER_JOB = 2
# The page size the cleanup lists with (the vendor's Manager API pages at most 100).
LIST_PAGE = 100
# Listings of a removal: the one it works from, and the one that shows nothing is left.
_SWEEP_LISTINGS = 2
_OPERATIONS = {
    "AddContactUser": "adds",
    "ListContactsUser": "lists",
    "ImportContactsUser": "imports",
    "DialerDriverUser": "",
}


@dataclass(frozen=True)
class Mix:
    """The shares of a scenario's paced rate that are adds, lists and imports."""

    adds: float = 0.0
    lists: float = 0.0
    imports: float = 0.0


def scenario_mix(locustfile: Path) -> Mix:
    """The paced operations of ``locustfile``'s user classes, by their weights."""
    weights = {"adds": 0.0, "lists": 0.0, "imports": 0.0}
    tree = ast.parse(locustfile.read_text(encoding="utf-8"))
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        bases = [base.id if isinstance(base, ast.Name) else getattr(base, "attr", "") for base in node.bases]
        known = [_OPERATIONS[base] for base in bases if base in _OPERATIONS]
        kind = known[0] if known else "adds"
        if kind:
            weights[kind] += _weight(node)
    total = sum(weights.values())
    if not total:
        return Mix(adds=1.0)
    return Mix(**{kind: weight / total for kind, weight in weights.items()})


def _weight(node: ast.ClassDef) -> float:
    for statement in node.body:
        if (isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant)
                and any(isinstance(t, ast.Name) and t.id == "weight" for t in statement.targets)
                and isinstance(statement.value.value, int | float)):
            return float(statement.value.value)
    return 1.0


@dataclass(frozen=True)
class Estimate:
    """What a plan will send and write: requests in all (job reads included) and contacts."""

    requests: int
    contacts: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def estimate(plan: Plan, mix: Mix) -> Estimate:
    """The requests and contacts of ``plan`` for a scenario of ``mix``."""
    if plan.profile == "capacity":
        files = sum(math.ceil(plan.contacts / size) for size in plan.batch_sizes)
        return Estimate(files * (1 + POLLS_PER_JOB), plan.contacts * len(plan.batch_sizes), plan.duration)
    operations = plan.offered
    imports = operations * mix.imports
    requests = operations + imports * POLLS_PER_JOB
    contacts = operations * mix.adds + imports * plan.batch_size
    return Estimate(round(requests), round(contacts), plan.duration)


def peak_rate(plan: Plan, mix: Mix) -> float:
    """Requests/s the plan's busiest stage sends, job reads included."""
    return plan.peak_rate * (1 + mix.imports * POLLS_PER_JOB)


@dataclass(frozen=True)
class Removal:
    """Removing ``contacts`` one DELETE at a time at ``rate`` requests/s, listings included."""

    contacts: int
    requests: int
    rate: float

    @property
    def seconds(self) -> float:
        return self.requests / self.rate


def removal(contacts: int, pace: float) -> Removal:
    """What removing ``contacts`` costs at the pace the suite keeps under ``pace`` (the ceiling)."""
    pages = _SWEEP_LISTINGS * (math.ceil(contacts / LIST_PAGE) + 1)
    return Removal(contacts, contacts + pages, pace * HEADROOM)


_DURATION = re.compile(r"^\s*(?P<number>[0-9]+(?:\.[0-9]+)?)\s*(?P<unit>[smhd]?)\s*$")
_UNIT_SECONDS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(text: str, option: str = "--duration") -> float:
    """``90``, ``90s``, ``5m``, ``2h``, ``1d`` → seconds."""
    match = _DURATION.match(text)
    if match is None:
        raise UsageError(f"{option} {text!r}: expected seconds or a number with s, m, h or d (e.g. 30s, 5m)")
    return float(match["number"]) * _UNIT_SECONDS[match["unit"]]


def duration_text(seconds: float) -> str:
    """``45 s``, ``3 min 42 s``, ``5 h 33 min``."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def rate_text(rate: float) -> str:
    return f"{rate:.1f}".rstrip("0").rstrip(".") + "/s"
