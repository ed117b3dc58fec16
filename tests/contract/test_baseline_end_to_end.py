"""Record → compare → change detected, through ``dialer-suite contract`` against the simulator.

A handful of contract tests (``-k``) that touch one assumption of each kind —
refusal status codes (``error-codes``), the 401 challenge header
(``auth-401``), the add answer's body (``add-returns-id``) and where an
import names its job (``job-id-location``) — are recorded against the
simulator playing the ``lean`` reading of the vendor page, then:

- judged against that recording with another seed and run id: exit 0, the
  known failures are xfails with the baseline's date;
- judged against the default simulator: exit 1, every one of those
  assumptions named with before → after;
- the two recordings diffed offline: the same changes.

Four child runs of a few seconds; the rules themselves are unit-tested in
``test_baseline_compare.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dialer_suite.cli import main
from dialer_suite.contract import compare
from dialer_suite.contract.baseline import load

_ROOT = Path(__file__).resolve().parents[2]
_SELECTION = ("test_a_body_not_sent_as_json_is_refused_with_415 or test_import_job_completes or "
              "(test_operation_refuses_bad_credentials and listContacts and none) or "
              "test_update_is_answered_with_the_record_and_listed")


def _contract(tmp_path: Path, name: str, *args: str, profile: str | None = None,
              seed: int = 1) -> tuple[int, str, dict[str, object]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIALER_")}
    if profile:
        env["DIALER_SIM_VENDOR_PROFILE"] = profile
    reports = tmp_path / name
    ran = subprocess.run(
        [sys.executable, "-m", "dialer_suite.cli", "contract", "-p", "no:cacheprovider", "-q", "-rxX",
         "-k", _SELECTION, "--dialer-seed", str(seed), "--report-dir", str(reports), *args],
        cwd=_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    summary = json.loads((reports / "contract-summary.json").read_text(encoding="utf-8"))
    return ran.returncode, ran.stdout + ran.stderr, summary


@pytest.mark.slow
def test_record_then_compare_then_change_detected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lean, default = tmp_path / "lean.json", tmp_path / "default.json"
    code, out, _ = _contract(tmp_path, "record", "--record-baseline", str(lean), profile="lean")
    assert code == 1 and f"baseline recorded in {lean}" in out, out[-3000:]
    recorded = load(lean).data
    assert recorded["assumptions"]["job-id-location"]["evidence"] == [
        "held: job id found in Location header"]

    # The same vendor, another seed: known behaviour passes as xfail with the baseline's date.
    code, out, summary = _contract(tmp_path, "same", "--baseline", str(lean), profile="lean", seed=2)
    label = load(lean).label
    assert code == 0, out[-3000:]
    assert f"no vendor behaviour changed since the {label}" in out
    judged = summary["changed_since_baseline"]
    assert isinstance(judged, dict) and judged["changed"] == [] and len(judged["known"]) == 3
    junit = ET.parse(tmp_path / "same" / "contract-junit.xml")
    reasons = [s.get("message", "") for s in junit.iter("skipped") if s.get("type") == "pytest.xfail"]
    assert len(reasons) == 3 and all(r.startswith(f"known vendor behaviour ({label})") for r in reasons)

    # Another vendor: exit 1, every assumption whose behaviour changed named before → after.
    code, out, summary = _contract(tmp_path, "changed", "--baseline", str(lean),
                                   "--record-baseline", str(default))
    assert code == 1, out[-3000:]
    assert f"vendor behaviour changed since the {label}" in out
    for line in ("auth-401: differs → held", "error-codes: differs → held",
                 "add-returns-id: differs → held", "job-id-location: held → held, other evidence"):
        assert line in out, f"{line!r} missing from:\n{out[-5000:]}"
    judged = summary["changed_since_baseline"]
    assert isinstance(judged, dict)
    assert ("[job-id-location] job-id-location evidence: held: job id found in Location header → "
            "held: job id found in body id + Location header") in judged["changed"]
    assert "[add-returns-id] addContact 200 key valid_contacts/*/id: absent → present" in judged["changed"]
    cases = {case.get("name"): case for case in ET.parse(tmp_path / "changed" / "contract-junit.xml").iter(
        "testcase")}
    check = cases["test_vendor_behaviour_matches_the_baseline"].find("failure")
    assert check is not None and "vendor behaviour changed since the" in check.get("message", "")

    # The offline diff of the two recordings lists the same changes.
    assert main(["baseline", "diff", str(lean), str(default)]) == 1
    diff = capsys.readouterr().out
    result = compare.compare(load(lean).data, load(default).data)
    assert [c.line() for c in result.changes] == judged["changed"]
    assert all(f"    - {line}" in diff for line in judged["changed"])
