"""Where the suite points and how hard it may push: one ``Settings`` object for every command.

Each setting is declared once, below (``declare``): its type, default,
variable, flag and help. They are read from the layers (``layers``: the TOML
file < ``DIALER_*`` < the command line), and a bad value ends the run with one
line naming what the person wrote (``UsageError``), never a traceback deep
inside a test. Three defaults depend on the target, and are filled once the
layers are read: the pace, the job timeout and the size of the large import
(a tenant pays for every contact written with a DELETE at the end).
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import field, replace
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import model_validator

from dialer_suite.api.testdata import NumberBlock, new_run_id, parse_number_range
from dialer_suite.config.declare import SETTINGS_CONFIG, Setting, SettingsModel, settings_dataclass
from dialer_suite.config.layers import Layers, read_layers
from dialer_suite.config.simulator import (
    DEFAULT_TOKEN,
    DEFAULT_USERNAME,
    EMBEDDED_RATE_LIMIT,
    VENDOR_RATE_LIMIT,
    EmbeddedSimulator,
)
from dialer_suite.config.values import SettingError, boolean, number, path, text, whole
from dialer_suite.errors import UsageError

# The embedded simulator finishes jobs in well under a second; a real tenant
# queues them behind other work.
EMBEDDED_JOB_TIMEOUT = 8.0
TARGET_JOB_TIMEOUT = 120.0
# Contacts of the large import. On a tenant every one costs a DELETE at the end, out of the
# tenant's shared 10 requests/s: there, just past the largest page size a list is likely to
# default to (100), so that a list answered without paging must show more than one page holds.
EMBEDDED_LARGE_IMPORT = 1000
TARGET_LARGE_IMPORT = 105
# How long an outage is waited out before the run stops (exit 69, "target not usable").
OUTAGE_LIMIT = 60.0
# Tables of the settings file that belong to other commands.
_OTHER_TABLES = ("simulator",)


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


def host_of(url: str) -> str:
    """The host (and port, when the URL names one) of ``url``: what output shows of a target,
    never the path or credentials."""
    parts = urlsplit(url)
    host = parts.hostname or url
    host = f"[{host}]" if ":" in host else host
    return f"{host}:{parts.port}" if parts.port else host


def _url(value: Any) -> str | None:
    if value is None:
        return None
    url = str(value).strip()
    if not url:
        # A CI secret that was never set: running against the embedded simulator instead would
        # pass, and a recorded baseline would hold the simulator's behaviour as the tenant's.
        raise SettingError(
            "is set but blank; give the target's base URL (e.g. https://acme.ccaiplatform.com/"
            "apps/api/v1), or unset it to run against the embedded simulator"
        )
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingError(
            f"{url!r} is not an http(s) URL with a host (e.g. https://acme.ccaiplatform.com/apps/api/v1)"
        )
    if parts.username is not None or parts.password is not None:
        raise SettingError(
            "must not carry credentials; give them as DIALER_USERNAME and DIALER_API_TOKEN"
        )
    if parts.query or parts.fragment:
        raise SettingError(f"{url!r} must not carry a query or fragment")
    try:
        parts.port  # noqa: B018 - reading it validates it
    except ValueError as error:
        raise SettingError(f"{url!r}: {error}") from None
    return url.rstrip("/")


def _phone_range(value: Any) -> NumberBlock | None:
    if value is None or isinstance(value, NumberBlock):
        return value
    if not isinstance(value, str):
        raise SettingError(f"must be START:COUNT or START-END text, got {value!r}")
    try:
        return parse_number_range(value.strip()) if value.strip() else None
    except UsageError as error:
        raise SettingError(str(error).removeprefix("phone range ")) from None


def _run_id(value: Any) -> str:
    tag = value.strip() if isinstance(value, str) else ""
    if not tag or not all(c.isalnum() or c in "-_" for c in tag) or len(tag) > 32:
        raise SettingError(
            f"{value!r} must be 1-32 letters, digits, '-' or '_' (it tags every contact written)"
        )
    return tag


@settings_dataclass(frozen=True, config=SETTINGS_CONFIG)
class Settings(SettingsModel):
    """Everything a run needs to know about its target. Read it with ``load_settings``."""

    base_url: Annotated[str | None, Setting(
        _url, env="DIALER_BASE_URL", flag="--base-url", help="target base URL incl. /apps/api/v1",
        default_help="start the embedded simulator",
    )] = None
    username: Annotated[str, Setting(
        text(), env="DIALER_USERNAME", flag="--username", help="tenant subdomain (HTTP Basic user)",
    )] = DEFAULT_USERNAME
    # From the environment only: a token on a command line ends up in shell histories and CI logs.
    api_token: Annotated[str, Setting(text(), env="DIALER_API_TOKEN")] = field(
        default=DEFAULT_TOKEN, repr=False)
    campaign_id: Annotated[int, Setting(
        whole(minimum=1), env="DIALER_CAMPAIGN_ID", flag="--campaign-id",
        help="campaign the suite writes to",
    )] = 1
    other_campaign_id: Annotated[int, Setting(
        whole(minimum=1), env="DIALER_OTHER_CAMPAIGN_ID", flag="--other-campaign-id",
        help="a second campaign, for isolation checks",
    )] = 2
    missing_campaign_id: Annotated[int, Setting(
        whole(minimum=1), env="DIALER_MISSING_CAMPAIGN_ID", flag="--missing-campaign-id",
        help="a campaign id that does not exist",
    )] = 999_999
    allow_writes: Annotated[bool, Setting(
        boolean, env="DIALER_ALLOW_WRITES", flag="--allow-writes", help="allow writes to a non-loopback host",
    )] = False
    # The suite's pace: the requests/s it sends at most (it stays under 90 % of it), not a
    # limit it enforces; called rate_limit where a person gives it, the target's limit.
    pace: Annotated[float, Setting(
        number(above=0.0), env="DIALER_RATE_LIMIT", flag="--rate-limit", file_key="rate_limit",
        help="the target's rate limit, requests/s, that the suite paces under",
        default_help=f"the vendor's {VENDOR_RATE_LIMIT:g} with a base URL, else the embedded "
        f"simulator's {EMBEDDED_RATE_LIMIT:g}",
    )] = EMBEDDED_RATE_LIMIT
    allow_rate_limit_tests: Annotated[bool, Setting(
        boolean, env="DIALER_ALLOW_RATE_LIMIT_TESTS", flag="--allow-rate-limit-tests",
        help="allow bursting past the rate limit of a tenant (any target given by a base URL)",
    )] = False
    phone_range: Annotated[NumberBlock | None, Setting(
        _phone_range, env="DIALER_PHONE_RANGE", flag="--phone-range",
        help="a number range you control, START:COUNT",
    )] = None
    # The simulator the suite starts when there is no base URL: the faults and the reading of
    # the vendor page it plays (checked when it starts), the limit it enforces.
    simulator: EmbeddedSimulator = field(default_factory=EmbeddedSimulator)
    run_id: Annotated[str, Setting(
        _run_id, env="DIALER_RUN_ID", flag="--run-id", help="tag of everything this run writes",
        default_help="a new one per run",
    )] = field(default_factory=new_run_id)
    seed: Annotated[int | None, Setting(
        whole(optional=True), env="DIALER_SEED", flag="--dialer-seed",
        help="seed of the property tests; --hypothesis-seed also works",
        default_help="a random one, printed",
    )] = None
    max_examples: Annotated[int, Setting(
        whole(minimum=1), env="DIALER_MAX_EXAMPLES", flag="--max-examples",
        help="examples per operation and mode",
    )] = 8
    large_import_size: Annotated[int, Setting(
        whole(minimum=1), env="DIALER_LARGE_IMPORT_SIZE", flag="--large-import-size",
        help="contacts in the large-import scenario",
        default_help=f"{EMBEDDED_LARGE_IMPORT} on the embedded simulator, {TARGET_LARGE_IMPORT} with a "
        "base URL",
    )] = EMBEDDED_LARGE_IMPORT
    job_timeout: Annotated[float, Setting(
        number(above=0.0), env="DIALER_JOB_TIMEOUT", flag="--job-timeout",
        help="seconds an import job may take",
        default_help=f"{EMBEDDED_JOB_TIMEOUT:g} on the embedded simulator, {TARGET_JOB_TIMEOUT:g} "
        "with a base URL",
    )] = EMBEDDED_JOB_TIMEOUT
    request_timeout: Annotated[float, Setting(number(above=0.0), env="DIALER_REQUEST_TIMEOUT")] = 30.0
    outage_limit: Annotated[float, Setting(
        number(minimum=0.0), env="DIALER_OUTAGE_LIMIT", flag="--outage-limit",
        help="seconds an unreachable or failing target is waited for before the run stops (exit 69)",
    )] = OUTAGE_LIMIT
    reports_dir: Annotated[Path, Setting(
        # Schemathesis spells it so; --reports-dir was this suite's own spelling once.
        path, env="DIALER_REPORTS_DIR", flag="--report-dir", old_flags=("--reports-dir",),
        metavar="DIR", help="the folder the reports go to",
    )] = Path("reports")
    # campaign_watch (dialer helper): how long it samples; None campaign = campaign_id on a
    # real target, a campaign the suite does not write to on the simulator.
    watch_seconds: Annotated[float, Setting(number(above=0.0), env="DIALER_WATCH_SECONDS")] = 20.0
    watch_campaign_id: Annotated[int | None, Setting(
        whole(optional=True), env="DIALER_WATCH_CAMPAIGN_ID")] = None
    # The target's size limits, when known (the vendor documents none): with them the
    # suite checks the 413s; the embedded simulator's are known.
    max_body_bytes: Annotated[int | None, Setting(whole(minimum=1, optional=True),
                                                       env="DIALER_MAX_BODY_BYTES")] = None
    max_import_bytes: Annotated[int | None, Setting(whole(minimum=1, optional=True),
                                                         env="DIALER_MAX_IMPORT_BYTES")] = None

    @model_validator(mode="after")
    def _three_campaigns(self) -> Settings:
        ids = {self.campaign_id, self.other_campaign_id, self.missing_campaign_id}
        if len(ids) != 3:
            raise ValueError(
                "campaign id, other campaign id and missing campaign id must be three different "
                f"campaigns (got {self.campaign_id}, {self.other_campaign_id}, {self.missing_campaign_id})"
            )
        return self

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
        # A tenant reached on loopback (an SSH tunnel, a local proxy) is still a shared tenant.
        return self.embedded or self.allow_rate_limit_tests

    @property
    def target_name(self) -> str:
        """How output names the target: its host, or the embedded simulator (no credentials)."""
        return "the embedded simulator" if self.base_url is None else host_of(self.base_url)

    def refuse_writes_reason(self) -> str | None:
        """Why this run may not write, with how to allow it; None when writes are fine."""
        if self.writes_allowed:
            return None
        return (
            f"refusing to write to {self.base_url}: it is not a loopback host. Writes create "
            "and delete contacts tagged with the run id, using fictional numbers only; allow "
            f"them with {Settings.declared('allow_writes').how('1')}"
        )

    def with_target(self, base_url: str) -> Settings:
        """These settings pointed at a started simulator (keeps its loopback nature)."""
        return replace(self, base_url=base_url)


def settings_layers(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] = os.environ,
    config_path: Path | None = None,
) -> Layers:
    """The suite's settings as given, and where each came from (``overrides``: the command line,
    None values not given)."""
    return read_layers(Settings, given=overrides, environ=environ, config_path=config_path,
                       ignore=_OTHER_TABLES)


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] = os.environ,
    config_path: Path | None = None,
) -> Settings:
    """Settings from file < environment < ``overrides`` (None values in overrides are ignored)."""
    return settings_from(settings_layers(overrides, environ, config_path))


def settings_from(layers: Layers) -> Settings:
    """The settings of ``layers``, with the defaults that depend on the target filled in."""
    settings = layers.build(Settings)
    embedded = settings.base_url is None
    defaults: dict[str, Any] = {}
    if not layers.given("pace"):
        # A real tenant (or a simulator started by hand) enforces the vendor's limit.
        defaults["pace"] = settings.simulator.rate_limit if embedded else VENDOR_RATE_LIMIT
    if not layers.given("job_timeout"):
        defaults["job_timeout"] = EMBEDDED_JOB_TIMEOUT if embedded else TARGET_JOB_TIMEOUT
    if not layers.given("large_import_size"):
        defaults["large_import_size"] = EMBEDDED_LARGE_IMPORT if embedded else TARGET_LARGE_IMPORT
    if not embedded and not settings.loopback and not layers.given("api_token"):
        raise UsageError(
            f"no API token for {settings.base_url}: set {Settings.declared('api_token').env} (and "
            f"{Settings.declared('username').env}, the tenant subdomain)"
        )
    return replace(settings, **defaults)


def credentials_environment(settings: Settings) -> dict[str, str]:
    """The variables a child process reads ``settings``' credentials from (never its command line)."""
    return {str(Settings.declared("username").env): settings.username,
            str(Settings.declared("api_token").env): settings.api_token}
