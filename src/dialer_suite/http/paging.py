"""Reading a whole contact list, however the target pages it (assumption ``list-pagination``).

The vendor page documents the list as a JSON array and says nothing about
paging; the vendor's sibling APIs page theirs (the Manager API with ``page``
and ``per``, the bulk user API with ``page`` and ``per_page``; both answer
``Link: <…>; rel="next"``, ``Total`` and ``Per-Page``). So no caller may take
one answer for the whole list. Every whole-list read of the suite — the
scenario client, the schemathesis read-backs, the cleanup, the campaign
watch — is ``read_whole_list``:

- The first read of a target asks once without parameters. An answer whose
  total (``X-Total-Count`` or ``Total``) is its length and that names no next
  page is the whole list, and later reads ask that way too (one request). One
  that says there is more (a ``Link`` rel="next", a total above its length)
  shows that the target pages by default; one that says neither proves
  nothing. Either way later reads page from the start.
- Pages are asked with ``page`` and a page size. The size the target takes is
  found once: ``per`` 1000, and smaller ones (100, 50, 25, 10) while they are
  refused (400/422), then the same with ``per_page``. A size the target does not
  honour (a short page that says there is more) is tried under the other name
  before it is settled for.
- The next page is the one ``Link`` rel="next" names, when sent — its query,
  sent to the list on our own base URL with our credentials (a tenant reached
  through a tunnel or a proxy links its public host) — else the next page
  number. The list ends at a page without a next link (on a target that links),
  at the total, at an empty or repeated page, or at a page shorter than the
  target's own ``Per-Page``; a short page alone is no end, since a target may
  cap pages below the size asked.
- A target that refuses every paging parameter is read without them, following
  ``Link`` if it sends one; an answer that says there is more without naming the
  next page cannot be read whole: ``ListingProblem``.
- Bounded: ``MAX_PAGES`` answers and ``MAX_SECONDS`` per read.

What a target showed is kept in its ``ListPaging``, shared by every reader of
that target, and its ``evidence`` (held/differs lines of ``list-pagination``)
goes to the run report and the vendor baseline.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

from dialer_suite.http.pages import ListAnswer, ListPaging, Query

MAX_PAGES = 1000
MAX_SECONDS = 600.0
PAGE_SIZES = (1000, 100, 50, 25, 10)
SIZE_NAMES = ("per", "per_page")


class ListingProblem(AssertionError):
    """The list cannot be read whole: no end in sight, a total it does not reach, a link elsewhere."""


# fetch(query) -> the answer; query {} asks without parameters. A fetch answers a 200, or a
# refusal (``PARAMETERS_REFUSED``) of a query that has parameters (``is_refusal``); anything
# else it raises as its caller's own failure.
Fetch = Callable[[Query], ListAnswer]


def identity(contact: Any) -> str:
    if isinstance(contact, dict) and contact.get("id") is not None:
        return f"id:{contact['id']}"
    return json.dumps(contact, sort_keys=True)


@dataclass(frozen=True)
class Listing:
    """The whole list, and what reading it showed of ``list-pagination``."""

    contacts: list[dict[str, Any]]
    evidence: tuple[tuple[bool, str], ...]


def read_whole_list(
    fetch: Fetch,
    paging: ListPaging,
    resource: str,
    *,
    max_pages: int = MAX_PAGES,
    max_seconds: float = MAX_SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> Listing:
    """Every contact of the list at ``resource`` (its path, for links and messages), however the
    target pages it; learns into ``paging``; ``ListingProblem`` when it cannot be read whole."""
    reader = _Reader(fetch, paging, resource, max_pages, clock() + max_seconds, clock)
    return Listing(reader.read(), tuple(paging.evidence()))


class _Reader:
    """One read of the whole list."""

    def __init__(self, fetch: Fetch, paging: ListPaging, resource: str, max_pages: int,
                 deadline: float, clock: Callable[[], float]) -> None:
        self._fetch = fetch
        self.paging = paging
        self.resource = resource
        self._max_pages = max_pages
        self._deadline = deadline
        self._clock = clock
        self._sent = 0

    def read(self) -> list[dict[str, Any]]:
        paging = self.paging
        unpaged: ListAnswer | None = None
        if paging.refuses_paging is None and paging.whole_unpaged is not False:
            unpaged = self._get({})
            total = unpaged.total
            if total is not None and total[1] == len(unpaged.items) and unpaged.next_link is None:
                paging.whole_unpaged = True
                return self._walk(unpaged, {})
            paging.whole_unpaged = False
            if unpaged.says_more(len(unpaged.items)):
                paging.default_size = unpaged.per_page or len(unpaged.items)
        if paging.refuses_paging is None:
            first = self._first_page()
            if first is not None:
                return self._walk(*first)
        return self._walk(unpaged or self._get({}), {})

    def _get(self, query: Query) -> ListAnswer:
        if self._sent >= self._max_pages or self._clock() > self._deadline:
            raise ListingProblem(
                f"listContacts {self.resource}: still not at the end of the list after "
                f"{self._sent} answers (at most {self._max_pages}, or the time limit)")
        self._sent += 1
        answer = self._fetch(query)
        if answer.status == 200:
            self.paging.learn(answer)
        return answer

    def _first_page(self) -> tuple[ListAnswer, Query] | None:
        """Page 1 as the target takes it (found once); None when it refuses every paging parameter."""
        paging = self.paging
        if paging.size is not None or paging.page_only:
            query = paging.query(1)
            answer = self._get(query)
            if answer.status == 200:
                return answer, query
            # What it took before it refuses now: find out again.
            paging.size, paging.page_only = None, False
        return self._discover()

    def _discover(self) -> tuple[ListAnswer, Query] | None:
        paging = self.paging
        fallback: tuple[tuple[str, int], ListAnswer, Query] | None = None
        for name in SIZE_NAMES:
            for size in PAGE_SIZES:
                if (name, size) in paging.refused:
                    continue
                query = {"page": 1, name: size}
                answer = self._get(query)
                if answer.status != 200:
                    paging.refused[(name, size)] = answer.status
                    continue
                if _honoured(answer, size):
                    paging.size = (name, size)
                    return answer, query
                # Short, and it says there is more: this name is ignored or capped; smaller
                # sizes of it would say no more. Keep it in case the other name does no better.
                paging.not_honoured.add(name)
                fallback = fallback or ((name, size), answer, query)
                break
        if fallback is not None:
            paging.size = fallback[0]
            return fallback[1], fallback[2]
        query = {"page": 1}
        answer = self._get(query)
        if answer.status == 200:
            paging.page_only = True
            return answer, query
        paging.refuses_paging = answer.status
        return None

    def _walk(self, answer: ListAnswer, query: Query) -> list[dict[str, Any]]:
        """Collect from ``answer`` on, following links or page numbers, until the list ends."""
        collected: list[dict[str, Any]] = []
        seen: set[str] = set()
        total: tuple[str, int] | None = None
        page = int(query.get("page", 1)) if query else 0
        while True:
            items = answer.items
            fresh = [item for item in items if identity(item) not in seen]
            seen.update(identity(item) for item in fresh)
            collected.extend(fresh)
            total = answer.total or total
            if total is not None and len(items) > total[1]:
                raise ListingProblem(f"listContacts {self.resource}: a page of {len(items)} contacts, "
                                     f"but {total[0]} says {total[1]}")
            following = self._next(answer, fresh, page, len(collected), total)
            if following is None:
                break
            page += 1
            answer = self._get(following)
            if answer.status != 200:
                raise ListingProblem(f"listContacts {self.resource}: the next page ({_show(following)}) "
                                     f"answered {answer.status}")
        if total is not None and total[1] != len(collected):
            raise ListingProblem(f"listContacts {self.resource}: {total[0]} says {total[1]} contacts "
                                 f"but the pages held {len(collected)}")
        return collected

    def _next(self, answer: ListAnswer, fresh: list[Any], page: int, held: int,
              total: tuple[str, int] | None) -> Query | None:
        """The query of the next page, or None at the end of the list."""
        link = answer.next_link
        if link is not None:
            if not fresh:
                raise ListingProblem(f"listContacts {self.resource}: Link rel=\"next\" leads to pages "
                                     "already read")
            return self._linked_query(answer, link)
        if total is not None and held >= total[1]:
            return None
        if not fresh or self.paging.linked:
            return None  # empty or repeated; or a target that links named no next page
        per_page = answer.per_page
        if per_page is not None and len(answer.items) < per_page:
            return None
        if page == 0 or self.paging.refuses_paging is not None:
            # An answer without parameters, from a target that will not page.
            if total is not None:
                raise ListingProblem(
                    f"listContacts {self.resource}: the answer holds {held} of the {total[1]} "
                    f"contacts its {total[0]} counts, names no next page, and the target refuses "
                    f"paging parameters ({self.paging.refuses_paging})")
            return None
        return self.paging.query(page + 1)

    def _linked_query(self, answer: ListAnswer, link: str) -> dict[str, str]:
        """The query of the page a link names; it must be a page of this same list."""
        target = urlsplit(urljoin(answer.url, link))
        if not target.path.rstrip("/").endswith(self.resource.rstrip("/")):
            raise ListingProblem(f"listContacts {self.resource}: Link rel=\"next\" names {target.path}, "
                                 "not a page of this list")
        return dict(parse_qsl(target.query, keep_blank_values=True))


def _honoured(answer: ListAnswer, size: int) -> bool:
    """Whether a page answered the size asked: by its ``Per-Page``, else unless it is short and
    says there is more."""
    if answer.per_page is not None:
        return answer.per_page == size
    return len(answer.items) >= size or not answer.says_more(len(answer.items))


def _show(query: Query) -> str:
    return "&".join(f"{key}={value}" for key, value in query.items())
