"""The contract suite beside pytest-base-url (pytest-playwright pulls it in): its ``--base-url``.

With the plugin installed, ``--base-url`` is the plugin's option (and its
``base_url`` fixture and ini value): the suite reads the target from it rather
than add a second option of that name, which argparse refuses ("conflicting
option string") before any test runs. Blocked with ``-p no:base_url``, the
suite's own ``--base-url`` is there again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.tenant import TenantOptions, running_tenant

pytestmark = [pytest.mark.slow]

_TIMEOUT = 300
_FAST = "100"  # requests/s of the tenant and the suite's pace: the counts matter here, not the time
_ONE_TEST = "test_added_contact_is_listed_once_as_sent"


def _contract(
    reports: Path, *args: str, environ: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DIALER_", "PYTEST_BASE_URL"))}
    env.update(environ or {})
    return subprocess.run(
        [sys.executable, "-m", "dialer_suite.cli", "contract", "-p", "no:cacheprovider",
         "--report-dir", str(reports), *args],
        env=env, capture_output=True, text=True, timeout=_TIMEOUT,
    )


def _summary(reports: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((reports / "contract-summary.json").read_text(encoding="utf-8"))
    return data


def test_pytest_base_url_is_installed_for_these_tests() -> None:
    # The dev extra installs it: without it the tests below would prove nothing.
    import pytest_base_url  # noqa: F401


def test_the_quick_run_passes_against_the_embedded_simulator_beside_the_plugin(tmp_path: Path) -> None:
    completed = _contract(tmp_path, "-m", "quick")
    output = completed.stdout[-4000:] + completed.stderr[-2000:]
    assert completed.returncode == 0, output
    assert "base-url" in completed.stdout and "conflicting option" not in output, output
    assert _summary(tmp_path)["embedded"] is True


def test_the_plugin_s_base_url_option_points_the_suite_at_a_tenant(tmp_path: Path) -> None:
    with running_tenant(TenantOptions(rate_limit=float(_FAST))) as tenant:
        environ = tenant.environ(DIALER_RATE_LIMIT=_FAST)
        url = environ.pop("DIALER_BASE_URL")
        completed = _contract(tmp_path, "--base-url", url, "-k", _ONE_TEST, environ=environ)
        stats = tenant.stats()
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
    summary = _summary(tmp_path)
    assert (summary["embedded"], summary["passed"], summary["left"]) == (False, 1, 0), summary
    assert stats["received"] >= summary["calls"] > 0, stats


def test_without_the_plugin_the_suite_s_own_base_url_option_is_there(tmp_path: Path) -> None:
    completed = _contract(tmp_path, "-p", "no:base_url", "--base-url", "http://127.0.0.1:1/apps/api/v1",
                          "--collect-only")
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-2000:]
    assert "dialer-suite: target 127.0.0.1:1" in completed.stdout, completed.stdout[:2000]
