"""The floor the simulator's add-contact is compared with: bare Starlette + one SQLite insert.

Parses the JSON body, inserts one row in a WAL-mode SQLite file
(``synchronous=NORMAL``, autocommit: one transaction per request, like the
simulator) and answers a small JSON body. No auth, no validation, no phone
parsing: whatever the simulator costs beyond this is its own overhead.
Served by ``simulator_add_contact.py`` with the same uvicorn settings as the simulator.
"""

from __future__ import annotations

import json
import os
import sqlite3

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_db = sqlite3.connect(os.environ["BASELINE_DB"], isolation_level=None, check_same_thread=False)
_db.execute("PRAGMA journal_mode=WAL")
_db.execute("PRAGMA synchronous=NORMAL")
_db.execute(
    "CREATE TABLE IF NOT EXISTS contacts (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT,"
    " email TEXT, phone_number TEXT, external_unique_id TEXT)"
)


async def add_contact(request: Request) -> Response:
    contact = json.loads(await request.body())
    cursor = _db.execute(
        "INSERT INTO contacts (name, email, phone_number, external_unique_id) VALUES (?, ?, ?, ?)",
        tuple(contact.get(name) for name in ("name", "email", "phone_number", "external_unique_id")),
    )
    body = {"valid_contacts": [{**contact, "id": cursor.lastrowid}], "invalid_contacts": []}
    return Response(json.dumps(body), media_type="application/json")


app = Starlette(routes=[Route("/contacts", add_contact, methods=["POST"])])
