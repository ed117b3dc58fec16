"""What the two registries of switchable behaviour share: entries declared beside their code.

A fault (``faults.py``) and an assumption choice (``assumptions.py``) are each
declared by the module that implements it, so a registry is complete only once
every such module is imported; importing the app imports them all.
"""

from __future__ import annotations

import importlib
import sys
from typing import TypeVar

Entry = TypeVar("Entry")
# Importing the app imports every module that declares a fault or an assumption.
_DECLARING_ROOT = "dialer_suite.simulator.app"


def declaring_module() -> str:
    """The module that called the registry's ``register_*`` function: where the entry lives."""
    return str(sys._getframe(2).f_globals.get("__name__", ""))


def declare(catalog: dict[str, Entry], name: str, entry: Entry, what: str) -> None:
    """Add ``entry``; declaring a name again is harmless only with the same definition."""
    if catalog.get(name, entry) != entry:
        raise ValueError(f"{what} {name!r} is declared twice with different definitions")
    catalog[name] = entry


def complete(catalog: dict[str, Entry]) -> dict[str, Entry]:
    """Every entry of ``catalog``, sorted by name, once every declaring module is imported."""
    importlib.import_module(_DECLARING_ROOT)
    return dict(sorted(catalog.items()))
