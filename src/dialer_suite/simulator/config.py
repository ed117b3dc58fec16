"""Settings of one simulator instance: tenant, campaigns, limits, faults, assumption choices.

Read through the project's one settings layer (``dialer_suite.config.options``):
``dialer-suite serve`` options win over ``DIALER_SIM_*`` variables, which win
over ``[tool.dialer-suite.simulator]`` in ``pyproject.toml`` (or the
``[simulator]`` table of the ``DIALER_CONFIG`` file). The same converters check
a ``SimulatorConfig`` built in code, so an impossible value is one plain line
wherever it came from. One frozen dataclass, so that a configuration can cross
the process boundary (``to_json``/``from_json``): the server always runs in a
process of its own.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dialer_suite.config import options
from dialer_suite.config.options import Option, SettingError
from dialer_suite.simulator import assumptions

DEFAULT_USERNAME = "acme"
DEFAULT_TOKEN = "dev-token"  # the documented development token
MiB = 1024 * 1024
_SECTION = "simulator"


def _username(value: Any) -> str:
    name: str = options.text(forbidden=":")(value)
    return name


def _campaigns(value: Any) -> tuple[int, ...]:
    campaigns: tuple[int, ...] = options.items(options.whole(minimum=1), non_empty=True)(value)
    return campaigns


def _port(value: Any) -> int:
    port: int = options.whole(minimum=0, maximum=65535)(value)
    return port


def _assume(value: Any) -> dict[str, str]:
    """``ID=CHOICE`` pairs (``options.pairs``), checked against the assumption registry."""
    chosen = options.pairs("ID=CHOICE")(value)
    wrong = assumptions.problem(chosen)
    if wrong is not None:
        raise SettingError(wrong)
    return dict(sorted(chosen.items()))


def _vendor_profile(value: Any) -> str | None:
    name: str | None = options.text(optional=True)(value)
    if name is not None and name not in assumptions.PROFILES:
        raise SettingError(f"must be one of {', '.join(assumptions.PROFILES)}, got {name!r}")
    return name


def _env(name: str) -> str:
    return f"DIALER_SIM_{name.upper()}"


OPTIONS: tuple[Option, ...] = (
    Option("host", options.text(), env=_env("host")),
    Option("port", _port, env=_env("port")),
    Option("db_path", options.text(optional=True), "database file", _env("db_path")),
    Option("username", _username, "simulator username", _env("username")),
    Option("token", options.text(), "simulator token", _env("token")),
    Option("campaigns", _campaigns, "simulator campaigns", _env("campaigns")),
    Option("rate_limit", options.rate_or_off, "rate limit (requests/s, or off)", _env("rate_limit")),
    Option("burst", options.number(minimum=1.0, optional=True), "burst (requests)", _env("burst")),
    Option("seed", options.whole(), env=_env("seed")),
    # The suite's settings read the same variable, so one export switches faults on everywhere.
    Option("faults", options.items(), "faults", "DIALER_SIMULATOR_FAULTS"),
    Option("latency_ms", options.number(minimum=0.0), "latency_ms", _env("latency_ms")),
    Option("min_job_seconds", options.number(minimum=0.0), "min_job_seconds", _env("min_job_seconds")),
    Option("max_body_bytes", options.whole(minimum=1), "max_body_bytes", _env("max_body_bytes")),
    Option("max_import_bytes", options.whole(minimum=1), "max_import_bytes", _env("max_import_bytes")),
    Option("max_import_contacts", options.whole(minimum=1), "max_import_contacts",
           _env("max_import_contacts")),
    Option("assume", _assume, "assumption choices", _env("assume")),
    Option("vendor_profile", _vendor_profile, "vendor profile", _env("vendor_profile")),
)
_ASSUME = options.options_by_name(OPTIONS)["assume"]


@dataclass(frozen=True)
class SimulatorConfig:
    """Everything that makes one simulator differ from another.

    ``rate_limit`` is requests per second per tenant (None switches it off);
    ``burst`` is the token bucket's depth (None = one second's worth).
    ``min_job_seconds`` keeps an import job observably ``in_progress`` for at
    least that long, so clients can be tested on their polling.
    ``assume`` plays other choices for ``x-assumption`` ids (``{"job-id-location":
    "location-only"}``), on top of ``vendor_profile`` (``"lean"``); ``choices`` is the result.
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
    # Not hashed: a frozen config stays hashable with a mapping in it.
    assume: Mapping[str, str] = field(default_factory=dict, hash=False)
    vendor_profile: str | None = None

    def __post_init__(self) -> None:
        options.check(self, OPTIONS)
        # One form whatever was given (a mapping, "a=x" pairs): a plain dict, sorted, for JSON.
        object.__setattr__(self, "assume", _ASSUME.parse(self.assume))

    @property
    def choices(self) -> dict[str, str]:
        """The assumption choices this simulator plays, beyond the defaults: the profile's,
        then ``assume`` for the ids it names."""
        return assumptions.resolve(self.vendor_profile, self.assume)

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
        data["assume"] = dict(data.get("assume") or {})
        return cls(**data)


def load_simulator_config(
    given: Mapping[str, Any] | None = None,
    *,
    base: SimulatorConfig | None = None,
    environ: Mapping[str, str] = os.environ,
    config_path: Path | None = None,
) -> SimulatorConfig:
    """``base`` (default: the dataclass defaults) with the file, environment and ``given`` layers.

    ``given`` holds command-line values, None for an option not given.
    """
    values = options.layered(
        OPTIONS, given=given, environ=environ,
        file=options.read_config_file(config_path, environ, section=_SECTION),
    )
    return dataclasses.replace(base or SimulatorConfig(), **values)
