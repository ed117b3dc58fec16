"""What a run saw, summed up: operations × status codes, status values, drift, assumptions, data written.

The client feeds every exchange and its findings in; the pytest plugin adds test
outcomes by kind (documented contract vs assumption) and renders the result as
Markdown (``reports/contract-summary.md``), JSON (for ``dialer-suite contract``)
and terminal lines. Nothing here sees a credential: exchanges arrive redacted.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dialer_suite.http.exchange import Exchange
from dialer_suite.vendor import spec
from dialer_suite.vendor.testdata import is_run_contact
from dialer_suite.vendor.validation import Drift, Findings

DOCUMENTED = "documented"
ASSUMPTION = "assumption"


@dataclass
class Outcome:
    """One test's result, filed under the kind of contract it checks."""

    nodeid: str
    kind: str
    passed: bool
    assumption_ids: tuple[str, ...] = ()
    message: str = ""


@dataclass
class RunReport:
    """Collects everything a run observed; thread-safe for the concurrent senders."""

    run_id: str = ""
    seed: int | None = None
    target: str = ""
    calls: Counter[tuple[str, int]] = field(default_factory=Counter)
    contact_statuses: Counter[str] = field(default_factory=Counter)
    job_statuses: Counter[str] = field(default_factory=Counter)
    drift: Counter[Drift] = field(default_factory=Counter)
    observations: dict[str, list[tuple[bool, str]]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)
    left: int | None = None
    _seen: set[str] = field(default_factory=set, repr=False)
    _removed: set[str] = field(default_factory=set, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, exchange: Exchange, findings: Findings | None) -> None:
        if findings is None or exchange.status is None:
            return
        with self._lock:
            self.calls[(findings.operation_id or "(outside the spec)", exchange.status)] += 1
            self.contact_statuses.update(findings.contact_statuses)
            self.job_statuses.update(findings.job_statuses)
            self.drift.update(findings.drift)
            self._track_written(findings)

    def _track_written(self, findings: Findings) -> None:
        """Count the run's contacts by what responses show (imports included, once listed)."""
        if not self.run_id or findings.status != 200:
            return
        body = findings.body
        if findings.operation_id == "addContact" and isinstance(body, dict):
            contacts = body.get("valid_contacts") or []
        elif isinstance(body, list):
            contacts = body
        elif isinstance(body, dict) and findings.operation_id in ("updateContact", "deleteContact"):
            contacts = [body]
        else:
            return
        mine = [c for c in contacts if isinstance(c, dict) and is_run_contact(c, self.run_id)]
        self._seen.update(_key(c) for c in mine)
        if findings.operation_id == "deleteContact":
            self._removed.update(_key(c) for c in mine)

    def observe(self, assumption_id: str, held: bool, detail: str) -> None:
        """What the target did about one ``x-assumption`` (e.g. where the job id was found)."""
        with self._lock:
            self.observations.setdefault(assumption_id, []).append((held, detail))

    def note(self, key: str, value: str) -> None:
        with self._lock:
            self.notes[key] = value

    @property
    def created(self) -> int:
        """Distinct contacts of this run that any response showed (added, imported, listed)."""
        return len(self._seen)

    @property
    def removed(self) -> int:
        return len(self._removed)

    def add_outcome(self, outcome: Outcome) -> None:
        with self._lock:
            self.outcomes.append(outcome)

    # -- rendering -----------------------------------------------------------------

    def assumption_table(self) -> list[tuple[str, str, str]]:
        """(id, held/differs/untested, evidence) for every assumption id of the spec."""
        rows = []
        for assumption_id in spec.assumption_ids():
            tests = [o for o in self.outcomes if assumption_id in o.assumption_ids]
            seen = self.observations.get(assumption_id, [])
            failed = [o.nodeid for o in tests if not o.passed] + [d for held, d in seen if not held]
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
        failures: dict[str, list[Outcome]] = {DOCUMENTED: [], ASSUMPTION: []}
        for outcome in self.outcomes:
            if not outcome.passed:
                failures[outcome.kind].append(outcome)
        return failures

    def summary(self) -> dict[str, Any]:
        failures = self.failures_by_kind()
        return {
            "run_id": self.run_id,
            "seed": self.seed,
            "target": self.target,
            "tests": len(self.outcomes),
            "passed": sum(o.passed for o in self.outcomes),
            "documented_failures": [o.nodeid for o in failures[DOCUMENTED]],
            "assumption_failures": [o.nodeid for o in failures[ASSUMPTION]],
            "calls": sum(self.calls.values()),
            "operations": {
                f"{op} {status}": count for (op, status), count in sorted(self.calls.items())
            },
            "contact_statuses": dict(self.contact_statuses),
            "drift": [str(d) for d in self.drift],
            "assumptions": {row[0]: row[1] for row in self.assumption_table()},
            "notes": dict(self.notes),
            "created": self.created,
            "removed": self.removed,
            "left": self.left,
        }

    def terminal_lines(self) -> list[str]:
        data = self.summary()
        failures = self.failures_by_kind()
        lines = [
            f"run {self.run_id} against {self.target} (seed {self.seed}): {data['passed']}/"
            f"{data['tests']} tests passed, {data['calls']} requests",
            f"vendor broke its documented contract: {len(failures[DOCUMENTED])} test(s)",
        ]
        lines += [f"  - {o.nodeid}" for o in failures[DOCUMENTED]]
        lines.append(f"vendor behaviour differs from our assumption: {len(failures[ASSUMPTION])} test(s)")
        lines += [
            f"  - {o.nodeid} [{', '.join(o.assumption_ids)}]" for o in failures[ASSUMPTION]
        ]
        lines.append("operations x status codes: " + ", ".join(
            f"{key}×{count}" for key, count in data["operations"].items()
        ))
        lines.append("contact status values seen: " + (
            ", ".join(f"{value!r}×{count}" for value, count in sorted(self.contact_statuses.items()))
            or "none"
        ))
        lines.append(f"drift (unknown keys, not failures): {len(self.drift)}")
        lines += [f"  - {d}" for d in sorted(self.drift, key=str)[:10]]
        differs = [row[0] for row in self.assumption_table() if row[1] == "differs"]
        lines.append("assumptions that did not hold: " + (", ".join(differs) or "none"))
        lines += [f"{key}: {value}" for key, value in sorted(self.notes.items())]
        left = "unknown" if self.left is None else str(self.left)
        lines.append(
            f"contacts written: created {self.created}, removed {self.removed}, left on target {left}"
        )
        return lines

    def markdown(self) -> str:
        failures = self.failures_by_kind()
        out = [
            "# Contract suite summary",
            "",
            f"- run id: `{self.run_id}`; seed: `{self.seed}`; target: `{self.target}`",
            f"- tests: {len(self.outcomes)}, passed: {sum(o.passed for o in self.outcomes)}",
            f"- contacts created {self.created}, removed {self.removed}, "
            f"left on target {'unknown' if self.left is None else self.left}",
            "",
            "## Vendor broke its documented contract",
            "",
        ]
        out += [f"- `{o.nodeid}`: {_first_line(o.message)}" for o in failures[DOCUMENTED]] or ["none"]
        out += ["", "## Vendor behaviour differs from our assumption", ""]
        out += [
            f"- `{o.nodeid}` ({', '.join(o.assumption_ids)}): {_first_line(o.message)}"
            for o in failures[ASSUMPTION]
        ] or ["none"]
        out += ["", "## Operations × status codes exercised", ""]
        statuses = sorted({status for _, status in self.calls})
        out.append("| operation | " + " | ".join(str(s) for s in statuses) + " |")
        out.append("|---|" + "---|" * len(statuses))
        for op in [o.operation_id for o in spec.iter_operations()]:
            row = [str(self.calls.get((op, s), "")) for s in statuses]
            out.append(f"| {op} | " + " | ".join(row) + " |")
        out += ["", "## Contact status values seen", ""]
        out += [f"- `{v}` × {c}" for v, c in sorted(self.contact_statuses.items())] or ["none"]
        out += ["", "## Drift (keys the spec does not know; reported, not failed)", ""]
        out += [f"- {d} × {c}" for d, c in sorted(self.drift.items(), key=lambda i: str(i[0]))] or [
            "none"
        ]
        out += ["", "## Assumptions (`x-assumption` ids of the spec)", ""]
        out += ["| id | result | evidence |", "|---|---|---|"]
        out += [f"| {i} | {state} | {evidence} |" for i, state, evidence in self.assumption_table()]
        if self.notes:
            out += ["", "## Notes", ""]
            out += [f"- {key}: {value}" for key, value in sorted(self.notes.items())]
        return "\n".join(out) + "\n"

    def write(self, directory: Path) -> tuple[Path, Path]:
        directory.mkdir(parents=True, exist_ok=True)
        markdown = directory / "contract-summary.md"
        markdown.write_text(self.markdown(), encoding="utf-8")
        data = directory / "contract-summary.json"
        data.write_text(json.dumps(self.summary(), indent=2), encoding="utf-8")
        return markdown, data


def _first_line(message: str) -> str:
    line = message.strip().splitlines()[0] if message.strip() else ""
    return line[:300].replace("|", "\\|")


def _key(contact: dict[str, Any]) -> str:
    # The id is stable across updates; a vendor whose add echo has no id is keyed by
    # the run-tagged external id, unique per contact.
    if contact.get("id") is not None:
        return f"id:{contact['id']}"
    return f"eid:{contact.get('external_unique_id')}"
