"""The simulator's settings, declared once: what ``dialer-suite serve`` reads, and the part of
them a suite run chooses for the simulator it starts itself.

``SimulatorSettings`` is every setting of one simulator (``dialer-suite serve``
options, ``DIALER_SIM_*`` variables, ``[tool.dialer-suite.simulator]``);
``simulator.config.SimulatorConfig`` adds what only the simulator knows (the
assumption registry) and its behaviour. ``EmbeddedSimulator`` is nested in
the suite's ``Settings``: the faults and reading of the vendor page of the
simulator a run starts, and the limit that simulator enforces. The two share
``SimulatorReading``, so one export (``DIALER_SIM_FAULTS``,
``DIALER_SIM_ASSUME``) switches every simulator.

Declared here, in the settings layer, because the suite's settings nest part
of them and every layer above reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from typing import Annotated, Any

from dialer_suite.api import spec
from dialer_suite.config.declare import SETTINGS_CONFIG, Setting, SettingsModel, settings_dataclass
from dialer_suite.config.values import (
    SettingError,
    byte_size,
    items,
    number,
    pairs,
    rate_or_off,
    text,
    whole,
)

# The vendor's documented limit (API-NOTES: "10 requests per second per customer").
VENDOR_RATE_LIMIT = 10.0
# The suite's own simulator enforces a limit high enough to keep the suite fast,
# yet low enough that the rate-limit scenario can still cross it.
EMBEDDED_RATE_LIMIT = 200.0
DEFAULT_USERNAME = "acme"
DEFAULT_TOKEN = "dev-token"  # the documented development token
MiB = 1024 * 1024


def _operation_latencies(value: Any) -> dict[str, float]:
    """``addContact=1500, listContacts=200``: milliseconds per operation id of the spec."""
    if isinstance(value, Mapping):
        value = {str(key): str(item) for key, item in value.items()}
    known = {operation.operation_id for operation in spec.iter_operations()}
    latencies = {}
    for operation_id, millis in pairs("OPERATION=MS")(value).items():
        if operation_id not in known:
            raise SettingError(f"names no operation of the spec: {operation_id!r} (one of "
                               f"{', '.join(sorted(known))})")
        latencies[operation_id] = float(number(minimum=0.0)(millis))
    return latencies


@settings_dataclass(frozen=True, config=SETTINGS_CONFIG)
class SimulatorReading(SettingsModel):
    """What a simulator plays: vendor regressions switched on, and its reading of the vendor page
    (other choices for ``x-assumption`` ids, on top of a whole profile such as ``lean``)."""

    faults: Annotated[tuple[str, ...], Setting(
        items(), env="DIALER_SIM_FAULTS", flag="--fault", repeat=True, metavar="NAME",
        help="switch on a vendor regression (repeatable; see `dialer-suite faults`)",
    )] = ()
    # Not hashed: a frozen config stays hashable with a mapping in it.
    assume: Annotated[Mapping[str, str], Setting(
        pairs("ID=CHOICE"), env="DIALER_SIM_ASSUME", flag="--assume", repeat=True, metavar="ID=CHOICE",
        help="play another choice for an x-assumption of the spec (repeatable; wins over "
        "--vendor-profile for the ids it names; see --list-assumptions)",
    )] = field(default_factory=dict, hash=False)
    vendor_profile: Annotated[str | None, Setting(
        text(optional=True), env="DIALER_SIM_VENDOR_PROFILE", flag="--vendor-profile", metavar="NAME",
        help="play a whole vendor at once: lean, the least the page promises",
    )] = None


@settings_dataclass(frozen=True, config=SETTINGS_CONFIG)
class EmbeddedSimulator(SimulatorReading):
    """The simulator a suite run starts when no base URL is given (``Settings.simulator``)."""

    rate_limit: Annotated[float, Setting(
        number(above=0.0), env="DIALER_SIMULATOR_RATE_LIMIT",
        help="requests/s per tenant the suite's own simulator enforces",
    )] = EMBEDDED_RATE_LIMIT


@settings_dataclass(frozen=True, config=SETTINGS_CONFIG)
class SimulatorSettings(SimulatorReading):
    """Every setting of one simulator. ``rate_limit`` is the limit it enforces, requests/s per
    tenant (None: off); ``burst`` the token bucket's depth (None: one second's worth);
    ``min_job_seconds`` keeps an import job observably ``in_progress`` that long at least."""

    host: Annotated[str, Setting(text(), env="DIALER_SIM_HOST", flag="--host",
                                 help="address to listen on")] = "127.0.0.1"
    port: Annotated[int, Setting(whole(minimum=0, maximum=65535), env="DIALER_SIM_PORT", flag="--port",
                                 help="0 = any free port")] = 0
    db_path: Annotated[str | None, Setting(
        text(optional=True), env="DIALER_SIM_DB_PATH", flag="--db", help="SQLite file to keep state in",
        default_help="a temp file",
    )] = None
    username: Annotated[str, Setting(text(forbidden=":"), env="DIALER_SIM_USERNAME")] = DEFAULT_USERNAME
    token: Annotated[str, Setting(text(), env="DIALER_SIM_TOKEN")] = field(default=DEFAULT_TOKEN, repr=False)
    campaigns: Annotated[tuple[int, ...], Setting(
        items(whole(minimum=1), non_empty=True), env="DIALER_SIM_CAMPAIGNS", flag="--campaigns",
        help="comma-separated campaign ids that exist",
    )] = (1, 2, 3)
    rate_limit: Annotated[float | None, Setting(
        rate_or_off, env="DIALER_SIM_RATE_LIMIT", flag="--rate-limit",
        help="requests/s per tenant the simulator enforces, or 'off'",
    )] = VENDOR_RATE_LIMIT
    burst: Annotated[float | None, Setting(
        number(minimum=1.0, optional=True), env="DIALER_SIM_BURST", flag="--burst",
        help="requests allowed at once", default_help="one second's worth",
    )] = None
    seed: Annotated[int, Setting(whole(), env="DIALER_SIM_SEED", flag="--seed",
                                 help="seeds the first contact and job ids")] = 0
    latency_ms: Annotated[float, Setting(number(minimum=0.0), env="DIALER_SIM_LATENCY_MS",
                                         flag="--latency-ms", help="added to every vendor response")] = 0.0
    # A hosted tenant's service time differs per operation (an add writes, a list reads):
    # self-tests play one whose adds are slow, or whose imports are.
    operation_latency_ms: Annotated[Mapping[str, float], Setting(
        _operation_latencies, env="DIALER_SIM_OPERATION_LATENCY_MS", flag="--operation-latency-ms",
        repeat=True, metavar="OPERATION=MS",
        help="added to one operation's responses, on top of --latency-ms (repeatable, e.g. addContact=1500)",
    )] = field(default_factory=dict, hash=False)
    import_rate: Annotated[float | None, Setting(
        number(above=0.0, optional=True), env="DIALER_SIM_IMPORT_RATE", flag="--import-rate",
        help="contacts/s the import worker imports at most, one job after another (a tenant's import speed)",
        default_help="as fast as it can",
    )] = None
    min_job_seconds: Annotated[float, Setting(
        number(minimum=0.0), env="DIALER_SIM_MIN_JOB_SECONDS", flag="--min-job-seconds",
        help="how long an import job reads in_progress at least",
    )] = 0.2
    max_body_bytes: Annotated[int, Setting(
        whole(minimum=1), env="DIALER_SIM_MAX_BODY_BYTES", flag="--max-body-bytes", metavar="BYTES",
        help="largest request body, in bytes", show=byte_size,
    )] = 1 * MiB
    max_import_bytes: Annotated[int, Setting(
        whole(minimum=1), env="DIALER_SIM_MAX_IMPORT_BYTES", flag="--max-import-bytes", metavar="BYTES",
        help="largest import file, in bytes", show=byte_size,
    )] = 32 * MiB
    max_import_contacts: Annotated[int, Setting(
        whole(minimum=1), env="DIALER_SIM_MAX_IMPORT_CONTACTS", flag="--max-import-contacts",
        help="most contacts in one import file",
    )] = 100_000
