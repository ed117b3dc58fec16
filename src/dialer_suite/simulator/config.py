"""One simulator instance's configuration: its settings (declared in ``config.simulator``),
checked against what only the simulator knows, and carried to its process.

``dialer-suite serve`` options win over ``DIALER_SIM_*`` variables, which win
over ``[tool.dialer-suite.simulator]`` in ``pyproject.toml`` (or the
``[simulator]`` table of the ``DIALER_CONFIG`` file); a ``SimulatorConfig``
built in code is checked the same way, so an impossible value is one plain
line wherever it came from. Frozen, so that a configuration can cross the
process boundary (``to_json``/``from_json``): the server always runs in a
process of its own.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import field_validator

from dialer_suite.config.declare import SETTINGS_CONFIG, settings_dataclass
from dialer_suite.config.layers import Layers, read_layers
from dialer_suite.config.simulator import SimulatorSettings
from dialer_suite.simulator import assumptions
from dialer_suite.simulator.twin import TwinPlay

_SECTION = "simulator"


@settings_dataclass(frozen=True, config=SETTINGS_CONFIG)
class SimulatorConfig(SimulatorSettings):
    """Everything that makes one simulator differ from another (the fields: ``SimulatorSettings``).

    ``assume`` plays other choices for ``x-assumption`` ids (``{"job-id-location":
    "location-only"}``), on top of ``vendor_profile`` (``"lean"``); ``choices`` is the result.
    ``twin`` is what a twin of a recorded tenant plays beyond the choices (``simulator.twin``):
    set from a baseline by ``dialer_suite.contract.twin``, not by a person, so it is no setting.
    """

    twin: TwinPlay | None = None

    @field_validator("assume")
    @classmethod
    def _known_choices(cls, chosen: Mapping[str, str]) -> dict[str, str]:
        wrong = assumptions.problem(chosen)
        if wrong is not None:
            raise ValueError(wrong)
        # One form whatever was given: a plain dict, sorted, for JSON.
        return dict(sorted(chosen.items()))

    @field_validator("vendor_profile")
    @classmethod
    def _known_profile(cls, name: str | None) -> str | None:
        if name is not None and name not in assumptions.PROFILES:
            raise ValueError(f"must be one of {', '.join(assumptions.PROFILES)}, got {name!r}")
        return name

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
        return cls(**data)


def load_simulator_config(
    given: Mapping[str, Any] | None = None,
    *,
    defaults: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] = os.environ,
    config_path: Path | None = None,
) -> SimulatorConfig:
    """The configuration from ``defaults`` (the command's own) < the file < the environment <
    ``given`` (command-line values by name, None for an option not given)."""
    return simulator_layers(given, defaults=defaults, environ=environ,
                            config_path=config_path).build(SimulatorConfig)


def simulator_layers(
    given: Mapping[str, Any] | None = None,
    *,
    defaults: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] = os.environ,
    config_path: Path | None = None,
) -> Layers:
    """The layers ``load_simulator_config`` builds from, for a caller that must also know which
    settings a person gave (a twin's baseline gives the others)."""
    return read_layers(SimulatorConfig, given=given, environ=environ, config_path=config_path,
                       section=_SECTION, defaults=defaults)
