"""The scenario client: validation of every answer, redaction, curl, 429s, paging, id lookup."""

from __future__ import annotations

import base64
from collections.abc import Callable

import httpx
import pytest

from dialer_suite.contract.report import RunReport
from dialer_suite.http.client import ContractViolation, DialerClient

from .conftest import TOKEN, Handler, json_response, record

MakeClient = Callable[[Handler], DialerClient]


def test_an_undeclared_status_fails_naming_it_with_a_curl(make_client: MakeClient) -> None:
    client = make_client(lambda request: json_response(500, {"error": "boom"}))
    with pytest.raises(ContractViolation) as raised:
        client.list_contacts(1)
    message = str(raised.value)
    assert "status 500 is not declared" in message
    assert "curl" in message and '"$DIALER_USERNAME:$DIALER_API_TOKEN"' in message


def test_a_status_outside_the_enum_is_shown_verbatim(make_client: MakeClient) -> None:
    client = make_client(lambda request: json_response(200, record(7, status="Finished ")))
    with pytest.raises(ContractViolation, match=r"contact status 'Finished ' at /status"):
        client.update_contact(1, {"contact_id": 7})


def test_unknown_keys_are_drift_not_failures(make_client: MakeClient) -> None:
    client = make_client(lambda request: json_response(200, record(7, loyalty_tier="gold")))
    result = client.update_contact(1, {"contact_id": 7})
    assert [d.key for d in result.findings.drift] == ["loyalty_tier"]
    assert isinstance(client.report, RunReport) and len(client.report.drift) == 1


def test_credentials_are_never_stored_in_an_exchange(make_client: MakeClient) -> None:
    client = make_client(lambda request: json_response(200, [{"phone_number": TOKEN}]))
    result = client.list_contacts(1)
    basic = base64.b64encode(f"acme:{TOKEN}".encode()).decode()
    stored = result.exchange.describe() + repr(result.exchange)
    assert TOKEN not in stored and basic not in stored


def test_a_429_is_waited_out_and_retried(make_client: MakeClient) -> None:
    answers = iter([json_response(429, {}, **{"Retry-After": "0"}), json_response(200, [])])
    client = make_client(lambda request: next(answers))
    assert client.list_contacts(1).status == 200


def test_a_429_without_retry_after_is_an_assumed_shape_the_report_keeps(make_client: MakeClient) -> None:
    """The header is our assumption (rate-limit-429): noted for the run's last test, not raised."""
    client = make_client(lambda request: json_response(429, {}))
    assert client.list_contacts(1, retry_429=False).status == 429
    assert isinstance(client.report, RunReport)
    assert [(ids, message) for (ids, message) in client.report.assumed_shapes] == [
        (("rate-limit-429",), "listContacts 429: required header Retry-After is missing")
    ]


def test_a_response_that_breaks_a_documented_part_is_a_violation(make_client: MakeClient) -> None:
    client = make_client(lambda request: json_response(200, {"contacts": []}))
    with pytest.raises(ContractViolation, match="is not of type 'array'") as raised:
        client.list_contacts(1)
    assert raised.value.assumptions == ()


def test_import_is_sent_as_a_named_json_file_part(make_client: MakeClient) -> None:
    seen: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.read())
        return json_response(202, {"id": 5, "status": "in_progress", "type": "t"})

    client = make_client(handler)
    result = client.import_contacts(1, [{"phone_number": "+12015550100"}])
    assert b'name="file"; filename="contacts.json"' in seen[0]
    assert b'[{"phone_number": "+12015550100"}]' in seen[0]
    assert "-F 'file=@-;filename=contacts.json;type=application/json'" in result.exchange.curl()


def _paged(contacts: list[dict[str, object]], cap: int, total: int | None) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", 1))
        per = min(int(request.url.params.get("per", 100)), cap)
        headers = {"X-Total-Count": str(total)} if total is not None else {}
        return json_response(200, contacts[(page - 1) * per: page * per], **headers)

    return handler


def test_list_all_reads_every_page_even_when_pages_are_capped(make_client: MakeClient) -> None:
    contacts = [{"id": i, "phone_number": f"+1201555{i:04d}"} for i in range(250)]
    client = make_client(_paged(contacts, cap=40, total=None))
    assert [c["id"] for c in client.list_all(1)] == list(range(250))


def test_list_all_reads_a_target_that_ignores_paging(make_client: MakeClient) -> None:
    contacts = [{"id": i, "phone_number": f"+1201555{i:04d}"} for i in range(150)]
    client = make_client(lambda request: json_response(200, contacts))
    assert len(client.list_all(1)) == 150


def test_list_all_fails_when_pages_do_not_reach_the_total(make_client: MakeClient) -> None:
    contacts = [{"id": i, "phone_number": f"+1201555{i:04d}"} for i in range(50)]
    client = make_client(_paged(contacts, cap=100, total=120))
    with pytest.raises(ContractViolation, match="X-Total-Count says 120 contacts but the pages held 50"):
        client.list_all(1)


def test_list_all_follows_links_and_reports_how_the_target_pages(make_client: MakeClient) -> None:
    contacts = [{"id": i, "phone_number": f"+1201555{i:04d}"} for i in range(60)]

    def handler(request: httpx.Request) -> httpx.Response:
        per = int(request.url.params.get("per", 25))
        if per > 50:
            return json_response(422, {"message": "per must be at most 50"})
        page = int(request.url.params.get("page", 1))
        more = {"Link": f'<https://acme.example/apps/api/v1/outbound_dialer/campaigns/1/contacts'
                        f'?page={page + 1}&per={per}>; rel="next"'} if page * per < 60 else {}
        return json_response(200, contacts[(page - 1) * per: page * per], Total="60", **more)

    client = make_client(handler)
    assert [c["id"] for c in client.list_all(1)] == list(range(60))
    assert isinstance(client.report, RunReport)
    seen = set(client.report.observations["list-pagination"])
    assert {(False, "per=100 refused with 422"), (False, "the total in Total"),
            (True, "pages asked with page and per=50")} <= seen, seen
    assert "per=50" in client.paging.describe()


def test_a_list_that_cannot_be_read_whole_fails_under_list_pagination(make_client: MakeClient) -> None:
    client = make_client(lambda request: json_response(422, {}) if request.url.params
                         else json_response(200, [{"id": 1}], Total="5"))
    with pytest.raises(ContractViolation, match="holds 1 of the 5 contacts") as raised:
        client.list_all(1)
    assert raised.value.assumptions == ("list-pagination",)


def test_an_add_without_ids_falls_back_to_a_list_lookup(make_client: MakeClient) -> None:
    contact = {"phone_number": "+12015550123", "external_unique_id": "e9"}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return json_response(200, {"valid_contacts": [contact], "invalid_contacts": []})
        page = int(request.url.params.get("page", 1))
        return json_response(200, [{**contact, "id": 9, "phone_number": "+1 201-555-0123"}]
                             if page == 1 else [])

    client = make_client(handler)
    result = client.add_contact(1, contact)
    assert client.added_contact_id(1, result, contact) == 9
    assert isinstance(client.report, RunReport)
    assert client.report.observations["add-returns-id"] == [
        (False, "no id in valid_contacts; found by list")
    ]


def test_no_response_is_a_violation_with_the_request(make_client: MakeClient) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client = make_client(handler)
    with pytest.raises(ContractViolation, match="no response"):
        client.get_job(1, 4)
