"""What every vendor operation goes through before its handler: auth, rate limit, delay, campaign.

``vendor_operation(operation_id, handler)`` wraps one of the six handlers;
``urls.py`` passes the spec's operationId with it. The faults of this shared
path (a cache that skips auth, a proxy that strips ``Retry-After``, a slow
dependency...) apply to the operations their catalog entry declares
(``Fault.operations``), asked of the app's switches with ``fault_for``: the
wrapper has no special case for any handler.
"""

from __future__ import annotations

import asyncio
import base64
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

from dialer_suite.simulator import faults, parsing
from dialer_suite.simulator.assumptions import register_assumption
from dialer_suite.simulator.config import SimulatorConfig
from dialer_suite.simulator.exceptions import Forbidden, RateLimited, SimulatorError, Unauthorized
from dialer_suite.simulator.import_jobs import ImportJobs
from dialer_suite.simulator.job_worker import JobWorker
from dialer_suite.simulator.models import Tenant
from dialer_suite.simulator.ratelimit import Limiter, retry_after_headers
from dialer_suite.simulator.switches import Switches
from dialer_suite.simulator.twin import shape
from dialer_suite.simulator.wire import error_response

_REALM = 'Basic realm="Outbound Dialer API", charset="UTF-8"'

AUTH_401 = register_assumption(
    "auth-401", "401-challenge",
    {
        "401-challenge": "missing or wrong credentials answer 401 with a WWW-Authenticate challenge",
        "401-bare": "401 without WWW-Authenticate (an API that never expects a browser)",
        "403": "missing or wrong credentials answer 403, no challenge",
        "403-wrong": "no credentials: 401 with the challenge; credentials that are wrong: 403",
    },
    lean="401-bare",
)

# -- faults of the path every operation takes (middleware, proxies) ----------
_fault = faults.register_fault
_ALL_OPERATIONS = ["addContact", "listContacts", "importContacts",
                   "getImportJob", "updateContact", "deleteContact"]
LIST_WITHOUT_AUTH = _fault(
    "list-skips-auth", "security", ["listContacts"],
    "the contact list is served without checking credentials (a cache in front of the API)",
)
NO_RETRY_AFTER = _fault(
    "rate-limit-without-retry-after", "security", _ALL_OPERATIONS,
    "429 answers lose their Retry-After header (a proxy strips it)",
)
NO_RATE_LIMIT = _fault(
    "rate-limit-not-enforced", "security", _ALL_OPERATIONS,
    "the documented 10 requests/s is not enforced (the limiter is misconfigured)",
)
SLOW_EVERYTHING = _fault(
    "slow-responses", "speed", _ALL_OPERATIONS,
    "every operation takes 300 ms longer (a slow dependency on the request path)", speed=True,
)
SLOW_ADD_TAIL = _fault(
    "slow-add-tail", "speed", ["addContact"],
    "one add in ten takes 1.5 s (lock contention): the median looks fine, the p95 does not", speed=True,
)
_SLOW_SECONDS = 0.3
_SLOW_TAIL_SECONDS = 1.5
_SLOW_TAIL_EVERY = 10


@dataclass
class Runtime:
    """What the handlers of one app share: settings, the faults and choices it plays, the tenant
    and its import jobs, the job worker, the rate limiter."""

    config: SimulatorConfig
    switches: Switches
    tenant: Tenant
    import_jobs: ImportJobs
    worker: JobWorker
    limiter: Limiter | None
    # Run by ``/_simulator/reset`` before the data goes, e.g. to stop the dialers, which
    # live outside this module (they import it).
    reset_hooks: list[Callable[[], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._slow_tail_requests = 0
        credentials = f"{self.config.username}:{self.config.token}".encode()
        self._expected_authorization = "Basic " + base64.b64encode(credentials).decode("ascii")

    def delay(self, operation_id: str) -> float:
        """Seconds to hold this response: the configured latency (all operations, then this
        one's), plus any speed fault."""
        seconds = (self.config.latency_ms + self.config.operation_latency_ms.get(operation_id, 0.0)) / 1000
        if self.switches.fault_for(SLOW_EVERYTHING, operation_id):
            seconds += _SLOW_SECONDS
        if self.switches.fault_for(SLOW_ADD_TAIL, operation_id):
            self._slow_tail_requests += 1
            if self._slow_tail_requests % _SLOW_TAIL_EVERY == 0:
                seconds += _SLOW_TAIL_SECONDS
        return seconds

    def authorized(self, header: str | None) -> bool:
        """Whether ``header`` carries the tenant's Basic credentials (constant-time compare)."""
        if header is None:
            return False
        if header == self._expected_authorization:
            return True
        scheme, _, value = header.strip().partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(value.strip(), validate=True)
        except ValueError:
            return False
        expected = base64.b64decode(self._expected_authorization[len("Basic "):])
        return hmac.compare_digest(decoded, expected)


Handler = Callable[[Request, Runtime, int], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


def vendor_operation(operation_id: str, handler: Handler) -> Endpoint:
    """``handler`` as the endpoint of operation ``operation_id``: auth, rate limit, delay and
    the campaign first, every refusal rendered as the vendor's error body, and every answer
    as a twin's tenant sends it (``twin.shape``; as built when the app is no twin)."""

    async def endpoint(request: Request) -> Response:
        runtime: Runtime = request.app.state.runtime
        return shape(runtime.config.twin, operation_id, await _answer(runtime, request))

    async def _answer(runtime: Runtime, request: Request) -> Response:
        try:
            _check_credentials(runtime, request, operation_id)
            _take_rate_limit(runtime, operation_id)
            delay = runtime.delay(operation_id)
            if delay:
                await asyncio.sleep(delay)
            campaign_id = parsing.parse_campaign_id(request.path_params["campaign_id"])
            runtime.tenant.require_campaign(campaign_id)
            return await handler(request, runtime, campaign_id)
        except SimulatorError as error:
            return error_response(runtime.switches, error)

    return endpoint


def _check_credentials(runtime: Runtime, request: Request, operation_id: str) -> None:
    if runtime.switches.fault_for(LIST_WITHOUT_AUTH, operation_id):
        return
    header = request.headers.get("authorization")
    if runtime.authorized(header):
        return
    advice = "send HTTP Basic credentials: the tenant name as username and an API token as password"
    played = runtime.switches.choice(AUTH_401)
    if played == "403" or (played == "403-wrong" and header is not None):
        raise Forbidden(advice)
    raise Unauthorized(advice, headers={"WWW-Authenticate": _REALM} if played != "401-bare" else {})


def _take_rate_limit(runtime: Runtime, operation_id: str) -> None:
    if runtime.limiter is None or runtime.switches.fault_for(NO_RATE_LIMIT, operation_id):
        return
    wait = runtime.limiter.take(runtime.config.username)
    if wait:
        raise RateLimited(
            f"more than {runtime.config.rate_limit:g} requests/s for this tenant; "
            f"retry after {wait} s",
            headers=({} if runtime.switches.fault_for(NO_RETRY_AFTER, operation_id)
                     else retry_after_headers(runtime.switches, wait)),
        )
