"""Where an add-contact's time goes: the simulator against the bare baseline, without the network.

``simulator_add_contact.py`` measures the ratio through uvicorn and wrk; this
script explains it. It calls both ASGI apps in-process (no sockets, no
uvicorn), then times the SQLite insert alone in the simulator's schema with
each of its costs taken away in turn (the duplicate check, each index,
AUTOINCREMENT), so the gap can be split into SQL and Python. Medians of
``--rounds`` rounds, all measured in the same run.

    .venv/bin/python benchmarks/simulator_add_breakdown.py [--rounds 5] [--requests 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Coroutine, MutableMapping
from pathlib import Path
from typing import Any

from dialer_suite.simulator import models, storage
from dialer_suite.simulator.app import create_app
from dialer_suite.simulator.config import SimulatorConfig

HERE = Path(__file__).resolve().parent
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Message, Receive, Send], Coroutine[Any, Any, None]]
Headers = list[tuple[bytes, bytes]]

# Each variant is the simulator's own schema and insert statements (storage.py,
# models.py; not copies, so the benchmark follows them) with one cost taken away.
_SQL_VARIANTS: dict[str, dict[str, Any]] = {
    "as the simulator (NOT EXISTS check, 2 indexes, AUTOINCREMENT)": {},
    "without the duplicate check": {"check": False},
    "without the status index (the dialer's)": {"drop": ("contacts_by_status",)},
    "without AUTOINCREMENT": {"autoincrement": False},
    "same columns, no check, no index (the baseline's SQL)": {
        "check": False, "drop": ("contacts_by_phone", "contacts_by_status"),
    },
}


async def _post(app: App, path: str, headers: Headers, body: bytes) -> int:
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "headers": [*headers, (b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "state": {},
    }  # fmt: skip
    status: list[int] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    return status[0]


async def _per_request_us(app: App, path: str, headers: Headers, first: int, n: int) -> float:
    started = time.perf_counter()
    for i in range(n):
        body = json.dumps({"name": "Ann", "phone_number": f"+1{first + i}", "email": "ann@example.com",
                           "external_unique_id": f"bench-{first + i}"}).encode()
        status = await _post(app, path, headers, body)
        if status != 200:
            sys.exit(f"{path}: answered {status}")
    return (time.perf_counter() - started) / n * 1e6


async def _started(app: App) -> asyncio.Task[None]:
    """Run the app's lifespan startup (the simulator opens its database there).

    The caller keeps the returned task: a lifespan task that is garbage-collected
    runs its shutdown and closes the database under the benchmark.
    """
    inbox: asyncio.Queue[Message] = asyncio.Queue()
    outbox: asyncio.Queue[Message] = asyncio.Queue()
    await inbox.put({"type": "lifespan.startup"})
    task = asyncio.get_running_loop().create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, inbox.get, outbox.put)
    )
    message = await outbox.get()
    if message["type"] != "lifespan.startup.complete":
        sys.exit(f"lifespan startup failed: {message}")
    return task


async def _apps_in_process(rounds: int, requests: int) -> dict[str, list[float]]:
    workdir = Path(tempfile.mkdtemp(prefix="bench-breakdown-"))
    simulator: Any = create_app(SimulatorConfig(rate_limit=None, db_path=str(workdir / "sim.db")))
    lifespan = await _started(simulator)
    os.environ["BASELINE_DB"] = str(workdir / "baseline.db")
    sys.path.insert(0, str(HERE))
    import simulator_baseline_app

    auth = b"Basic " + base64.b64encode(b"acme:dev-token")
    json_type = (b"content-type", b"application/json")
    targets = {
        "simulator": (simulator, "/apps/api/v1/outbound_dialer/campaigns/1/contacts",
                      [(b"host", b"127.0.0.1"), (b"authorization", auth), json_type]),
        "baseline": (simulator_baseline_app.app, "/contacts", [(b"host", b"127.0.0.1"), json_type]),
    }  # fmt: skip
    results: dict[str, list[float]] = {name: [] for name in targets}
    for index in range(rounds):
        for name, (app, path, headers) in targets.items():
            first = 2_000_000_000 + index * 1_000_000
            results[name].append(await _per_request_us(app, path, headers, first, requests))
    lifespan.cancel()
    return results


def _sql_us(variant: dict[str, Any], n: int) -> float:
    connection = storage.connect(Path(tempfile.mkdtemp(prefix="bench-sql-")) / "x.db")
    schema = storage._SCHEMA
    if not variant.get("autoincrement", True):
        schema = schema.replace(" AUTOINCREMENT", "")
    connection.executescript(schema)
    for index in variant.get("drop", ()):
        connection.execute(f"DROP INDEX {index}")
    check = variant.get("check", True)
    sql = models._INSERT_NEW_PHONE if check else models._INSERT_CONTACT
    started = time.perf_counter()
    for i in range(n):
        phone = f"+1{2_025_550_000 + i}"
        values: tuple[Any, ...] = (
            1, "Ann", "ann@example.com", phone, phone, None, f"b-{i}", "Upcoming", i, i,
        )  # fmt: skip
        connection.execute(sql, (*values, 1, phone) if check else values)
    connection.close()
    return (time.perf_counter() - started) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20000)
    args = parser.parse_args()
    apps = asyncio.run(_apps_in_process(args.rounds, args.requests))
    sql = {name: [_sql_us(variant, args.requests) for _ in range(args.rounds)]
           for name, variant in _SQL_VARIANTS.items()}
    print("| in-process add-contact (ASGI call, no network) | median µs/request |")
    print("|---|---|")
    for name, values in apps.items():
        print(f"| {name} | {statistics.median(values):.1f} |")
    ratio = statistics.median(apps["baseline"]) / statistics.median(apps["simulator"])
    print(f"\nsimulator / baseline, requests/s in-process: {ratio:.2f}\n")
    print("| the insert alone, in the simulator's table | median µs/insert |")
    print("|---|---|")
    for name, values in sql.items():
        print(f"| {name} | {statistics.median(values):.1f} |")


if __name__ == "__main__":
    main()
