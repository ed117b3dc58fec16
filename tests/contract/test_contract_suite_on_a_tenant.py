"""The contract suite, run whole against a tenant that is not our simulator, cries no wolf.

``dialer-suite contract`` in a child process, pointed (as a user points it) at
the independent tenant of ``tests.tenant``, whose list pages by default: 25 per
page, ``per``/``per_page`` up to 100 and 422 above, ``Link`` rel="next",
``Total`` and ``Per-Page``. The run files no failure as a broken documented
contract, every read-back finds what was written, and the tenant's own count
shows nothing left behind. The tenant's other choices are assumption failures,
and rightly so; the rate-limit burst is left out, since the tenant runs at a
higher rate than the vendor's for speed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from tests.tenant import TenantOptions, running_tenant

pytestmark = [pytest.mark.slow]

_RATE = 100.0
_BUDGET_SECONDS = 400  # a bound; the run takes about 70 s at this rate
# What a read-back failure says (readback.py, checks.py, the added fixture).
_READ_BACK = ("time(s)", "still lists", "still shows", "reading back", "shows it stored")


Run = tuple[subprocess.CompletedProcess[str], dict[str, Any], dict[str, Any]]


@pytest.fixture(scope="module")
def tenant_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    reports = tmp_path_factory.mktemp("tenant-run")
    with running_tenant(TenantOptions(rate_limit=_RATE)) as tenant:
        env = {key: value for key, value in os.environ.items() if not key.startswith("DIALER_")}
        env.update(tenant.environ(DIALER_RATE_LIMIT=str(_RATE)))
        completed = subprocess.run(
            [sys.executable, "-m", "dialer_suite.cli", "contract", "-p", "no:cacheprovider",
             "-m", "not rate_limit", "--report-dir", str(reports)],
            env=env, capture_output=True, text=True, timeout=_BUDGET_SECONDS,
        )
        summary: dict[str, Any] = json.loads((reports / "contract-summary.json").read_text())
        yield completed, summary, tenant.stats()


def _output(completed: subprocess.CompletedProcess[str]) -> str:
    return completed.stdout[-5000:] + completed.stderr[-2000:]


def test_a_clean_run_files_no_failure_as_a_broken_documented_contract(tenant_run: Run) -> None:
    completed, summary, _ = tenant_run
    assert completed.returncode in (0, 1), _output(completed)
    documented = [f for f in summary["failures"] if f["kind"] != "assumption"]
    assert not documented, json.dumps(documented, indent=1)


def test_every_read_back_finds_what_was_written(tenant_run: Run) -> None:
    _, summary, _ = tenant_run
    read_backs = [f for f in summary["failures"] if any(words in f["message"] for words in _READ_BACK)]
    assert not read_backs, json.dumps(read_backs, indent=1)


def test_the_cleanup_leaves_nothing_on_the_tenant(tenant_run: Run) -> None:
    _, summary, stats = tenant_run
    assert stats["contacts_created"] > 100, stats
    assert set(stats["contacts_stored"].values()) == {0}, stats
    assert summary["left"] == 0, summary["notes"]


def test_the_tenant_s_paging_is_noticed_and_reported(tenant_run: Run) -> None:
    _, summary, _ = tenant_run
    paging = [f for f in summary["failures"] if f["assumptions"] == ["list-pagination"]]
    assert any(f["nodeid"].endswith("test_list_without_paging_holds_every_contact") for f in paging), (
        summary["failures"])
    note = summary["notes"]["list paging"]
    assert "a first page is answered (25 per page)" in note and "the total in Total" in note, note
