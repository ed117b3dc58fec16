"""Hostile and broken requests never get a 5xx: a 4xx JSON error with a message, or an in-band refusal."""

from __future__ import annotations

from typing import Any

import pytest

_JSON = {"content-type": "application/json"}
_CASES: list[tuple[str, str, dict[str, str], bytes]] = [
    ("POST", "/1/contacts", _JSON, b'{"phone_number": "\\ud800", "name": "\\udfff"}'),
    ("POST", "/1/contacts", _JSON, b'{"phone_number": "+12015550100", "name": "\xff\xfe"}'),
    ("POST", "/1/contacts", _JSON, b"[" * 100_000 + b"]" * 100_000),
    ("POST", "/1/contacts", _JSON, b'{"phone_number": ' + b"9" * 5000 + b"}"),
    ("POST", "/1/contacts", _JSON, b'{"phone_number": "' + b"1" * 100_000 + b'"}'),
    ("POST", "/1/contacts", _JSON, b'{"phone_number": "+1\\u0000201"}'),
    ("POST", "/1/contacts", {"content-type": "application/json; charset=klingon"}, b"{}"),
    ("POST", "/1/contacts", {"content-type": ""}, b"{}"),
    ("PATCH", "/1/contact", _JSON, b'{"contact_id": 1e400}'),
    ("PATCH", "/1/contact", _JSON, b'{"contact_id": -99999999999999999999999}'),
    ("PATCH", "/1/contact", _JSON, b'{"contact_id": 1.5}'),
    ("DELETE", "/1/contact", _JSON, b'{"contact_id": null, "phone_number": null}'),
    ("DELETE", "/1/contact", _JSON, b'{"phone_number": "\xe2\x98\x8e\xef\xb8\x8f"}'),
    ("POST", "/1/contacts/import", {"content-type": "multipart/form-data"}, b"--x\r\n"),
    ("POST", "/1/contacts/import", {"content-type": "multipart/form-data; boundary=x"}, b"garbage"),
    ("POST", "/1/contacts/import", {"content-type": "multipart/form-data; boundary=x; charset=nope"},
     b'--x\r\nContent-Disposition: form-data; name="file"\r\n\r\n[{"phone_number": 5}]\r\n--x--\r\n'),
    ("GET", "/99999999999999999999999999/contacts", {}, b""),
    ("GET", "/1/contacts/jobs/%F0%9F%98%80", {}, b""),
    ("GET", "/1/contacts?page=%00&per=%FF", {}, b""),
    ("GET", "/-1/contacts", {}, b""),
]


@pytest.mark.parametrize(("method", "path", "headers", "body"), _CASES)
def test_broken_request_never_gets_a_server_error(
    api: Any, method: str, path: str, headers: dict[str, str], body: bytes
) -> None:
    response = api.client.request(method, api.prefix + path, content=body, headers=headers, auth=api.auth)
    assert response.status_code < 500, api.describe(response)
    answer = response.json()
    assert response.status_code < 400 or answer.get("message"), api.describe(response)
