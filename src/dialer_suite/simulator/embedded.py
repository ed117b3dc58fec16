"""The embedded simulator the suite's settings ask for: the one way every command starts it.

The contract suite, the load suite and selfcheck all start it from a
``Settings`` through here, so the credentials, campaigns, faults and seed of
a run always reach the simulator the same way; only what a command must
decide for itself (the limit it enforces, None for off; an added latency) is
passed on top. The faults and the reading of the vendor page come from the
settings' nested ``simulator`` (``EmbeddedSimulator``), read from the same
variables as ``dialer-suite serve``'s, so that one export switches every
simulator and the suite can be run against every alternative.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from dialer_suite.config.settings import Settings
from dialer_suite.simulator.config import SimulatorConfig
from dialer_suite.simulator.server import SimulatorHandle, start_simulator


def embedded_config(
    settings: Settings, *, rate_limit: float | None, latency_ms: float = 0.0
) -> SimulatorConfig:
    """The simulator for ``settings``: its credentials, the run's campaigns, faults, seed and
    reading of the vendor page (``settings.simulator``); ``rate_limit`` is the limit it enforces.

    A third campaign of its own (the first id after the suite's two that is not
    the missing one) lets the campaign watch dial without touching the contacts
    the other tests put on the suite's campaigns.
    """
    spare = max(settings.campaign_id, settings.other_campaign_id) + 1
    if spare == settings.missing_campaign_id:
        spare += 1
    return SimulatorConfig(
        username=settings.username,
        token=settings.api_token,
        campaigns=(settings.campaign_id, settings.other_campaign_id, spare),
        rate_limit=rate_limit,
        faults=settings.simulator.faults,
        seed=settings.seed or 0,
        latency_ms=latency_ms,
        assume=settings.simulator.assume,
        vendor_profile=settings.simulator.vendor_profile,
    )


@contextlib.contextmanager
def embedded_simulator(
    settings: Settings, *, rate_limit: float | None, latency_ms: float = 0.0
) -> Iterator[SimulatorHandle]:
    """Start the simulator ``settings`` ask for on a free loopback port; stopped on exit."""
    handle = start_simulator(embedded_config(settings, rate_limit=rate_limit, latency_ms=latency_ms))
    try:
        yield handle
    finally:
        handle.stop()
