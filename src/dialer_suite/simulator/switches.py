"""What one simulator app plays: the faults it has on and its reading of each ``x-assumption``.

The registries (``faults.CATALOG``, ``assumptions.CATALOG``) declare, at
import, what can be switched; they are declarations, the same in every app. A
``Switches`` is what one app switched on: ``create_app`` makes it from its
``SimulatorConfig`` and hands it to everything that behaves by it — the
handlers through the app's ``Runtime``, the tenant and its import jobs, the job
worker, the wire format, the rules and the dialer. Nothing asks a switch of
anyone else, so two apps with different faults and readings serve side by side
in one process, and a test builds the vendor it needs without resetting any.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from dialer_suite.simulator import assumptions
from dialer_suite.simulator import faults as fault_registry


class Switches:
    """``faults`` on, ``choices`` played (id → choice; every other id plays its default).

    Both are checked against the registries when it is made: an unknown name is
    a ``UsageError`` that lists the valid ones. Read-only once made;
    ``Switches()`` is the vendor as documented and assumed.
    """

    __slots__ = ("_choices", "_faults")

    def __init__(self, faults: Iterable[str] = (), choices: Mapping[str, str] | None = None) -> None:
        self._faults = frozenset(fault_registry.validate(faults))
        self._choices: Mapping[str, str] = MappingProxyType(assumptions.validate(choices or {}))

    @property
    def faults(self) -> frozenset[str]:
        """The faults that are on."""
        return self._faults

    @property
    def choices(self) -> Mapping[str, str]:
        """The choices asked for (id → choice); ``choice`` answers for every id."""
        return self._choices

    def __repr__(self) -> str:
        return f"Switches(faults={sorted(self._faults)}, choices={dict(self._choices)})"

    def fault(self, name: str) -> bool:
        """Whether fault ``name`` is on. A name nobody declared is a bug, not a silent False."""
        if name not in fault_registry.CATALOG:
            raise KeyError(f"fault {name!r} was never registered")
        return name in self._faults

    def fault_for(self, name: str, operation: str) -> bool:
        """Whether fault ``name`` is on and breaks ``operation`` (an operationId it declares).

        For code that every operation goes through: the catalog entry, not the
        code, says which operations a fault breaks, so that code has no special
        cases.
        """
        return self.fault(name) and operation in fault_registry.CATALOG[name].operations

    def any_fault(self, names: Iterable[str]) -> bool:
        """Whether any of ``names`` is on: one check before a loop instead of one per item."""
        return not self._faults.isdisjoint(names)

    def choice(self, assumption_id: str) -> str:
        """The choice played for ``assumption_id``. An id nobody declared is a bug, not a default."""
        declared = assumptions.CATALOG.get(assumption_id)
        if declared is None:
            raise KeyError(f"assumption {assumption_id!r} was never registered")
        return self._choices.get(assumption_id, declared.default)

    def every_choice(self) -> dict[str, str]:
        """Every declared id with the choice played (what ``/_simulator/health`` shows)."""
        return {assumption_id: self.choice(assumption_id) for assumption_id in assumptions.catalog()}
