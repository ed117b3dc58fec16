"""Is the target usable at all? One read before a tenant run writes anything.

A tenant that cannot be reached, refuses the credentials, has no such
campaign or is in an outage would turn a load run into minutes of failures
that say nothing about its capacity. One paced read of the campaign's first
page tells these apart, and the command ends with one line and exit code 69
(``errors.TargetNotUsable``, shared by every command), before it writes.
"""

from __future__ import annotations

from dialer_suite.config.settings import Settings
from dialer_suite.errors import TargetNotUsable
from dialer_suite.http.client import ContractViolation, DialerClient


def check_usable(settings: Settings, campaign_ids: tuple[int, ...] | None = None) -> None:
    """Read page 1 of each campaign (``settings.campaign_id`` by default); raise ``TargetNotUsable``
    unless every answer shows the target reachable, the credentials taken and the campaign there."""
    with DialerClient.from_settings(settings) as client:
        for campaign_id in campaign_ids or (settings.campaign_id,):
            _check_campaign(client, settings, campaign_id)


def _check_campaign(client: DialerClient, settings: Settings, campaign_id: int) -> None:
    target = settings.base_url
    try:
        answer = client.list_contacts(campaign_id, page=1, per=1, validate=False)
    except ContractViolation as violation:
        raise TargetNotUsable(f"{target} cannot be reached ({violation.exchange.error})") from None
    status = answer.status
    if status in (401, 403):
        raise TargetNotUsable(
            f"{target} refused the credentials ({status}): check {Settings.declared('username').env} "
            f"and {Settings.declared('api_token').env}"
        )
    if status == 404:
        raise TargetNotUsable(
            f"{target} has no campaign {campaign_id} (404): set {Settings.declared('campaign_id').how()}"
        )
    if status == 429:
        raise TargetNotUsable(
            f"{target} still answers 429 after waiting its Retry-After: another client is using the "
            "tenant's quota; try later"
        )
    if status >= 500:
        raise TargetNotUsable(f"{target} answers {status} (an outage?); try later")
