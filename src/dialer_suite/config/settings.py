"""Where the suite points and how hard it may push: one ``Settings`` object for every command.

Settings come from three layers, the later ones winning: a TOML file
(``[tool.dialer-suite]`` in ``pyproject.toml``, or the file named by
``DIALER_CONFIG``), the environment (``DIALER_*``), then explicit overrides
(command-line options). Every value is checked here so that a typo ends the
run with one line saying what to fix (``UsageError``), never a traceback deep
inside a test.
"""

from __future__ import annotations

import ipaddress
import math
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dialer_suite.errors import UsageError
from dialer_suite.vendor.testdata import NumberBlock, new_run_id, parse_number_range

ENV_PREFIX = "DIALER_"
CONFIG_ENV = "DIALER_CONFIG"
PYPROJECT_TABLE = "dialer-suite"

# The vendor's documented limit (API-NOTES: "10 requests per second per customer").
VENDOR_RATE_LIMIT = 10.0
# The embedded simulator enforces a limit high enough to keep the suite fast,
# yet low enough that the rate-limit scenario can still cross it.
EMBEDDED_RATE_LIMIT = 200.0
# Simulator defaults, used when the suite starts the simulator itself or when a
# loopback simulator was started by hand with its defaults.
EMBEDDED_JOB_TIMEOUT = 8.0
TARGET_JOB_TIMEOUT = 120.0
SIMULATOR_USERNAME = "acme"
SIMULATOR_TOKEN = "dev-token"


def is_loopback(url_or_host: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost`` (a URL or a bare host)."""
    if not url_or_host:
        return False
    host = urlsplit(url_or_host).hostname if "//" in url_or_host else url_or_host
    host = (host or "").strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know about its target. Build it with ``load_settings``."""

    base_url: str | None = None
    username: str = SIMULATOR_USERNAME
    api_token: str = field(default=SIMULATOR_TOKEN, repr=False)
    campaign_id: int = 1
    other_campaign_id: int = 2
    missing_campaign_id: int = 999_999
    allow_writes: bool = False
    rate_limit: float = EMBEDDED_RATE_LIMIT
    allow_rate_limit_tests: bool = False
    phone_range: NumberBlock | None = None
    simulator_faults: tuple[str, ...] = ()
    simulator_rate_limit: float = EMBEDDED_RATE_LIMIT
    run_id: str = field(default_factory=new_run_id)
    seed: int | None = None
    max_examples: int = 8
    large_import_size: int = 1000
    job_timeout: float = 60.0
    request_timeout: float = 30.0
    reports_dir: Path = Path("reports")
    # campaign_watch (dialer helper): how long it samples; None campaign = campaign_id on a
    # real target, a campaign the suite does not write to on the simulator.
    watch_seconds: float = 20.0
    watch_campaign_id: int | None = None

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{f.name}={'***' if f.name == 'api_token' else repr(getattr(self, f.name))}"
            for f in fields(self)
        )
        return f"Settings({shown})"

    @property
    def embedded(self) -> bool:
        """True when the suite starts its own simulator (no base URL given)."""
        return self.base_url is None

    @property
    def loopback(self) -> bool:
        """True when nothing this run does can reach a real tenant."""
        return self.embedded or is_loopback(self.base_url)

    @property
    def writes_allowed(self) -> bool:
        return self.loopback or self.allow_writes

    @property
    def rate_limit_tests_allowed(self) -> bool:
        return self.loopback or self.allow_rate_limit_tests

    def refuse_writes_reason(self) -> str | None:
        """Why this run may not write, with how to allow it; None when writes are fine."""
        if self.writes_allowed:
            return None
        return (
            f"refusing to write to {self.base_url}: it is not a loopback host. Writes create "
            "and delete contacts tagged with the run id, using fictional numbers only; allow "
            "them with --allow-writes or DIALER_ALLOW_WRITES=1"
        )

    def with_target(self, base_url: str) -> Settings:
        """These settings pointed at a started simulator (keeps its loopback nature)."""
        return replace(self, base_url=base_url)


