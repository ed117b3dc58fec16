"""The dialer in the simulator process: its storage, the asyncio task that ticks it, admin routes.

Outside the vendor contract (under ``/_simulator/``, no auth, no rate limit):

- ``GET  /_simulator/dialers``                      every campaign and its dialer's state
- ``GET  /_simulator/campaigns/{id}/dialer``        the dialer's state (``DialerEngine.status``)
- ``POST /_simulator/campaigns/{id}/dialer/start``  start dialing; an optional JSON object of
  ``DialerSettings`` fields replaces those settings (e.g. ``{"time_scale": 50, "seed": 1}``)
- ``POST /_simulator/campaigns/{id}/dialer/pause``  stop picking up contacts; calls in
  progress run to their end (``busy_lines`` reaches 0), so no contact stays in a call

The engines tick on the server's event loop, like the request handlers: a tick
and a handler never interleave, so an update or delete sees a contact's status
exactly as the dialer left it (``dialer-writes`` is decided on that status).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from dialer_suite.simulator import storage
from dialer_suite.simulator.dialer import (
    ContactView,
    DialerEngine,
    DialerSettings,
    DialerSettingsError,
)
from dialer_suite.simulator.exceptions import (
    CampaignNotFound,
    MalformedBody,
    SimulatorError,
    Unprocessable,
)
from dialer_suite.simulator.models import now_ms
from dialer_suite.simulator.responses import Runtime, error_response, json_response

_log = logging.getLogger(__name__)
# Tick bounds: fast enough to keep a sped-up step visible, slow enough to leave the loop idle.
_MIN_TICK_SECONDS = 0.005
_MAX_TICK_SECONDS = 0.25
# A tick aims at this many per campaign step, so each status is written close to its time.
_TICKS_PER_STEP = 8


class SqliteDialerStore:
    """The dialer's two storage operations on the simulator's database."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def candidates(self, campaign_id: int, status: str, after_id: int, limit: int) -> list[ContactView]:
        rows = self._db.execute(
            "SELECT id, phone_e164, outbound_number, status FROM contacts"
            " WHERE campaign_id = ? AND status = ? AND id > ? ORDER BY id LIMIT ?",
            (campaign_id, status, after_id, limit),
        ).fetchall()
        return [ContactView(row["id"], row["phone_e164"], row["outbound_number"], row["status"])
                for row in rows]

    def move(self, campaign_id: int, contact_id: int, before: str, after: str) -> bool:
        cursor = self._db.execute(
            "UPDATE contacts SET status = ?, updated_ms = max(?, updated_ms + 1)"
            " WHERE id = ? AND campaign_id = ? AND status = ?",
            (after, now_ms(), contact_id, campaign_id, before),
        )
        return cursor.rowcount == 1


