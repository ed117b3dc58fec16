"""Run the independent tenant on a free loopback port, in a thread of the test process."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from tests.tenant.app import TenantOptions, build_app

_START_TIMEOUT = 10.0


@dataclass(frozen=True)
class RunningTenant:
    """Where the tenant listens, its credentials, and its server-side counts."""

    root: str
    options: TenantOptions

    @property
    def base_url(self) -> str:
        return f"{self.root}/apps/api/v1"

    def environ(self, **more: str) -> dict[str, str]:
        """The variables a user sets to point the suite at this tenant (and nothing else)."""
        campaign, other = self.options.campaigns[:2]
        return {
            "DIALER_BASE_URL": self.base_url, "DIALER_USERNAME": self.options.username,
            "DIALER_API_TOKEN": self.options.token, "DIALER_CAMPAIGN_ID": str(campaign),
            "DIALER_OTHER_CAMPAIGN_ID": str(other), **more,
        }

    def stats(self) -> dict[str, Any]:
        answer = httpx.get(f"{self.root}/_tenant/stats", timeout=10)
        answer.raise_for_status()
        result: dict[str, Any] = answer.json()
        return result

    def outage(self, seconds: float, status: int = 503) -> None:
        httpx.post(f"{self.root}/_tenant/outage", json={"seconds": seconds, "status": status},
                   timeout=10).raise_for_status()


@contextmanager
def running_tenant(options: TenantOptions | None = None) -> Iterator[RunningTenant]:
    options = options or TenantOptions()
    server = uvicorn.Server(uvicorn.Config(build_app(options), host="127.0.0.1", port=0,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, name="independent-tenant", daemon=True)
    thread.start()
    deadline = time.monotonic() + _START_TIMEOUT
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the independent tenant did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield RunningTenant(f"http://127.0.0.1:{port}", options)
    finally:
        server.should_exit = True
        thread.join(timeout=_START_TIMEOUT)
