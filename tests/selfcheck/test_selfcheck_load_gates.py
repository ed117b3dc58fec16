"""A speed fault is convicted only by a breached gate in the load summary, never by an exit code alone."""

from __future__ import annotations

import json

import pytest

from dialer_suite.selfcheck.load_gates import GATES_TEST_ID, LoadSummaryError, read_breaches
from dialer_suite.selfcheck.model import Failure


def _summary(*checks: dict[str, object]) -> str:
    return json.dumps(
        {"profile": "smoke", "passed": all(c["passed"] for c in checks), "checks": list(checks)}
    )


def _check(metric: str, measured: float | None, limit: float, passed: bool) -> dict[str, object]:
    return {
        "subject": "addContact",
        "metric": metric,
        "measured": measured,
        "limit": limit,
        "at_most": True,
        "passed": passed,
    }


def test_every_breached_gate_is_named_with_measured_and_limit() -> None:
    text = _summary(_check("p50_ms", 3.0, 100, True), _check("p95_ms", 812.5, 300, False))
    assert read_breaches(text) == [Failure(GATES_TEST_ID, "addContact p95_ms: measured 812.5 > limit 300")]


def test_a_summary_with_every_gate_met_has_no_breach() -> None:
    assert read_breaches(_summary(_check("p95_ms", 12.0, 300, True))) == []


def test_a_gate_without_data_says_so() -> None:
    (breach,) = read_breaches(_summary(_check("p95_ms", None, 300, False)))
    assert "measured no data" in breach.message, breach


@pytest.mark.parametrize("text", ["", "{}", '{"checks": []}', "Traceback (most recent call last):"])
def test_a_summary_without_gates_is_no_verdict(text: str) -> None:
    with pytest.raises(LoadSummaryError):
        read_breaches(text)
