"""Before any test: is the target usable by the tests selected? When not, one line says what to fix.

Without it a wrong token, a campaign id that does not exist or a closed port
made every test fail, filed as "vendor broke its documented contract". Run by
the plugin after collection, against a tenant (any target given by a base
URL), with as few requests as the selected tests allow — each costs the
tenant's quota:

1. the campaign's first page: the target answers (DNS, TCP, TLS), takes the
   credentials, and the campaign exists;
2. the other campaign's first page, when a selected test uses it: it exists,
   and is not the campaign under another id;
3. the missing campaign's first page, when a selected test uses it: it must
   not exist;
4. a delete of a contact nobody has (its external id carries the run tag),
   when a selected test writes: the credentials may write.

A target that does not answer is given a short while (``PATIENCE``) to come
back, through the same availability rules as the run. Nothing is recorded as
the vendor's behaviour: these requests test nothing (the tests do).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from dialer_suite.api.testdata import run_tag
from dialer_suite.config.settings import Settings
from dialer_suite.http.availability import Availability, TargetUnavailable
from dialer_suite.http.client import DialerClient
from dialer_suite.http.exchange import Exchange
from dialer_suite.http.result import Result

# Seconds a target that does not answer is waited for before the preflight gives up, and the
# longest one preflight request may take: a closed port, a wrong host or a VPN that is down
# end the run within a minute.
PATIENCE = 10.0
_REQUEST_TIMEOUT = 15.0
_READ_ONLY = (401, 403)
_PAGING_REFUSED = (400, 422)


@dataclass(frozen=True)
class Needs:
    """What the selected tests rely on besides the campaign itself."""

    other_campaign: bool = False
    missing_campaign: bool = False
    writes: bool = False


class Unusable(Exception):
    """The target cannot run the selected tests; the message says what to fix, in one line."""


@dataclass
class Preflight:
    """The outcome: what was checked, the requests it cost, and the line to show."""

    checked: list[str] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0
    unusable: str | None = None

    def line(self) -> str:
        if self.unusable is not None:
            return f"dialer-suite: target not usable: {self.unusable} (exit 69)"
        return (f"dialer-suite preflight: {'; '.join(self.checked)} ({self.requests} request(s), "
                f"{self.seconds:.1f} s)")


class _Counter:
    """Counts the preflight's answered requests (an observer that keeps nothing else)."""

    def __init__(self) -> None:
        self.count = 0

    def record(self, exchange: Exchange, findings: Any) -> None:
        self.count += 1

    def observe(self, assumption_id: str, held: bool, detail: str) -> None:
        """The preflight draws no conclusion about assumptions."""


def preflight(settings: Settings, needs: Needs, transport: httpx.BaseTransport | None = None) -> Preflight:
    """Check the target ``settings`` name for the ``needs`` of the selected tests (``transport``:
    another way to reach it, for self-tests)."""
    counter = _Counter()
    started = time.monotonic()
    result = Preflight()
    quick = replace(settings, request_timeout=min(settings.request_timeout, _REQUEST_TIMEOUT))
    with DialerClient.from_settings(quick, counter, transport=transport) as client:
        client.availability = Availability(PATIENCE, client.probe)
        try:
            _check(client, settings, needs, result)
        except Unusable as unusable:
            result.unusable = str(unusable)
        except TargetUnavailable:
            result.unusable = _unreachable(settings, client.availability)
    result.requests = counter.count + client.availability.probes
    result.seconds = time.monotonic() - started
    return result


