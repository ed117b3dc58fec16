"""The campaigns' dialers in the simulator process: one engine per campaign, ticked by one asyncio task.

The engines tick on the server's event loop, like the request handlers: a tick
and a handler never interleave, so an update or delete sees a contact's status
exactly as the dialer left it (``dialing-writes`` is decided on that status).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from dialer_suite.simulator import storage
from dialer_suite.simulator.dialer.engine import DialerEngine
from dialer_suite.simulator.dialer.settings import DialerSettings
from dialer_suite.simulator.dialer.store import SqliteDialerStore
from dialer_suite.simulator.exceptions import CampaignNotFound
from dialer_suite.simulator.switches import Switches

_log = logging.getLogger(__name__)
# Tick bounds: fast enough to keep a sped-up step visible, slow enough to leave the loop idle.
_MIN_TICK_SECONDS = 0.005
_MAX_TICK_SECONDS = 0.25
# A tick aims at this many per campaign step, so each status is written close to its time.
_TICKS_PER_STEP = 8


class CampaignDialers:
    """One engine per campaign, created on first use, all ticked by one asyncio task.

    The task runs only while some engine is running or still has calls to
    finish, and ends by itself after that. Every engine plays the app's ``switches``.
    """

    def __init__(
        self,
        db_path: str | Path,
        campaigns: Iterable[int],
        switches: Switches,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._connection = storage.connect(db_path)
        self._store = SqliteDialerStore(self._connection)
        self._campaigns = frozenset(campaigns)
        self._switches = switches
        self._clock = clock
        self._engines: dict[int, DialerEngine] = {}
        self._task: asyncio.Task[None] | None = None
        self._failed: set[int] = set()  # campaigns whose engine raised (see the log)

    def engine(self, campaign_id: int) -> DialerEngine:
        """The campaign's engine (a new one is paused); CampaignNotFound for a campaign not served."""
        if campaign_id not in self._campaigns:
            raise CampaignNotFound(
                f"campaign {campaign_id} does not exist in this tenant; "
                f"the simulator's campaigns are {sorted(self._campaigns)}"
            )
        if campaign_id not in self._engines:
            self._engines[campaign_id] = DialerEngine(
                campaign_id, self._store, self._clock, switches=self._switches
            )
        return self._engines[campaign_id]

    def overview(self) -> dict[str, Any]:
        """Every campaign, and the state of the dialers that were used."""
        return {
            "campaigns": sorted(self._campaigns),
            "dialers": {str(i): self._engines[i].status() for i in sorted(self._engines)},
        }

    def start(self, campaign_id: int, settings: DialerSettings) -> DialerEngine:
        """Dial the campaign with ``settings``; a dialer that failed is given another chance."""
        engine = self.engine(campaign_id)
        engine.configure(settings)
        engine.start()
        self._failed.discard(campaign_id)
        self._ensure_ticking()
        return engine

    def pause(self, campaign_id: int) -> DialerEngine:
        """Stop the campaign's pick-ups; the task keeps ticking until its calls have ended."""
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
    """How long the task sleeps: a fraction of the shortest step in wall seconds, within bounds."""
    step = min(s.step_seconds / s.time_scale for s in settings)
    return min(_MAX_TICK_SECONDS, max(_MIN_TICK_SECONDS, step / _TICKS_PER_STEP))
