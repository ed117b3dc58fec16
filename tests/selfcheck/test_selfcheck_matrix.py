"""Verdicts: what counts as caught, survived, timed out, and when the whole selfcheck fails."""

from __future__ import annotations

from collections.abc import Callable

from dialer_suite.selfcheck.matrix import Kill, build_matrix
from dialer_suite.selfcheck.model import Failure, FaultInfo, RunResult, RunStatus, Tool

MakeResult = Callable[..., RunResult]  # the make_result fixture (conftest)

ST_LABEL = "POST /outbound_dialer/campaigns/{campaign_id}/contacts"


def test_a_fault_the_suite_fails_on_is_caught_by_those_tests(
    wire_fault: FaultInfo, make_result: MakeResult
) -> None:
    killer = Failure("contract_tests.test_contacts::test_add", "expected 200, got 201")
    matrix = build_matrix(
        [wire_fault],
        [
            make_result(Tool.SUITE, None, RunStatus.PASSED),
            make_result(Tool.SUITE, wire_fault.name, RunStatus.FAILED, killer),
        ],
    )
    (row,) = matrix.rows
    assert (row.suite.verdict, row.suite.killers) == (Kill.CAUGHT, (killer,))
    assert matrix.ok


def test_a_fault_the_suite_passes_on_survives_and_fails_the_selfcheck(
    wire_fault: FaultInfo, make_result: MakeResult
) -> None:
    matrix = build_matrix(
        [wire_fault],
        [
            make_result(Tool.SUITE, None, RunStatus.PASSED),
            make_result(Tool.SUITE, wire_fault.name, RunStatus.PASSED),
        ],
    )
    assert [row.fault.name for row in matrix.survivors()] == [wire_fault.name]
    assert not matrix.ok


def test_a_timed_out_run_is_reported_as_such_and_is_not_a_kill(
    wire_fault: FaultInfo, make_result: MakeResult
) -> None:
    matrix = build_matrix(
        [wire_fault],
        [
            make_result(Tool.SUITE, None, RunStatus.PASSED),
            make_result(Tool.SUITE, wire_fault.name, RunStatus.TIMEOUT, detail="killed after 240 s"),
        ],
    )
    (row,) = matrix.rows
    assert (row.suite.verdict, row.suite.detail) == (Kill.TIMEOUT, "killed after 240 s")
    assert not matrix.ok


def test_a_failing_clean_run_fails_the_selfcheck_even_when_every_fault_is_caught(
    wire_fault: FaultInfo, make_result: MakeResult
) -> None:
    flake = Failure("contract_tests.test_jobs::test_job_finishes", "job still in_progress")
    matrix = build_matrix(
        [wire_fault],
        [
            make_result(Tool.SUITE, None, RunStatus.PASSED, seed=0),
            make_result(Tool.SUITE, None, RunStatus.FAILED, flake, seed=1),
            make_result(Tool.SUITE, wire_fault.name, RunStatus.FAILED, flake),
        ],
    )
    assert [r.request.seed for r in matrix.clean_failures()] == [1]
    assert not matrix.survivors()
    assert not matrix.ok


def test_a_speed_fault_is_judged_by_the_load_run(speed_fault: FaultInfo, make_result: MakeResult) -> None:
    breach = Failure("load smoke SLO gates", "addContact p95 812 ms > 300 ms")
    matrix = build_matrix(
        [speed_fault],
        [
            make_result(Tool.SUITE, None, RunStatus.PASSED),
            make_result(Tool.LOAD, None, RunStatus.PASSED),
            make_result(Tool.SUITE, speed_fault.name, RunStatus.PASSED),
            make_result(Tool.LOAD, speed_fault.name, RunStatus.FAILED, breach),
        ],
    )
    (row,) = matrix.rows
    assert (row.suite_tool, row.suite.verdict, row.suite.killers) == (Tool.LOAD, Kill.CAUGHT, (breach,))


def test_schemathesis_is_credited_only_with_failures_the_clean_run_did_not_have(
    wire_fault: FaultInfo, make_result: MakeResult
) -> None:
    known = Failure(ST_LABEL, "negative_data_rejection")
    matrix = build_matrix(
        [wire_fault],
        [
            make_result(Tool.SCHEMATHESIS, None, RunStatus.FAILED, known),
            make_result(Tool.SCHEMATHESIS, wire_fault.name, RunStatus.FAILED, known),
        ],
    )
    (row,) = matrix.rows
    assert row.schemathesis.verdict is Kill.SURVIVED
    assert matrix.schemathesis_baseline() == (known,)


def test_a_new_schemathesis_check_failure_is_a_kill(wire_fault: FaultInfo, make_result: MakeResult) -> None:
    known = Failure(ST_LABEL, "negative_data_rejection")
    new = Failure(ST_LABEL, "status_code_conformance")
    matrix = build_matrix(
        [wire_fault],
        [
            make_result(Tool.SCHEMATHESIS, None, RunStatus.FAILED, known),
            make_result(Tool.SCHEMATHESIS, wire_fault.name, RunStatus.FAILED, known, new),
        ],
    )
    (row,) = matrix.rows
    assert (row.schemathesis.verdict, row.schemathesis.killers) == (Kill.CAUGHT, (new,))


def test_schemathesis_false_alarms_on_the_clean_simulator_do_not_fail_the_selfcheck(
    wire_fault: FaultInfo, make_result: MakeResult
) -> None:
    matrix = build_matrix(
        [wire_fault],
        [
            make_result(Tool.SUITE, None, RunStatus.PASSED),
            make_result(Tool.SCHEMATHESIS, None, RunStatus.FAILED, Failure(ST_LABEL, "ignored_auth")),
            make_result(Tool.SUITE, wire_fault.name, RunStatus.FAILED, Failure("t", "m")),
        ],
    )
    assert matrix.ok


def test_a_tool_that_did_not_run_is_marked_not_run(wire_fault: FaultInfo, make_result: MakeResult) -> None:
    matrix = build_matrix([wire_fault], [make_result(Tool.SUITE, None, RunStatus.PASSED)])
    (row,) = matrix.rows
    assert (row.suite.verdict, row.schemathesis.verdict) == (Kill.NOT_RUN, Kill.NOT_RUN)
