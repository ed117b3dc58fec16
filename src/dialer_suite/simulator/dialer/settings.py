"""How one campaign dials (``DialerSettings``), read from the JSON of the admin ``start``.

Every setting has a default, so ``start`` with an empty body dials; a JSON
object replaces only the settings it names. Each is declared once, like the
suite's and the simulator's settings (``dialer_suite.config.declare``), with
the converter that reads it; every refusal is a ``DialerSettingsError`` that
names the setting and its valid range (the admin route answers it with 422).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field, fields, replace
from typing import Annotated, Any

from pydantic import model_validator

from dialer_suite.config.declare import SETTINGS_CONFIG, Setting, SettingsModel, settings_dataclass
from dialer_suite.config.values import SettingError, boolean, items, number, text, whole
from dialer_suite.errors import UsageError
from dialer_suite.simulator.dialer.call_paths import CALL_PATHS
from dialer_suite.simulator.phones import normalize_phone


class DialerSettingsError(ValueError):
    """A dialer setting is out of range; the message names it and the valid range."""


def _weights(value: Any) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise SettingError(f"must map call paths to numbers, got {value!r}")
    unknown = sorted(set(value) - set(CALL_PATHS))
    if unknown:
        raise SettingError(f"names unknown call path(s) {unknown}; known: {sorted(CALL_PATHS)}")
    non_negative = number(minimum=0.0)
    weights = {str(path): non_negative(weight) for path, weight in value.items()}
    if not sum(weights.values()) > 0:
        raise SettingError("must be non-negative numbers, not all zero")
    return weights


def _e164(value: Any) -> str:
    e164 = normalize_phone(value) if isinstance(value, str) else None
    if e164 is None:
        raise SettingError(f"entry {value!r} is not a possible phone number")
    return e164


def _region(value: Any) -> str:
    region: str = text()(value)
    return region.upper()


def _set_of(each: Any) -> Any:
    return lambda value: frozenset(items(each)(value))


_PROBABILITY = Setting(number(minimum=0.0, maximum=1.0))
_SECONDS = Setting(number(above=0.0))


@settings_dataclass(frozen=True, config=SETTINGS_CONFIG)
class DialerSettings(SettingsModel):
    """How one campaign dials. Durations are campaign seconds (see ``time_scale``)."""

    agents: Annotated[int, Setting(whole(minimum=1))] = 4
    seed: Annotated[int, Setting(whole())] = 0
    time_scale: Annotated[float, _SECONDS] = 1.0
    step_seconds: Annotated[float, _SECONDS] = 5.0
    redial_interval: Annotated[float, _SECONDS] = 60.0
    max_attempts: Annotated[int, Setting(whole(minimum=1))] = 3
    skip: Annotated[float, _PROBABILITY] = 0.05
    skip_and_close: Annotated[float, _PROBABILITY] = 0.05
    redial: Annotated[float, _PROBABILITY] = 0.5
    weights: Annotated[Mapping[str, float], Setting(_weights)] = field(
        default_factory=lambda: {path: 1.0 for path in CALL_PATHS}
    )
    do_not_call: Annotated[frozenset[str], Setting(_set_of(_e164))] = frozenset()
    allowed_regions: Annotated[frozenset[str], Setting(_set_of(_region))] = frozenset({"US", "CA"})
    # Off: only the do-not-call list is checked before dialing (for load runs, whose
    # numbers are merely possible and would all end ``Invalid Number``).
    number_checks: Annotated[bool, Setting(boolean)] = True

    @model_validator(mode="after")
    def _skips_are_one_draw(self) -> DialerSettings:
        if self.skip + self.skip_and_close > 1:
            raise ValueError("skip + skip_and_close must be at most 1")
        return self

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], base: DialerSettings | None = None) -> DialerSettings:
        """``base`` (default settings) with the keys of ``data`` (a JSON object) replaced.

        A value may be the text a person typed, ``"8"``, or the JSON value, ``8``;
        ``weights`` given replace the whole table.
        """
        known = sorted(item.name for item in fields(cls))
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise DialerSettingsError(f"unknown dialer setting(s) {unknown}; known: {known}")
        changes = dict(data)
        if isinstance(changes.get("weights"), Mapping):
            changes["weights"] = {**{path: 0.0 for path in CALL_PATHS}, **changes["weights"]}
        try:
            return replace(base or cls(), **changes)
        except UsageError as error:
            raise DialerSettingsError(str(error)) from None

    def to_mapping(self) -> dict[str, Any]:
        """JSON-ready form (what the admin status shows)."""
        data = {item.name: getattr(self, item.name) for item in fields(self)}
        data["weights"] = dict(self.weights)
        data["do_not_call"] = sorted(self.do_not_call)
        data["allowed_regions"] = sorted(self.allowed_regions)
        return data
