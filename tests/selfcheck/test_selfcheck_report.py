"""The rendered matrix says which fault was caught by what, side by side, and the verdict."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from dialer_suite.selfcheck.matrix import Matrix, build_matrix
from dialer_suite.selfcheck.model import Failure, FaultInfo, RunResult, RunStatus, Tool
from dialer_suite.selfcheck.report import render_json, render_markdown, render_terminal

INFO = {"seed": "7", "wall time": "42 s"}
KILLER = Failure("contract_tests.test_contacts::test_add_answers_200", "expected 200, got 201")
ST_KILLER = Failure("POST /outbound_dialer/campaigns/{campaign_id}/contacts", "status_code_conformance")


@pytest.fixture
def matrix(wire_fault: FaultInfo, speed_fault: FaultInfo, make_result: Callable[..., RunResult]) -> Matrix:
    """The wire fault caught by both tools; the speed fault survived by both."""
    return build_matrix(
        [wire_fault, speed_fault],
        [
            make_result(Tool.SUITE, None, RunStatus.PASSED),
            make_result(Tool.LOAD, None, RunStatus.PASSED),
            make_result(Tool.SCHEMATHESIS, None, RunStatus.PASSED),
            make_result(Tool.SUITE, wire_fault.name, RunStatus.FAILED, KILLER),
            make_result(Tool.SCHEMATHESIS, wire_fault.name, RunStatus.FAILED, ST_KILLER),
            make_result(Tool.LOAD, speed_fault.name, RunStatus.PASSED),
            make_result(Tool.SCHEMATHESIS, speed_fault.name, RunStatus.PASSED),
        ],
    )


def test_terminal_matrix_names_the_killing_test_for_each_tool(matrix: Matrix) -> None:
    text = render_terminal(matrix, INFO)
    row = next(line for line in text.splitlines() if line.startswith("add-wrong-status"))
    assert "caught: test_add_answers_200" in row, text
    assert "caught: POST /outbound_dialer" in row, text


def test_terminal_verdict_names_the_survivor_and_fails(matrix: Matrix) -> None:
    text = render_terminal(matrix, INFO)
    assert "NOT CAUGHT (survived): slow-responses" in text, text
    assert "suite caught 1/2 faults" in text, text
    assert text.rstrip().endswith("selfcheck: FAIL"), text


def test_markdown_has_one_table_row_per_fault_with_both_columns(matrix: Matrix) -> None:
    text = render_markdown(matrix, INFO)
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(rows) == 2, text
    assert "test_add_answers_200 (expected 200, got 201)" in rows[0], rows[0]
    assert rows[1].count("**survived**") == 2, rows[1]


def test_markdown_escapes_pipes_inside_messages(
    wire_fault: FaultInfo, make_result: Callable[..., RunResult]
) -> None:
    piped = Failure("t::test_x", "expected a | b")
    matrix = build_matrix([wire_fault], [make_result(Tool.SUITE, wire_fault.name, RunStatus.FAILED, piped)])
    assert "expected a \\| b" in render_markdown(matrix, INFO)


def test_json_carries_every_verdict_and_killer(matrix: Matrix) -> None:
    document = json.loads(render_json(matrix, INFO))
    faults = {fault["name"]: fault for fault in document["faults"]}
    assert document["ok"] is False
    assert faults["add-wrong-status"]["suite"]["killers"] == [
        {"test": KILLER.test_id, "message": KILLER.message}
    ]
    assert faults["slow-responses"]["suite_tool"] == "load"
    assert faults["slow-responses"]["schemathesis"]["verdict"] == "survived"


def test_an_errored_run_shows_its_detail_in_the_markdown(
    wire_fault: FaultInfo, make_result: Callable[..., RunResult]
) -> None:
    matrix = build_matrix(
        [wire_fault],
        [make_result(Tool.SUITE, wire_fault.name, RunStatus.ERROR, detail="exit 4, no JUnit report")],
    )
    text = render_markdown(matrix, INFO)
    assert "### add-wrong-status / suite: error" in text and "exit 4, no JUnit report" in text, text


def test_a_clean_only_selfcheck_prints_the_verdict_without_an_empty_table(
    make_result: Callable[..., RunResult],
) -> None:
    matrix = build_matrix([], [make_result(Tool.SUITE, None, RunStatus.PASSED, seed=s) for s in range(3)])
    text = render_terminal(matrix, INFO)
    assert "Kill matrix" not in text and "clean runs passed: 3/3" in text, text
    assert text.endswith("selfcheck: PASS"), text
