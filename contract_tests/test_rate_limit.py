"""Past the rate limit the target answers 429 with ``Retry-After`` (assumption ``rate-limit-429``).

Opt-in against non-loopback hosts (``--allow-rate-limit-tests``): the burst
spends the tenant's whole budget for a moment. The burst bypasses the suite's
pacer, runs on a few threads so that network latency cannot keep it under the
limit, is bounded in count, and the test then waits the ``Retry-After`` out
(bounded) on the shared pacer so the next tests are not throttled.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from dialer_suite.client import MAX_RETRY_AFTER, DialerClient, Result, retry_after_seconds
from dialer_suite.pacing import Pacer
from dialer_suite.report import RunReport
from dialer_suite.settings import VENDOR_RATE_LIMIT, Settings

pytestmark = [pytest.mark.scenario, pytest.mark.rate_limit, pytest.mark.assumption("rate-limit-429")]

_THREADS = 8
# Three times the limit's worth of requests, sent as fast as possible: a one-second
# token bucket (or window) is exhausted whatever the burst allowance.
_BURST_FACTOR = 3


def test_burst_past_the_rate_limit_is_answered_429_with_retry_after(
    target_limit: float, client: DialerClient, settings: Settings, report: RunReport
) -> None:
    burst = int(target_limit * _BURST_FACTOR)
    unpaced = DialerClient(
        client.base_url, settings.username, settings.api_token, rate_limit=1e9, report=report,
        validator=client.validator, pacer=Pacer(1e9), timeout=settings.request_timeout,
    )
    with unpaced, ThreadPoolExecutor(_THREADS) as pool:
        answers: list[Result] = list(pool.map(
            lambda _: unpaced.list_contacts(settings.campaign_id, retry_429=False), range(burst)
        ))
    throttled = [a for a in answers if a.status == 429]
    if throttled:
        wait = min(retry_after_seconds(throttled[-1].headers.get("retry-after")), MAX_RETRY_AFTER)
        client.pacer.pause_until(wait)
    assert throttled, (
        f"{burst} requests in a burst (limit {target_limit:g}/s) were all answered "
        f"{sorted({a.status for a in answers})}; expected some 429 (each 429 is validated "
        "against the spec, which requires Retry-After)"
    )


@pytest.fixture
def target_limit(settings: Settings) -> float:
    """The limit the target enforces: the embedded simulator's, or the vendor's documented one."""
    return settings.simulator_rate_limit if settings.embedded else VENDOR_RATE_LIMIT