def _check(client: DialerClient, settings: Settings, needs: Needs, result: Preflight) -> None:
    host = settings.target_name
    first = _first_page(client, settings.campaign_id)
    if first.status in _READ_ONLY:
        raise Unusable(
            f"{host} refused the credentials ({_answered(first)}); check "
            f"{Settings.declared('username').env} (the tenant subdomain, now {settings.username!r}) "
            f"and {Settings.declared('api_token').env}"
        )
    _exists(first, settings.campaign_id, "campaign_id", settings)
    result.checked.append(f"{host} answers and takes the credentials; campaign {settings.campaign_id} exists")
    if needs.other_campaign:
        other = _first_page(client, settings.other_campaign_id)
        _exists(other, settings.other_campaign_id, "other_campaign_id", settings)
        _differ(first, other, settings)
        result.checked.append(f"other campaign {settings.other_campaign_id} exists")
    if needs.missing_campaign:
        missing = _first_page(client, settings.missing_campaign_id)
        if 200 <= missing.status < 300:
            raise Unusable(
                f"campaign {settings.missing_campaign_id} exists on {host} ({_answered(missing)}), "
                "but the suite needs an id no campaign has; set "
                f"{Settings.declared('missing_campaign_id').how()} to one"
            )
        result.checked.append(f"campaign {settings.missing_campaign_id} does not exist")
    if needs.writes:
        nobody = {"external_unique_id": f"{run_tag(settings.run_id)}preflight-no-such-contact"}
        probe = client.delete_contact(settings.campaign_id, nobody, validate=False)
        if probe.status in _READ_ONLY:
            raise Unusable(
                f"{host} refused a write with these credentials ({_answered(probe)}); the selected "
                "tests write: use credentials that may write, or select read-only tests (-m 'not writes')"
            )
        result.checked.append("writes accepted")


def _first_page(client: DialerClient, campaign_id: int) -> Result:
    """The campaign's first page of one contact (the whole list if the target refuses paging)."""
    answer = client.list_contacts(campaign_id, page=1, per=1, validate=False)
    if answer.status in _PAGING_REFUSED:
        answer = client.list_contacts(campaign_id, validate=False)
    return answer


def _exists(answer: Result, campaign_id: int, setting: str, settings: Settings) -> None:
    if answer.status == 404:
        raise Unusable(
            f"campaign {campaign_id} was not found on {settings.target_name} ({_answered(answer)}); "
            f"set {Settings.declared(setting).how()} to a campaign of the tenant (or check that "
            f"{Settings.declared('base_url').env} ends in /apps/api/v1)"
        )
    content_type = answer.headers.get("content-type", "")
    if answer.status != 200 or "html" in content_type:
        raise Unusable(
            f"listing campaign {campaign_id} on {settings.target_name} answered {_answered(answer)}"
            f"{' (a web page)' if 'html' in content_type else ''}, not the API's list; check "
            f"{Settings.declared('base_url').env} (e.g. https://acme.ccaiplatform.com/apps/api/v1)"
        )


def _differ(first: Result, other: Result, settings: Settings) -> None:
    """The two campaigns are not one under two ids: their first contacts are not the same one."""
    ours, theirs = _first_contact(first), _first_contact(other)
    keys = ("id", "phone_number", "external_unique_id")
    if ours is not None and theirs is not None and all(
            ours.get(k) is not None and ours.get(k) == theirs.get(k) for k in keys):
        raise Unusable(
            f"campaigns {settings.campaign_id} and {settings.other_campaign_id} list the same first "
            f"contact (id {ours['id']}): they look like one campaign under two ids; set "
            f"{Settings.declared('other_campaign_id').how()} to another campaign"
        )


def _first_contact(answer: Result) -> dict[str, Any] | None:
    body = answer.body
    return body[0] if isinstance(body, list) and body and isinstance(body[0], dict) else None


def _answered(answer: Result) -> str:
    message = answer.body.get("message") if isinstance(answer.body, dict) else None
    return f"{answer.status}" + (f" {str(message)[:80]!r}" if message else "")


def _unreachable(settings: Settings, availability: Availability) -> str:
    """Why the target gave no usable answer, from the last request that failed."""
    verdict = availability.verdicts[-1].why if availability.verdicts else "no answer"
    what = verdict.split(":", 1)[0]
    what = f"it answered {what}" if what.isdigit() else what
    how = {
        "DNS lookup failed": f"check the host in {Settings.declared('base_url').env}",
        "TLS handshake failed": "check the URL's scheme and port, and any proxy that intercepts TLS",
    }.get(what, f"check {Settings.declared('base_url').env} and that the tenant is reachable from "
                "here (VPN, tunnel, proxy)")
    return f"{settings.target_name} gave no usable answer for {PATIENCE:g} s ({what}); {how}"
