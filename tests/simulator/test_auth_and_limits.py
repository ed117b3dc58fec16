"""Auth on every operation, the per-tenant rate limit, and the admin surface outside both."""

from __future__ import annotations

from typing import Any

import pytest

from dialer_suite.simulator.ratelimit import TokenBucket

_OPERATIONS = [
    ("POST", "/1/contacts"),
    ("GET", "/1/contacts"),
    ("POST", "/1/contacts/import"),
    ("GET", "/1/contacts/jobs/1"),
    ("PATCH", "/1/contact"),
    ("DELETE", "/1/contact"),
]


@pytest.mark.parametrize(("method", "path"), _OPERATIONS)
@pytest.mark.parametrize(
    "auth", [None, ("acme", "wrong"), ("other", "dev-token")], ids=["none", "token", "user"]
)
def test_every_operation_without_the_right_credentials_answers_401_with_a_challenge(
    api: Any, method: str, path: str, auth: Any
) -> None:
    response = api.client.request(method, api.prefix + path, auth=auth)
    assert response.status_code == 401, api.describe(response)
    assert response.headers["www-authenticate"].startswith("Basic realm="), api.describe(response)


def test_credentials_come_from_the_config(make_api: Any) -> None:
    api = make_api(username="tenant", token="secret")
    assert api.list().status_code == 401
    assert api.client.get(f"{api.prefix}/1/contacts", auth=("tenant", "secret")).status_code == 200


def test_past_the_rate_limit_answers_429_with_retry_after(make_api: Any) -> None:
    api = make_api(rate_limit=2.0)
    statuses = [api.list() for _ in range(5)]
    limited = [response for response in statuses if response.status_code == 429]
    assert limited, [response.status_code for response in statuses]
    assert int(limited[0].headers["retry-after"]) >= 1, api.describe(limited[0])
    assert limited[0].json()["error"] == "rate_limited"


def test_admin_routes_are_outside_auth_and_rate_limit(make_api: Any) -> None:
    api = make_api(rate_limit=1.0)
    statuses = {api.client.get("/_simulator/health").status_code for _ in range(5)}
    assert statuses == {200}


def test_reset_removes_every_contact(api: Any) -> None:
    api.added_id("+12015550160")
    assert api.client.post("/_simulator/reset").status_code == 200
    assert api.list().json() == []


def test_token_bucket_refills_at_the_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(rate=10.0, depth=10.0, clock=lambda: now[0])
    assert all(bucket.take("t") == 0 for _ in range(10))
    assert bucket.take("t") == 1
    now[0] += 0.1
    assert bucket.take("t") == 0


def test_token_bucket_is_per_tenant() -> None:
    bucket = TokenBucket(rate=1.0, depth=1.0, clock=lambda: 0.0)
    assert (bucket.take("a"), bucket.take("b"), bucket.take("a")) == (0, 0, 1)
