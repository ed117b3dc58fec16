"""Settings of one simulator instance: tenant, campaigns, limits, faults.

One frozen dataclass so that a configuration can cross a process boundary
(``to_json``/``from_json``): the server always runs in its own process.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dialer_suite.errors import UsageError

USERNAME_ENV = "DIALER_SIM_USERNAME"
TOKEN_ENV = "DIALER_SIM_TOKEN"
FAULTS_ENV = "DIALER_SIMULATOR_FAULTS"

DEFAULT_USERNAME = "acme"
DEFAULT_TOKEN = "dev-token"  # the documented development token
MiB = 1024 * 1024


@dataclass(frozen=True)
class SimulatorConfig:
    """Everything that makes one simulator differ from another.

    ``rate_limit`` is requests per second per tenant (None switches it off);
    ``burst`` is the token bucket's depth (None = one second's worth).
    ``min_job_seconds`` keeps an import job observably ``in_progress`` for at
    least that long, so clients can be tested on their polling.
    """

    host: str = "127.0.0.1"
    port: int = 0
    db_path: str | None = None
    username: str = DEFAULT_USERNAME
    token: str = field(default=DEFAULT_TOKEN, repr=False)
    campaigns: tuple[int, ...] = (1, 2, 3)
    rate_limit: float | None = 10.0
    burst: float | None = None
    seed: int = 0
    faults: tuple[str, ...] = ()
    latency_ms: float = 0.0
    min_job_seconds: float = 0.2
    max_body_bytes: int = 1 * MiB
    max_import_bytes: int = 32 * MiB
    max_import_contacts: int = 100_000

    def __post_init__(self) -> None:
        if not self.username or ":" in self.username:
            raise UsageError("simulator username must be non-empty and contain no ':'")
        if not self.token:
            raise UsageError("simulator token must be non-empty")
        if not self.campaigns or any(c < 1 for c in self.campaigns):
            raise UsageError("simulator campaigns must be one or more positive integers")
        if self.rate_limit is not None and self.rate_limit <= 0:
            raise UsageError("rate limit must be a positive number of requests/s, or 'off'")
        if self.burst is not None and self.burst < 1:
            raise UsageError("burst must be at least 1 request")
        if not 0 <= self.port <= 65535:
            raise UsageError(f"port {self.port} is outside 0..65535")
        for name in ("latency_ms", "min_job_seconds"):
            if getattr(self, name) < 0:
                raise UsageError(f"{name} must not be negative")
        for name in ("max_body_bytes", "max_import_bytes", "max_import_contacts"):
            if getattr(self, name) < 1:
                raise UsageError(f"{name} must be at least 1")

    @property
    def bucket_depth(self) -> float:
        """Requests a client may send at once before the rate applies."""
        if self.burst is not None:
            return self.burst
        return max(1.0, self.rate_limit or 1.0)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> SimulatorConfig:
        data: dict[str, Any] = json.loads(text)
        data["campaigns"] = tuple(data["campaigns"])
        data["faults"] = tuple(data["faults"])
        return cls(**data)


def with_environment(config: SimulatorConfig, environ: Mapping[str, str] = os.environ) -> SimulatorConfig:
    """``config`` with the credentials and faults the environment sets.

    The credentials come from the environment so that they never have to appear
    on a command line (where ``ps`` shows them).
    """
    changes: dict[str, Any] = {}
    if environ.get(USERNAME_ENV):
        changes["username"] = environ[USERNAME_ENV]
    if environ.get(TOKEN_ENV):
        changes["token"] = environ[TOKEN_ENV]
    env_faults = parse_fault_list(environ.get(FAULTS_ENV, ""))
    if env_faults:
        changes["faults"] = tuple(dict.fromkeys((*config.faults, *env_faults)))
    return dataclasses.replace(config, **changes) if changes else config


def parse_fault_list(text: str) -> tuple[str, ...]:
    """``"a, b,,c"`` → ``("a", "b", "c")``."""
    return tuple(name.strip() for name in text.split(",") if name.strip())


def parse_rate_limit(text: str) -> float | None:
    """``off`` → None, a positive number → that number, anything else → UsageError."""
    if text.strip().lower() in ("off", "none", "0"):
        return None
    try:
        rate = float(text)
    except ValueError:
        raise UsageError(f"--rate-limit {text!r}: expected a number of requests/s or 'off'") from None
    if rate <= 0 or rate != rate or rate == float("inf"):
        raise UsageError(f"--rate-limit {text!r}: expected a positive number of requests/s or 'off'")
    return rate
