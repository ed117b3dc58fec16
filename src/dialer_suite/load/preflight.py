"""Is the target usable at all? One read before a tenant run writes anything.

A tenant that cannot be reached, refuses the credentials, has no such
campaign or is in an outage would turn a load run into minutes of failures
that say nothing about its capacity. One paced read of the campaign's first
page tells these apart, and the command ends with one line and exit code 69
(sysexits' EX_UNAVAILABLE: the target is not usable), before it writes.
"""

from __future__ import annotations

from dialer_suite.config.settings import Settings
from dialer_suite.http.client import ContractViolation, DialerClient

# The exit code of every command whose target is not usable (shared by contract, load, cleanup).
EXIT_UNUSABLE = 69


class TargetUnusable(Exception):
    """The target cannot be used for this run; the message says why, in one line."""


def check_usable(settings: Settings, campaign_ids: tuple[int, ...] | None = None) -> None:
    """Read page 1 of each campaign (``settings.campaign_id`` by default); raise ``TargetUnusable``
    unless every answer shows the target reachable, the credentials taken and the campaign there."""
    with DialerClient.from_settings(settings) as client:
        for campaign_id in campaign_ids or (settings.campaign_id,):
            _check_campaign(client, settings, campaign_id)


def _check_campaign(client: DialerClient, settings: Settings, campaign_id: int) -> None:
    target = settings.base_url
    try:
        answer = client.list_contacts(campaign_id, page=1, per=1, validate=False)
    except ContractViolation as violation:
        raise TargetUnusable(f"{target} cannot be reached ({violation.exchange.error})") from None
    status = answer.status
    if status in (401, 403):
        raise TargetUnusable(
            f"{target} refused the credentials ({status}): check {Settings.declared('username').env} "
            f"and {Settings.declared('api_token').env}"
        )
    if status == 404:
        raise TargetUnusable(
            f"{target} has no campaign {campaign_id} (404): set {Settings.declared('campaign_id').how()}"
        )
    if status == 429:
        raise TargetUnusable(
            f"{target} still answers 429 after waiting its Retry-After: another client is using the "
            "tenant's quota; try later"
        )
    if status >= 500:
        raise TargetUnusable(f"{target} answers {status} (an outage?); try later")
