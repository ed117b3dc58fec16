"""A pytest plugin for a team's own integration tests: ``--dialer-twin FILE`` and the
``dialer_twin`` fixture.

Installed with dialer-suite (entry point ``pytest11``), so a project that has
the package needs nothing else: ``pytest --dialer-twin baselines/staging.json``
(or ``dialer_twin = baselines/staging.json`` in the ``[pytest]`` ini) starts the
twin of the recorded tenant once per session, on a free loopback port, and
stops it at the end. Its credentials, campaigns and rate limit come from the
simulator's own settings (``DIALER_SIM_USERNAME``, ``DIALER_SIM_CAMPAIGNS``,
``[tool.dialer-suite.simulator]``...), which win over the baseline where set.
The option is only read when a test asks for the fixture: other test runs
are not touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from dialer_suite.simulator.server import SimulatorHandle

_OPTION = "dialer_twin"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dialer-twin", "the vendor's twin (dialer-suite)")
    group.addoption(
        "--dialer-twin", dest=_OPTION, default=None, metavar="FILE",
        help="a recorded baseline: the dialer_twin fixture serves a simulator that answers as the "
        "tenant it was recorded against did",
    )
    parser.addini(_OPTION, "a recorded baseline for the dialer_twin fixture (--dialer-twin wins)")


@pytest.fixture(scope="session")
def dialer_twin(pytestconfig: pytest.Config) -> Iterator[SimulatorHandle]:
    """The twin of ``--dialer-twin FILE``: ``.base_url``, ``.username``, ``.token`` to point a
    client at, ``.root_url + "/_simulator/reset"`` to forget every contact and job."""
    from dialer_suite.contract.twin import running_twin
    from dialer_suite.errors import UsageError
    from dialer_suite.simulator.config import SimulatorConfig, simulator_layers

    try:
        layers = simulator_layers()
        with running_twin(_baseline(pytestconfig), layers.build(SimulatorConfig),
                          given={key[0] for key in layers.origins}) as handle:
            yield handle
    except UsageError as error:
        pytest.fail(f"dialer_twin: {error}", pytrace=False)


def _baseline(config: pytest.Config) -> Path:
    """The option's file (from where pytest was started), else the ini's (from the ini's folder)."""
    given = config.getoption(_OPTION)
    if given:
        return config.invocation_params.dir / given
    written = config.getini(_OPTION)
    if not written:
        pytest.fail("the dialer_twin fixture needs a baseline: pytest --dialer-twin FILE, or "
                    f"{_OPTION} = FILE in the pytest ini", pytrace=False)
    return (config.inipath.parent if config.inipath else config.rootpath) / str(written)
