"""The simulator process: ``python -m dialer_suite.simulator --listen-fd N``, started by ``server.py``."""

from __future__ import annotations

import argparse
import os
import socket
import threading
import time

import uvicorn

from dialer_suite.simulator.app import create_app
from dialer_suite.simulator.server import read_config_from_environment

_ORPHAN_POLL_SECONDS = 0.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listen-fd", type=int, required=True, help="an inherited listening socket")
    parser.add_argument("--parent-pid", type=int, default=os.getppid(), help="exit when this process is gone")
    args = parser.parse_args()
    config = read_config_from_environment()
    listener = socket.socket(fileno=args.listen_fd)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(config),
            loop="uvloop",
            http="httptools",
            lifespan="on",
            log_level="warning",
            access_log=False,
            proxy_headers=False,  # nothing proxies the simulator; saves a middleware per request
            timeout_graceful_shutdown=20,
        )
    )
    _stop_when_orphaned(server, args.parent_pid)
    server.run(sockets=[listener])


def _stop_when_orphaned(server: uvicorn.Server, parent_pid: int) -> None:
    """Shut down gracefully when the process that started us dies without stopping us.

    A test runner killed by a timeout must not leave simulators running for ever.
    """

    def watch() -> None:
        while not server.should_exit:
            if os.getppid() != parent_pid:
                server.should_exit = True
            time.sleep(_ORPHAN_POLL_SECONDS)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


if __name__ == "__main__":
    main()