def _parse_url(value: Any) -> str | None:
    text = str(value).strip()
    if not text:
        return None
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"base URL {text!r} is not an http(s) URL with a host "
            "(e.g. https://acme.ccaiplatform.com/apps/api/v1)"
        )
    if parts.query or parts.fragment:
        raise UsageError(f"base URL {text!r} must not carry a query or fragment")
    try:
        parts.port  # noqa: B018 - reading it validates it
    except ValueError as error:
        raise UsageError(f"base URL {text!r}: {error}") from None
    return text.rstrip("/")


def _parse_int(name: str, minimum: int = 0) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, bool):
            raise UsageError(f"{name} must be a whole number, got {value!r}")
        try:
            number = int(str(value).strip())
        except ValueError:
            raise UsageError(f"{name} must be a whole number, got {value!r}") from None
        if number < minimum:
            raise UsageError(f"{name} must be at least {minimum}, got {number}")
        return number

    return parse


def _parse_optional_int(name: str) -> Callable[[Any], int | None]:
    strict = _parse_int(name)

    def parse(value: Any) -> int | None:
        return None if value is None or str(value).strip() == "" else strict(value)

    return parse


def _parse_positive_float(name: str) -> Callable[[Any], float]:
    def parse(value: Any) -> float:
        try:
            number = float(str(value).strip())
        except ValueError:
            raise UsageError(f"{name} must be a number, got {value!r}") from None
        if not math.isfinite(number) or number <= 0:
            raise UsageError(f"{name} must be a positive number, got {value!r}")
        return number

    return parse


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _parse_bool(name: str) -> Callable[[Any], bool]:
    def parse(value: Any) -> bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE | _FALSE:
            return text in _TRUE
        raise UsageError(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}")

    return parse


def _parse_text(name: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = str(value).strip()
        if not text:
            raise UsageError(f"{name} must not be empty")
        return text

    return parse


def _parse_names(value: Any) -> tuple[str, ...]:
    # The simulator checks the names against its catalog when it starts.
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    return tuple(name.strip() for name in items if str(name).strip())


def _parse_range(value: Any) -> NumberBlock | None:
    if isinstance(value, NumberBlock):
        return value
    text = str(value).strip()
    return parse_number_range(text) if text else None


def _parse_run_id(value: Any) -> str:
    text = str(value).strip()
    if not text or not all(c.isalnum() or c in "-_" for c in text) or len(text) > 32:
        raise UsageError(
            f"run id {value!r} must be 1-32 letters, digits, '-' or '_' (it tags every contact written)"
        )
    return text


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "base_url": _parse_url,
    "username": _parse_text("username (DIALER_USERNAME)"),
    "api_token": _parse_text("API token (DIALER_API_TOKEN)"),
    "campaign_id": _parse_int("campaign id (DIALER_CAMPAIGN_ID)", 1),
    "other_campaign_id": _parse_int("other campaign id (DIALER_OTHER_CAMPAIGN_ID)", 1),
    "missing_campaign_id": _parse_int("missing campaign id (DIALER_MISSING_CAMPAIGN_ID)", 1),
    "allow_writes": _parse_bool("allow writes (DIALER_ALLOW_WRITES)"),
    "rate_limit": _parse_positive_float("rate limit (DIALER_RATE_LIMIT)"),
    "allow_rate_limit_tests": _parse_bool("allow rate-limit tests (DIALER_ALLOW_RATE_LIMIT_TESTS)"),
    "phone_range": _parse_range,
    "simulator_faults": _parse_names,
    "simulator_rate_limit": _parse_positive_float("simulator rate limit"),
    "run_id": _parse_run_id,
    "seed": _parse_optional_int("seed (DIALER_SEED)"),
    "max_examples": _parse_int("max examples (DIALER_MAX_EXAMPLES)", 1),
    "large_import_size": _parse_int("large import size (DIALER_LARGE_IMPORT_SIZE)", 1),
    "job_timeout": _parse_positive_float("job timeout (DIALER_JOB_TIMEOUT)"),
    "request_timeout": _parse_positive_float("request timeout (DIALER_REQUEST_TIMEOUT)"),
    "reports_dir": lambda value: Path(str(value)),
    "watch_seconds": _parse_positive_float("watch seconds (DIALER_WATCH_SECONDS)"),
    "watch_campaign_id": _parse_optional_int("watch campaign id (DIALER_WATCH_CAMPAIGN_ID)"),
}


