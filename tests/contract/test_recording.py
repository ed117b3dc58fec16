"""The one record path: what the scenario client and the schemathesis session keep of an exchange.

Both keep it through ``http.recording.Recorder``: no secret in what is kept,
every answer validated, the run report told; made-up credentials (a check's
request meant to be refused) are kept so that the curl replays them.
"""

from __future__ import annotations

import base64
import json

import requests
from requests.adapters import BaseAdapter

from dialer_suite.api.validation import ResponseValidator
from dialer_suite.contract.ledger import RunLedger
from dialer_suite.contract.report import RunReport
from dialer_suite.contract.session import PacedSession
from dialer_suite.http.availability import Availability
from dialer_suite.http.exchange import CURL_CREDENTIALS, REDACTED, basic_authorization, secrets_for
from dialer_suite.http.recording import Answer, Recorder
from dialer_suite.http.throttle import SpacedThrottle

from .conftest import BASE, TOKEN, USER, record

_LIST = f"{BASE}/outbound_dialer/campaigns/1/contacts"
_JSON = {"Content-Type": "application/json"}


def _recorder(report: RunReport) -> Recorder:
    return Recorder(BASE, secrets_for(USER, TOKEN), ResponseValidator(), report)


def test_what_is_kept_holds_no_secret_in_url_headers_or_bodies() -> None:
    recorder = _recorder(RunReport())
    exchange = recorder.request(
        "GET", f"{_LIST}?note={TOKEN}", {"Authorization": basic_authorization(USER, TOKEN), "X-Echo": TOKEN},
        json.dumps({"token": TOKEN}).encode(),
    )
    listed = json.dumps([{"phone_number": TOKEN}]).encode()
    recorder.answered(exchange, Answer(_LIST, 200, _JSON, listed, 0.1))
    basic = base64.b64encode(f"{USER}:{TOKEN}".encode()).decode()
    kept = repr(exchange) + exchange.describe()
    assert TOKEN not in kept and basic not in kept, kept
    assert exchange.request_headers["Authorization"] == REDACTED and exchange.curl_auth == CURL_CREDENTIALS


def test_every_answer_is_validated_and_handed_to_the_observer() -> None:
    report = RunReport()
    recorder = _recorder(report)
    exchange = recorder.request("GET", _LIST, {}, b"")
    wrapped = json.dumps({"contacts": []}).encode()
    findings = recorder.answered(exchange, Answer(_LIST, 200, _JSON, wrapped, 0.1))
    assert findings.operation_id == "listContacts" and findings.documented, findings
    assert report.calls == {("listContacts", 200): 1}


def test_made_up_credentials_are_kept_for_the_replay() -> None:
    recorder = _recorder(RunReport())
    made_up = basic_authorization("nobody", "wrong")
    exchange = recorder.request("GET", _LIST, {"Authorization": made_up}, b"", curl_auth=None,
                                made_up_authorization=made_up)
    assert exchange.request_headers["Authorization"] == made_up
    assert f"Authorization: {made_up}" in exchange.curl()


class _FakeVendor(BaseAdapter):
    """A requests transport that answers every request with one contact record, and keeps what it got."""

    def __init__(self) -> None:
        super().__init__()
        self.received: list[requests.PreparedRequest] = []

    def send(
        self, request: requests.PreparedRequest, stream: bool = False,
        timeout: float | tuple[float | None, float | None] | None = None, verify: bool | str = True,
        cert: str | tuple[str, str] | None = None, proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        self.received.append(request)
        response = requests.Response()
        response.status_code = 200
        response.headers.update(_JSON)
        response._content = json.dumps(record(7, loyalty_tier="gold")).encode()
        response.request = request
        response.url = request.url or ""
        return response

    def close(self) -> None:
        pass


def test_the_schemathesis_session_keeps_its_exchanges_the_same_way() -> None:
    report = RunReport(RunLedger("r1"))
    with PacedSession(BASE, USER, TOKEN, throttle=SpacedThrottle(1e6), report=report,
                      validator=ResponseValidator(), timeout=5, availability=Availability(0.0)) as session:
        vendor = _FakeVendor()
        session.mount("http://", vendor)
        own = basic_authorization(USER, TOKEN)
        session.patch(f"{BASE}/outbound_dialer/campaigns/1/contact", json={"contact_id": 7, "name": TOKEN},
                      headers={"Authorization": own})
        made_up = basic_authorization("nobody", "wrong")
        session.patch(f"{BASE}/outbound_dialer/campaigns/1/contact", json={"contact_id": 7},
                      headers={"Authorization": made_up})
    mine, theirs = session.exchanges
    assert vendor.received[0].headers["Authorization"] == own, "the session must send the credentials"
    assert (mine.request_headers["Authorization"], mine.curl_auth) == (REDACTED, CURL_CREDENTIALS)
    assert TOKEN not in mine.request_body.decode() and TOKEN not in mine.describe()
    assert (theirs.request_headers["Authorization"], theirs.curl_auth) == (made_up, None)
    assert report.calls == {("updateContact", 200): 2} and len(report.drift) == 1, report.calls
