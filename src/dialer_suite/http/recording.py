"""The one way an exchange is kept: redacted, validated against the spec, handed to the observer.

The scenario client sends with httpx, the schemathesis session with requests.
Each turns what went over the wire into plain values and keeps it through its
``Recorder``, so that credentials are removed, every answer is validated and the
run report hears of it the same way whichever library sent the request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from dialer_suite.api.validation import Findings, ResponseValidator
from dialer_suite.http.exchange import (
    CURL_CREDENTIALS,
    Exchange,
    Upload,
    redact,
    redact_body,
    redact_headers,
)


class Observer(Protocol):
    """Who hears of every exchange, and of what the target did about an assumption
    (the contract suite's run report)."""

    def record(self, exchange: Exchange, findings: Findings | None) -> None: ...

    def observe(self, assumption_id: str, held: bool, detail: str) -> None: ...


@dataclass(frozen=True)
class Answer:
    """What came back for a request, as the sending library gave it (nothing redacted yet)."""

    url: str  # the URL as sent: validation finds the operation from its path
    status: int
    headers: Mapping[str, str]
    content: bytes
    elapsed: float


@dataclass
class Recorder:
    """Keeps the exchanges with one target; ``observer`` hears of each answered one."""

    base_url: str
    secrets: tuple[str, ...]  # what must never be kept (``exchange.secrets_for``)
    validator: ResponseValidator
    observer: Observer | None = None

    def redact(self, text: str) -> str:
        return redact(text, self.secrets)

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes,
        *,
        upload: Upload | None = None,
        curl_auth: str | None = CURL_CREDENTIALS,
        made_up_authorization: str | None = None,
    ) -> Exchange:
        """A request as kept, before its answer: no secret in its URL, headers or body.

        ``made_up_authorization``: an ``Authorization`` value a check invented to be
        refused; it is no secret, and replaying it is the point, so it is kept.
        """
        shown = redact_headers(headers, self.secrets)
        if made_up_authorization is not None:
            shown["Authorization"] = made_up_authorization
        return Exchange(
            method=method,
            url=self.redact(url),
            request_headers=shown,
            request_body=redact_body(body, self.secrets),
            upload=upload,
            curl_auth=curl_auth,
        )

    def unanswered(self, exchange: Exchange, error: Exception, elapsed: float) -> None:
        """No answer came (connection refused, timeout...): the exchange says why."""
        exchange.elapsed = elapsed
        exchange.error = self.redact(f"{type(error).__name__}: {error}")

    def answered(self, exchange: Exchange, answer: Answer) -> Findings:
        """Keep the answer (redacted), validate it against the spec and tell the observer."""
        exchange.elapsed = answer.elapsed
        exchange.status = answer.status
        exchange.response_headers = redact_headers(dict(answer.headers), self.secrets)
        exchange.response_body = redact_body(answer.content, self.secrets)
        findings = self.validator.validate(
            exchange.method, answer.url, answer.status, answer.headers, answer.content, self.base_url
        )
        if self.observer is not None:
            self.observer.record(exchange, findings)
        return findings
