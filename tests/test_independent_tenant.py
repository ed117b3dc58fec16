"""The independent tenant (``tests.tenant``) answers as its options say: other self-tests rely on it."""

from __future__ import annotations

import json
import time

import httpx
from tests.tenant import TenantOptions, running_tenant


def test_the_list_pages_by_default_with_link_and_total_and_refuses_big_pages() -> None:
    with running_tenant(TenantOptions(rate_limit=None, default_per=2)) as tenant:
        env = tenant.environ()
        url = f"{tenant.base_url}/outbound_dialer/campaigns/{env['DIALER_CAMPAIGN_ID']}/contacts"
        auth = (tenant.options.username, tenant.options.token)
        for index in range(3):
            httpx.post(url, json={"phone_number": f"+1 201-555-01{index:02d}"}, auth=auth).raise_for_status()
        first = httpx.get(url, auth=auth)
        assert (len(first.json()), first.headers["Total"], first.headers["Per-Page"]) == (2, "3", "2")
        assert 'rel="next"' in first.headers["Link"]
        assert httpx.get(url, params={"per_page": 101}, auth=auth).status_code == 422


def test_an_import_answers_202_with_only_a_location_and_its_job_completes() -> None:
    with running_tenant(TenantOptions(rate_limit=None)) as tenant:
        auth = (tenant.options.username, tenant.options.token)
        url = f"{tenant.base_url}/outbound_dialer/campaigns/11/contacts/import"
        file = ("c.json", json.dumps([{"phone_number": "+1 201-555-0150"}]), "application/json")
        accepted = httpx.post(url, files={"file": file}, auth=auth)
        assert (accepted.status_code, accepted.content) == (202, b"")
        time.sleep(0.5)
        job = httpx.get(tenant.root + accepted.headers["Location"], auth=auth).json()
        assert job["status"] == "completed"


def test_an_outage_answers_503_and_every_request_is_counted() -> None:
    with running_tenant(TenantOptions(rate_limit=None)) as tenant:
        url = f"{tenant.base_url}/outbound_dialer/campaigns/11/contacts"
        tenant.outage(seconds=30)
        answer = httpx.get(url, auth=(tenant.options.username, tenant.options.token))
        assert answer.status_code == 503
        assert tenant.stats()["by_status"] == {"listContacts 503": 1}


def test_every_request_is_received_also_those_no_operation_route_matches() -> None:
    with running_tenant(TenantOptions(rate_limit=None)) as tenant:
        auth = (tenant.options.username, tenant.options.token)
        campaigns = f"{tenant.base_url}/outbound_dialer/campaigns"
        assert httpx.get(f"{campaigns}/11/contacts", auth=auth).status_code == 200
        assert httpx.get(f"{campaigns}/not-a-number/contacts", auth=auth).status_code == 404
        stats = tenant.stats()
        assert (stats["requests"], stats["received"]) == (1, 2)
