"""Converters: how the text a person types, or a TOML/JSON value, becomes a setting's value.

Environment variables and command lines are text; TOML, JSON and code give
native values. A converter accepts both and refuses anything else with a
``SettingError`` whose sentence completes "<where it came from> ...", saying
what to send instead. Each setting names its converter in its declaration
(``declare.Setting``), where pydantic runs it before checking the type, so a
bad value ends a command with one line whichever layer it came from.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any


class SettingError(ValueError):
    """A value a converter refuses; the message completes "<setting> ...". """


Convert = Callable[[Any], Any]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_blank(value: Any) -> bool:
    """No value given: None, or text with nothing but white space (an env var set empty)."""
    return value is None or (isinstance(value, str) and not value.strip())


def whole(*, minimum: int | None = None, maximum: int | None = None, optional: bool = False) -> Convert:
    """A whole number (``"8"`` or ``8``) within the bounds; ``optional``: empty text is None."""

    def convert(value: Any) -> int | None:
        if optional and _is_blank(value):
            return None
        if isinstance(value, str):
            try:
                value = int(value.strip())
            except ValueError:
                raise SettingError(f"must be a whole number, got {value!r}") from None
        if not isinstance(value, int) or isinstance(value, bool):
            raise SettingError(f"must be a whole number, got {value!r}")
        if minimum is not None and value < minimum:
            raise SettingError(f"must be at least {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise SettingError(f"must be at most {maximum}, got {value}")
        return value

    return convert


def number(
    *, minimum: float | None = None, above: float | None = None, maximum: float | None = None,
    optional: bool = False,
) -> Convert:
    """A finite number (``"2.5"`` or ``2.5``): at least ``minimum``, more than ``above``,
    at most ``maximum``."""

    def convert(value: Any) -> float | None:
        if optional and _is_blank(value):
            return None
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                raise SettingError(f"must be a number, got {value!r}") from None
        if not _is_number(value):
            raise SettingError(f"must be a number, got {value!r}")
        try:
            result = float(value)
        except OverflowError:
            raise SettingError("is too large") from None
        if not math.isfinite(result):
            raise SettingError(f"must be a finite number, got {value!r}")
        if above is not None and result <= above:
            raise SettingError(f"must be more than {above:g}, got {result:g}")
        if minimum is not None and result < minimum:
            raise SettingError(f"must be at least {minimum:g}, got {result:g}")
        if maximum is not None and result > maximum:
            raise SettingError(f"must be at most {maximum:g}, got {result:g}")
        return result

    return convert


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


def boolean(value: Any) -> bool:
    """true/false, or the words 1/0, true/false, yes/no, on/off."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise SettingError(f"must be true or false (1/0, yes/no, on/off), got {value!r}")


def text(*, non_empty: bool = True, forbidden: str = "", optional: bool = False) -> Convert:
    """A string; ``non_empty`` after stripping; none of the characters in ``forbidden``."""

    def convert(value: Any) -> str | None:
        if optional and value is None:
            return None
        if not isinstance(value, str):
            raise SettingError(f"must be text, got {value!r}")
        value = value.strip()
        if non_empty and not value:
            if optional:
                return None
            raise SettingError("must not be empty")
        bad = sorted({ch for ch in value if ch in forbidden})
        if bad:
            raise SettingError(f"must not contain {' or '.join(repr(ch) for ch in bad)}")
        return value

    return convert


def items(of: Convert | None = None, *, non_empty: bool = False) -> Convert:
    """A list: ``"a, b"`` (text, comma-separated) or a list; each item converted by ``of``
    (default: non-empty text)."""
    each = of or text()

    def convert(value: Any) -> tuple[Any, ...]:
        if isinstance(value, str):
            parts: Sequence[Any] = [part for part in value.split(",") if part.strip()]
        elif isinstance(value, list | tuple | frozenset | set):
            parts = list(value)
        else:
            raise SettingError(f"must be a list (or comma-separated text), got {value!r}")
        converted = tuple(each(part) for part in parts)
        if non_empty and not converted:
            raise SettingError("must name at least one")
        return converted

    return convert


def pairs(form: str = "KEY=VALUE") -> Callable[[Any], dict[str, str]]:
    """Pairs written ``form``: text ``"a=x, b=y"``, a list of ``"a=x"`` (a repeated option) or
    a table (TOML, JSON), as a mapping."""

    def convert(value: Any) -> dict[str, str]:
        if isinstance(value, Mapping):
            if not all(isinstance(item, str) for item in value.values()):
                raise SettingError(f"must map names to text, got {dict(value)!r}")
            return {str(key): item for key, item in value.items()}
        found: dict[str, str] = {}
        for item in items()(value):
            key, sep, chosen = item.partition("=")
            if not sep or not key.strip() or not chosen.strip():
                raise SettingError(f"must be {form} pairs, got {item!r}")
            found[key.strip()] = chosen.strip()
        return found

    return convert


def rate_or_off(value: Any) -> float | None:
    """Requests per second, or ``off`` (None): no limit."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("off", "none", "0")):
        return None
    rate: float = number(above=0.0)(value)
    return rate


_BINARY_UNITS = (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024))


def byte_size(value: int) -> str:
    """A size in bytes as ``--help`` shows it: ``1048576 = 1 MiB``, the number a person types,
    then what it means."""
    for unit, size in _BINARY_UNITS:
        if value >= size and value % size == 0:
            return f"{value} = {value // size} {unit}"
    return str(value)


def path(value: Any) -> Path:
    if isinstance(value, Path):
        return value
    converted: str = text()(value)
    return Path(converted)
