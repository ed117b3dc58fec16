"""The dialer's storage: the two operations it needs (``DialerStore``), and those on the simulator's SQLite.

The engine sees contacts only through this protocol, so its tests run it over
an in-memory store and the simulator over its database file, with a
connection of its own (the dialer ticks on the event loop, beside the request
handlers' connection).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Protocol

from dialer_suite.simulator.storage import now_ms


@dataclass(frozen=True)
class ContactView:
    """What the dialer needs to know about a contact."""

    id: int
    phone_e164: str | None  # None: stored without a phone (phone-required optional)
    outbound_number: str | None
    status: str


class DialerStore(Protocol):
    """The two storage operations the dialer uses."""

    def candidates(self, campaign_id: int, status: str, after_id: int, limit: int) -> list[ContactView]:
        """Up to ``limit`` contacts of the campaign in ``status`` with an id above ``after_id``,
        by id (one status per query, so that an index on (campaign, status, id) serves it)."""

    def move(self, campaign_id: int, contact_id: int, before: str, after: str) -> bool:
        """Set the status to ``after`` if it is still ``before``; False when it was not (or the
        contact is gone), so the dialer never overwrites a concurrent delete."""


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
