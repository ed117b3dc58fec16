"""A team's own tests get the twin from pytest: ``--dialer-twin FILE`` and ``dialer_twin``.

Run as a team runs it: a plain pytest in a project of its own, with
dialer-suite installed (the plugin comes with it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.twin.baselines import baseline_data, held, write_baseline

pytestmark = [pytest.mark.slow]

_TEAM_TEST = '''
import httpx


def test_our_import_names_its_job_where_the_tenant_does(dialer_twin):
    api = f"{dialer_twin.base_url}/outbound_dialer/campaigns/11/contacts"
    files = {"file": ("c.json", b'[{"phone_number": "+12015550150"}]', "application/json")}
    accepted = httpx.post(api + "/import", files=files, auth=(dialer_twin.username, dialer_twin.token))
    assert accepted.status_code == 202 and accepted.content == b""
    assert "/contacts/jobs/" in accepted.headers["location"]
'''


def _pytest(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DIALER_")}
    env["DIALER_SIM_CAMPAIGNS"] = "11,12"
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "test_ours.py", *args]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=120)


def test_the_fixture_serves_the_twin_of_the_baseline_given(tmp_path: Path) -> None:
    write_baseline(tmp_path / "staging.json", baseline_data(
        assumptions={"job-id-location": held("held: job id found in Location header")}))
    (tmp_path / "test_ours.py").write_text(_TEAM_TEST, encoding="utf-8")
    ran = _pytest(tmp_path, "--dialer-twin", "staging.json")
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-2000:]


def test_the_fixture_without_a_baseline_fails_saying_how_to_give_one(tmp_path: Path) -> None:
    (tmp_path / "test_ours.py").write_text(_TEAM_TEST, encoding="utf-8")
    ran = _pytest(tmp_path)
    assert ran.returncode == 1 and "pytest --dialer-twin FILE" in ran.stdout, ran.stdout[-3000:]
