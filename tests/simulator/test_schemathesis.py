"""Schemathesis against a running simulator: the spec, every check, ≥1,000 cases per operation.

Two parts, both against one simulator process (rate limit off):

- fuzzing through schemathesis' Python API: for each operation, 500 positive
  and 500 negative cases (counted here, not assumed), every built-in check;
- ``st run`` (the CLI users run) for the phases only the CLI has: the spec's
  examples, the coverage phase and the stateful phase through the OpenAPI links.

Three check settings follow the spec rather than schemathesis' defaults,
per operation (``_CHECK_OVERRIDES``):

- addContact and importContacts refuse a contact that violates the schema
  *in band*: the spec documents a 200 with the contact in
  ``invalid_contacts`` (add) and a job that lists it (import), so 200/202 are
  correct answers to such negative data;
- updateContact answers 422 to a schema-valid body that breaks a rule the
  schema cannot express (an impossible phone number, a phone already on the
  campaign), which the spec documents under 422.

Credentials are not fuzzed: schemathesis' own ``ignored_auth`` check probes
them, and a case whose credentials were mutated gets them restored by the
configured auth (a false "accepted" alarm). The 401 behaviour has its own tests.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS
from schemathesis.config import SchemathesisConfig

from dialer_suite.api.spec import iter_operations, spec_path
from dialer_suite.simulator import SimulatorConfig, SimulatorHandle, running_simulator

CASES_PER_MODE = 500  # positive + negative = 1,000 per operation
_CHECK_OVERRIDES: list[dict[str, Any]] = [
    {
        "include-operation-id": "addContact",
        "checks": {"negative_data_rejection": {
            "expected-statuses": ["200", "400", "401", "404", "413", "415", "422", "429"]}},
    },
    {
        "include-operation-id": "importContacts",
        "checks": {"negative_data_rejection": {
            "expected-statuses": ["202", "400", "401", "404", "413", "415", "422", "429"]}},
    },
    {
        "include-operation-id": "updateContact",
        "checks": {"positive_data_acceptance": {"expected-statuses": ["200", "401", "404", "422", "429"]}},
    },
]
_CLI_CONFIG = """
[parameters]
campaign_id = 1
""" + "".join(
    f"""
[[operations]]
include-operation-id = "{item['include-operation-id']}"
checks.{name}.expected-statuses = {item['checks'][name]['expected-statuses']!r}
"""
    for item in _CHECK_OVERRIDES
    for name in item["checks"]
).replace("'", '"')


@pytest.fixture(scope="module")
def simulator() -> Iterator[SimulatorHandle]:
    with running_simulator(SimulatorConfig(rate_limit=None, min_job_seconds=0.05)) as handle:
        yield handle


@pytest.fixture(scope="module")
def schema(simulator: SimulatorHandle) -> Any:
    config = SchemathesisConfig.from_dict({
        "base-url": simulator.base_url,
        "auth": {"basic": {"username": simulator.username, "password": simulator.token}},
        "generation": {"with-security-parameters": False},
        # The tenant's campaign: random campaign ids would only ever meet 404.
        "parameters": {"campaign_id": 1},
        "operations": _CHECK_OVERRIDES,
    })
    return schemathesis.openapi.from_path(spec_path(), config=config)


@pytest.mark.slow
@pytest.mark.property
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
@pytest.mark.parametrize("operation_id", [op.operation_id for op in iter_operations()])
def test_generated_cases_pass_every_check(schema: Any, operation_id: str, mode: GenerationMode) -> None:
    operation = schema.find_operation_by_id(operation_id)
    # Schemathesis's own checks only (registered once a schema is loaded): the contract
    # suite's, registered in this process when its plugin loads, judge data that the
    # suite's data policy made unique, which this generated data is not.
    built_in = [check for check in CHECKS.get_all() if check.__module__.startswith("schemathesis.")]
    sent = reached = 0

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=CASES_PER_MODE, deadline=None, database=None, derandomize=True,
        phases=[Phase.generate], suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        nonlocal sent, reached
        sent += 1
        # The configured `parameters` do not reach cases drawn from `as_strategy`: pin the
        # tenant's campaign (when the id is not what makes a negative case negative), or
        # nearly every case would stop at 404 before any handler.
        if str((case.path_parameters or {}).get("campaign_id", "")).isdigit():
            case.path_parameters = {**case.path_parameters, "campaign_id": 1}
        response = case.call_and_validate(checks=built_in)
        reached += "campaign_not_found" not in response.text

    check()
    assert sent >= CASES_PER_MODE, f"only {sent} {mode.value} cases were generated for {operation_id}"
    # A negative case may be negative by its campaign id itself: fewer of them get past it.
    floor = CASES_PER_MODE // (4 if mode is GenerationMode.POSITIVE else 10)
    assert reached >= floor, (
        f"only {reached} of {sent} {mode.value} cases of {operation_id} reached a campaign"
    )


@pytest.mark.slow
@pytest.mark.property
@pytest.mark.stateful
def test_st_run_examples_coverage_and_stateful_phases_find_nothing(tmp_path: Path) -> None:
    # A simulator of its own: the configured campaign id also replaces a negative case's
    # mutated one, and a job that the fuzzing above created under it would then answer 200.
    with running_simulator(SimulatorConfig(rate_limit=None, min_job_seconds=0.05)) as simulator:
        completed = _st_run(simulator, tmp_path)
    assert completed.returncode == 0, completed.stdout[-6000:] + completed.stderr[-2000:]


def _st_run(simulator: SimulatorHandle, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    (tmp_path / "schemathesis.toml").write_text(_CLI_CONFIG)
    return subprocess.run(
        [
            str(Path(sys.executable).with_name("st")), "--config-file", str(tmp_path / "schemathesis.toml"),
            "run", str(spec_path()), "--url", simulator.base_url,
            "--auth", f"{simulator.username}:{simulator.token}",
            "--checks", "all", "--phases", "examples,coverage,stateful", "--max-examples", "100",
            "--workers", "1", "--seed", "20240805", "--generation-with-security-parameters", "false",
            "--no-color",
        ],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
    )
