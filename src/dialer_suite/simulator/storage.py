"""The simulator's state: one SQLite file in WAL mode.

WAL lets the request handlers read while the job worker writes, and makes a
killed process harmless: a transaction is either in the file or not. Every
connection of the process is opened here, with the same settings.
"""

from __future__ import annotations

import random
import sqlite3
import time
from pathlib import Path
from typing import Any

_CONTACTS = """
CREATE TABLE IF NOT EXISTS contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id INTEGER NOT NULL,
    name TEXT,
    email TEXT,
    phone_number TEXT,                   -- as sent (NULL only where phone-required is optional)
    phone_e164 TEXT,                     -- what duplicates are compared on (NULL repeats nothing)
    outbound_number TEXT,
    external_unique_id TEXT,
    status TEXT NOT NULL DEFAULT 'Upcoming',
    assigned_call_id INTEGER,
    assigned_participant_id INTEGER,
    priority INTEGER,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
)"""
_SCHEMA = _CONTACTS + """;
-- Not UNIQUE: the model enforces uniqueness, so that a fault can switch the check off.
CREATE INDEX IF NOT EXISTS contacts_by_phone ON contacts (campaign_id, phone_e164);
CREATE INDEX IF NOT EXISTS contacts_by_status ON contacts (campaign_id, status, id);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id INTEGER NOT NULL,
    status TEXT NOT NULL,                -- in_progress | completed | failed
    type TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    finished_ms INTEGER,
    payload BLOB,                        -- the uploaded file until the job ends
    result TEXT                          -- JSON: counts, invalid contacts, error
);
"""

# Busy handlers wait rather than fail while the worker commits a large import.
_BUSY_TIMEOUT_MS = 10_000
# SQLite integers are signed 64-bit; larger ids cannot exist.
MAX_ID = 2**63 - 1


def now_ms() -> int:
    """The time as the ``*_ms`` columns hold it: milliseconds since the epoch."""
    return int(time.time() * 1000)


def connect(path: str | Path) -> sqlite3.Connection:
    """A connection with the simulator's settings; autocommit unless a transaction is begun."""
    connection = sqlite3.connect(
        str(path), isolation_level=None, check_same_thread=False, timeout=_BUSY_TIMEOUT_MS / 1000
    )
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode: a committed transaction survives a process kill (not a power cut).
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
    # No automatic checkpoints: SQLite would run them inside whichever commit crosses the
    # threshold, i.e. on the event loop in the middle of a request (they tripled the cost
    # of an add-contact). The job worker checkpoints in the background instead (checkpoint()).
    connection.execute("PRAGMA wal_autocheckpoint=0")
    return connection


def checkpoint(connection: sqlite3.Connection, *, final: bool = False) -> None:
    """Copy the WAL back into the database file; PASSIVE never blocks the request handlers.

    ``final`` (at shutdown) also truncates the WAL, leaving a tidy single file.
    """
    connection.execute(f"PRAGMA wal_checkpoint({'TRUNCATE' if final else 'PASSIVE'})")


class Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``; rolled back on any exception.

    IMMEDIATE takes the write lock up front, so a duplicate check and the insert
    after it cannot interleave with the job worker's import.
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: Any) -> None:
        self._db.execute("COMMIT" if kind is None else "ROLLBACK")


def initialize(path: str | Path, seed: int) -> None:
    """Create the tables; on a new file, start ids at a seed-dependent offset.

    Offsetting ids keeps clients from assuming "the first contact has id 1".
    """
    connection = connect(path)
    try:
        connection.execute("BEGIN IMMEDIATE")
        _allow_contacts_without_phone(connection)
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                connection.execute(statement)
        started = connection.execute("SELECT count(*) FROM sqlite_sequence").fetchone()[0]
        if not started:
            generator = random.Random(seed)
            connection.executemany(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)",
                [("contacts", generator.randrange(0, 1000)), ("jobs", generator.randrange(0, 1000))],
            )
        connection.execute("COMMIT")
    finally:
        connection.close()


def _allow_contacts_without_phone(connection: sqlite3.Connection) -> None:
    """Rebuild a ``contacts`` table from a file made before phones could be absent (NOT NULL).

    In the caller's transaction; ids, rows and the id sequence are kept. The
    indexes are created again by the schema that follows.
    """
    columns = connection.execute("PRAGMA table_info(contacts)").fetchall()
    if not any(column["name"] == "phone_number" and column["notnull"] for column in columns):
        return
    sequence = connection.execute("SELECT seq FROM sqlite_sequence WHERE name = 'contacts'").fetchone()
    connection.execute("ALTER TABLE contacts RENAME TO contacts_before")
    connection.execute(_CONTACTS)
    connection.execute("INSERT INTO contacts SELECT * FROM contacts_before")
    connection.execute("DROP TABLE contacts_before")
    if sequence is not None:
        connection.execute("DELETE FROM sqlite_sequence WHERE name = 'contacts'")
        connection.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('contacts', ?)", (sequence[0],))


def wipe(connection: sqlite3.Connection) -> None:
    """Delete every contact and job (ids keep counting up)."""
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("DELETE FROM contacts")
    connection.execute("DELETE FROM jobs")
    connection.execute("COMMIT")
