"""The simulator process: ``python -m dialer_suite.simulator --listen-fd N``, started by ``server.py``."""

from __future__ import annotations

import argparse
import socket

import uvicorn

from dialer_suite.simulator.app import create_app
from dialer_suite.simulator.server import read_config_from_environment


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listen-fd", type=int, required=True, help="an inherited listening socket")
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
    server.run(sockets=[listener])


if __name__ == "__main__":
    main()
