"""Safe test data: fictional phone numbers, example.com emails, and run-id tags.

A staging tenant's dialer may place real calls, so against any target the suite
only uses numbers reserved for fiction (API-NOTES, "Safe test data"): the North
American 555-0100..0199 lines of every real area code, Ofcom's drama numbers and
ACMA's fictional ranges. When those run out the factory stops and asks for a
number range the user controls; it never falls back to real-looking numbers
unless the target is loopback (the embedded simulator dials nothing).
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import itertools
import json
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import phonenumbers

from dialer_suite.errors import UsageError

RUN_TAG_PREFIX = "dsuite"
EXAMPLE_DOMAINS = ("example.com", "example.org", "example.net")
# A fictional caller id: outbound_number is dialed *from*, but it is a number too.
FICTIONAL_OUTBOUND = "+1 760-555-0100"
_GENERATED_RUN_ID = re.compile(r"[0-9a-f]{12}")
_EARLIEST_RUN = 1_577_836_800.0  # 2020-01-01
_DAY = 86_400.0
# Where a run's tag is read back: the name first (``dialer-suite RUN #N``, the run id a
# word of its own), then the external id (``dsuite-RUN-N``; a run id that holds "-" and
# digits is only told apart there when it is one ``new_run_id`` made, or the whole id).
_TAGS = (
    ("name", re.compile(r"dialer-suite (?P<run>[A-Za-z0-9_-]+)(?:\s.*)?", re.DOTALL)),
    ("external_unique_id", re.compile(rf"{RUN_TAG_PREFIX}-(?P<run>[0-9a-f]{{12}}|[0-9a-f]{{8}})-[0-9].*",
                                      re.DOTALL)),
    ("external_unique_id", re.compile(rf"{RUN_TAG_PREFIX}-(?P<run>[A-Za-z0-9_-]+)-[0-9]+")),
)


@dataclass(frozen=True)
class NumberBlock:
    """``count`` consecutive numbers: ``prefix`` followed by ``width`` digits from ``first``."""

    prefix: str
    width: int
    count: int
    first: int = 0

    def number(self, index: int) -> str:
        return f"{self.prefix}{self.first + index:0{self.width}d}"


_UK_PREFIXES = (
    "+441134960",
    "+441144960",
    "+441164960",
    "+441174960",
    "+441184960",
    "+441214960",
    "+441314960",
    "+441414960",
    "+441514960",
    "+441614960",
    "+441914980",
    "+442079460",
    "+442896496",
    "+442920180",
)
_AU_PREFIXES = ("+6125550", "+6137010", "+6175550", "+6187010")


@functools.cache
def _north_american_area_codes() -> tuple[int, ...]:
    """Area codes for which +1 NPA-555-0100 is a valid number (so a real area code)."""
    codes = []
    for npa in range(200, 1000):
        parsed = phonenumbers.parse(f"+1{npa}5550100")
        if phonenumbers.is_valid_number(parsed):
            codes.append(npa)
    return tuple(codes)


@functools.cache
def fictional_blocks() -> tuple[NumberBlock, ...]:
    """Every fictional block of API-NOTES, in a fixed order."""
    blocks = [NumberBlock(f"+1{npa}5550", 3, 100, first=100) for npa in _north_american_area_codes()]
    blocks += [NumberBlock(prefix, 3, 1000) for prefix in _UK_PREFIXES]
    blocks += [NumberBlock(prefix, 4, 10000) for prefix in _AU_PREFIXES]
    return tuple(blocks)


def fictional_capacity() -> int:
    """How many distinct fictional numbers the factory can give."""
    return sum(block.count for block in fictional_blocks())


def parse_number_range(text: str) -> NumberBlock:
    """A user-controlled range, ``+15035550100-+15035550199`` or ``+15035550100:100``."""
    start, sep, rest = text.replace(" ", "").partition("-" if "-" in text.strip()[1:] else ":")
    if not sep or not start.startswith("+") or not start[1:].isdigit():
        raise UsageError(
            f"phone range {text!r} is not START-END or START:COUNT in E.164 (e.g. +15035550100:100)"
        )
    if sep == ":":
        if not rest.isdigit() or int(rest) < 1:
            raise UsageError(f"phone range {text!r}: COUNT must be a positive whole number")
        count = int(rest)
    else:
        if not rest.startswith("+") or len(rest) != len(start) or not rest[1:].isdigit():
            raise UsageError(f"phone range {text!r}: END must be E.164 of the same length as START")
        count = int(rest[1:]) - int(start[1:]) + 1
        if count < 1:
            raise UsageError(f"phone range {text!r}: END is before START")
    width = min(len(start) - 2, 9)
    prefix = start[: len(start) - width]
    return NumberBlock(prefix, width, count, first=int(start[len(prefix) :]))


def _possible_blocks() -> Iterator[NumberBlock]:
    """Possible (not necessarily fictional) NANP numbers: only for targets that dial nothing."""
    for npa in _north_american_area_codes():
        for exchange in range(200, 1000):
            if exchange % 100 == 11 or exchange == 555:
                continue
            yield NumberBlock(f"+1{npa}{exchange}", 4, 10000)


class PhoneFactory:
    """Hands out distinct phone numbers (E.164), never the same one twice.

    ``seed`` picks where in the pool a run starts, so two runs with different
    run ids rarely collide on a shared staging campaign. ``more_numbers`` says
    how a person gives a range of their own when the safe numbers run out.
    """

    def __init__(
        self,
        seed: str | int = 0,
        *,
        extra: NumberBlock | None = None,
        allow_possible: bool = False,
        more_numbers: str = "",
    ) -> None:
        self._blocks = ([extra] if extra else []) + list(fictional_blocks())
        self._offsets = list(itertools.accumulate(block.count for block in self._blocks))
        self._capacity = self._offsets[-1]
        digest = hashlib.sha256(str(seed).encode()).digest()
        self._start = int.from_bytes(digest[:8], "big") % self._capacity
        self._allow_possible = allow_possible
        self._issued = 0
        self._possible: Iterator[str] | None = None
        self._more_numbers = f" ({more_numbers})" if more_numbers else ""

    @property
    def capacity(self) -> int | None:
        """Numbers this factory can still give; None when unbounded (loopback targets)."""
        return None if self._allow_possible else self._capacity - self._issued

    def take(self, count: int) -> list[str]:
        """``count`` fresh numbers, or a UsageError that says how to get more."""
        if not self._allow_possible and self._issued + count > self._capacity:
            raise UsageError(
                f"asked for {count} more phone numbers but only {self._capacity - self._issued} "
                "safe fictional numbers are left for this run; against a real tenant the suite "
                f"never invents real-looking numbers: give it a range you control{self._more_numbers}, "
                "e.g. +15035550100:5000"
            )
        return [self._next() for _ in range(count)]

    def one(self) -> str:
        return self.take(1)[0]

    def _next(self) -> str:
        if self._issued < self._capacity:
            index = (self._start + self._issued) % self._capacity
            self._issued += 1
            return self._at(index)
        if self._possible is None:
            self._possible = (b.number(i) for b in _possible_blocks() for i in range(b.count))
        self._issued += 1
        return next(self._possible)

    def _at(self, index: int) -> str:
        position = bisect.bisect_right(self._offsets, index)
        before = self._offsets[position - 1] if position else 0
        return self._blocks[position].number(index - before)


def punctuated_forms(e164: str) -> list[str]:
    """The same number written the ways the vendor's page writes numbers (E.164 first)."""
    parsed = phonenumbers.parse(e164)
    international = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    forms = [e164, international]
    national = str(parsed.national_number)
    if parsed.country_code == 1 and len(national) == 10:
        forms.append(f"+1-({national[:3]})-{national[3:6]}-{national[6:]}")
    return forms


