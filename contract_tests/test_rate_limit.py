"""Past the rate limit the target answers 429 with ``Retry-After`` (assumption ``rate-limit-429``).

Opt-in against a tenant, any target given by a base URL (``--allow-rate-limit-tests``):
the burst spends the tenant's whole budget for a moment. The burst bypasses the suite's
throttle, runs on a few threads so that network latency cannot keep it under the
limit, cycles through every operation (with requests that change nothing) until
each has had a 429, is bounded in count, and the test then waits the
``Retry-After`` out (bounded) on the shared throttle so the next tests are not
throttled.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from dialer_suite.config.settings import Settings
from dialer_suite.contract.report import RunReport
from dialer_suite.http.client import DialerClient, Result
from dialer_suite.http.throttle import SpacedThrottle, retry_after_seconds

pytestmark = [pytest.mark.scenario, pytest.mark.rate_limit, pytest.mark.assumption("rate-limit-429")]

_THREADS = 8
# Waves of one second's worth of requests until every operation has had a 429,
# at most this many waves: a one-second token bucket (or window) runs dry within
# a few, however busy the machine, and a target without a limit ends the test in
# bounded time.
_MAX_WAVES = 10
# The job id of no tenant (the 32-bit edge): reading it changes nothing.
_NO_JOB = 2**31 - 1
Send = Callable[[DialerClient, int], Result]


def _burst_requests(writes: bool) -> dict[str, Send]:
    """One request per operation that changes nothing whatever the target answers.

    Writes carry a body that is not a contact (a JSON array): refused under any
    reading of the page, never stored. The list asks the smallest page: the burst
    measures the limiter, not the list's size.
    """
    requests: dict[str, Send] = {
        "listContacts": lambda c, campaign: c.list_contacts(campaign, page=1, per=1, retry_429=False),
        "getImportJob": lambda c, campaign: c.get_job(campaign, _NO_JOB, retry_429=False),
    }
    if writes:
        requests |= {
            "addContact": lambda c, campaign: c.add_contact(campaign, [], retry_429=False),
            "updateContact": lambda c, campaign: c.update_contact(campaign, [], retry_429=False),
            "deleteContact": lambda c, campaign: c.delete_contact(campaign, [], retry_429=False),
            "importContacts": lambda c, campaign: c.import_contacts(campaign, [], retry_429=False),
        }
    return requests


@pytest.mark.produces("*", 429)
def test_burst_past_the_rate_limit_is_answered_429_with_retry_after(
    rate_limited: tuple[str, float], client: DialerClient, settings: Settings, report: RunReport
) -> None:
    base_url, limit = rate_limited
    unpaced = DialerClient(
        base_url, settings.username, settings.api_token, rate_limit=1e9, report=report,
        validator=client.validator, throttle=SpacedThrottle(1e9), timeout=settings.request_timeout,
    )
    requests = _burst_requests(settings.writes_allowed)
    wave = [name for _, name in zip(range(max(int(limit), len(requests))), itertools.cycle(requests))]
    answers: list[tuple[str, Result]] = []
    with unpaced, ThreadPoolExecutor(_THREADS) as pool:
        for _ in range(_MAX_WAVES):
            results = pool.map(lambda name: requests[name](unpaced, settings.campaign_id), wave)
            answers += zip(wave, results, strict=True)
            if {name for name, answer in answers if answer.status == 429} == set(requests):
                break
    throttled = [answer for _, answer in answers if answer.status == 429]
    if throttled and base_url == client.base_url:
        client.throttle.throttled(retry_after_seconds(throttled[-1].headers.get("retry-after")))
    assert throttled, (
        f"{len(answers)} requests in a burst (limit {limit:g}/s) were all answered "
        f"{sorted({answer.status for _, answer in answers})}; expected some 429 (each 429 is "
        "validated against the spec, which requires Retry-After)"
    )
