"""What a run saw, summed up: operations × status codes, status values, drift, assumptions.

The client feeds every exchange and its findings in, and the report passes each
on to the run's ``ledger`` (what the run wrote, which the cleanup reads; the
summary shows its counts). The pytest plugin adds test outcomes by kind: the
vendor's documented contract, one of our assumptions, a vendor server error (a
5xx one request kept getting while the target answered others), or the target
being unavailable — the last is about the user's environment, never the
vendor's behaviour, and the run's ``availability`` holds its outages.
``rendering`` turns the result into Markdown (``reports/contract-summary.md``),
JSON (for ``dialer-suite contract``) and terminal lines. Nothing here sees a
credential: exchanges arrive redacted.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

from dialer_suite.api import spec
from dialer_suite.api.validation import Drift, Findings
from dialer_suite.contract.facts import Seen, evidence_of
from dialer_suite.contract.ledger import RunLedger
from dialer_suite.contract.normalize import without_positions
from dialer_suite.http.availability import SERVER_ERROR, UNAVAILABLE, Availability, is_outage_status
from dialer_suite.http.exchange import Exchange

DOCUMENTED = "documented"
ASSUMPTION = "assumption"
# SERVER_ERROR ("vendor server error") and UNAVAILABLE ("target unavailable"), from availability.
KINDS = (DOCUMENTED, ASSUMPTION, SERVER_ERROR, UNAVAILABLE)
# Why a declared status was not seen when no test that would produce it was skipped or deselected.
NOT_PRODUCED = "no test of this run produced it"


@dataclass
class Outcome:
    """One test's result, filed under the kind of contract it checks."""

    nodeid: str
    kind: str
    passed: bool
    assumption_ids: tuple[str, ...] = ()
    message: str = ""
    # Against a baseline: "known", "changed", "new" (not in the baseline) or "not judged".
    verdict: str = ""


