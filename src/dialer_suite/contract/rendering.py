"""The run report as a person and a program read it: terminal lines, Markdown and JSON.

Against a vendor baseline, the "changed since baseline" section comes first in
each (``Section``: its terminal lines and its JSON, made by ``baseline_plugin``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dialer_suite.api import spec
from dialer_suite.contract.report import ASSUMPTION, DOCUMENTED, KINDS, RunReport
from dialer_suite.http.availability import SERVER_ERROR, UNAVAILABLE

# A baseline section: its lines (the first is its heading) and its JSON.
Section = tuple[list[str], dict[str, Any]]


def summary(report: RunReport, baseline: Section | None = None) -> dict[str, Any]:
    failures = report.failures_by_kind()
    return {
        **({"changed_since_baseline": baseline[1]} if baseline else {}),
        "run_id": report.run_id,
        "seed": report.seed,
        "target": report.target,
        "target_host": report.target_host,
        "embedded": report.embedded,
        # Why the target cannot run the suite, when the preflight found so (then no test ran).
        "unusable": report.unusable,
        "tests": len(report.outcomes),
        "passed": sum(o.passed for o in report.outcomes),
        "documented_failures": [o.nodeid for o in failures[DOCUMENTED]],
        "assumption_failures": [o.nodeid for o in failures[ASSUMPTION]],
        "server_error_failures": [o.nodeid for o in failures[SERVER_ERROR]],
        "unavailable_failures": [o.nodeid for o in failures[UNAVAILABLE]],
        # Every failure with its kind and assumption ids (selfcheck's assumption matrix reads them).
        "failures": [
            {"nodeid": o.nodeid, "kind": o.kind, "assumptions": list(o.assumption_ids),
             "message": _first_line(o.message), **({"baseline": o.verdict} if o.verdict else {})}
            for kind in KINDS for o in failures[kind]
        ],
        "availability": availability(report),
        # Every request sent: the tests' (and their fixtures'), the preflight's, the probes.
        "calls": report.requests,
        "operations": {
            f"{op} {status}": count for (op, status), count in sorted(report.calls.items())
        },
        "contact_statuses": dict(report.contact_statuses),
        "drift": [str(d) for d in report.drift],
        "assumptions": {row[0]: row[1] for row in report.assumption_table()},
        "notes": dict(report.notes),
        "created": report.ledger.created,
        "removed": report.ledger.removed,
        "left": report.ledger.left,
        "declared_not_exercised": {
            f"{op} {status}": why for op, status, _, why in report.coverage() if why is not None
        },
    }


def availability(report: RunReport) -> dict[str, Any]:
    """The target's outages (times and counts), the requests that gave up on it, the probes."""
    watched = report.availability
    if watched is None:
        return {"outages": [], "gave_up": None, "gave_up_on": [], "probes": 0}
    return {
        "outages": [outage.line() for outage in watched.outages],
        "gave_up": watched.gave_up,
        "gave_up_on": [f"{v.kind}: {v.request}: {v.why}" for v in watched.verdicts],
        "probes": watched.probes,
    }


def target_line(report: RunReport) -> str:
    """The target by its host (never credentials), and whether it is the embedded simulator."""
    if report.embedded:
        return report.target.replace("embedded simulator", "the embedded simulator", 1)
    return f"{report.target_host} (a tenant, not the embedded simulator)"


def terminal_lines(report: RunReport, baseline: Section | None = None) -> list[str]:
    data = summary(report)
    failures = report.failures_by_kind()
    lines = [*(baseline[0] if baseline else []),
        f"run {report.run_id} against {target_line(report)} (seed {report.seed}): {data['passed']}/"
        f"{data['tests']} tests passed, {data['calls']} requests",
        f"vendor broke its documented contract: {len(failures[DOCUMENTED])} test(s)",
    ]
    lines += [f"  - {o.nodeid}" for o in failures[DOCUMENTED]]
    lines.append(f"vendor behaviour differs from our assumption: {len(failures[ASSUMPTION])} test(s)")
    lines += [
        f"  - {o.nodeid} [{', '.join(o.assumption_ids)}]" for o in failures[ASSUMPTION]
    ]
    lines += _availability_lines(report, data["availability"])
    answered: dict[str, list[str]] = {}
    for (op, status), count in sorted(report.calls.items()):
        answered.setdefault(op, []).append(f"{status}×{count}")
    lines.append("operations x status codes:" + ("" if answered else " none"))
    lines += [f"    {op} {', '.join(counts)}" for op, counts in answered.items()]
    lines += _not_exercised_lines(report)
    lines.append("contact status values seen: " + (
        ", ".join(f"{value!r}×{count}" for value, count in sorted(report.contact_statuses.items()))
        or "none"
    ))
    lines.append(f"drift (unknown keys, not failures): {len(report.drift)}")
    lines += [f"  - {d}" for d in sorted(report.drift, key=str)[:10]]
    differs = [row[0] for row in report.assumption_table() if row[1] == "differs"]
    lines.append("assumptions that did not hold: " + (", ".join(differs) or "none"))
    lines += [f"{key}: {value}" for key, value in sorted(report.notes.items())]
    lines.append(f"contacts written: {contacts_line(report)}")
    return lines


