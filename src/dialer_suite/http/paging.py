"""Reading a whole contact list without assuming one page holds it (assumption ``list-pagination``).

Shared by the scenario client (httpx) and the read-back checks (requests), so
both page the same way: ask ``page``/``per`` pages; a target that ignores
paging answers more than ``per`` contacts, or repeats page 1 — that answer is
the whole list; a short page is not taken as the end (a target may cap pages
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

# fetch(page, per) -> (parsed body, response headers)
Fetch = Callable[[int, int], tuple[Any, Mapping[str, str]]]


class ListingProblem(AssertionError):
    """The list cannot be read whole: too many pages, or a total it does not reach."""


@dataclass(frozen=True)
class Listing:
    contacts: list[dict[str, Any]]
    total_header: int | None


def identity(contact: Any) -> str:
    if isinstance(contact, dict) and contact.get("id") is not None:
        return f"id:{contact['id']}"
    return json.dumps(contact, sort_keys=True)


def collect(fetch: Fetch, per: int = DEFAULT_PER_PAGE) -> Listing:
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
