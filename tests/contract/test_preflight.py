"""The preflight: what the selected tests need of the target, checked with as few requests as it
takes, and one line that says what to fix when the target cannot run them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from dialer_suite.config.settings import load_settings
from dialer_suite.contract.preflight import Needs, Preflight, preflight

from .conftest import json_response

EVERYTHING = Needs(other_campaign=True, missing_campaign=True, writes=True)
ENVIRON = {"DIALER_BASE_URL": "https://vendor.test/apps/api/v1", "DIALER_API_TOKEN": "s3cret-9d1e",
           "DIALER_CAMPAIGN_ID": "11", "DIALER_OTHER_CAMPAIGN_ID": "12", "DIALER_RATE_LIMIT": "1000"}


class Tenant:
    """A scripted target: campaigns and their first contact; every request it got."""

    def __init__(self, campaigns: dict[int, list[dict[str, Any]]], **answers: int) -> None:
        self.campaigns = campaigns
        self.answers = answers
        self.requests: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(f"{request.method} {request.url.path}")
        campaign = int(request.url.path.split("/campaigns/")[1].split("/")[0])
        status = self.answers.get(request.method.lower())
        if status is not None:
            return json_response(status, {"message": f"answered {status}"})
        if campaign not in self.campaigns:
            return json_response(404, {"message": f"Campaign {campaign} not found"})
        if request.method == "DELETE":
            return json_response(404, {"message": "Contact not found"})
        return json_response(200, self.campaigns[campaign])


def _check(tenant: Tenant, needs: Needs = EVERYTHING, environ: dict[str, str] | None = None) -> Preflight:
    settings = load_settings(environ={**ENVIRON, **(environ or {})}, config_path=None)
    return preflight(settings, needs, transport=httpx.MockTransport(tenant))


def test_a_usable_tenant_costs_four_requests_at_most_and_says_what_it_checked() -> None:
    tenant = Tenant({11: [], 12: []})
    result = _check(tenant)
    assert result.unusable is None
    assert len(tenant.requests) == result.requests == 4
    assert result.line().startswith("dialer-suite preflight: vendor.test answers and takes the credentials")


def test_only_what_the_selected_tests_need_is_asked() -> None:
    tenant = Tenant({11: []})
    assert _check(tenant, Needs()).unusable is None
    assert tenant.requests == ["GET /apps/api/v1/outbound_dialer/campaigns/11/contacts"]


def test_refused_credentials_are_one_line_naming_the_variables_and_no_secret() -> None:
    tenant = Tenant({11: [], 12: []}, get=401)
    line = _check(tenant).line()
    assert line.startswith("dialer-suite: target not usable: vendor.test refused the credentials (401")
    assert "DIALER_API_TOKEN" in line and "s3cret" not in line and "\n" not in line
    assert len(tenant.requests) == 1


@pytest.mark.parametrize(("environ", "named"), [
    ({"DIALER_CAMPAIGN_ID": "77"}, "campaign 77 was not found on vendor.test"),
    ({"DIALER_OTHER_CAMPAIGN_ID": "77"}, "DIALER_OTHER_CAMPAIGN_ID"),
    ({"DIALER_MISSING_CAMPAIGN_ID": "13"}, "campaign 13 exists on vendor.test"),
])
def test_a_campaign_that_is_not_as_configured_is_named_with_its_setting(
    environ: dict[str, str], named: str
) -> None:
    line = _check(Tenant({11: [], 12: [], 13: []}), environ=environ).line()
    assert named in line and line.endswith("(exit 69)"), line


def test_two_campaign_ids_of_one_campaign_are_refused() -> None:
    same = [{"id": 5, "phone_number": "+12015550123", "external_unique_id": "x"}]
    line = _check(Tenant({11: same, 12: same})).line()
    assert "look like one campaign under two ids" in line


def test_read_only_credentials_are_refused_when_the_tests_write() -> None:
    tenant = Tenant({11: [], 12: []}, delete=403)
    assert "refused a write" in _check(tenant).line()
    assert _check(Tenant({11: [], 12: []}, delete=403), Needs(writes=False)).unusable is None


def test_a_web_page_instead_of_the_api_is_named() -> None:
    def page(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"<html>sign in</html>", headers={"Content-Type": "text/html"})

    settings = load_settings(environ=ENVIRON, config_path=None)
    line = preflight(settings, EVERYTHING, transport=httpx.MockTransport(page)).line()
    assert "(a web page)" in line and "DIALER_BASE_URL" in line


def test_a_target_that_refuses_paging_is_asked_once_without() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url.query, "ascii"))
        return json_response(422 if request.url.query else 200, [] if not request.url.query else {})

    settings = load_settings(environ=ENVIRON, config_path=None)
    assert preflight(settings, Needs(), transport=httpx.MockTransport(handler)).unusable is None
    assert calls == ["page=1&per=1", ""]