def new_run_id(now: float | None = None) -> str:
    """A short id that tags everything one run writes, so it can be found and removed.

    Twelve hex digits: the run's start (Unix seconds) and four random ones, so
    that what an interrupted run left can be told by its age
    (``dialer-suite cleanup --older-than``) even where the vendor's list shows
    no ``created_at``.
    """
    started = int(time.time() if now is None else now)
    return f"{started:08x}{secrets.token_hex(2)}"


def run_started(run_id: str, *, now: float | None = None) -> float | None:
    """When the run ``run_id`` started (Unix seconds), if ``new_run_id`` made it; else None.

    A run id a person chose carries no time: one that only looks like ours is
    told apart by a start outside 2020 .. now + 1 day.
    """
    if _GENERATED_RUN_ID.fullmatch(run_id) is None:
        return None
    started = float(int(run_id[:8], 16))
    latest = (time.time() if now is None else now) + _DAY
    return started if _EARLIEST_RUN <= started <= latest else None


def run_id_of(contact: dict[str, Any]) -> str | None:
    """The run id a contact was tagged with (``make_contact``), or None for one no run wrote."""
    for field_name, pattern in _TAGS:
        match = pattern.fullmatch(str(contact.get(field_name) or ""))
        if match is not None:
            return match["run"]
    return None


def run_tag(run_id: str) -> str:
    """The prefix of every ``external_unique_id`` a run writes."""
    return f"{RUN_TAG_PREFIX}-{run_id}-"


def is_run_contact(contact: dict[str, Any], run_id: str) -> bool:
    """True when the run id is in the contact's ``external_unique_id`` or ``name``."""
    return run_id in str(contact.get("external_unique_id") or "") or run_id in str(
        contact.get("name") or ""
    )


def make_contact(
    run_id: str, index: int, phone: str, *, outbound: str | None = FICTIONAL_OUTBOUND
) -> dict[str, Any]:
    """A contact tagged with the run id in ``name`` and ``external_unique_id``."""
    contact: dict[str, Any] = {
        "name": f"dialer-suite {run_id} #{index}",
        "email": f"{RUN_TAG_PREFIX}-{run_id}-{index}@{EXAMPLE_DOMAINS[0]}",
        "phone_number": phone,
        "external_unique_id": f"{run_tag(run_id)}{index}",
    }
    if outbound is not None:
        contact["outbound_number"] = outbound
    return contact


def make_contacts(run_id: str, phones: list[str], *, start: int = 0) -> list[dict[str, Any]]:
    return [make_contact(run_id, start + i, phone) for i, phone in enumerate(phones)]


def write_import_file(path: Path, contacts: list[dict[str, Any]]) -> Path:
    """Write an import file (a JSON array) and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(contacts, separators=(",", ":")), encoding="utf-8")
    return path
