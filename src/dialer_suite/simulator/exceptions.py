"""Domain and request errors, each with the HTTP status it maps to and a message a person can act on.

The domain model raises these without knowing HTTP; ``wire.error_response`` renders
them as ``{"error": code, "message": ...}`` with ``answered_status`` (the app's
``Switches`` decide it).

Which status a refusal gets is itself undocumented. Each refusal names the
``x-assumption`` that decides its status (``assumption``): the one the spec
attaches to the response that documents it. ``error-codes`` decides the
malformed/invalid family (400, 415, 422) here; a refusal documented under an
assumption of its own (413 ``import-limits``, 401 ``auth-401``, 429
``rate-limit-429``, a write during a call ``dialing-writes``, a file of the
wrong shape ``import-file-shape``) is given its status where it is raised,
so one alternative never changes what another id's test sees.
"""

from __future__ import annotations

from collections.abc import Mapping

from dialer_suite.simulator.assumptions import register_assumption
from dialer_suite.simulator.switches import Switches

ERROR_CODES = register_assumption(
    "error-codes", "rails",
    {
        "rails": "400 malformed JSON or form, 404 unknown, 415 wrong media type, 422 invalid "
                 "(413, 401, 429 follow their own ids)",
        "all-400": "every malformed or invalid request answers 400 (a framework that maps every "
                   "bad request to 400); not-found stays 404",
        "all-422": "every malformed or invalid request answers 422; not-found stays 404",
    },
    lean="all-400",
)
# The statuses error-codes reassigns, and what each choice answers them with.
_REASSIGNED = frozenset({400, 415, 422})
_UNIFORM = {"all-400": 400, "all-422": 422}


class SimulatorError(Exception):
    """A request the simulator refuses. ``code`` is a stable machine-readable name.

    ``status`` may be given per refusal, by the code that implements the
    assumption deciding it (``assumption``).
    """

    status = 400
    code = "bad_request"
    assumption = ERROR_CODES

    def __init__(
        self, message: str, *, headers: Mapping[str, str] | None = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.headers = dict(headers or {})
        if status is not None:
            self.status = status

    def answered_status(self, switches: Switches) -> int:
        """The status sent: ``status``, reassigned by the played ``error-codes`` if that id
        decides it."""
        uniform = _UNIFORM.get(switches.choice(ERROR_CODES))
        if uniform is None or self.assumption != ERROR_CODES or self.status not in _REASSIGNED:
            return self.status
        return uniform


class MalformedBody(SimulatorError):
    status = 400
    code = "malformed_body"


class Unauthorized(SimulatorError):
    status = 401
    code = "unauthorized"
    assumption = "auth-401"


class Forbidden(Unauthorized):
    """x-assumption ``auth-401`` played as 403: credentials refused as forbidden."""

    status = 403
    code = "forbidden"


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
    assumption = "import-limits"


class UnsupportedMediaType(SimulatorError):
    status = 415
    code = "unsupported_media_type"


class Unprocessable(SimulatorError):
    status = 422
    code = "unprocessable"


class BadImportFile(Unprocessable):
    """x-assumption ``import-file-shape``: JSON, but not a non-empty array of contact objects."""

    code = "bad_import_file"
    assumption = "import-file-shape"


class DuplicatePhone(Unprocessable):
    code = "duplicate_phone_number"


class ContactInCall(Unprocessable):
    """x-assumption ``dialing-writes``: a contact in a live call can be neither changed nor removed."""

    code = "contact_in_call"
    assumption = "dialing-writes"


class RateLimited(SimulatorError):
    status = 429
    code = "rate_limited"
    assumption = "rate-limit-429"