@dataclass
class RunReport:
    """Collects everything a run observed; thread-safe for the concurrent senders.

    What the run wrote is the ``ledger``'s (the cleanup reads it): the report
    hands it every exchange and shows its counts.
    """

    ledger: RunLedger = field(default_factory=RunLedger)
    seed: int | None = None
    # The target as reports name it: the base URL (never with credentials: settings refuse
    # them there) or the embedded simulator and its reading; its host alone; which of the two.
    target: str = ""
    target_host: str = ""
    embedded: bool = False
    # Outages and what requests without a usable answer were filed as (set by the plugin).
    availability: Availability | None = None
    # Why the target is not usable, when the preflight found it so (no test ran then).
    unusable: str | None = None
    # Requests the preflight sent (not recorded as exchanges: they test nothing).
    preflight_requests: int = 0
    calls: Counter[tuple[str, int]] = field(default_factory=Counter)
    contact_statuses: Counter[str] = field(default_factory=Counter)
    job_statuses: Counter[str] = field(default_factory=Counter)
    drift: Counter[Drift] = field(default_factory=Counter)
    observations: dict[str, list[tuple[bool, str]]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)
    # (operation, status) → why the test that would produce it did not run.
    unexercised_because: dict[tuple[str, int], str] = field(default_factory=dict)
    # (assumption ids, what a response broke of them) → how many responses did.
    assumed_shapes: Counter[tuple[tuple[str, ...], str]] = field(default_factory=Counter)
    # Every fact with its source, for recording or comparing a vendor baseline (None: not asked).
    seen: Seen | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, exchange: Exchange, findings: Findings | None) -> None:
        if findings is None or exchange.status is None:
            return
        with self._lock:
            self.calls[(findings.operation_id or "(outside the spec)", exchange.status)] += 1
            if is_outage_status(exchange.status):
                # An outage's answers are no fact about the vendor's behaviour (nor are a
                # vendor server error's: its test says so, and a baseline keeps that).
                return
            self.contact_statuses.update(findings.contact_statuses)
            self.job_statuses.update(findings.job_statuses)
            self.drift.update(findings.drift)
            for problem in findings.assumed:
                self.assumed_shapes[(problem.assumptions, without_positions(problem.message))] += 1
            for assumption_id, held, detail in evidence_of(findings, exchange.response_headers):
                self._observe(assumption_id, held, detail)
            if self.seen is not None:
                self.seen.add(findings, exchange.response_headers)
        self.ledger.record(exchange, findings)

    def observe(self, assumption_id: str, held: bool, detail: str) -> None:
        """What the target did about one ``x-assumption`` (e.g. where the job id was found)."""
        with self._lock:
            self._observe(assumption_id, held, detail)

    def _observe(self, assumption_id: str, held: bool, detail: str) -> None:
        self.observations.setdefault(assumption_id, []).append((held, detail))
        if self.seen is not None:
            self.seen.observe(assumption_id, held, detail)

    def note(self, key: str, value: str) -> None:
        with self._lock:
            self.notes[key] = value

    @property
    def run_id(self) -> str:
        return self.ledger.run_id

    def add_outcome(self, outcome: Outcome) -> None:
        with self._lock:
            self.outcomes.append(outcome)

    def not_exercised(self, operation: str, status: int | None, why: str) -> None:
        """A test that would have made the target answer ``status`` (None: any status the spec
        declares for ``operation``; ``"*"``: every operation) did not run, and why."""
        operations = [o for o in spec.iter_operations() if operation in ("*", o.operation_id)]
        with self._lock:
            for op in operations:
                statuses = [status] if status is not None else _declared_statuses(op)
                for code in statuses:
                    self.unexercised_because.setdefault((op.operation_id, code), why)

    def coverage(self) -> list[tuple[str, int, int, str | None]]:
        """(operation, declared status, answers seen, why none) for every status the spec declares."""
        rows = []
        for op in spec.iter_operations():
            for status in _declared_statuses(op):
                count = self.calls.get((op.operation_id, status), 0)
                rows.append((op.operation_id, status, count, None if count else self._why_not(op, status)))
        return rows

    def _why_not(self, op: spec.Operation, status: int) -> str:
        response = op.response(status) or {}
        instead = response.get("x-alternative-to")
        if instead is not None and self.calls.get((op.operation_id, int(instead))):
            ids = ", ".join(spec.assumption_ids_of(response))
            return (f"declared for a vendor that answers it instead of {instead}; this one answered "
                    f"{instead} ({ids})")
        return self.unexercised_because.get((op.operation_id, status), NOT_PRODUCED)

    # -- rendering -----------------------------------------------------------------

    def assumption_table(self) -> list[tuple[str, str, str]]:
        """(id, held/differs/untested, evidence) for every assumption id of the spec."""
        rows = []
        for assumption_id in spec.assumption_ids():
            tests = [o for o in self.outcomes if assumption_id in o.assumption_ids]
            seen = self.observations.get(assumption_id, [])
            shapes = [message for (ids, message) in self.assumed_shapes if assumption_id in ids]
            failed = ([o.nodeid for o in tests if not o.passed] + [d for held, d in seen if not held]
                      + shapes)
            if failed:
                state, evidence = "differs", "; ".join(sorted(set(failed))[:3])
            elif tests or seen:
                state = "held"
                parts = ([f"{len(tests)} test(s)"] if tests else []) + sorted({d for _, d in seen})
                evidence = "; ".join(parts)
            else:
                state, evidence = "untested", ""
            rows.append((assumption_id, state, evidence))
        return rows

    def failures_by_kind(self) -> dict[str, list[Outcome]]:
        failures: dict[str, list[Outcome]] = {kind: [] for kind in KINDS}
        for outcome in self.outcomes:
            if not outcome.passed:
                failures[outcome.kind].append(outcome)
        return failures

    @property
    def requests(self) -> int:
        """Every request the run sent that the target answered or not: the tests', the
        preflight's, the availability's probes."""
        probes = self.availability.probes if self.availability is not None else 0
        return sum(self.calls.values()) + self.preflight_requests + probes


def _declared_statuses(op: spec.Operation) -> list[int]:
    return [int(key) for key in op.definition.get("responses", {}) if key.isdigit()]
