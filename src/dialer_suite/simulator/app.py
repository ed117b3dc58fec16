"""``create_app(config)``: the simulator as an ASGI application.

The app owns one database connection for its request handlers (they run on the
event loop; SQLite calls take microseconds) and one job worker thread with a
connection of its own. Both are opened in the lifespan, so the app can also be
served in-process by a test client. The faults and assumption choices of its
config become its ``Switches``, handed to everything it builds: nothing of one
app leaks into another in the same process.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException

from dialer_suite.simulator import storage
from dialer_suite.simulator.config import SimulatorConfig
from dialer_suite.simulator.dialer import close_dialers
from dialer_suite.simulator.import_jobs import ImportJobs
from dialer_suite.simulator.job_worker import JobWorker
from dialer_suite.simulator.models import Tenant
from dialer_suite.simulator.operations import Runtime
from dialer_suite.simulator.ratelimit import build_limiter
from dialer_suite.simulator.responses import http_error
from dialer_suite.simulator.switches import Switches
from dialer_suite.simulator.urls import routes


def create_app(config: SimulatorConfig) -> Starlette:
    """An app serving ``config``; ``config.db_path`` must be set (the server picks a temp file)."""
    if config.db_path is None:
        raise ValueError("create_app needs config.db_path; start_simulator chooses one for you")
    db_path = config.db_path
    switches = Switches(config.faults, config.choices)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        storage.initialize(db_path, config.seed)
        connection = storage.connect(db_path)
        worker = JobWorker(db_path, switches, import_rate=config.import_rate)
        limiter = None
        if config.rate_limit is not None:
            limiter = build_limiter(switches, config.rate_limit, config.bucket_depth)
        app.state.runtime = Runtime(
            config, switches, Tenant(connection, config.campaigns, switches),
            ImportJobs(connection, switches), worker, limiter,
        )
        worker.start()
        try:
            yield
        finally:
            # The dialers' tick task writes through a connection of its own: end it
            # before the database goes away under it.
            await close_dialers(app)
            worker.stop()
            connection.close()

    return Starlette(
        routes=routes, lifespan=lifespan, exception_handlers={HTTPException: http_error}
    )
