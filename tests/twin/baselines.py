"""Baselines made by hand, holding only the facts a test is about (the rest: nothing seen)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dialer_suite.contract.baseline import FORMAT, Baseline, spec_identity
from dialer_suite.contract.facts import GENERATED, SCENARIOS


def baseline_data(
    *,
    assumptions: dict[str, dict[str, Any]] | None = None,
    tests: dict[str, dict[str, Any]] | None = None,
    operations: dict[str, dict[str, dict[str, Any]]] | None = None,
    statuses: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A baseline's data: ``tests`` by short name (``test_x`` → ``contract_tests/t.py::test_x``)."""
    return {
        "format": FORMAT, "recorded": "2026-11-30T08:00:00+00:00", "target": "https://acme.example",
        "seed": 1, "spec": spec_identity(), "assumptions": assumptions or {},
        "operations": operations or {}, "contact_statuses": statuses or {},
        "tests": {f"contract_tests/t.py::{name}": entry for name, entry in (tests or {}).items()},
    }


def failed(fact: str, *ids: str) -> dict[str, Any]:
    return {"outcome": "failed", "judged": "fact", "kind": "assumption", "assumptions": list(ids),
            "fact": fact}


def passed() -> dict[str, Any]:
    return {"outcome": "passed", "judged": "fact"}


def answer(keys: list[str] | None = None, *, drift: list[str] | None = None,
           by: str = SCENARIOS) -> dict[str, Any]:
    entry: dict[str, Any] = {"by": by if by == SCENARIOS else GENERATED}
    if keys is not None:
        entry["keys"] = keys
    if drift:
        entry["drift"] = drift
    return entry


def held(*evidence: str) -> dict[str, Any]:
    return {"state": "held", "evidence": list(evidence)} if evidence else {"state": "held"}


def differs(*evidence: str) -> dict[str, Any]:
    return {"state": "differs", "evidence": list(evidence)} if evidence else {"state": "differs"}


def as_baseline(data: dict[str, Any], path: Path = Path("baseline.json")) -> Baseline:
    return Baseline(path, data)


def write_baseline(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    return path
