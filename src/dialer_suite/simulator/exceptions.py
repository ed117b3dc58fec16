"""Domain and request errors, each with the HTTP status it maps to and a message a person can act on.

The domain model raises these without knowing HTTP; ``responses.py`` renders
them as ``{"error": code, "message": ...}`` with ``status``.
"""

from __future__ import annotations

from collections.abc import Mapping


class SimulatorError(Exception):
    """A request the simulator refuses. ``code`` is a stable machine-readable name."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = dict(headers or {})


class MalformedBody(SimulatorError):
    status = 400
    code = "malformed_body"


class Unauthorized(SimulatorError):
    status = 401
    code = "unauthorized"


class NotFound(SimulatorError):
    status = 404
    code = "not_found"


class CampaignNotFound(NotFound):
    code = "campaign_not_found"


class ContactNotFound(NotFound):
    code = "contact_not_found"


class JobNotFound(NotFound):
    code = "job_not_found"


class PayloadTooLarge(SimulatorError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(SimulatorError):
    status = 415
    code = "unsupported_media_type"


class Unprocessable(SimulatorError):
    status = 422
    code = "unprocessable"


class DuplicatePhone(Unprocessable):
    code = "duplicate_phone_number"


class RateLimited(SimulatorError):
    status = 429
    code = "rate_limited"
