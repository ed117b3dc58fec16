"""One request and its response, as the suite remembers it: redacted, and replayable with curl.

Every message that shows a request — a failed check, the summary, the JUnit
report — goes through ``Exchange``, so credentials are removed in one place:
the ``Authorization`` header is dropped and any occurrence of a secret in a
URL, header or body is replaced. The curl command reads the credentials from
``$DIALER_USERNAME`` / ``$DIALER_API_TOKEN`` instead.
"""

from __future__ import annotations

import base64
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from dialer_suite.config.settings import Settings

REDACTED = "[REDACTED]"
CURL_CREDENTIALS = f"${Settings.declared('username').env}:${Settings.declared('api_token').env}"
# Large import files are kept whole for curl up to this size, then cut (the message says so).
MAX_KEPT_BODY = 64 * 1024
_SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})


def secrets_for(username: str, token: str) -> tuple[str, ...]:
    """The strings that must never be shown: the token and the Basic header value made from it."""
    header = basic_authorization(username, token)
    return tuple(s for s in (token, header.removeprefix("Basic "), header) if s)


def basic_authorization(username: str, password: str) -> str:
    """The ``Authorization`` header value of HTTP Basic."""
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def redact_headers(headers: Mapping[str, str], secrets: Iterable[str]) -> dict[str, str]:
    kept = tuple(secrets)
    return {
        name: REDACTED if name.lower() in _SENSITIVE_HEADERS else redact(value, kept)
        for name, value in headers.items()
    }


@dataclass(frozen=True)
class Upload:
    """A multipart file part, kept apart so curl can rebuild it with ``-F``."""

    field: str
    filename: str
    content_type: str
    content: bytes


@dataclass
class Exchange:
    """A sent request and what came back (already redacted)."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: bytes = b""
    upload: Upload | None = None
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: bytes = b""
    elapsed: float = 0.0
    # What curl sends as ``-u``: the environment's credentials, made-up ones, or nothing.
    curl_auth: str | None = CURL_CREDENTIALS
    error: str | None = None

    def curl(self) -> str:
        """A shell command that sends the same request (credentials from the environment)."""
        parts = ["curl", "-sS", "-i", "-X", self.method]
        if self.curl_auth == CURL_CREDENTIALS:
            parts += ["-u", f'"{CURL_CREDENTIALS}"']
        elif self.curl_auth is not None:
            parts += ["-u", shlex.quote(self.curl_auth)]
        skipped = {"content-length", "host", "user-agent", "accept-encoding", "connection"}
        if self.upload is not None:
            skipped.add("content-type")
        for name, value in self.request_headers.items():
            if name.lower() in skipped or value == REDACTED:
                continue
            parts += ["-H", shlex.quote(f"{name}: {value}")]
        heredoc = ""
        if self.upload is not None:
            spec = f"{self.upload.field}=@-;filename={self.upload.filename};type={self.upload.content_type}"
            parts += ["-F", shlex.quote(spec)]
            heredoc = f" <<'DIALER_EOF'\n{_text(self.upload.content)}\nDIALER_EOF"
        elif self.request_body:
            parts += ["--data-binary", shlex.quote(_text(self.request_body))]
        parts.append(shlex.quote(self.url))
        return " ".join(parts) + heredoc

    def describe(self, limit: int = 2000) -> str:
        """Request (as curl) and response, for failure messages."""
        lines = [f"request: {self.curl()}"]
        if self.error:
            lines.append(f"response: none ({self.error})")
            return "\n".join(lines)
        lines.append(f"response: {self.status} after {self.elapsed * 1000:.0f} ms")
        for name, value in self.response_headers.items():
            lines.append(f"  {name}: {value}")
        body = _text(self.response_body)
        lines.append("  " + (body if len(body) <= limit else body[:limit] + f"... ({len(body)} bytes)"))
        return "\n".join(lines)


def _text(content: bytes) -> str:
    text = content.decode("utf-8", "replace")
    if len(content) > MAX_KEPT_BODY:
        return text[:MAX_KEPT_BODY] + f"... (cut: {len(content)} bytes in all)"
    return text


def redact_body(content: bytes, secrets: Iterable[str]) -> bytes:
    """A body as stored in an exchange: any secret in it replaced."""
    kept = tuple(secrets)
    if not any(secret.encode() in content for secret in kept if secret):
        return content
    return redact(content.decode("utf-8", "replace"), kept).encode()
