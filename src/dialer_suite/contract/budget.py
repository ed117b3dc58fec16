"""What a run will cost the target, said before the first test: requests, contacts, minutes.

A tenant's quota is shared (the vendor allows 10 requests/s per tenant), and
every contact the run writes costs a DELETE at the end, so a person should know
what they are about to spend. The plan adds up each selected test's cost:

- a test's ``cost(requests=N, contacts=M)`` mark, where it says one (``M`` may
  name a setting, e.g. ``"large_import_size"``);
- a generated (property) test: ``max_examples`` examples of its operation, each
  ``cost(requests_per_example=R)`` requests (with the read-back of a write, and
  the edge cases schemathesis adds), writing ``contacts_per_example`` contacts
  when it adds or imports;
- a scenario: a few requests and, if it writes, a contact;

plus what the session itself sends: the contacts generated updates and deletes
are pointed at, and the cleanup (a DELETE per contact written, and a listing of
each campaign per sweep). Estimates, measured against the independent tenant
(``tests/tenant``) and held to within a margin of what it counts by a self-test.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pytest

from dialer_suite.config.settings import Settings
from dialer_suite.http.throttle import HEADROOM

# A scenario: its requests and, when it writes, its contacts (add, read back, act, read back).
_SCENARIO_REQUESTS = 6
_SCENARIO_CONTACTS = 1
# The session: the run's own contacts for generated updates and deletes (add + find each),
# the preflight, and per cleanup sweep a listing of both campaigns.
_OWN_CONTACTS = 4
_SESSION_REQUESTS = 2 * _OWN_CONTACTS + 4 + 2 * 2
_PER_PAGE = 100
_GENERATED = re.compile(r"\[(GET|POST|PATCH|DELETE) ")
_WRITING = "POST"  # adds and imports: the generated requests that create contacts


@dataclass(frozen=True)
class Plan:
    """About how many requests and contacts a run takes, and how long at its pace."""

    requests: int
    contacts: int
    pace: float
    # False on the embedded simulator: it is discarded with its data.
    cleanup: bool = True

    @property
    def minutes(self) -> float:
        return self.requests / (self.pace * HEADROOM) / 60

    def line(self, target: str) -> str:
        removed = ("each removed at the end, counted in the requests" if self.cleanup
                   else "discarded with the simulator")
        took = f"about {math.ceil(self.minutes)} min" if self.minutes >= 1 else "under a minute"
        return (f"dialer-suite plan: about {self.requests} requests to {target} and {self.contacts} "
                f"contacts written ({removed}): {took} at {self.pace:g} requests/s, plus the import "
                "jobs' own time")


def plan(items: Iterable[pytest.Item], settings: Settings) -> Plan:
    """The plan of the ``items`` that will run (skipped ones cost nothing)."""
    requests = contacts = 0.0
    writes = False
    for item in items:
        if item.get_closest_marker("skip"):
            continue
        item_requests, item_contacts = _cost(item, settings)
        requests, contacts = requests + item_requests, contacts + item_contacts
        writes = writes or item.get_closest_marker("writes") is not None
    if writes:
        contacts += _OWN_CONTACTS
        requests += _SESSION_REQUESTS
        if not settings.embedded:
            requests += contacts + 2 * math.ceil(max(contacts, 1) / _PER_PAGE)
    return Plan(round(requests), round(contacts), settings.pace, cleanup=not settings.embedded)


def _cost(item: pytest.Item, settings: Settings) -> tuple[float, float]:
    said = dict(mark.kwargs) if (mark := item.get_closest_marker("cost")) is not None else {}
    generated = _GENERATED.search(item.name)
    if "requests_per_example" in said and generated:
        examples = settings.max_examples
        written = said.get("contacts_per_example", 0.0) if generated.group(1) == _WRITING else 0.0
        return examples * said["requests_per_example"], examples * written
    if "requests" in said or "contacts" in said:
        return _value(said.get("requests", 0), settings), _value(said.get("contacts", 0), settings)
    written = _SCENARIO_CONTACTS if item.get_closest_marker("writes") else 0
    return _SCENARIO_REQUESTS, written


def _value(given: Any, settings: Settings) -> float:
    """A cost: a number, or the name of a setting that holds it."""
    return float(getattr(settings, given) if isinstance(given, str) else given)
