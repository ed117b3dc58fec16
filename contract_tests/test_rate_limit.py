"""Past the rate limit the target answers 429 with ``Retry-After`` (assumption ``rate-limit-429``).

Opt-in against non-loopback hosts (``--allow-rate-limit-tests``): the burst
spends the tenant's whole budget for a moment. The burst bypasses the suite's
throttle, runs on a few threads so that network latency cannot keep it under the
limit, is bounded in count, and the test then waits the ``Retry-After`` out
(bounded) on the shared throttle so the next tests are not throttled.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from dialer_suite.config.settings import Settings
from dialer_suite.contract.report import RunReport
from dialer_suite.http.client import DialerClient, Result
from dialer_suite.http.throttle import SpacedThrottle, retry_after_seconds

pytestmark = [pytest.mark.scenario, pytest.mark.rate_limit, pytest.mark.assumption("rate-limit-429")]

_THREADS = 8
# Waves of one second's worth of requests until a 429 comes, at most this many
# waves: a one-second token bucket (or window) runs dry within a few, however
# busy the machine, and a target without a limit ends the test in bounded time.
_MAX_WAVES = 10


def test_burst_past_the_rate_limit_is_answered_429_with_retry_after(
    rate_limited: tuple[str, float], client: DialerClient, settings: Settings, report: RunReport
) -> None:
    base_url, limit = rate_limited
    unpaced = DialerClient(
        base_url, settings.username, settings.api_token, rate_limit=1e9, report=report,
        validator=client.validator, throttle=SpacedThrottle(1e9), timeout=settings.request_timeout,
    )
    answers: list[Result] = []
    with unpaced, ThreadPoolExecutor(_THREADS) as pool:
        for _ in range(_MAX_WAVES):
            # The smallest page: the burst measures the limiter, not the list's size.
            answers += pool.map(lambda _: unpaced.list_contacts(
                settings.campaign_id, page=1, per=1, retry_429=False), range(int(limit)))
            if any(a.status == 429 for a in answers):
                break
    throttled = [a for a in answers if a.status == 429]
    if throttled and base_url == client.base_url:
        client.throttle.throttled(retry_after_seconds(throttled[-1].headers.get("retry-after")))
    assert throttled, (
        f"{len(answers)} requests in a burst (limit {limit:g}/s) were all answered "
        f"{sorted({a.status for a in answers})}; expected some 429 (each 429 is validated "
        "against the spec, which requires Retry-After)"
    )
