"""Where the suite points and how hard it may push: one ``Settings`` object for every command.

Settings come from the three layers of ``options`` (the one settings
mechanism), the later ones winning: a TOML file (``[tool.dialer-suite]`` in
``pyproject.toml``, or the file named by ``DIALER_CONFIG``), the environment
(``DIALER_*``), then explicit overrides (command-line options). Every value is
checked so that a typo ends the run with one line saying what to fix
(``UsageError``), never a traceback deep inside a test.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dialer_suite.api.testdata import NumberBlock, new_run_id, parse_number_range
from dialer_suite.config import options
from dialer_suite.config.options import SettingError
from dialer_suite.errors import UsageError

ENV_PREFIX = "DIALER_"

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
    # Other readings of the vendor page for the embedded simulator (``x-assumption`` id →
    # choice, and a profile such as ``lean``); the simulator checks them when it starts.
    simulator_assume: Mapping[str, str] = field(default_factory=dict)
    simulator_vendor_profile: str | None = None
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
    # The target's size limits, when known (the vendor documents none): with them the
    # suite checks the 413s; the embedded simulator's are known.
    max_body_bytes: int | None = None
    max_import_bytes: int | None = None

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


def _url(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingError(
            f"{text!r} is not an http(s) URL with a host (e.g. https://acme.ccaiplatform.com/apps/api/v1)"
        )
    if parts.query or parts.fragment:
        raise SettingError(f"{text!r} must not carry a query or fragment")
    try:
        parts.port  # noqa: B018 - reading it validates it
    except ValueError as error:
        raise SettingError(f"{text!r}: {error}") from None
    return text.rstrip("/")


def _phone_range(value: Any) -> NumberBlock | None:
    if value is None or isinstance(value, NumberBlock):
        return value
    if not isinstance(value, str):
        raise SettingError(f"must be START:COUNT or START-END text, got {value!r}")
    try:
        return parse_number_range(value.strip()) if value.strip() else None
    except UsageError as error:
        raise SettingError(str(error)) from None


def _run_id(value: Any) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text or not all(c.isalnum() or c in "-_" for c in text) or len(text) > 32:
        raise SettingError(
            f"{value!r} must be 1-32 letters, digits, '-' or '_' (it tags every contact written)"
        )
    return text


def _option(name: str, convert: options.Convert, label: str) -> options.Option:
    return options.Option(name, convert, label, ENV_PREFIX + name.upper())


OPTIONS: tuple[options.Option, ...] = (
    _option("base_url", _url, "base URL"),
    _option("username", options.text(), "username"),
    _option("api_token", options.text(), "API token"),
    _option("campaign_id", options.whole(minimum=1), "campaign id"),
    _option("other_campaign_id", options.whole(minimum=1), "other campaign id"),
    _option("missing_campaign_id", options.whole(minimum=1), "missing campaign id"),
    _option("allow_writes", options.flag, "allow writes"),
    _option("rate_limit", options.positive_number(), "rate limit"),
    _option("allow_rate_limit_tests", options.flag, "allow rate-limit tests"),
    _option("phone_range", _phone_range, "phone range"),
    # The simulator checks the names against its catalog when it starts.
    _option("simulator_faults", options.items(), "simulator faults"),
    _option("simulator_rate_limit", options.positive_number(), "simulator rate limit"),
    # The variables `dialer-suite serve` reads too: one export switches every simulator.
    options.Option("simulator_assume", options.pairs("ID=CHOICE"), "simulator assumption choices",
                   "DIALER_SIM_ASSUME"),
    options.Option("simulator_vendor_profile", options.text(optional=True), "simulator vendor profile",
                   "DIALER_SIM_VENDOR_PROFILE"),
    _option("run_id", _run_id, "run id"),
    _option("seed", options.whole(optional=True), "seed"),
    _option("max_examples", options.whole(minimum=1), "max examples"),
    _option("large_import_size", options.whole(minimum=1), "large import size"),
    _option("job_timeout", options.positive_number(), "job timeout"),
    _option("request_timeout", options.positive_number(), "request timeout"),
    _option("reports_dir", options.path, "reports dir"),
    _option("watch_seconds", options.positive_number(), "watch seconds"),
    _option("watch_campaign_id", options.whole(optional=True), "watch campaign id"),
    _option("max_body_bytes", options.whole(minimum=1, optional=True), "the target's body size limit"),
    _option("max_import_bytes", options.whole(minimum=1, optional=True), "the target's import size limit"),
)

# Tables of the settings file that belong to other commands.
_OTHER_TABLES = ("simulator",)


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] = os.environ,
    config_path: Path | None = None,
) -> Settings:
    """Settings from file < environment < ``overrides`` (None values in overrides are ignored)."""
    values = options.layered(
        OPTIONS, given=overrides, environ=environ,
        file=options.read_config_file(config_path, environ), ignore=_OTHER_TABLES,
    )
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