def _file_layer(config_path: Path | None, environ: Mapping[str, str]) -> dict[str, Any]:
    """The ``[tool.dialer-suite]`` table of pyproject.toml, or a whole TOML file."""
    explicit = config_path or (Path(environ[CONFIG_ENV]) if environ.get(CONFIG_ENV) else None)
    path = explicit or Path("pyproject.toml")
    if not path.exists():
        if explicit is not None:
            raise UsageError(f"config file {path} does not exist")
        return {}
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise UsageError(f"config file {path} is not readable TOML: {error}") from None
    if path.name == "pyproject.toml":
        table = document.get("tool", {}).get(PYPROJECT_TABLE, {})
    else:
        table = document.get("tool", {}).get(PYPROJECT_TABLE, document)
    return {str(key).replace("-", "_"): value for key, value in table.items()}


def _env_layer(environ: Mapping[str, str]) -> dict[str, Any]:
    return {
        name: environ[ENV_PREFIX + name.upper()]
        for name in _PARSERS
        if ENV_PREFIX + name.upper() in environ
    }


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] = os.environ,
    config_path: Path | None = None,
) -> Settings:
    """Settings from file < environment < ``overrides`` (None values in overrides are ignored)."""
    raw: dict[str, Any] = {}
    for source, layer in (
        ("config file", _file_layer(config_path, environ)),
        ("environment", _env_layer(environ)),
        ("options", {k: v for k, v in (overrides or {}).items() if v is not None}),
    ):
        unknown = sorted(set(layer) - set(_PARSERS))
        if unknown and source != "environment":
            raise UsageError(f"unknown setting(s) in {source}: {', '.join(unknown)}")
        raw.update(layer)
    values = {name: _PARSERS[name](value) for name, value in raw.items()}
    return _with_defaults(values)


def _with_defaults(values: dict[str, Any]) -> Settings:
    """Fill the defaults that depend on the target, then check the combination."""
    base_url = values.get("base_url")
    if base_url is not None and "rate_limit" not in values:
        # A real tenant (or a simulator started by hand) enforces the vendor's limit.
        values["rate_limit"] = VENDOR_RATE_LIMIT
    if base_url is None and "rate_limit" not in values:
        values["rate_limit"] = values.get("simulator_rate_limit", EMBEDDED_RATE_LIMIT)
    if "job_timeout" not in values:
        # The embedded simulator finishes jobs in well under a second; a real tenant
        # queues them behind other work.
        values["job_timeout"] = EMBEDDED_JOB_TIMEOUT if base_url is None else TARGET_JOB_TIMEOUT
    if base_url is not None and not is_loopback(base_url) and "api_token" not in values:
        raise UsageError(
            f"no API token for {base_url}: set DIALER_API_TOKEN (and DIALER_USERNAME, the "
            "tenant subdomain)"
        )
    settings = Settings(**values)
    ids = {settings.campaign_id, settings.other_campaign_id, settings.missing_campaign_id}
    if len(ids) != 3:
        raise UsageError(
            "campaign id, other campaign id and missing campaign id must be three different "
            f"campaigns (got {settings.campaign_id}, {settings.other_campaign_id}, "
            f"{settings.missing_campaign_id})"
        )
    return settings
