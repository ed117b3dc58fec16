"""Reading a whole contact list without assuming one page holds it (assumption ``list-pagination``).

Shared by the scenario client (httpx) and the read-back checks (requests), so
both page the same way: ask ``page``/``per`` pages; a target that ignores
paging answers more than ``per`` contacts, or repeats page 1 — that answer is
the whole list; a target that refuses the parameters (400/422) is asked once
without them; a short page is not taken as the end (a target may cap pages
below ``per``), only an empty one; when ``X-Total-Count`` is sent, the pages
must add up to it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

MAX_PAGES = 1000
DEFAULT_PER_PAGE = 100

# fetch(page, per) -> (parsed body, response headers); page None: ask without page/per.
Fetch = Callable[[int | None, int], tuple[Any, Mapping[str, str]]]
# Answers to page/per that mean "no such parameters" rather than "no such campaign".
PARAMETERS_REFUSED = frozenset({400, 422})


class ListingProblem(AssertionError):
    """The list cannot be read whole: too many pages, or a total it does not reach."""


class PagingRefused(Exception):
    """Raised by a fetch when the target refused ``page``/``per`` (``PARAMETERS_REFUSED``)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"page/per answered {status}")
        self.status = status


@dataclass(frozen=True)
class Listing:
    contacts: list[dict[str, Any]]
    total_header: int | None
    # None when the target paged (or ignored paging); the status with which it refused page/per.
    refused_paging: int | None = None


def identity(contact: Any) -> str:
    if isinstance(contact, dict) and contact.get("id") is not None:
        return f"id:{contact['id']}"
    return json.dumps(contact, sort_keys=True)


def collect(fetch: Fetch, per: int = DEFAULT_PER_PAGE) -> Listing:
    """Every contact, page by page; a target that refuses paging is asked once for the whole list."""
    try:
        return _pages(fetch, per)
    except PagingRefused as refused:
        body, headers = fetch(None, per)
        whole = _pages(lambda page, size: (body, headers) if page == 1 else ([], {}), per)
        return Listing(whole.contacts, whole.total_header, refused.status)


def _pages(fetch: Fetch, per: int) -> Listing:
    collected: list[dict[str, Any]] = []
    seen: set[str] = set()
    total: int | None = None
    for page in range(1, MAX_PAGES + 1):
        body, headers = fetch(page, per)
        lowered = {k.lower(): v for k, v in headers.items()}
        if str(lowered.get("x-total-count", "")).isdigit():
            total = int(lowered["x-total-count"])
        items = body if isinstance(body, list) else []
        fresh = [item for item in items if identity(item) not in seen]
        seen.update(identity(item) for item in fresh)
        collected.extend(fresh)
        # A short page is not proof of the end: a target may cap pages below `per`.
        # Only an empty (or repeated) page, or reaching X-Total-Count, ends the list.
        if not fresh or (total is not None and len(collected) >= total):
            break
    else:
        raise ListingProblem(f"listContacts: still not at the end after {MAX_PAGES} pages")
    if total is not None and total != len(collected):
        raise ListingProblem(
            f"listContacts: X-Total-Count says {total} contacts but the pages held {len(collected)}"
        )
    return Listing(collected, total)
