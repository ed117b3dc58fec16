"""The requests session schemathesis sends through: paced, recorded, credentials redacted.

Schemathesis talks ``requests``; the scenario client talks ``httpx``. Both
send through ``send_paced`` with the same throttle and keep every exchange
through a ``Recorder`` that feeds the same run report, so the rate limit and
the "operations × status codes" table cover everything the run sent,
including requests that built-in checks send on their own (they reuse the
session passed to ``call_and_validate``).
"""

from __future__ import annotations

import time
from typing import Any

import requests

from dialer_suite.api.validation import ResponseValidator
from dialer_suite.contract.report import RunReport
from dialer_suite.http.exchange import CURL_CREDENTIALS, Exchange, Upload, basic_authorization, secrets_for
from dialer_suite.http.pages import ListPaging
from dialer_suite.http.recording import Answer, Recorder
from dialer_suite.http.send import send_paced
from dialer_suite.http.throttle import Throttle

IMPORT_FILENAME = "contacts.json"


class PacedSession(requests.Session):
    """A ``requests.Session`` that waits its turn, retries 429s (bounded) and records everything."""

    def __init__(
        self,
        base_url: str,
        username: str,
        api_token: str,
        *,
        throttle: Throttle,
        report: RunReport | None,
        validator: ResponseValidator,
        timeout: float,
        paging: ListPaging | None = None,
    ) -> None:
        super().__init__()
        # No session.auth: schemathesis adds the credentials per request, and must be
        # able to leave them out (the ignored_auth check), which session.auth would undo.
        self._authorization = basic_authorization(username, api_token)
        self.base_url = base_url
        self._throttle = throttle
        self._recorder = Recorder(base_url, secrets_for(username, api_token), validator, report)
        self._timeout = timeout
        self.exchanges: list[Exchange] = []
        # How the target pages its list, for the read-back checks (the scenario client's, when
        # given: it is learnt once per target).
        self.paging = paging or ListPaging()

    def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs["files"] = _named_file_parts(kwargs.get("files"))
        kwargs.setdefault("timeout", self._timeout)
        send_once = super().request

        def attempt() -> requests.Response:
            started = time.monotonic()
            response = send_once(method, url, *args, **kwargs)
            self._record(response, time.monotonic() - started, kwargs.get("files"))
            return response

        return send_paced(
            attempt, throttle=self._throttle, status=lambda r: r.status_code,
            retry_after=lambda r: r.headers.get("Retry-After"),
        )

    def _record(self, response: requests.Response, elapsed: float, files: Any) -> None:
        request = response.request
        headers = {name: str(value) for name, value in request.headers.items()}
        upload = _upload_of(files)
        body = request.body if isinstance(request.body, bytes) else str(request.body or "").encode()
        sent_auth = headers.get("Authorization")
        exchange = self._recorder.request(
            str(request.method), str(request.url), headers, b"" if upload else body, upload=upload,
            curl_auth=CURL_CREDENTIALS if sent_auth == self._authorization else None,
            # Credentials a check made up to be refused are no secret, and replaying them matters.
            made_up_authorization=sent_auth if sent_auth != self._authorization else None,
        )
        self.exchanges.append(exchange)
        self._recorder.answered(exchange, Answer(
            str(request.url), response.status_code, response.headers, response.content, elapsed
        ))

    def observe(self, assumption_id: str, held: bool, detail: str) -> None:
        """What the target did about an assumption, for the run report (as the client's)."""
        if self._recorder.observer is not None:
            self._recorder.observer.observe(assumption_id, held, detail)

    def last_exchange_for(self, case_id: str) -> Exchange | None:
        """The last exchange sent for a schemathesis case (its id travels in a header)."""
        for exchange in reversed(self.exchanges):
            if exchange.request_headers.get("X-Schemathesis-TestCaseId") == case_id:
                return exchange
        return None


def _named_file_parts(files: Any) -> Any:
    """Give the import's ``file`` part a filename.

    Schemathesis sends a JSON-typed multipart property as a plain form field
    (no filename); the vendor reads ``file`` as an uploaded file, which in
    multipart means a part with a filename. Without it every import would be
    refused and the property tests would never reach the job.
    """
    if not isinstance(files, list):
        return files
    named = []
    for name, part in files:
        if name == "file" and isinstance(part, tuple) and part and part[0] is None:
            part = (IMPORT_FILENAME, *part[1:])
        named.append((name, part))
    return named


def _upload_of(files: Any) -> Upload | None:
    if not isinstance(files, list):
        return None
    for name, part in files:
        if name == "file" and isinstance(part, tuple) and len(part) >= 2:
            content = part[1] if isinstance(part[1], bytes) else str(part[1]).encode()
            content_type = part[2] if len(part) > 2 else "application/octet-stream"
            return Upload("file", str(part[0]), content_type, content)
    return None
