"""How one campaign dials (``DialerSettings``), read from the JSON of the admin ``start``.

Every setting has a default, so ``start`` with an empty body dials; a JSON
object replaces only the settings it names. The values go through the
project's one settings layer (``dialer_suite.config.options``), like the
suite's and the simulator's settings; every refusal is a
``DialerSettingsError`` that names the setting and its valid range (the admin
route answers it with 422).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from dialer_suite.config import options
from dialer_suite.config.options import Option, SettingError
from dialer_suite.simulator.dialer.call_paths import CALL_PATHS
from dialer_suite.simulator.phones import normalize_phone


class DialerSettingsError(ValueError):
    """A dialer setting is out of range; the message names it and the valid range."""


def _probability(value: Any) -> float:
    probability: float = options.number(minimum=0.0, maximum=1.0)(value)
    return probability


def _weights(value: Any) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise SettingError(f"must map call paths to numbers, got {value!r}")
    unknown = sorted(set(value) - set(CALL_PATHS))
    if unknown:
        raise SettingError(f"names unknown call path(s) {unknown}; known: {sorted(CALL_PATHS)}")
    weights = {str(path): _non_negative(weight) for path, weight in value.items()}
    if not sum(weights.values()) > 0:
        raise SettingError("must be non-negative numbers, not all zero")
    return weights


def _non_negative(value: Any) -> float:
    number: float = options.number(minimum=0.0)(value)
    return number


def _e164(value: Any) -> str:
    e164 = normalize_phone(value) if isinstance(value, str) else None
    if e164 is None:
        raise SettingError(f"entry {value!r} is not a possible phone number")
    return e164


def _region(value: Any) -> str:
    region: str = options.text()(value)
    return region.upper()


OPTIONS: tuple[Option, ...] = (
    Option("agents", options.whole(minimum=1)),
    Option("seed", options.whole()),
    Option("time_scale", options.positive_number()),
    Option("step_seconds", options.positive_number()),
    Option("redial_interval", options.positive_number()),
    Option("max_attempts", options.whole(minimum=1)),
    Option("skip", _probability),
    Option("skip_and_close", _probability),
    Option("redial", _probability),
    Option("weights", _weights),
    Option("do_not_call", lambda value: frozenset(options.items(_e164)(value))),
    Option("allowed_regions", lambda value: frozenset(options.items(_region)(value))),
    Option("number_checks", options.flag),
)
_BY_NAME = options.options_by_name(OPTIONS)


@dataclass(frozen=True)
class DialerSettings:
    """How one campaign dials. Durations are campaign seconds (see ``time_scale``)."""

    agents: int = 4
    seed: int = 0
    time_scale: float = 1.0
    step_seconds: float = 5.0
    redial_interval: float = 60.0
    max_attempts: int = 3
    skip: float = 0.05
    skip_and_close: float = 0.05
    redial: float = 0.5
    weights: Mapping[str, float] = field(
        default_factory=lambda: {path: 1.0 for path in CALL_PATHS}
    )
    do_not_call: frozenset[str] = frozenset()
    allowed_regions: frozenset[str] = frozenset({"US", "CA"})
    # Off: only the do-not-call list is checked before dialing (for load runs, whose
    # numbers are merely possible and would all end ``Invalid Number``).
    number_checks: bool = True

    def __post_init__(self) -> None:
        for option in OPTIONS:
            _converted(option, getattr(self, option.name))
        if self.skip + self.skip_and_close > 1:
            raise DialerSettingsError("skip + skip_and_close must be at most 1")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], base: DialerSettings | None = None) -> DialerSettings:
        """``base`` (default settings) with the keys of ``data`` (a JSON object) replaced.

        The settings layer's converters read the values (a value may be the text a
        person typed, ``"8"``, or the JSON value, ``8``); ``weights`` given replace
        the whole table.
        """
        unknown = sorted(set(data) - set(_BY_NAME))
        if unknown:
            raise DialerSettingsError(f"unknown dialer setting(s) {unknown}; known: {sorted(_BY_NAME)}")
        changes = {name: _converted(_BY_NAME[name], value) for name, value in data.items()}
        if "weights" in changes:
            changes["weights"] = {**{path: 0.0 for path in CALL_PATHS}, **changes["weights"]}
        return replace(base or cls(), **changes)

    def to_mapping(self) -> dict[str, Any]:
        """JSON-ready form (what the admin status shows)."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["weights"] = dict(self.weights)
        data["do_not_call"] = sorted(self.do_not_call)
        data["allowed_regions"] = sorted(self.allowed_regions)
        return data


def _converted(option: Option, value: Any) -> Any:
    try:
        return option.convert(value)
    except SettingError as error:
        raise DialerSettingsError(f"{option.name} {error}") from None
