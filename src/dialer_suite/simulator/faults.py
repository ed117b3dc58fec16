"""Switchable vendor regressions ("faults") and the registry that lists them.

Each fault is declared with ``register_fault`` next to the code it breaks, in
the module where the real regression would live (a wire-format fault in
``responses.py``, a lost update in ``models.py``...), and that code asks
``active(name)``. ``CATALOG`` is complete once every declaring module is
imported: ``catalog()`` makes sure of that.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable
from dataclasses import dataclass

from dialer_suite.errors import UsageError

KINDS = ("wire", "behaviour", "jobs", "security", "robustness", "speed")


@dataclass(frozen=True)
class Fault:
    """One realistic regression. ``summary`` says which real-world break it models."""

    name: str
    kind: str
    operations: tuple[str, ...]
    summary: str
    speed: bool = False
    module: str = ""  # where it is implemented: the module that declared it


CATALOG: dict[str, Fault] = {}
_active: frozenset[str] = frozenset()

# Modules that declare faults; importing the app imports them all.
_DECLARING_ROOT = "dialer_suite.simulator.app"


def register_fault(
    name: str, kind: str, operations: Iterable[str], summary: str, *, speed: bool = False
) -> str:
    """Declare a fault; returns its name, for the ``active`` checks beside it."""
    if kind not in KINDS:
        raise ValueError(f"fault {name!r}: kind {kind!r} is not one of {KINDS}")
    module = sys._getframe(1).f_globals.get("__name__", "")
    fault = Fault(name, kind, tuple(operations), summary, speed, module)
    if CATALOG.get(name, fault) != fault:
        raise ValueError(f"fault {name!r} is declared twice with different definitions")
    CATALOG[name] = fault
    return name


def catalog() -> dict[str, Fault]:
    """Every declared fault, by name (sorted)."""
    importlib.import_module(_DECLARING_ROOT)
    return dict(sorted(CATALOG.items()))


def validate(names: Iterable[str]) -> tuple[str, ...]:
    """``names`` deduplicated, or a UsageError that lists the valid names."""
    known = catalog()
    names = tuple(dict.fromkeys(names))
    unknown = [name for name in names if name not in known]
    if unknown:
        raise UsageError(
            f"unknown fault(s) {', '.join(unknown)}; valid faults: {', '.join(known)} "
            "(see `dialer-suite faults`)"
        )
    return names


def activate(names: Iterable[str]) -> None:
    """Switch exactly ``names`` on for this process (a simulator process serves one config)."""
    global _active
    _active = frozenset(validate(names))


def active(name: str) -> bool:
    """Whether fault ``name`` is on. A name nobody declared is a bug, not a silent False."""
    if name not in CATALOG:
        raise KeyError(f"fault {name!r} was never registered")
    return name in _active


def any_active(names: Iterable[str]) -> bool:
    """Whether any of ``names`` is on: one check before a loop instead of one per item."""
    return not _active.isdisjoint(names)


def active_names() -> tuple[str, ...]:
    return tuple(sorted(_active))
