"""A run that cannot even start is reported as an error of that run, not a crash of the selfcheck."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialer_suite.selfcheck import runner
from dialer_suite.selfcheck.model import RunRequest, RunStatus, Tool
from dialer_suite.selfcheck.runner import RunOptions, child_environment, run_one


def _simulator_that_will_not_start(fault: str | None, seed: int) -> object:
    raise RuntimeError("simulator did not become healthy in 10 s")


def _options(tmp_path: Path) -> RunOptions:
    return RunOptions(
        root=tmp_path, artifacts=tmp_path / "runs", timeout=30, quick=False, job_timeout=10,
        load_duration="15s", schemathesis_max_examples=5, schemathesis_phases="examples",
    )  # fmt: skip


def test_a_run_whose_simulator_will_not_start_is_an_error_naming_why(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(runner, "simulator_for", _simulator_that_will_not_start)
    result = run_one(RunRequest(Tool.SCHEMATHESIS, "add-answers-201", 0), _options(tmp_path))
    assert result.status is RunStatus.ERROR, result
    assert "did not become healthy" in result.detail, result


def test_runs_never_inherit_a_target_from_the_callers_environment() -> None:
    environ = {
        "PATH": "/bin",
        "DIALER_BASE_URL": "https://acme.example.com/apps/api/v1",
        "DIALER_API_TOKEN": "t",
    }
    env = child_environment(environ, ("add-answers-201",))
    assert env == {"PATH": "/bin", "DIALER_SIM_FAULTS": "add-answers-201"}
