"""The lean vendor (every id's leanest reading at once) and the other alternatives, end to end.

Two promises hold for every alternative: the vendor's documented examples
still get the documented answers (ground truth, whatever we assumed), and no
request, however malformed, gets a 5xx (nor crashes the import worker).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig

from dialer_suite.api.spec import iter_operations, load_spec, operation, spec_path
from dialer_suite.simulator import SimulatorConfig, SimulatorHandle, assumptions, running_simulator

_CASES_PER_MODE = 60


def _documented(operation_id: str, status: str = "200") -> Any:
    """The vendor's example of ``operation_id``: its request body, or (``status``) its answer."""
    op = operation(operation_id)
    if status == "request":
        return op.definition["requestBody"]["content"]["application/json"]["examples"]["documented"]["value"]
    example = op.definition["responses"][status]["content"]["application/json"]["examples"]["documented"]
    if "$ref" in example:
        return load_spec()["components"]["examples"][example["$ref"].rsplit("/", 1)[-1]]["value"]
    return example["value"]


def test_the_lean_vendor_answers_every_documented_example_with_its_documented_shape(
    make_api: Any,
) -> None:
    api = make_api(vendor_profile="lean")
    added = api.add(_documented("addContact", "request"))
    assert added.status_code == 200 and added.json() == _documented("addContact")
    listed = api.list().json()
    assert [{k: v for k, v in item.items() if k != "id"} for item in listed] == _documented("listContacts")
    contact_id = listed[0]["id"]
    record = list(_documented("updateContact"))
    update = {**_documented("updateContact", "request"), "contact_id": contact_id}
    assert list(api.update(update).json()) == record

    accepted = api.import_file([{**_documented("addContact", "request"), "phone_number": "+12015550130"}])
    assert (accepted.status_code, accepted.content) == (202, b"")
    job = api.client.get(accepted.headers["location"], auth=api.auth).json()
    assert set(job) == {"id", "status", "type"} and job["status"] in ("in_progress", "completed"), job

    assert list(api.delete({"contact_id": contact_id}).json()) == record
    response = api.client.get(f"{api.prefix}/1/contacts")
    assert response.status_code == 401 and "www-authenticate" not in response.headers


def _second_alternatives() -> dict[str, str]:
    """For every id an alternative the lean vendor does not play (or lean's, where there is none)."""
    chosen = {}
    for assumption_id, item in assumptions.catalog().items():
        others = [name for name in item.choices if name not in (item.default, item.lean)]
        chosen[assumption_id] = others[0] if others else item.lean
    return chosen


@pytest.fixture(scope="module", params=["lean", "second"])
def vendor(request: pytest.FixtureRequest) -> Iterator[SimulatorHandle]:
    # Small limits, so that the fuzzer meets them and the alternatives that replace the 413.
    config = SimulatorConfig(rate_limit=None, min_job_seconds=0.0, max_body_bytes=4096,
                             max_import_bytes=8192, max_import_contacts=20)
    if request.param == "lean":
        config = dataclasses.replace(config, vendor_profile="lean")
    else:
        config = dataclasses.replace(config, assume=_second_alternatives())
    with running_simulator(config) as handle:
        yield handle
        # The import worker and the dialer log what would have been a crash.
        log = handle.log_path.read_text(errors="replace")
        assert "Traceback" not in log, log[-3000:]


@pytest.mark.slow
@pytest.mark.property
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
@pytest.mark.parametrize("operation_id", [op.operation_id for op in iter_operations()])
def test_no_alternative_answers_a_server_error(vendor: SimulatorHandle, operation_id: str,
                                               mode: GenerationMode) -> None:
    config = SchemathesisConfig.from_dict({
        "base-url": vendor.base_url,
        "auth": {"basic": {"username": vendor.username, "password": vendor.token}},
        "generation": {"with-security-parameters": False},
        "parameters": {"campaign_id": 1},
    })
    strategy = schemathesis.openapi.from_path(spec_path(), config=config).find_operation_by_id(
        operation_id).as_strategy(generation_mode=mode)

    reached = 0

    @given(case=strategy)
    @settings(max_examples=_CASES_PER_MODE, deadline=None, database=None, derandomize=True,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    def check(case: Any) -> None:
        nonlocal reached
        # The config's `parameters` do not reach cases made by as_strategy: pin the tenant's
        # campaign here, or nearly every case would stop at 404 before any handler.
        case.path_parameters = {**(case.path_parameters or {}), "campaign_id": 1}
        response = case.call_and_validate(checks=[not_a_server_error])
        reached += "campaign_not_found" not in response.text

    check()
    assert reached >= _CASES_PER_MODE // 2, f"only {reached} cases reached the campaign"
