"""Which reading of ``list-pagination`` a baseline's paging evidence fits.

The suite reads every list whole (``http.paging.read_whole_list``) and
records what the target showed as evidence lines of ``list-pagination``
(``http.pages.ListPaging.evidence``): its first page without parameters, the
page sizes it refused or did not honour, the size it was paged with, its total
header, its ``Link``. Which of those lines a run holds depends on the order its
reads came in and on the sizes of its lists, so no one line names a reading.
Instead, a reading (a ``simulator.paging.Scheme``) fits when every line is one
it could have produced; the rule table tries the readings in the simulator's
order, the default first, so that evidence too thin to tell readings apart
plays the plainest. A line no reading could have produced (a size refused at or
below the cap, paging refused altogether, a line this module does not know)
fits none, and ``baseline explain`` says it cannot match.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from dialer_suite.contract.twin.observed import Observed, Signal
from dialer_suite.simulator.paging import PAGE, SCHEMES, Scheme

_ID = "list-pagination"

# held/differs and the detail of ``ListPaging.evidence``, as ``normalize.stable_fact`` keeps it:
# numbers of 100 and more read ``<n>``; "held" on a refused size says it was past the spec's cap,
# on the size pages were asked with that it was within it.
_WHOLE = re.compile(r"held: without paging parameters the whole list is answered")
_FIRST = re.compile(r"differs: without paging parameters only a first page is answered "
                    r"\((\d+|<n>) per page\)")
_REFUSED = re.compile(r"(held|differs): (\w+)=(?:\d+|<n>) refused with (\d{3})")
_IGNORED = re.compile(r"differs: (\w+) is not honoured")
_ASKED = re.compile(r"(held|differs): pages asked with page and (\w+)=(?:\d+|<n>)")
_TOTAL = re.compile(r"(?:held|differs): the total in ([\w-]+)")
_NO_TOTAL = re.compile(r"differs: no total header")
_LINK = re.compile(r'held: Link rel="next" names the next page')

# Whether a reading could have produced a line matched by the pattern (None: paging ignored).
Fit = Callable[[Scheme | None, re.Match[str]], bool]


def _default_page(scheme: Scheme | None, found: re.Match[str]) -> bool:
    size = found.group(1)
    expected = None if scheme is None else scheme.default_size
    return expected is not None and (expected >= PAGE if size == "<n>" else expected == int(size))


def _refused(scheme: Scheme | None, found: re.Match[str]) -> bool:
    # A reading refuses only sizes past its cap ("held"), with 422, and only under a name it takes.
    above_cap, name, status = found.group(1) == "held", found.group(2), found.group(3)
    return (scheme is not None and above_cap and status == "422" and name in scheme.names
            and not scheme.clamp)


def _asked(scheme: Scheme | None, found: re.Match[str]) -> bool:
    within_cap, name = found.group(1) == "held", found.group(2)
    if within_cap:
        return scheme is not None and name in scheme.names
    # A size past the cap was taken: parameters ignored, or cut to the cap without a word.
    return scheme is None or (scheme.clamp and name in scheme.names)


_FITS: tuple[tuple[re.Pattern[str], Fit], ...] = (
    (_WHOLE, lambda scheme, _: scheme is not None and scheme.total is not None),
    (_FIRST, _default_page),
    (_REFUSED, _refused),
    (_IGNORED, lambda scheme, found: scheme is not None and (found.group(1) not in scheme.names
                                                             or scheme.clamp)),
    (_ASKED, _asked),
    (_TOTAL, lambda scheme, found: scheme is not None and scheme.total == found.group(1)),
    (_NO_TOTAL, lambda scheme, _: scheme is None or scheme.total is None),
    (_LINK, lambda scheme, _: scheme is not None and scheme.link is not None),
)


def fits(scheme: Scheme | None, line: str) -> bool:
    """Whether ``scheme`` could have answered the reader so that it recorded ``line``."""
    for pattern, fit in _FITS:
        found = pattern.match(line)
        if found is not None:
            return fit(scheme, found)
    return False


def pages_as(choice: str) -> Signal:
    """The paging evidence, when every line of it fits the reading ``choice``."""
    scheme = SCHEMES[choice]

    def ask(seen: Observed) -> str | None:
        lines = seen.evidence(_ID)
        if not lines or not all(fits(scheme, line) for line in lines):
            return None
        return "; ".join(lines)

    return ask


def why_not(seen: Observed) -> str:
    """Why no reading fits the paging evidence: the lines none could have produced, else that
    each line fits some reading but no one reading fits them all."""
    lines = seen.evidence(_ID)
    unfit = [line for line in lines if not any(fits(scheme, line) for scheme in SCHEMES.values())]
    if unfit:
        return f"no reading of the simulator pages so that the suite sees {'; '.join(unfit)}"
    return "each line fits some reading of the simulator, but no one reading fits them all"
