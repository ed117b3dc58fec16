"""The embedded simulator of the vendor's campaign contacts API.

>>> from dialer_suite.simulator import SimulatorConfig, running_simulator
>>> with running_simulator(SimulatorConfig(rate_limit=None)) as sim:  # doctest: +SKIP
...     sim.base_url
'http://127.0.0.1:PORT/apps/api/v1'
"""

from dialer_suite.simulator.config import SimulatorConfig
from dialer_suite.simulator.faults import CATALOG, Fault, catalog
from dialer_suite.simulator.server import SimulatorHandle, running_simulator, start_simulator

__all__ = [
    "CATALOG",
    "Fault",
    "SimulatorConfig",
    "SimulatorHandle",
    "catalog",
    "running_simulator",
    "start_simulator",
]
