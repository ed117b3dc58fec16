"""Schemathesis against a running simulator: the spec, every check, ≥1,000 cases per operation.

Runs ``st run`` (the CLI users run) in a subprocess, so nothing of schemathesis'
runtime leaks into this process, and counts the requests per operation from
its HAR report.

Three check settings follow the spec rather than schemathesis' defaults,
per operation (``schemathesis.toml`` below):

- addContact and importContacts refuse a contact that violates the schema
  *in band*: the spec documents a 200 with the contact in
  ``invalid_contacts`` (add) and a job that lists it (import), so 200/202 are
  correct answers to such negative data;
- updateContact answers 422 to a schema-valid body that breaks a rule the
  schema cannot express (an impossible phone number, a phone already on the
  campaign), which the spec documents under 422.

Every other check runs as schemathesis ships it. Credentials are not fuzzed
(``--generation-with-security-parameters false``): ``--auth`` would put them
back into a case that schemathesis believes has none, a false "accepted"
alarm; the 401 behaviour has its own tests in ``test_auth_and_limits.py``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from dialer_suite.simulator import SimulatorConfig, running_simulator
from dialer_suite.spec import iter_operations, spec_path

CASES_PER_OPERATION = 1000
# Per phase and mode. Together the phases pass CASES_PER_OPERATION; operations with few
# parameters yield fewer cases per example budget and get more (see _CONFIG).
_MAX_EXAMPLES = 350
_SEED = 20240805
_CONFIG = """
[parameters]
campaign_id = 1

[[operations]]
include-operation-id = "addContact"
checks.negative_data_rejection.expected-statuses = ["200", "400", "401", "404", "413", "415", "422", "429"]

[[operations]]
include-operation-id = "importContacts"
checks.negative_data_rejection.expected-statuses = ["202", "400", "401", "404", "413", "415", "422", "429"]

[[operations]]
include-operation-id = "updateContact"
checks.positive_data_acceptance.expected-statuses = ["200", "401", "404", "422", "429"]

[[operations]]
include-operation-id = "listContacts"
generation.max-examples = 1200

[[operations]]
include-operation-id = "getImportJob"
generation.max-examples = 800

[[operations]]
include-operation-id = "deleteContact"
generation.max-examples = 450
"""


def _operation_of(method: str, url: str) -> str | None:
    """The operationId a request of the HAR was for (None for schemathesis' probes of other paths)."""
    path = re.sub(r"^https?://[^/]+/apps/api/v1", "", url).split("?")[0]
    for operation in iter_operations():
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", operation.path)
        if operation.method == method and re.fullmatch(pattern, path):
            return operation.operation_id
    return None


@pytest.fixture(scope="module")
def schemathesis_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    workdir = tmp_path_factory.mktemp("schemathesis")
    (workdir / "schemathesis.toml").write_text(_CONFIG)
    har = workdir / "run.har"
    with running_simulator(SimulatorConfig(rate_limit=None, min_job_seconds=0.05)) as simulator:
        completed = subprocess.run(
            [
                str(Path(sys.executable).with_name("st")), "--config-file", str(workdir / "schemathesis.toml"),
                "run", str(spec_path()), "--url", simulator.base_url,
                "--auth", f"{simulator.username}:{simulator.token}",
                "--checks", "all", "--max-examples", str(_MAX_EXAMPLES), "--workers", "1",
                "--seed", str(_SEED), "--generation-with-security-parameters", "false", "--report", "har", "--report-har-path", str(har),
                "--no-color",
            ],
            cwd=workdir, capture_output=True, text=True, timeout=420, check=False,
        )
    entries = json.loads(har.read_text())["log"]["entries"] if har.exists() else []
    counts = Counter(_operation_of(e["request"]["method"], e["request"]["url"]) for e in entries)
    return {"completed": completed, "counts": counts}


@pytest.mark.slow
@pytest.mark.property
def test_schemathesis_with_every_check_finds_nothing(schemathesis_run: dict[str, Any]) -> None:
    completed = schemathesis_run["completed"]
    assert completed.returncode == 0, completed.stdout[-6000:] + completed.stderr[-2000:]


@pytest.mark.slow
@pytest.mark.property
@pytest.mark.parametrize("operation_id", [op.operation_id for op in iter_operations()])
def test_schemathesis_sent_enough_cases_for_each_operation(
    schemathesis_run: dict[str, Any], operation_id: str
) -> None:
    assert schemathesis_run["counts"][operation_id] >= CASES_PER_OPERATION, schemathesis_run["counts"]
