"""Switchable vendor regressions ("faults") and the registry that lists them.

Each fault is declared with ``register_fault`` next to the code it breaks, in
the module where the real regression would live (a wire-format fault in
``wire.py``, a lost update in ``models.py``...), and that code asks the app's
``Switches`` (``switches.py``) whether it is on: ``fault(name)``, or, in code
that every operation goes through, ``fault_for(name, operation)``, so the
fault's declared operations decide where it applies. ``CATALOG`` declares what
can be switched and is the same for every app; it is complete once every
declaring module is imported: ``catalog()`` makes sure of that.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dialer_suite.errors import UsageError
from dialer_suite.simulator.declarations import complete, declare, declaring_module

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


def register_fault(
    name: str, kind: str, operations: Iterable[str], summary: str, *, speed: bool = False
) -> str:
    """Declare a fault; returns its name, for the ``Switches.fault`` checks beside it."""
    if kind not in KINDS:
        raise ValueError(f"fault {name!r}: kind {kind!r} is not one of {KINDS}")
    declare(CATALOG, name, Fault(name, kind, tuple(operations), summary, speed, declaring_module()),
            "fault")
    return name


def catalog() -> dict[str, Fault]:
    """Every declared fault, by name (sorted)."""
    return complete(CATALOG)


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
