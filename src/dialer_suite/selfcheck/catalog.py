"""The simulator's fault catalog as selfcheck sees it, and the choice of faults to run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dialer_suite.errors import UsageError
from dialer_suite.selfcheck.model import FaultInfo


def load_catalog() -> dict[str, FaultInfo]:
    """Every fault of the simulator's catalog, by name, in catalog order."""
    # The simulator owns the catalog; ``catalog()`` imports every module that declares faults.
    from dialer_suite.simulator.faults import catalog

    return {name: _info(fault) for name, fault in catalog().items()}


def choose_faults(catalog: Mapping[str, FaultInfo], requested: str | None) -> list[FaultInfo]:
    """The faults named in ``requested`` ("a,b"; None or empty = all), in catalog order.

    Unknown names are a usage error that lists them, so a typo cannot silently
    shrink the matrix.
    """
    if not requested or not requested.strip():
        return list(catalog.values())
    names = [name.strip() for name in requested.split(",") if name.strip()]
    unknown = [name for name in names if name not in catalog]
    if unknown:
        raise UsageError(f"unknown fault(s): {', '.join(unknown)} (list them with: dialer-suite faults)")
    wanted = set(names)
    return [fault for name, fault in catalog.items() if name in wanted]


def _info(fault: Any) -> FaultInfo:
    operations: Sequence[str] = getattr(fault, "operations", ()) or ()
    return FaultInfo(
        name=fault.name,
        kind=str(fault.kind),
        summary=fault.summary,
        speed=bool(fault.speed),
        operations=tuple(operations),
    )
