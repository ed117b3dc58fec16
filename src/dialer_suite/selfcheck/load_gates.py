"""Read the breached SLO gates out of the load suite's ``summary.json``.

The load command's exit code alone cannot convict a speed fault: a crash and
a breached gate can both exit 1. The summary says which gates were checked
and which failed, with the measured value and the limit.
"""

from __future__ import annotations

import json
from typing import Any

from dialer_suite.selfcheck.model import Failure

GATES_TEST_ID = "load smoke SLO gates"


class LoadSummaryError(ValueError):
    """The summary is missing, not JSON, or checked no gate: the run left no verdict."""


def read_breaches(json_text: str) -> list[Failure]:
    """One failure per breached gate ("addContact p95_ms: measured 812 > limit 300")."""
    try:
        summary = json.loads(json_text)
        checks = summary["checks"]
    except (ValueError, KeyError, TypeError) as error:
        raise LoadSummaryError(f"not a load summary: {error}") from error
    if not isinstance(checks, list) or not checks:
        raise LoadSummaryError("the load summary checked no SLO gate")
    return [Failure(GATES_TEST_ID, _describe(check)) for check in checks if not check.get("passed", False)]


def _describe(check: dict[str, Any]) -> str:
    measured = check.get("measured")
    shown = "no data" if measured is None else measured  # the summary writes NaN as null
    relation = ">" if check.get("at_most", True) else "<"
    subject = f"{check.get('subject', '?')} {check.get('metric', '?')}"
    return f"{subject}: measured {shown} {relation} limit {check.get('limit')}"
