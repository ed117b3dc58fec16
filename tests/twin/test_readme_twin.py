"""The README's twin examples run as written: the Python one, and the team's pytest test.

A baseline is recorded first where the examples expect it
(``baselines/staging.json``), against the simulator playing the ``lean``
reading with the quick selection, as a team records one against its tenant.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow]

_README = Path(__file__).resolve().parents[2] / "README.md"
_SECTION = "## The vendor's twin"
_TIMEOUT = 180


def _examples() -> list[str]:
    text = _README.read_text(encoding="utf-8")
    section = text[text.index(_SECTION):]
    section = section[:section.index("\n## ", 1)]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def _run(command: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("DIALER_")}
    return subprocess.run(command, cwd=cwd, env={**clean, **env}, capture_output=True, text=True,
                          timeout=_TIMEOUT)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A team's folder with a baseline recorded where the README's examples look for it."""
    folder = tmp_path_factory.mktemp("team")
    recorded = _run([sys.executable, "-m", "dialer_suite.cli", "contract", "-m", "quick", "-q",
                     "-p", "no:cacheprovider", "--report-dir", str(folder / "reports"),
                     "--record-baseline", "baselines/staging.json"], folder,
                    DIALER_SIM_VENDOR_PROFILE="lean")
    assert (folder / "baselines" / "staging.json").exists(), recorded.stdout[-3000:]
    return folder


def test_the_readme_has_the_python_and_the_pytest_example() -> None:
    assert len(_examples()) == 2


def test_the_python_example_runs_against_the_twin_of_the_baseline(project: Path) -> None:
    ran = _run([sys.executable, "-c", _examples()[0]], project)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    # The lean tenant echoes no id and names an import's job only in Location.
    added, accepted = ran.stdout.splitlines()[:2]
    assert added.startswith("200 ") and "'id'" not in added, ran.stdout
    assert re.match(r"202 http://127\.0\.0\.1:\d+/.*/contacts/jobs/\d+ $", accepted), ran.stdout


def test_the_pytest_example_passes_with_the_twin_option(project: Path) -> None:
    (project / "test_ours.py").write_text(_examples()[1], encoding="utf-8")
    ran = _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_ours.py",
                "--dialer-twin", "baselines/staging.json"], project)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-2000:]
