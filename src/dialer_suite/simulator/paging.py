"""How the contact list pages: the readings of ``list-pagination``, with no HTTP in them.

The vendor page documents the list as a JSON array and says nothing about
paging. The vendor's own engineers page their other APIs: the Manager API with
``page`` and ``per`` (100 per page, ``Link`` rel="next", ``Total``,
``Per-Page``), the bulk user API with ``page`` and ``per_page`` and the same
headers. So the simulator plays each way a team there might have paged this
list: our guess (the whole list unless a page is asked for, the total in
``X-Total-Count``), those two APIs' conventions, pages by default with a small
page size, ``Link``-only paging without totals, sizes cut silently instead
of refused, and a list that takes both APIs' page-size names (as a team that
serves both conventions would). The handler asks ``cut`` which slice a request gets and
``headers`` what to say about it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from dialer_suite.simulator.assumptions import register_assumption
from dialer_suite.simulator.parsing import positive_query_int
from dialer_suite.simulator.switches import Switches

# A page asked for without a size: the Manager API's page.
PAGE = 100


@dataclass(frozen=True)
class Scheme:
    """One way of paging. ``names``: the page-size parameters honoured (any other is ignored);
    ``default_size``: the page answered without paging parameters (None: the whole list);
    ``cap``: the largest size, refused above with 422 unless ``clamp``; ``total``: the header
    carrying the total (None: none); ``link``: ``absolute`` or ``relative`` Link rel="next"
    (None: none); ``per_page_header``: say the size in ``Per-Page``."""

    names: tuple[str, ...] = ("per", "per_page")
    default_size: int | None = None
    cap: int = PAGE
    clamp: bool = False
    total: str | None = "X-Total-Count"
    link: str | None = None
    per_page_header: bool = False


# None: paging parameters are ignored and the whole list is answered.
SCHEMES: dict[str, Scheme | None] = {
    "page-per": Scheme(),
    "ignored": None,
    "no-total": Scheme(total=None),
    "first-page": Scheme(default_size=PAGE),
    "manager-api": Scheme(names=("per",), default_size=PAGE, total="Total", link="absolute",
                          per_page_header=True),
    "bulk-user-api": Scheme(names=("per_page",), default_size=25, total="Total", link="absolute",
                            per_page_header=True),
    "link-only": Scheme(names=("per",), default_size=20, clamp=True, total=None, link="relative"),
    "pages-by-default": Scheme(default_size=10),
    "both-conventions": Scheme(default_size=25, total="Total", link="absolute", per_page_header=True),
}

LIST_PAGINATION = register_assumption(
    "list-pagination", "page-per",
    {
        "page-per": "page with per or per_page (at most 100, 422 above) and X-Total-Count; "
                    "without them the whole list",
        "ignored": "page and per are ignored: the whole list every time, no X-Total-Count",
        "no-total": "page/per paging as assumed, but no X-Total-Count header",
        "first-page": "page/per paging with X-Total-Count, and without them only the first 100 "
                      "(the vendor's Manager API default page)",
        "manager-api": "the vendor's Manager API: always pages, 100 per page; page and per "
                       "(per_page ignored), 422 above 100; Link rel=next, Total and Per-Page",
        "bulk-user-api": "the vendor's bulk user API: always pages, 25 per page; page and per_page "
                         "(per ignored), 422 above 100; Link rel=next, Total and Per-Page",
        "link-only": "always pages, 20 per page; page and per, larger sizes cut to 100 without a "
                     "word; only a relative Link rel=next, no total",
        "pages-by-default": "always pages, 10 per page; page with per or per_page (422 above "
                            "100) and X-Total-Count, no Link",
        "both-conventions": "the bulk user API's paging (25 per page, Link rel=next, Total and "
                            "Per-Page) taking the Manager API's per as well as per_page (422 above "
                            "100)",
    },
    lean="ignored",
)


@dataclass(frozen=True)
class Cut:
    """The slice of the list a request gets: from ``offset``, ``limit`` contacts (None: all);
    ``page``/``size``/``name`` as asked or defaulted (``page`` None: not paged)."""

    offset: int = 0
    limit: int | None = None
    page: int | None = None
    size: int = PAGE
    name: str = "per"


def scheme(switches: Switches) -> Scheme | None:
    return SCHEMES[switches.choice(LIST_PAGINATION)]


def cut(switches: Switches, query: Mapping[str, str]) -> Cut:
    """The slice ``query`` asks for under the played scheme; a page or size that cannot be one
    is refused (422)."""
    played = scheme(switches)
    if played is None:
        return Cut()
    page = positive_query_int(query, "page", None)
    asked = [(name, positive_query_int(query, name, None if played.clamp else played.cap))
             for name in played.names if name in query]
    if page is None and not asked:
        if played.default_size is None:
            return Cut()
        return Cut(0, played.default_size, 1, played.default_size, played.names[0])
    name, size = asked[0] if asked else (played.names[0], played.default_size or PAGE)
    size = min(size or PAGE, played.cap)
    page = page or 1
    return Cut((page - 1) * size, size, page, size, name)


def headers(switches: Switches, sliced: Cut, total: int, url: str) -> dict[str, str]:
    """What the answer says about its page: the total, the size, the next page (as played)."""
    played = scheme(switches)
    if played is None:
        return {}
    said: dict[str, str] = {}
    if played.total is not None:
        said[played.total] = str(total)
    if sliced.page is None:
        return said
    if played.per_page_header:
        said["Per-Page"] = str(sliced.size)
    if played.link is not None and sliced.offset + sliced.size < total:
        parts = urlsplit(url)
        query = urlencode({"page": sliced.page + 1, sliced.name: sliced.size})
        where = parts.path if played.link == "relative" else f"{parts.scheme}://{parts.netloc}{parts.path}"
        said["Link"] = f'<{where}?{query}>; rel="next"'
    return said