def contacts_line(report: RunReport) -> str:
    """What became of the contacts the run wrote: on the embedded simulator nothing is left to
    count, as it is discarded with everything in it."""
    ledger = report.ledger
    counts = f"created {ledger.created}, removed {ledger.removed}"
    if report.embedded and ledger.left is None:
        return f"{counts}; the rest went with the embedded simulator, discarded with everything in it"
    return f"{counts}, left on target {'unknown' if ledger.left is None else ledger.left}"


def _not_exercised_lines(report: RunReport) -> list[str]:
    """Declared statuses no answer of the run had, grouped by why, one line per operation."""
    why_not: dict[str, dict[str, list[int]]] = {}
    for op, status, _, why in report.coverage():
        if why is not None:
            why_not.setdefault(why, {}).setdefault(op, []).append(status)
    count = sum(len(codes) for ops in why_not.values() for codes in ops.values())
    lines = [f"declared but not exercised: {count} status code(s)" if count else
             "declared but not exercised: none"]
    for why, ops in why_not.items():
        lines.append(f"  {why}:")
        lines += [f"    {op} {', '.join(str(code) for code in codes)}" for op, codes in ops.items()]
    return lines


def _availability_lines(report: RunReport, watched: dict[str, Any]) -> list[str]:
    """Vendor server errors and the target's outages: shown only when there were any."""
    failures = report.failures_by_kind()
    lines = []
    if failures[SERVER_ERROR]:
        lines.append(f"vendor server error (a 5xx while the target answered others): "
                     f"{len(failures[SERVER_ERROR])} test(s)")
        lines += [f"  - {o.nodeid}" for o in failures[SERVER_ERROR]]
    if watched["outages"] or failures[UNAVAILABLE]:
        lines.append(f"target unavailable (not the vendor's behaviour): {len(watched['outages'])} "
                     f"outage(s), {len(failures[UNAVAILABLE])} test(s) could not finish")
        lines += [f"  - outage {line}" for line in watched["outages"]]
        lines += [f"  - {o.nodeid}" for o in failures[UNAVAILABLE]]
    if watched["gave_up"]:
        lines.append(f"the run stopped waiting for the target: {watched['gave_up']}")
    return lines


def markdown(report: RunReport, baseline: Section | None = None) -> str:
    failures = report.failures_by_kind()
    out = ["# Contract suite summary", ""]
    if baseline:
        out += ["## Changed since the baseline", "", *(f"    {line}" for line in baseline[0]), ""]
    out += [
        f"- run id: `{report.run_id}`; seed: `{report.seed}`; target: {target_line(report)}",
        *([f"- **target not usable**: {report.unusable}; no test ran"] if report.unusable else []),
        f"- tests: {len(report.outcomes)}, passed: {sum(o.passed for o in report.outcomes)}",
        f"- contacts {contacts_line(report)}",
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
    extra = _availability_lines(report, availability(report))
    if extra:
        out += ["", "## Vendor server errors and target availability", ""]
        out += [f"- {line.strip().removeprefix('- ')}" for line in extra]
    out += ["", "## Operations × status codes exercised", ""]
    out += _coverage_table(report)
    out += ["", "## Contact status values seen", ""]
    out += [f"- `{v}` × {c}" for v, c in sorted(report.contact_statuses.items())] or ["none"]
    out += ["", "## Drift (keys the spec does not know; reported, not failed)", ""]
    out += [f"- {d} × {c}" for d, c in sorted(report.drift.items(), key=lambda i: str(i[0]))] or [
        "none"
    ]
    out += ["", "## Assumptions (`x-assumption` ids of the spec)", ""]
    out += ["| id | result | evidence |", "|---|---|---|"]
    out += [f"| {i} | {state} | {evidence} |" for i, state, evidence in report.assumption_table()]
    if report.notes:
        out += ["", "## Notes", ""]
        out += [f"- {key}: {value}" for key, value in sorted(report.notes.items())]
    return "\n".join(out) + "\n"


def write(report: RunReport, directory: Path, baseline: Section | None = None) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    text = directory / "contract-summary.md"
    text.write_text(markdown(report, baseline), encoding="utf-8")
    data = directory / "contract-summary.json"
    data.write_text(json.dumps(summary(report, baseline), indent=2), encoding="utf-8")
    return text, data


def _coverage_table(report: RunReport) -> list[str]:
    """Answers per operation and status; a status the spec declares but no test produced is a
    marked cell (``–``), listed under the table with why."""
    coverage = report.coverage()
    declared = {(op, status) for op, status, _, _ in coverage}
    statuses = sorted({status for _, status in report.calls} | {status for _, status in declared})
    out = ["| operation | " + " | ".join(str(s) for s in statuses) + " |",
           "|---|" + "---|" * len(statuses)]
    for op in [o.operation_id for o in spec.iter_operations()]:
        cells = []
        for status in statuses:
            count = report.calls.get((op, status), 0)
            cells.append(str(count) if count else ("–" if (op, status) in declared else ""))
        out.append(f"| {op} | " + " | ".join(cells) + " |")
    missing = [(op, status, why) for op, status, _, why in coverage if why is not None]
    out += ["", "Declared but not exercised (–):" + ("" if missing else " none")]
    out += [f"- {op} {status}: {why}" for op, status, why in missing]
    return out


def _first_line(message: str) -> str:
    line = message.strip().splitlines()[0] if message.strip() else ""
    return line[:300].replace("|", "\\|")
