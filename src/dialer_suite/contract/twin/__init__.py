"""The vendor's twin: a simulator that plays what a recorded baseline saw the tenant do.

A baseline (``dialer-suite contract --record-baseline FILE``) says, for every
assumption the vendor page leaves open, how the tenant really answered. The
simulator plays two to nine readings of each. Joined, they give an offline
twin of the tenant for a team's own integration tests:

    from dialer_suite.contract.twin import running_twin

    with running_twin("baselines/staging.json") as twin:
        ...  # point the client at twin.base_url, user twin.username, token twin.token

``dialer-suite serve --from-baseline FILE`` serves the same; ``dialer-suite
baseline explain FILE`` shows, per assumption, the evidence and the choice
played; ``pytest --dialer-twin FILE`` gives a test suite the ``dialer_twin``
fixture. The modules are imported when used: the commands register from here
without loading the baseline's reader.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dialer_suite.contract.twin.build import Twin
    from dialer_suite.simulator.config import SimulatorConfig
    from dialer_suite.simulator.server import SimulatorHandle

__all__ = ["running_twin", "twin_config", "twin_of"]


def twin_of(path: str | Path) -> Twin:
    """The twin of the baseline at ``path`` (a UsageError, one line, when it is no baseline)."""
    from dialer_suite.contract.baseline import load
    from dialer_suite.contract.twin.build import read_twin

    return read_twin(load(Path(path)))


def twin_config(path: str | Path, base: SimulatorConfig | None = None,
                given: Collection[str] = ()) -> SimulatorConfig:
    """A ``SimulatorConfig`` playing the baseline at ``path``, on top of ``base`` (whose
    settings named in ``given`` win over the baseline's)."""
    return twin_of(path).config(base, given)


@contextlib.contextmanager
def running_twin(path: str | Path, base: SimulatorConfig | None = None,
                 given: Collection[str] = ()) -> Iterator[SimulatorHandle]:
    """The twin of the baseline at ``path``, on a free loopback port; stopped on exit."""
    from dialer_suite.simulator.server import running_simulator

    with running_simulator(twin_config(path, base, given)) as handle:
        yield handle
