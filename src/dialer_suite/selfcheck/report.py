"""Render the kill matrix: a terminal table, a Markdown report, and JSON.

All three are built from the same ``Matrix``; the Markdown and JSON list every
killing test, the terminal shows counts and the first few names so the verdict
fits on a screen.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from dialer_suite.selfcheck.matrix import Cell, Kill, Matrix, Row
from dialer_suite.selfcheck.model import Failure, RunResult, RunStatus, Tool

_TERMINAL_NAME_WIDTH = 48  # the first killing test per terminal cell, cut to keep two columns on screen
_MARKDOWN_NAMES = 6  # killing tests listed per Markdown cell before "… and N more"


def render_terminal(matrix: Matrix, info: Mapping[str, str]) -> str:
    """The matrix as aligned text columns, then the verdict (only the verdict for clean-only runs)."""
    if not matrix.rows:
        return "\n".join(_verdict_lines(matrix, info))
    header = ("fault", "kind", "suite", "schemathesis alone")
    table = [header] + [
        (
            row.fault.name,
            row.fault.kind,
            _terminal_cell(row, row.suite),
            _terminal_cell(row, row.schemathesis),
        )
        for row in matrix.rows
    ]
    widths = [max(len(line[column]) for line in table) for column in range(3)]
    lines = [
        "  ".join(value.ljust(width) for value, width in zip(line[:3], widths, strict=True)) + "  " + line[3]
        for line in table
    ]
    return "\n".join(["Kill matrix", *lines, "", *_verdict_lines(matrix, info)])


def render_markdown(matrix: Matrix, info: Mapping[str, str]) -> str:
    """The report written to ``reports/selfcheck.md``."""
    out = ["# Selfcheck: kill matrix", ""]
    out += [f"- {key}: {value}" for key, value in info.items()]
    out += ["", "## Verdict", ""]
    out += [f"- {line}" for line in _verdict_lines(matrix, info)]
    out += [
        "",
        "## Faults",
        "",
        "| fault | kind | what it models | suite | schemathesis alone |",
        "|---|---|---|---|---|",
    ]
    out += [
        f"| `{row.fault.name}` | {row.fault.kind} | {_md(row.fault.summary)} "
        f"| {_markdown_cell(row, row.suite)} | {_markdown_cell(row, row.schemathesis)} |"
        for row in matrix.rows
    ]
    out += ["", "## Clean runs", "", "| run | status | seconds | failures |", "|---|---|---|---|"]
    out += [
        f"| {result.request.label} | {result.status} | {result.seconds:.1f} "
        f"| {_md(_failure_list(result.failures, _MARKDOWN_NAMES)) or '—'} |"
        for result in matrix.clean
    ]
    baseline = matrix.schemathesis_baseline()
    if baseline:
        out += [
            "",
            "## schemathesis alone on the clean simulator (false alarms, excluded from its kills)",
            "",
        ]
        out += [f"- `{failure.test_id}`: {_md(failure.message)}" for failure in baseline]
    broken = [row for row in matrix.rows if row.suite.detail or row.schemathesis.detail]
    if broken:
        out += ["", "## Runs that timed out or errored", ""]
        for row in broken:
            for tool, cell in ((row.suite_tool, row.suite), (Tool.SCHEMATHESIS, row.schemathesis)):
                if cell.verdict in (Kill.TIMEOUT, Kill.ERROR):
                    out += [
                        f"### {row.fault.name} / {tool}: {cell.verdict}",
                        "",
                        "```",
                        cell.detail,
                        "```",
                        "",
                    ]
    return "\n".join(out).rstrip() + "\n"


def render_json(matrix: Matrix, info: Mapping[str, str]) -> str:
    """The same content for machines (CI annotations, the README's measured table)."""
    document: dict[str, Any] = {
        "info": dict(info),
        "ok": matrix.ok,
        "clean": [_run_json(result) for result in matrix.clean],
        "schemathesis_clean_failures": [_failure_json(f) for f in matrix.schemathesis_baseline()],
        "faults": [
            {
                "name": row.fault.name,
                "kind": row.fault.kind,
                "summary": row.fault.summary,
                "speed": row.fault.speed,
                "operations": list(row.fault.operations),
                "suite_tool": str(row.suite_tool),
                "suite": _cell_json(row.suite),
                "schemathesis": _cell_json(row.schemathesis),
            }
            for row in matrix.rows
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def _verdict_lines(matrix: Matrix, info: Mapping[str, str]) -> list[str]:
    total = len(matrix.rows)
    suite_caught = sum(row.suite.verdict is Kill.CAUGHT for row in matrix.rows)
    st_rows = [row for row in matrix.rows if row.schemathesis.verdict is not Kill.NOT_RUN]
    clean_own = [r for r in matrix.clean if r.request.tool is not Tool.SCHEMATHESIS]
    clean_passed = sum(r.status is RunStatus.PASSED for r in clean_own)
    lines = [f"suite caught {suite_caught}/{total} faults"]
    if st_rows:
        st_caught = sum(row.schemathesis.verdict is Kill.CAUGHT for row in st_rows)
        lines.append(f"schemathesis alone caught {st_caught}/{len(st_rows)} faults")
        lines.append(
            f"schemathesis alone on the clean simulator: {len(matrix.schemathesis_baseline())} failing checks"
        )
    lines.append(f"clean runs passed: {clean_passed}/{len(clean_own)}")
    for result in matrix.clean_failures():
        lines.append(
            f"CLEAN RUN {result.status.upper()}: {result.request.label} {_failure_list(result.failures, 3)}"
        )
    for row in matrix.survivors():
        lines.append(f"NOT CAUGHT ({row.suite.verdict}): {row.fault.name} — {row.fault.summary}")
    if "wall time" in info:
        lines.append(f"wall time: {info['wall time']}")
    lines.append("selfcheck: PASS" if matrix.ok else "selfcheck: FAIL")
    return lines


def _terminal_cell(row: Row, cell: Cell) -> str:
    if cell.verdict is not Kill.CAUGHT:
        return str(cell.verdict)
    names = _unique_names(cell.killers)
    first = names[0] if len(names[0]) <= _TERMINAL_NAME_WIDTH else names[0][: _TERMINAL_NAME_WIDTH - 1] + "…"
    more = f" +{len(names) - 1}" if len(names) > 1 else ""
    via = f" via {row.suite_tool}" if row.fault.speed and cell is row.suite else ""
    return f"caught{via}: {first}{more}"


def _markdown_cell(row: Row, cell: Cell) -> str:
    if cell.verdict is not Kill.CAUGHT:
        return f"**{cell.verdict}**" + (
            f" ({_md(cell.detail)})" if cell.verdict is Kill.SURVIVED and cell.detail else ""
        )
    via = f" by `{row.suite_tool}`" if row.fault.speed and cell is row.suite else ""
    return f"caught{via}: " + _md(_failure_list(cell.killers, _MARKDOWN_NAMES))


def _failure_list(failures: Sequence[Failure], limit: int) -> str:
    shown = [f"{_short_name(f.test_id)} ({f.message})" for f in failures[:limit]]
    more = len(failures) - limit
    return "; ".join(shown) + (f"; … and {more} more" if more > 0 else "")


def _unique_names(failures: Sequence[Failure]) -> list[str]:
    return list(dict.fromkeys(_short_name(f.test_id) for f in failures))


def _short_name(test_id: str) -> str:
    """``contract_tests.test_x::test_y[param]`` → ``test_y[param]``; schemathesis labels stay whole."""
    return test_id.rsplit("::", 1)[-1]


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _failure_json(failure: Failure) -> dict[str, str]:
    return {"test": failure.test_id, "message": failure.message}


def _cell_json(cell: Cell) -> dict[str, Any]:
    return {
        "verdict": str(cell.verdict),
        "killers": [_failure_json(f) for f in cell.killers],
        "seconds": round(cell.seconds, 2),
        "detail": cell.detail,
    }


def _run_json(result: RunResult) -> dict[str, Any]:
    return {
        "run": result.request.label,
        "tool": str(result.request.tool),
        "seed": result.request.seed,
        "status": str(result.status),
        "seconds": round(result.seconds, 2),
        "failures": [_failure_json(f) for f in result.failures],
        "detail": result.detail,
    }
