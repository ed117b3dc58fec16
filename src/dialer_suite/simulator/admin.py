"""A client of the simulator's admin surface (``/_simulator``): health, reset and the dialers.

Outside the vendor contract, so nothing here is validated against the spec;
an answer other than 200 is an ``AdminError`` that shows the request and what
came back. Used by the campaign watch and the import-while-dialing load
scenario, which drive the simulator's dialer.
"""

from __future__ import annotations

import contextlib
from typing import Any

import httpx

from dialer_suite.config.settings import is_loopback
from dialer_suite.simulator.urls import ADMIN_PREFIX, API_PREFIX

_TIMEOUT = 10.0


class AdminError(AssertionError):
    """The admin surface refused a call; the message shows the call and the answer."""


class SimulatorAdmin:
    """The admin surface of one simulator, at ``root_url`` (``http://127.0.0.1:PORT``)."""

    def __init__(self, root_url: str, *, timeout: float = _TIMEOUT) -> None:
        self.url = root_url.rstrip("/") + ADMIN_PREFIX
        self._http = httpx.Client(timeout=timeout)

    @classmethod
    def behind(cls, base_url: str) -> SimulatorAdmin | None:
        """The admin surface of the simulator serving ``base_url`` (…/apps/api/v1), or None
        when ``base_url`` is not loopback or nothing there answers ``/_simulator/health``."""
        if not is_loopback(base_url):
            return None
        admin = cls(base_url.rstrip("/").removesuffix(API_PREFIX))
        with contextlib.suppress(httpx.HTTPError):
            if admin._http.get(admin.url + "/health").status_code == 200:
                return admin
        admin.close()
        return None

    def call(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        response = self._http.request(method, self.url + path, json=body)
        if response.status_code != 200:
            raise AdminError(f"{method} {self.url + path} {body!r} -> {response.status_code} "
                             f"{response.text[:500]}")
        answer: dict[str, Any] = response.json()
        return answer

    def campaigns(self) -> list[int]:
        """Every campaign the simulator has."""
        return list(self.call("GET", "/dialers")["campaigns"])

    def dialer(self, campaign_id: int) -> dict[str, Any]:
        """The state of a campaign's dialer (``busy_lines``, ``idle``, counters, settings)."""
        return self.call("GET", f"/campaigns/{campaign_id}/dialer")

    def start_dialer(self, campaign_id: int, settings: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.call("POST", f"/campaigns/{campaign_id}/dialer/start", settings)

    def pause_dialer(self, campaign_id: int) -> dict[str, Any]:
        return self.call("POST", f"/campaigns/{campaign_id}/dialer/pause")

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SimulatorAdmin:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
