"""The fault catalog: complete enough for issue 6, and every fault really breaks what it says.

Each fault has a witness: a short interaction that shows the regression. The
witness must see it with the fault on and must not see it on the clean
simulator, so no fault is a no-op and no witness is trivially true.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from dialer_suite.api.spec import iter_operations
from dialer_suite.errors import UsageError
from dialer_suite.simulator import catalog, faults
from dialer_suite.simulator.urls import VENDOR_OPERATIONS

A, B, C = "+12015550170", "+12015550171", "+12015550172"
Witness = Callable[[Any], bool]


def _first_record(api: Any) -> dict[str, Any]:
    api.added_id(A)
    listed = api.list().json()
    return dict(listed[0])


def _finished(api: Any, contacts: list[dict[str, str]]) -> dict[str, Any]:
    return api.finished_job(api.import_file(contacts).json()["id"], timeout=1.0)


def _list_truncated(api: Any) -> bool:
    for index in range(51):
        api.added_id(f"+1201555{index:04d}")
    return len(api.list().json()) != 51


def _update_previous(api: Any) -> bool:
    first, second = api.added_id(A, name="first"), api.added_id(B, name="second")
    api.update({"contact_id": second, "name": "changed"})
    return {item["id"]: item["name"] for item in api.list().json()}[first] == "changed"


def _update_lost(api: Any) -> bool:
    contact_id = api.added_id(A, name="before")
    api.update({"contact_id": contact_id, "name": "after"})
    return api.list().json()[0]["name"] == "before"


def _delete_keeps(api: Any) -> bool:
    api.delete({"contact_id": api.added_id(A)})
    return len(api.list().json()) == 1


def _delete_oldest(api: Any) -> bool:
    first = api.added_id(A, external_unique_id="a")
    api.added_id(B, external_unique_id="b")
    return bool(api.delete({"external_unique_id": "b"}).json()["id"] == first)


def _delete_phone_text(api: Any) -> bool:
    api.added_id(A)
    return bool(api.delete({"phone_number": "+1 201-555-0170"}).status_code == 404)


def _add_not_stored(api: Any) -> bool:
    api.added_id(A)
    return api.list().json() == []


def _duplicate_accepted(api: Any) -> bool:
    api.added_id(A)
    return bool(api.add({"phone_number": A}).json()["valid_contacts"])


def _duplicate_as_sent(api: Any) -> bool:
    api.added_id(A)
    return bool(api.add({"phone_number": "+1 201-555-0170"}).json()["valid_contacts"])


def _invalid_phone(api: Any) -> bool:
    return bool(api.add({"phone_number": "call me"}).json()["valid_contacts"])


def _cross_campaign_contact(api: Any) -> bool:
    return bool(api.update({"contact_id": api.added_id(A), "name": "x"}, campaign=2).status_code == 200)


def _cross_campaign_job(api: Any) -> bool:
    job_id = api.import_file([{"phone_number": A}]).json()["id"]
    return bool(api.job(job_id, campaign=2).status_code == 200)


def _drops_last(api: Any) -> bool:
    job = _finished(api, [{"phone_number": A}, {"phone_number": B}])
    return job["status"] == "completed" and len(api.list().json()) == 1


def _not_atomic(api: Any) -> bool:
    api.added_id(C)
    job = _finished(api, [{"phone_number": A}, {"phone_number": C}])
    return job["status"] == "failed" and len(api.list().json()) == 2


def _non_ascii(api: Any) -> bool:
    return bool(api.add({"phone_number": A, "name": "José"}).status_code == 500)


def _int32(api: Any) -> bool:
    return bool(api.update({"contact_id": 2**31, "name": "x"}).status_code == 500)


def _never_finishes(api: Any) -> bool:
    return _finished(api, [{"phone_number": A}])["status"] == "in_progress"


def _add_201(api: Any) -> bool:
    return bool(api.add({"phone_number": A}).status_code == 201)


def _camel_case(api: Any) -> bool:
    return "valid_contacts" not in api.add({"phone_number": A}).json()


def _invalid_null(api: Any) -> bool:
    return api.add({"phone_number": A}).json().get("invalid_contacts", []) is None


def _no_updated_at(api: Any) -> bool:
    return "updated_at" not in _first_record(api)


def _id_string(api: Any) -> bool:
    return isinstance(_first_record(api)["id"], str)


def _campaign_null(api: Any) -> bool:
    return _first_record(api)["campaign_id"] is None


def _timestamps(api: Any) -> bool:
    return not str(_first_record(api)["created_at"]).endswith("Z")


def _status_lower(api: Any) -> bool:
    return _first_record(api)["status"] == "upcoming"


def _wrapped(api: Any) -> bool:
    return isinstance(api.list().json(), dict)


def _html(api: Any) -> bool:
    return bool(api.list().headers["content-type"].startswith("text/html"))


def _job_status_case(api: Any) -> bool:
    return _finished(api, [{"phone_number": A}])["status"] == "Completed"


def _import_200(api: Any) -> bool:
    return bool(api.import_file([{"phone_number": A}]).status_code == 200)


def _no_details(api: Any) -> bool:
    return "error_details" not in _finished(api, [{"phone_number": A}, {"phone_number": A}])


def _child_job_id(api: Any) -> bool:
    location = api.import_file([{"phone_number": A}]).headers["location"]
    return bool(api.client.get(location, auth=api.auth).status_code == 404)


def _list_without_auth(api: Any) -> bool:
    return bool(api.client.get(f"{api.prefix}/1/contacts").status_code == 200)


def _statuses(api: Any, count: int) -> list[Any]:
    return [api.list() for _ in range(count)]


def _no_retry_after(api: Any) -> bool:
    return any(r.status_code == 429 and "retry-after" not in r.headers for r in _statuses(api, 4))


def _not_limited(api: Any) -> bool:
    return all(r.status_code == 200 for r in _statuses(api, 4))


def _slow(api: Any) -> bool:
    started = time.monotonic()
    api.list()
    return time.monotonic() - started >= 0.3


def _slow_tail(api: Any) -> bool:
    durations = []
    for index in range(10):
        started = time.monotonic()
        api.add({"phone_number": f"+1201555{index:04d}"})
        durations.append(time.monotonic() - started)
    return max(durations) >= 1.5


WITNESSES: dict[str, Witness] = {
    "list-truncated-at-50": _list_truncated,
    "update-writes-previous-contact": _update_previous,
    "update-not-persisted": _update_lost,
    "delete-answers-but-keeps": _delete_keeps,
    "delete-by-external-id-removes-oldest": _delete_oldest,
    "delete-by-phone-exact-text-only": _delete_phone_text,
    "add-echoes-but-does-not-store": _add_not_stored,
    "duplicate-phone-accepted": _duplicate_accepted,
    "duplicates-compared-as-sent": _duplicate_as_sent,
    "invalid-phone-accepted": _invalid_phone,
    "contacts-reachable-across-campaigns": _cross_campaign_contact,
    "jobs-visible-across-campaigns": _cross_campaign_job,
    "import-drops-last-contact": _drops_last,
    "import-duplicate-not-atomic": _not_atomic,
    "non-ascii-name-crashes": _non_ascii,
    "contact-id-int32-overflow": _int32,
    "job-never-finishes": _never_finishes,
    "add-answers-201": _add_201,
    "add-result-camel-case": _camel_case,
    "add-invalid-contacts-null": _invalid_null,
    "record-missing-updated-at": _no_updated_at,
    "record-id-as-string": _id_string,
    "record-campaign-id-null": _campaign_null,
    "timestamps-not-iso8601": _timestamps,
    "contact-status-lowercase": _status_lower,
    "list-wrapped-in-object": _wrapped,
    "list-content-type-html": _html,
    "job-status-capitalised": _job_status_case,
    "import-answers-200": _import_200,
    "failed-job-without-error-details": _no_details,
    "import-returns-child-job-id": _child_job_id,
    "list-skips-auth": _list_without_auth,
    "rate-limit-without-retry-after": _no_retry_after,
    "rate-limit-not-enforced": _not_limited,
    "slow-responses": _slow,
    "slow-add-tail": _slow_tail,
}
# Witnesses about the rate limit need one to exist.
_SETTINGS: dict[str, dict[str, Any]] = {
    "rate-limit-without-retry-after": {"rate_limit": 1.0},
    "rate-limit-not-enforced": {"rate_limit": 1.0},
}
# The dialer's faults have their witnesses in tests/dialer.
_OURS = {name for name, fault in catalog().items()
         if not fault.module.startswith("dialer_suite.simulator.dialer.")}


def test_every_fault_of_this_package_has_a_witness() -> None:
    assert set(WITNESSES) == _OURS


def test_catalog_covers_every_kind_and_every_operation() -> None:
    entries = catalog().values()
    assert len(_OURS) >= 25
    assert {fault.kind for fault in entries} == set(faults.KINDS)
    assert {op for fault in entries for op in fault.operations} == {
        op.operation_id for op in iter_operations()
    }


def test_each_route_names_the_spec_operation_it_serves() -> None:
    # The operationId a route passes to the wrapper decides which faults of the shared path apply.
    routed = {
        (method, path, operation_id)
        for path, methods in VENDOR_OPERATIONS.items()
        for method, (operation_id, _) in methods.items()
    }
    assert routed == {(op.method, op.path, op.operation_id) for op in iter_operations()}


def test_a_fault_of_the_shared_path_breaks_only_the_operations_it_declares(make_api: Any) -> None:
    api = make_api(faults=("list-skips-auth",))
    assert api.client.get(f"{api.prefix}/1/contacts").status_code == 200
    assert api.client.post(f"{api.prefix}/1/contacts", json={"phone_number": A}).status_code == 401


def test_unknown_fault_name_is_a_usage_error_listing_the_valid_ones() -> None:
    with pytest.raises(UsageError, match="list-truncated-at-50"):
        faults.validate(["no-such-fault"])


@pytest.mark.parametrize("name", sorted(WITNESSES))
def test_fault_is_visible_when_on(make_api: Any, name: str) -> None:
    api = make_api(faults=(name,), **_SETTINGS.get(name, {}))
    assert WITNESSES[name](api), f"fault {name} is on but its witness saw nothing"


@pytest.mark.parametrize("name", sorted(WITNESSES))
def test_fault_witness_sees_nothing_on_the_clean_simulator(make_api: Any, name: str) -> None:
    api = make_api(**_SETTINGS.get(name, {}))
    assert not WITNESSES[name](api), f"witness of {name} fires on the clean simulator"
