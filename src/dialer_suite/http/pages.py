"""One answer of a contact list, and what a target's answers showed of how it pages.

``ListAnswer`` reads what an answer says about the list beyond its body (a
total, its page size, the next page); ``ListPaging`` keeps what a target's
answers showed (assumption ``list-pagination``), for the reader
(``paging.read_whole_list``) to ask the way the target takes, and as evidence
for the run report and the vendor baseline.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dialer_suite.api import spec

# Answers to paging parameters that mean "not these parameters" rather than "no such campaign".
PARAMETERS_REFUSED = frozenset({400, 422})
# Where a total may come: ours first (the spec's X-Total-Count), then the Manager API's.
TOTAL_HEADERS = ("X-Total-Count", "Total")
PAGING = ("list-pagination",)

Query = Mapping[str, Any]
_LINK = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]*)*)")
_REL = re.compile(r";\s*rel\s*=\s*\"?([^\";]*)\"?", re.IGNORECASE)


@dataclass(frozen=True)
class ListAnswer:
    """One answer to a list request: its status, parsed body, headers and the URL it was sent to."""

    status: int
    body: Any
    headers: Mapping[str, str]
    url: str

    @functools.cached_property
    def _lowered(self) -> dict[str, str]:
        return {name.lower(): value for name, value in self.headers.items()}

    @property
    def items(self) -> list[Any]:
        return self.body if isinstance(self.body, list) else []

    @property
    def total(self) -> tuple[str, int] | None:
        """(header, value) of the first total header sent with a number."""
        for name in TOTAL_HEADERS:
            value = self._lowered.get(name.lower(), "").strip()
            if value.isdigit():
                return name, int(value)
        return None

    @property
    def per_page(self) -> int | None:
        value = self._lowered.get("per-page", "").strip()
        return int(value) if value.isdigit() else None

    @property
    def next_link(self) -> str | None:
        return next_link(self._lowered.get("link", ""))

    def says_more(self, held: int) -> bool:
        """Whether the answer itself says the list goes on past ``held`` contacts."""
        total = self.total
        return self.next_link is not None or (total is not None and total[1] > held)


def is_refusal(query: Query, status: int) -> bool:
    """Whether a fetch should hand ``status`` back to the reader as a refusal of paging."""
    return bool(query) and status in PARAMETERS_REFUSED


def next_link(value: str) -> str | None:
    """The target of the ``rel="next"`` link of a ``Link`` header (RFC 8288), or None."""
    for match in _LINK.finditer(value or ""):
        rel = _REL.search(match.group(2))
        if rel is not None and "next" in rel.group(1).lower().split():
            return match.group(1).strip()
    return None


@functools.cache
def assumed_size_cap() -> int:
    """The largest page size the spec assumes a target takes (its ``per`` maximum)."""
    parameters = spec.operation("listContacts").definition.get("parameters", [])
    per = next(p for p in parameters if p.get("name") == "per")
    return int(per["schema"]["maximum"])


@dataclass
class ListPaging:
    """How one target pages its list, as its answers showed; shared by every reader of it.

    ``whole_unpaged``: None until the first read; True while an answer without
    parameters is the whole list and says so; False once one was not or could
    not tell. ``size``: the (name, size) pages are asked with, None until found;
    ``page_only``: pages asked with ``page`` alone (every size refused).
    """

    whole_unpaged: bool | None = None
    default_size: int | None = None
    size: tuple[str, int] | None = None
    page_only: bool = False
    refused: dict[tuple[str, int], int] = field(default_factory=dict)
    not_honoured: set[str] = field(default_factory=set)
    refuses_paging: int | None = None
    totals: set[str] = field(default_factory=set)
    answers: int = 0
    linked: bool = False

    def query(self, page: int) -> dict[str, Any]:
        if self.size is None:
            return {"page": page}
        name, size = self.size
        return {"page": page, name: size}

    def learn(self, answer: ListAnswer) -> None:
        """What every answer shows: its total header, its link."""
        self.answers += 1
        total = answer.total
        if total is not None:
            self.totals.add(total[0])
        self.linked = self.linked or answer.next_link is not None

    def describe(self) -> str:
        """How the target pages, as one line for the run's summary ("" before any answer)."""
        return "; ".join(detail for _, detail in self.evidence()) if self.answers else ""

    def evidence(self) -> list[tuple[bool, str]]:
        """(held, detail) lines of ``list-pagination``: how the target pages, as learned so far."""
        cap = assumed_size_cap()
        found: list[tuple[bool, str]] = []
        if self.whole_unpaged:
            found.append((True, "without paging parameters the whole list is answered, as its total says"))
        if self.default_size is not None:
            found.append((False, "without paging parameters only a first page is answered "
                                 f"({self.default_size} per page)"))
        for (name, size), status in sorted(self.refused.items()):
            found.append((size > cap, f"{name}={size} refused with {status}"))
        for name in sorted(self.not_honoured):
            found.append((False, f"{name} is not honoured: pages keep the target's own size"))
        if self.size is not None:
            name, size = self.size
            found.append((size <= cap, f"pages asked with page and {name}={size}"))
        if self.page_only:
            found.append((False, "pages asked with page alone: every page size was refused"))
        if self.refuses_paging is not None:
            found.append((False, f"paging parameters refused with {self.refuses_paging}: the list is "
                                 "read without them"))
        found += [(name == TOTAL_HEADERS[0], f"the total in {name}") for name in sorted(self.totals)]
        if self.answers and not self.totals:
            found.append((False, "no total header"))
        if self.linked:
            found.append((True, 'Link rel="next" names the next page'))
        return found


