"""A failure is filed under what its own request and its own read-back relied on.

Schemathesis's checks of which status refuses what are ``error-codes``; one of
a request that sent a page size is ``list-pagination``'s too. A read-back that
finds an added contact missing is documented when it told the contact apart by
what the documented list shows, and an assumption when it needed an id or a
number to do so.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from schemathesis.core.failures import CustomFailure, Failure, FailureGroup
from schemathesis.openapi.checks import EnsureResourceAvailability, RejectedPositiveData

from dialer_suite.api import spec
from dialer_suite.contract.checks import CheckFailed, _check_added, _check_updated
from dialer_suite.contract.property import broken_assumptions, filed_by_request, request_assumptions

_SCHEMA = schemathesis.openapi.from_dict(spec.load_spec())


def _case(operation_id: str, **parts: Any) -> Any:
    return _SCHEMA.find_operation_by_id(operation_id).Case(path_parameters={"campaign_id": 1}, **parts)


def _rejected() -> RejectedPositiveData:
    return RejectedPositiveData(operation="GET …/contacts", message="Valid data should have been accepted",
                                status_code=422, allowed_statuses=["200"])


def _filed(case: Any, *failures: Failure) -> tuple[str, ...] | None:
    try:
        with filed_by_request(case):
            raise FailureGroup(list(failures))
    except FailureGroup as group:
        return broken_assumptions(group)


def test_a_page_size_the_target_refuses_is_filed_under_list_pagination() -> None:
    case = _case("listContacts", query={"page": 1, "per": 100})
    assert request_assumptions(case) == ("list-pagination",)
    assert _filed(case, _rejected()) == ("error-codes", "list-pagination")


def test_a_request_without_assumed_parameters_keeps_its_own_filing() -> None:
    case = _case("addContact", body={"phone_number": "+12015550100"})
    assert request_assumptions(case) == ()
    assert _filed(case, _rejected()) == ("error-codes",)


def test_a_documented_failure_stays_documented_whatever_the_request_relied_on() -> None:
    case = _case("listContacts", query={"per": 5})
    documented = CustomFailure(operation="x", title="t", message="m",
                               exception=CheckFailed("m", assumptions=()))
    assert _filed(case, documented, _rejected()) == ()


def test_a_job_its_link_cannot_read_is_filed_under_where_the_202_names_it() -> None:
    case = _case("importContacts")
    missing = EnsureResourceAvailability(operation="POST …/contacts/import", message="m",
                                         created_with="POST", not_available_with="GET")
    assert _filed(case, missing) == ("job-id-location",)


_ADDED = {"valid_contacts": [{"external_unique_id": "dsuite-r1-1", "phone_number": "+12015550100", "id": 7}],
          "invalid_contacts": []}
_SENT = {"external_unique_id": "dsuite-r1-1", "phone_number": "+12015550100", "name": "Ann"}


def test_an_added_contact_the_whole_list_lacks_is_documented() -> None:
    with pytest.raises(CheckFailed, match="shows it 0 time") as raised:
        _check_added([{"id": 8, "external_unique_id": "other", "phone_number": "+12015550199"}],
                     _ADDED, _SENT, ())
    assert raised.value.assumptions == ()


def test_an_added_contact_told_apart_only_by_its_id_is_filed_under_the_id_assumptions() -> None:
    echoed = {"valid_contacts": [{"id": 7}], "invalid_contacts": []}
    with pytest.raises(CheckFailed, match="shows it 0 time") as raised:
        _check_added([{"id": 8, "phone_number": "+12015550199"}], echoed, {}, ())
    assert raised.value.assumptions == ("add-returns-id", "record-input-fields")


def test_an_add_answering_another_id_than_the_list_shows_differs_from_add_returns_id() -> None:
    listed = [{**_SENT, "id": 9}]
    with pytest.raises(CheckFailed, match="answered id 7") as raised:
        _check_added(listed, _ADDED, _SENT, ())
    assert raised.value.assumptions == ("add-returns-id",)


@pytest.mark.parametrize(("fields", "filed"), [((), ()), (None, None)], ids=["valid-data", "invalid-data"])
def test_a_field_stored_other_than_sent_is_documented_for_valid_data_only(
    fields: tuple[str, ...] | None, filed: tuple[str, ...] | None
) -> None:
    listed = [{**_SENT, "id": 7, "name": "Ann B."}]
    with pytest.raises(CheckFailed, match=r"the list shows name='Ann B\.'") as raised:
        _check_added(listed, _ADDED, _SENT, fields)
    assert raised.value.assumptions == filed


def test_an_update_read_back_is_skipped_when_the_list_carries_no_ids() -> None:
    _check_updated([{"phone_number": "+12015550100"}], {"id": 7}, {"contact_id": 7, "name": "B"}, ())