class CampaignDialers:
    """One engine per campaign, created on first use, all ticked by one asyncio task.

    The task runs only while some engine is running or still has calls to
    finish, and ends by itself after that.
    """

    def __init__(
        self,
        db_path: str | Path,
        campaigns: Iterable[int],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._connection = storage.connect(db_path)
        self._store = SqliteDialerStore(self._connection)
        self._campaigns = frozenset(campaigns)
        self._clock = clock
        self._engines: dict[int, DialerEngine] = {}
        self._task: asyncio.Task[None] | None = None
        self._failed: set[int] = set()  # campaigns whose engine raised (see the log)

    def engine(self, campaign_id: int) -> DialerEngine:
        if campaign_id not in self._campaigns:
            raise CampaignNotFound(
                f"campaign {campaign_id} does not exist in this tenant; "
                f"the simulator's campaigns are {sorted(self._campaigns)}"
            )
        if campaign_id not in self._engines:
            self._engines[campaign_id] = DialerEngine(campaign_id, self._store, self._clock)
        return self._engines[campaign_id]

    def overview(self) -> dict[str, Any]:
        """Every campaign, and the state of the dialers that were used."""
        return {
            "campaigns": sorted(self._campaigns),
            "dialers": {str(i): self._engines[i].status() for i in sorted(self._engines)},
        }

    def start(self, campaign_id: int, settings: DialerSettings) -> DialerEngine:
        engine = self.engine(campaign_id)
        engine.configure(settings)
        engine.start()
        self._failed.discard(campaign_id)
        self._ensure_ticking()
        return engine

    def pause(self, campaign_id: int) -> DialerEngine:
        engine = self.engine(campaign_id)
        engine.pause()
        return engine

    def forget(self) -> None:
        """Drop every engine and its calls (the simulator's reset).

        The tick task finds nothing busy on its next tick and ends; an engine asked
        for afterwards is new, hence paused.
        """
        self._engines.clear()
        self._failed.clear()

    def _ensure_ticking(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._tick_while_busy())

    def _busy(self) -> list[DialerEngine]:
        return [e for e in self._engines.values()
                if (e.running or e.busy_lines) and e.campaign_id not in self._failed]

    async def _tick_while_busy(self) -> None:
        while True:
            busy = self._busy()
            if not busy:
                return
            for engine in busy:
                try:
                    engine.advance()
                except Exception:
                    # A bug must not kill the task silently: that dialer stops, loudly, and is
                    # not ticked again until it is started again.
                    _log.exception("dialer of campaign %s failed; it is stopped", engine.campaign_id)
                    engine.pause()
                    self._failed.add(engine.campaign_id)
            await asyncio.sleep(_tick_seconds(engine.settings for engine in busy))

    async def close(self) -> None:
        """Stop ticking and close the connection (the server's shutdown)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._connection.close()


def _tick_seconds(settings: Iterable[DialerSettings]) -> float:
    step = min(s.step_seconds / s.time_scale for s in settings)
    return min(_MAX_TICK_SECONDS, max(_MIN_TICK_SECONDS, step / _TICKS_PER_STEP))


def dialers_of(app: Starlette) -> CampaignDialers:
    """The app's dialers, created on first use from the app's runtime."""
    dialers: CampaignDialers | None = getattr(app.state, "dialers", None)
    if dialers is None:
        runtime: Runtime = app.state.runtime
        assert runtime.config.db_path is not None, "the app always runs on a database file"
        dialers = CampaignDialers(runtime.config.db_path, runtime.config.campaigns)
        runtime.reset_hooks.append(dialers.forget)
        app.state.dialers = dialers
    return dialers


async def close_dialers(app: Starlette) -> None:
    """For the app's lifespan: stop the dialers if any were started."""
    dialers: CampaignDialers | None = getattr(app.state, "dialers", None)
    if dialers is not None:
        await dialers.close()


def _campaign(request: Request) -> int:
    text = request.path_params["campaign_id"]
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        raise CampaignNotFound(f"campaign id {text!r} is not a campaign id (a positive integer)")
    return int(text)


async def _settings_body(request: Request, base: DialerSettings) -> DialerSettings:
    body = await request.body()
    if not body.strip():
        return base
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise MalformedBody("the body must be a JSON object of dialer settings, or empty") from None
    if not isinstance(data, dict):
        raise Unprocessable("the body must be a JSON object of dialer settings, e.g. {\"agents\": 8}")
    try:
        return DialerSettings.from_mapping(data, base)
    except DialerSettingsError as error:
        raise Unprocessable(str(error)) from None


def _admin(action: Callable[[Request, CampaignDialers, int], Any]) -> Callable[[Request], Any]:
    """An admin endpoint: find the campaign's dialers, run ``action``, answer with its status."""

    async def endpoint(request: Request) -> Response:
        try:
            dialers = dialers_of(request.app)
            engine = await action(request, dialers, _campaign(request))
            return json_response(engine.status())
        except SimulatorError as error:
            return error_response(error)

    return endpoint


async def _status(request: Request, dialers: CampaignDialers, campaign_id: int) -> DialerEngine:
    return dialers.engine(campaign_id)


async def _start(request: Request, dialers: CampaignDialers, campaign_id: int) -> DialerEngine:
    settings = await _settings_body(request, dialers.engine(campaign_id).settings)
    return dialers.start(campaign_id, settings)


async def _pause(request: Request, dialers: CampaignDialers, campaign_id: int) -> DialerEngine:
    return dialers.pause(campaign_id)


async def _overview(request: Request) -> Response:
    return json_response(dialers_of(request.app).overview())


# Mounted by ``urls.py`` under the admin prefix.
dialer_routes: list[BaseRoute] = [
    Route("/dialers", _overview, methods=["GET"]),
    Route("/campaigns/{campaign_id}/dialer", _admin(_status), methods=["GET"]),
    Route("/campaigns/{campaign_id}/dialer/start", _admin(_start), methods=["POST"]),
    Route("/campaigns/{campaign_id}/dialer/pause", _admin(_pause), methods=["POST"]),
]
