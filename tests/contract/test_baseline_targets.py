"""A baseline says what one target does: it names its target, is compared only with runs of that
target, and never holds an outage as the vendor's behaviour."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from tests.contract.test_baseline_compare import LEAN, REFUSAL, run
from tests.contract.test_baseline_files import _hooks, _Item, _report

from dialer_suite.contract import compare
from dialer_suite.contract.baseline import Baseline, check_target, snapshot, target_of, write
from dialer_suite.contract.ledger import RunLedger
from dialer_suite.contract.report import Outcome, RunReport
from dialer_suite.errors import UsageError
from dialer_suite.http.availability import SERVER_ERROR, UNAVAILABLE

_ROOT = Path(__file__).resolve().parents[2]


def _recorded(target: str) -> Baseline:
    return Baseline(Path("staging.json"), {**run(LEAN), "target": target})


def test_a_baseline_names_its_target_by_host_and_whether_it_is_the_embedded_simulator() -> None:
    data = run(LEAN)
    assert (data["target_host"], data["embedded"]) == ("vendor.test", False)
    embedded = snapshot(RunReport(RunLedger("r"), target="embedded simulator (profile lean)", embedded=True),
                        datetime.now(UTC))
    assert (embedded["target_host"], embedded["embedded"]) == ("the embedded simulator", True)


@pytest.mark.parametrize(("recorded", "now"), [
    ("https://vendor.test/apps/api/v1", "https://other.test/apps/api/v1"),
    ("embedded simulator", "https://vendor.test/apps/api/v1"),
    ("https://vendor.test/apps/api/v1", "embedded simulator (profile lean)"),
])
def test_comparing_with_a_baseline_of_another_target_is_refused_in_one_line(recorded: str, now: str) -> None:
    with pytest.raises(UsageError) as refused:
        check_target(_recorded(recorded), now)
    message = str(refused.value)
    assert f"recorded against {target_of(recorded)}, this run targets {target_of(now)}" in message
    assert "--baseline-target-changed" in message and "\n" not in message


@pytest.mark.parametrize(("recorded", "now"), [
    ("https://vendor.test/apps/api/v1", "https://vendor.test/apps/api/v1/"),
    ("http://127.0.0.1/apps/api/v1", "http://127.0.0.1:41234/apps/api/v1"),  # a tunnel's port changes
    ("embedded simulator", "embedded simulator (profile lean)"),
])
def test_the_same_target_is_compared(recorded: str, now: str) -> None:
    check_target(_recorded(recorded), now)


def _pytest(tmp_path: Path, baseline: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIALER_")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(_ROOT / "contract_tests"), "-p", "no:cacheprovider",
         "--baseline", str(baseline), "--collect-only", "-q", *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )


@pytest.mark.slow
def test_a_run_refuses_another_targets_baseline_unless_told_the_target_changed(tmp_path: Path) -> None:
    staging = tmp_path / "staging.json"
    write(staging, run(LEAN))  # recorded against vendor.test; this run starts the embedded simulator
    refused = _pytest(tmp_path, staging)
    assert refused.returncode == pytest.ExitCode.USAGE_ERROR, refused.stdout[-1000:] + refused.stderr
    assert "recorded against vendor.test, this run targets the embedded simulator" in refused.stderr
    assert "Traceback" not in refused.stderr + refused.stdout
    allowed = _pytest(tmp_path, staging, "--baseline-target-changed")
    assert allowed.returncode == pytest.ExitCode.OK, allowed.stdout[-1000:] + allowed.stderr


def test_a_test_the_target_was_unavailable_for_is_not_judged_and_recorded_as_not_run() -> None:
    hooks = _hooks({REFUSAL: {"outcome": "passed", "judged": "fact"}})
    report = _report("failed", "target unavailable: POST ...: 503")
    outcome = Outcome(REFUSAL, UNAVAILABLE, False, (), "target unavailable")
    hooks.judge(cast(pytest.Item, _Item()), report, outcome)
    assert report.failed and outcome.verdict == compare.NOT_JUDGED, "an outage is no change"
    hooks.report.add_outcome(outcome)
    entry = snapshot(hooks.report, datetime.now(UTC))["tests"][REFUSAL]
    assert entry == {"outcome": "skipped", "why": "the target was unavailable"}


def test_a_vendor_server_error_is_never_known_vendor_behaviour() -> None:
    failed: dict[str, Any] = {"outcome": "failed", "kind": SERVER_ERROR, "judged": "fact", "fact": "500"}
    report = _report("failed", "500")
    outcome = Outcome(REFUSAL, SERVER_ERROR, False, (), "500")
    _hooks({REFUSAL: failed}).judge(cast(pytest.Item, _Item()), report, outcome)
    assert report.failed and outcome.verdict == SERVER_ERROR
    assert compare.describe(failed) == "failed [vendor server error]: 500"
