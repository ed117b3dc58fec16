"""The runs a selfcheck makes, and the faults it accepts."""

from __future__ import annotations

import pytest

from dialer_suite.errors import UsageError
from dialer_suite.selfcheck.catalog import choose_faults
from dialer_suite.selfcheck.model import FaultInfo, RunRequest, Tool
from dialer_suite.selfcheck.plan import plan_runs


def test_clean_runs_come_first_with_one_seed_each(wire_fault: FaultInfo) -> None:
    runs = plan_runs([wire_fault], seed=5, repeat_clean=3, schemathesis=True)
    assert runs == [
        RunRequest(Tool.SUITE, None, 5),
        RunRequest(Tool.SUITE, None, 6),
        RunRequest(Tool.SUITE, None, 7),
        RunRequest(Tool.SCHEMATHESIS, None, 5),
        RunRequest(Tool.SUITE, wire_fault.name, 5),
        RunRequest(Tool.SCHEMATHESIS, wire_fault.name, 5),
    ]


def test_a_speed_fault_runs_the_load_profile_and_brings_a_clean_load_run(
    wire_fault: FaultInfo, speed_fault: FaultInfo
) -> None:
    runs = plan_runs([wire_fault, speed_fault], seed=0, repeat_clean=1, schemathesis=False)
    assert runs == [
        RunRequest(Tool.SUITE, None, 0),
        RunRequest(Tool.LOAD, None, 0),
        RunRequest(Tool.LOAD, speed_fault.name, 0),
        RunRequest(Tool.SUITE, wire_fault.name, 0),
    ]


def test_run_labels_are_unique_within_a_selfcheck(wire_fault: FaultInfo, speed_fault: FaultInfo) -> None:
    runs = plan_runs([wire_fault, speed_fault], seed=0, repeat_clean=20, schemathesis=True)
    assert len({run.label for run in runs}) == len(runs)


def test_no_faults_named_means_the_whole_catalog(wire_fault: FaultInfo, speed_fault: FaultInfo) -> None:
    catalog = {wire_fault.name: wire_fault, speed_fault.name: speed_fault}
    assert choose_faults(catalog, None) == [wire_fault, speed_fault]


def test_named_faults_are_kept_in_catalog_order(wire_fault: FaultInfo, speed_fault: FaultInfo) -> None:
    catalog = {wire_fault.name: wire_fault, speed_fault.name: speed_fault}
    assert choose_faults(catalog, f" {speed_fault.name},{wire_fault.name} ") == [wire_fault, speed_fault]


def test_an_unknown_fault_name_is_a_usage_error_naming_it(wire_fault: FaultInfo) -> None:
    with pytest.raises(UsageError, match=r"unknown fault\(s\): nope, typo"):
        choose_faults({wire_fault.name: wire_fault}, "nope,add-wrong-status,typo")


def test_faults_likely_to_run_longest_start_first(wire_fault: FaultInfo, speed_fault: FaultInfo) -> None:
    job_fault = FaultInfo("job-never-finishes", "jobs", "jobs stay in_progress", False)
    runs = plan_runs([wire_fault, job_fault, speed_fault], seed=0, repeat_clean=1, schemathesis=False)
    assert [run.fault for run in runs if run.fault] == [speed_fault.name, job_fault.name, wire_fault.name]
