"""Switchable readings of what the vendor page leaves open: the ``x-assumption`` choices.

Where the vendor page is silent the spec marks our guess with an
``x-assumption`` id (indexed in ``x-assumptions-index``), and the simulator
plays that guess by default. The real vendor may have decided otherwise, so
each id can be played more than one way: the contract suite is run against
every alternative to prove that a failure caused by one is reported as a
difference of that assumption, never as a broken documented contract.

Like the fault registry (``faults.py``), each assumption is declared with
``register_assumption`` next to the code that implements its choices, and that
code asks the app's ``Switches`` (``switches.py``) for ``choice(id)``. Unlike a
fault, an alternative is not a regression: it is a plausible vendor, so it
never answers 5xx and every documented example still gets its documented
shape. ``catalog()`` is complete once every declaring module is imported (it
makes sure of that).

A *profile* sets many ids at once; ``lean`` is the vendor that does the least
its page promises, declared per id with ``lean=`` (a non-default everywhere,
so that one run meets every id's alternative together).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dialer_suite.errors import UsageError
from dialer_suite.simulator.declarations import complete, declare, declaring_module

LEAN = "lean"
PROFILES = (LEAN,)


@dataclass(frozen=True)
class Assumption:
    """One ``x-assumption`` id: the choice we assumed, the alternatives, and what ``lean`` plays.

    ``choices`` maps each choice's name to one line saying what the vendor does
    then; the default comes first.
    """

    id: str
    default: str
    choices: Mapping[str, str]
    lean: str
    module: str = ""  # where its choices are implemented: the module that declared it


CATALOG: dict[str, Assumption] = {}


def register_assumption(
    assumption_id: str, default: str, choices: Mapping[str, str], *, lean: str
) -> str:
    """Declare an assumption and its choices; returns the id, for the ``Switches.choice`` calls
    beside it."""
    if default not in choices or lean not in choices or len(choices) < 2:
        raise ValueError(f"assumption {assumption_id!r}: the default and lean must be among "
                         "at least two choices")
    ordered = {default: choices[default], **choices}
    declare(CATALOG, assumption_id,
            Assumption(assumption_id, default, ordered, lean, declaring_module()), "assumption")
    return assumption_id


def catalog() -> dict[str, Assumption]:
    """Every declared assumption, by id (sorted)."""
    return complete(CATALOG)


def problem(mapping: Mapping[str, str]) -> str | None:
    """What is wrong with ``mapping`` (id → choice), as the end of a sentence; None when nothing.

    Shared by ``validate`` and the settings converter, so that a bad choice reads
    the same wherever it came from: one line that lists the valid ids or choices.
    """
    if not mapping:
        return None
    known = catalog()
    for assumption_id, chosen in mapping.items():
        if assumption_id not in known:
            return (f"names an unknown assumption {assumption_id!r}; valid assumptions: "
                    f"{', '.join(known)} (see `dialer-suite serve --list-assumptions`)")
        if chosen not in known[assumption_id].choices:
            return (f"names an unknown choice {chosen!r} for {assumption_id}; valid choices: "
                    f"{', '.join(known[assumption_id].choices)}")
    return None


def validate(mapping: Mapping[str, str]) -> dict[str, str]:
    """``mapping`` as a plain dict, or a UsageError that lists the valid ids or choices."""
    wrong = problem(mapping)
    if wrong is not None:
        raise UsageError(f"assumption choices {wrong}")
    return dict(mapping)


def profile(name: str) -> dict[str, str]:
    """The choices a named profile makes, for every id."""
    if name != LEAN:
        raise UsageError(f"unknown vendor profile {name!r}; valid profiles: {', '.join(PROFILES)}")
    return {assumption_id: item.lean for assumption_id, item in catalog().items()}


def resolve(vendor_profile: str | None, assume: Mapping[str, str]) -> dict[str, str]:
    """The choices a simulator plays: the profile's, then ``assume`` for the ids it names."""
    chosen = profile(vendor_profile) if vendor_profile else {}
    return {**chosen, **validate(assume)}


def non_default(mapping: Mapping[str, str]) -> dict[str, str]:
    """The entries of ``mapping`` that differ from the assumed behaviour (what a start line shows)."""
    known = catalog()
    return {key: value for key, value in sorted(mapping.items()) if value != known[key].default}


def describe(pairs: Mapping[str, str]) -> str:
    """``id=choice, id=choice``, or ``defaults``: how logs and start lines show choices."""
    return ", ".join(f"{key}={value}" for key, value in pairs.items()) or "defaults"
