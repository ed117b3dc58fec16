"""Import while dialing: the run in thirds, imports and the dialer's steps side by side.

The ``import_while_dialing`` scenario imports files for the whole run and runs
the campaign's dialer in the middle third only. The dialer's counters become
one ``dialer step`` entry per step it applied, timed by how late the step was
on its schedule; this module turns the run's book into the three phases
(``import_while_dialing.json``) and the series of its chart.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from dialer_suite.load.book import BUCKET, Book, Window
from dialer_suite.load.names import DIALER_STEP, IMPORT_END_TO_END

PHASES = ("before dialing", "while dialing", "after dialing")
# The dialer sped up 50x: a call status lasts 0.1 s, so 20 agents move ~50 contacts/s. The
# load's numbers are merely possible (loopback): without number checks they are dialed.
DIALER_SETTINGS = MappingProxyType(
    {"agents": 20, "time_scale": 50.0, "step_seconds": 5.0, "redial_interval": 30.0, "number_checks": False}
)
# Steps recorded per poll at most: a stalled poll must not flood the book.
_MAX_STEPS_PER_POLL = 10_000


def phase(elapsed: float, duration: float) -> int:
    """0, 1 or 2: which third of the run ``elapsed`` seconds fall in."""
    return min(2, max(0, int(3 * elapsed / duration))) if duration > 0 else 0


def new_steps(last: Mapping[str, Any], now: Mapping[str, Any]) -> tuple[int, float]:
    """Steps the dialer applied between two reads of its state (at most a bounded number),
    and their mean lateness in ms."""
    steps = now["scheduled_steps"] - last["scheduled_steps"]
    if steps <= 0:
        return 0, 0.0
    lateness = (now["lateness_ms_total"] - last["lateness_ms_total"]) / steps
    return min(steps, _MAX_STEPS_PER_POLL), lateness


def buckets(book: Book, started: float) -> list[tuple[float, dict[str, Window]]]:
    """(seconds since ``started`` at the bucket's middle, name → window) per time bucket."""
    width = book.bucket_seconds
    return [(index * width - started + width / 2, names) for index, names in book.by(BUCKET).items()]


def phase_table(book: Book, started: float, duration: float) -> list[dict[str, Any]]:
    """Imports and dialer steps per third of the run."""
    merged: list[dict[str, Window]] = [{}, {}, {}]
    for seconds, names in buckets(book, started):
        table = merged[phase(seconds, duration)]
        for name, window in names.items():
            if name in (IMPORT_END_TO_END, DIALER_STEP):
                table.setdefault(name, Window(window.digits)).merge(window)
    rows = []
    for label, names in zip(PHASES, merged, strict=True):
        imports, steps = names.get(IMPORT_END_TO_END), names.get(DIALER_STEP)
        rows.append(
            {
                "phase": label,
                "imports": imports.requests if imports else 0,
                "import_p50_ms": round(imports.percentile_ms(50), 1) if imports else None,
                "import_p95_ms": round(imports.percentile_ms(95), 1) if imports else None,
                "dialer_steps_per_s": round(steps.requests / (duration / 3), 1) if steps else 0.0,
                "dialer_lateness_p95_ms": round(steps.percentile_ms(95), 1) if steps else None,
            }
        )
    return rows
