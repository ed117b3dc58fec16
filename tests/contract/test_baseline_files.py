"""Baseline files on the command line: the offline diff, every kind of bad file, and the verdicts
a judged run gives each test.

A bad baseline is one line and exit code 2 — from ``dialer-suite contract``
before pytest starts, from ``dialer-suite baseline diff`` — and a
``pytest.UsageError`` from plain pytest; never a traceback, never a run that
silently compares with nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Literal, cast

import pytest
from tests.contract.test_baseline_compare import LEAN, REFUSAL, Vendor, run

from dialer_suite.cli import main
from dialer_suite.contract import compare
from dialer_suite.contract.baseline import FACT, GENERATED_DATA, Baseline, load, spec_identity, write
from dialer_suite.contract.baseline_plugin import BaselineHooks
from dialer_suite.contract.facts import Seen
from dialer_suite.contract.ledger import RunLedger
from dialer_suite.contract.report import ASSUMPTION, DOCUMENTED, Outcome, RunReport

_ROOT = Path(__file__).resolve().parents[2]


def _write(path: Path, data: Any) -> Path:
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def _bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """name → (file, words its one line must contain)."""
    good = run(Vendor())
    other_spec = {**good, "spec": {**good["spec"], "version": "1999-01"}}
    other_hash = {**good, "spec": {**good["spec"], "sha256": "0" * 64}}
    unreadable = tmp_path / "unreadable.json"
    unreadable.mkdir()
    return {
        "missing": (tmp_path / "missing.json", "does not exist; record one with --record-baseline"),
        "unreadable": (unreadable, "cannot be read"),
        "not JSON": (_write(tmp_path / "broken.json", '{"format": '), "is not JSON"),
        "not a baseline": (_write(tmp_path / "other.json", {"hello": 1}), "is not a dialer-suite baseline"),
        "wrong shape": (_write(tmp_path / "shape.json", {**good, "tests": {"t": {"outcome": "maybe"}}}),
                        "'maybe' is not one of"),
        "other format": (_write(tmp_path / "format.json", {**good, "format": "dialer-suite-baseline/0"}),
                         "this dialer-suite reads"),
        "other spec version": (_write(tmp_path / "version.json", other_spec),
                               "recorded against spec version 1999-01"),
        "other spec hash": (_write(tmp_path / "hash.json", other_hash), "sha256 000000000000"),
    }


def test_a_good_baseline_loads_with_its_date(tmp_path: Path) -> None:
    write(tmp_path / "deep" / "b.json", run(LEAN))
    loaded = load(tmp_path / "deep" / "b.json")
    assert loaded.label == "baseline of 2026-11-27"
    assert loaded.data["spec"] == spec_identity()
    text = (tmp_path / "deep" / "b.json").read_text(encoding="utf-8")
    assert text.endswith("}\n") and '\n  "assumptions": {\n' in text, "sorted keys, one fact a line"


def test_every_bad_file_is_one_line_and_exit_2_from_baseline_diff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _write(tmp_path / "good.json", run(Vendor()))
    for name, (path, words) in _bad_files(tmp_path).items():
        for old, new in ((path, good), (good, path)):
            assert main(["baseline", "diff", str(old), str(new)]) == 2, name
            out, err = capsys.readouterr()
            assert out == "" and err.count("\n") == 1 and words in err, f"{name}: {err!r}"
            assert "Traceback" not in err


def test_bad_files_stop_dialer_suite_contract_before_pytest_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, (path, words) in _bad_files(tmp_path).items():
        started = time.monotonic()
        assert main(["contract", "-q", "--baseline", str(path)]) == 2, name
        _, err = capsys.readouterr()
        assert err.count("\n") == 1 and words in err, f"{name}: {err!r}"
        assert time.monotonic() - started < 5, f"{name}: pytest ran"
    assert main(["contract", f"--record-baseline={tmp_path}"]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_plain_pytest_ends_with_a_usage_error(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIALER_")}
    ran = subprocess.run(
        [sys.executable, "-m", "pytest", str(_ROOT / "contract_tests"), "-p", "no:cacheprovider",
         "--baseline", str(tmp_path / "missing.json"), "--collect-only", "-q"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert ran.returncode == pytest.ExitCode.USAGE_ERROR, ran.stdout[-1000:] + ran.stderr[-1000:]
    assert "ERROR: baseline file" in ran.stderr and "does not exist" in ran.stderr
    assert "Traceback" not in ran.stderr + ran.stdout


def test_baseline_diff_prints_the_changes_and_exits_1_only_when_there_are_some(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = _write(tmp_path / "old.json", run(LEAN))
    same = _write(tmp_path / "same.json", run(LEAN, run_id="bbbb2222", first_id=9000))
    new = _write(tmp_path / "new.json", run(Vendor()))
    assert main(["baseline", "diff", str(old), str(same)]) == 0
    assert "no vendor behaviour changed since the baseline of 2026-11-27" in capsys.readouterr().out
    assert main(["baseline", "diff", str(old), str(new)]) == 1
    out = capsys.readouterr().out
    expected = compare.lines(compare.compare(load(old).data, load(new).data), "baseline of 2026-11-27")
    assert "\n".join(expected) in out
    assert "error-codes: differs → held" in out and "auth-401: differs → held" in out


# -- the verdict a judged run gives each test ---------------------------------------


class _Item:
    """Enough of a pytest item for ``BaselineHooks.judge``: its markers."""

    def __init__(self, *markers: str) -> None:
        self.markers = markers

    def get_closest_marker(self, name: str) -> Any:
        return object() if name in self.markers else None


def _hooks(tests: dict[str, Any]) -> BaselineHooks:
    data = {**run(LEAN), "tests": tests}
    report = RunReport(RunLedger("cccc3333"))
    report.seen = Seen(run_id="cccc3333")
    return BaselineHooks(cast(pytest.Config, None), report, Baseline(Path("b.json"), data), None,
                         embedded=True)


def _report(outcome: Literal["passed", "failed"], message: str = "boom") -> pytest.TestReport:
    longrepr = SimpleNamespace(reprcrash=SimpleNamespace(message=message)) if outcome == "failed" else None
    return pytest.TestReport("t", ("t.py", 1, "t"), {}, outcome, cast(Any, longrepr), "call")


FAILED_415 = {"outcome": "failed", "kind": ASSUMPTION, "assumptions": ["error-codes"], "judged": FACT,
              "fact": "addContact: expected 415 (Content-Type text/plain), got 400"}
MESSAGE_400 = ("dialer_suite.http.result.ContractViolation: addContact: expected 415 "
               "(Content-Type text/plain), got 400")


def test_a_recorded_failure_becomes_an_xfail_with_the_baseline_date() -> None:
    hooks, report = _hooks({REFUSAL: FAILED_415}), _report("failed", MESSAGE_400)
    outcome = Outcome(REFUSAL, ASSUMPTION, False, ("error-codes",), MESSAGE_400)
    hooks.judge(cast(pytest.Item, _Item()), report, outcome)
    assert report.skipped and outcome.verdict == compare.KNOWN
    assert report.wasxfail == (
        "known vendor behaviour (baseline of 2026-11-27): differs from error-codes")


def test_a_failure_that_changed_fails_with_before_and_after() -> None:
    hooks = _hooks({REFUSAL: FAILED_415})
    message = MESSAGE_400.replace("got 400", "got 422")
    report = _report("failed", message)
    hooks.judge(cast(pytest.Item, _Item()), report, Outcome(REFUSAL, ASSUMPTION, False, ("error-codes",),
                                                            message))
    assert report.failed
    crash = cast(Any, report.longrepr).reprcrash.message
    fact = "addContact: expected 415 (Content-Type text/plain), got"
    assert crash.startswith("vendor behaviour changed since the baseline of 2026-11-27: failed "
                            f"[error-codes]: {fact} 400 → failed [error-codes]: {fact} 422")


def test_a_pass_where_the_baseline_failed_fails() -> None:
    hooks, report = _hooks({REFUSAL: FAILED_415}), _report("passed")
    hooks.judge(cast(pytest.Item, _Item()), report, Outcome(REFUSAL, ASSUMPTION, True, ("error-codes",)))
    assert report.failed and str(report.longrepr).startswith(
        "vendor behaviour changed since the baseline of 2026-11-27: failed [error-codes]")
    assert str(report.longrepr).endswith("→ passed")


def test_a_failure_the_baseline_never_saw_fails_and_a_documented_one_always_fails() -> None:
    hooks = _hooks({})
    report = _report("failed", MESSAGE_400)
    hooks.judge(cast(pytest.Item, _Item()), report, Outcome(REFUSAL, ASSUMPTION, False, ("error-codes",),
                                                            MESSAGE_400))
    assert report.failed and cast(Any, report.longrepr).reprcrash.message.startswith(
        "not in the baseline of 2026-11-27: not run → failed")
    documented = {REFUSAL: {"outcome": "failed", "kind": DOCUMENTED, "judged": FACT, "fact": "boom"}}
    report = _report("failed")
    outcome = Outcome(REFUSAL, DOCUMENTED, False, (), "boom")
    _hooks(documented).judge(cast(pytest.Item, _Item()), report, outcome)
    assert report.failed, "a documented break fails whatever the baseline recorded"
    assert outcome.verdict == "documented", "and is never listed as known vendor behaviour"


def test_generated_data_and_summary_failures_are_xfailed_with_why() -> None:
    hooks = _hooks({})
    report = _report("failed")
    hooks.judge(cast(pytest.Item, _Item("property")), report,
                Outcome("p", ASSUMPTION, False, ("error-codes",), "AcceptedNegativeData"))
    assert report.skipped and "known vendor behaviour" in report.wasxfail
    assert hooks.seen.levels["p"] == GENERATED_DATA
    report = _report("failed")
    hooks.judge(cast(pytest.Item, _Item("property")), report,
                Outcome("p2", ASSUMPTION, False, ("status-transitions",), "x"))
    assert report.skipped and "found by generated data, not in the baseline" in report.wasxfail
    report = _report("failed")
    hooks.judge(cast(pytest.Item, _Item("summary")), report, Outcome("s", ASSUMPTION, False, ("auth-401",)))
    assert report.skipped and "judged fact by fact by test_vendor_behaviour" in report.wasxfail
