"""Typed options and the layers they are read from: the one settings mechanism of the project.

Every setting a person can give — the suite's target and limits, the
simulator's tenant and limits, the dialer's tempo — is an ``Option``: a name,
how a person calls it in a message, the environment variable it may come
from, and a converter. Values come in layers, a later one winning:

    the TOML file  <  the environment  <  the command line (or a JSON body)

A converter accepts text (environment variables and command lines are text)
and the native value of its type (TOML and JSON are typed), and refuses
anything else with a sentence that says what to send instead. A bad value
therefore ends a command with one line, never a traceback, whichever layer it
came from; and the same converters check values set in code (``check``).
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dialer_suite.errors import UsageError

CONFIG_ENV = "DIALER_CONFIG"
PYPROJECT_TABLE = ("tool", "dialer-suite")


class SettingError(ValueError):
    """A value a converter refuses; the message completes "<option> ...". """


Convert = Callable[[Any], Any]


@dataclass(frozen=True)
class Option:
    """One setting: its field name, its converter, how messages name it, where else it comes from."""

    name: str
    convert: Convert
    label: str = ""
    env: str | None = None

    def parse(self, value: Any) -> Any:
        """``value`` converted, or a UsageError naming the option (and its variable)."""
        try:
            return self.convert(value)
        except SettingError as error:
            raise UsageError(f"{self.described} {error}") from None

    @property
    def described(self) -> str:
        label = self.label or self.name.replace("_", " ")
        return f"{label} ({self.env})" if self.env else label


def options_by_name(options: Iterable[Option]) -> dict[str, Option]:
    return {option.name: option for option in options}


# -- converters ---------------------------------------------------------------------------


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


def positive_number(optional: bool = False) -> Convert:
    return number(above=0.0, optional=optional)


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


def flag(value: Any) -> bool:
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


def path(value: Any) -> Path:
    if isinstance(value, Path):
        return value
    converted: str = text()(value)
    return Path(converted)


# -- layers --------------------------------------------------------------------------------


def read_config_file(
    config_path: Path | None, environ: Mapping[str, str] = os.environ, *, section: str | None = None
) -> dict[str, Any]:
    """The settings table of the TOML file: ``[tool.dialer-suite]`` of ``pyproject.toml``, or
    the whole file named by ``config_path`` / ``$DIALER_CONFIG`` (or its ``[tool.dialer-suite]``).

    ``section`` picks a sub-table (``simulator``: ``[tool.dialer-suite.simulator]``).
    Keys are normalised (``campaign-id`` = ``campaign_id``).
    """
    explicit = config_path or (Path(environ[CONFIG_ENV]) if environ.get(CONFIG_ENV) else None)
    where = explicit or Path("pyproject.toml")
    if not where.exists():
        if explicit is not None:
            raise UsageError(f"config file {where} does not exist")
        return {}
    try:
        document = tomllib.loads(where.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise UsageError(f"config file {where} is not readable TOML: {error}") from None
    table: Any = document.get(PYPROJECT_TABLE[0], {}).get(PYPROJECT_TABLE[1])
    if table is None:
        table = {} if where.name == "pyproject.toml" else document
    if section is not None:
        table = table.get(section, {})
    if not isinstance(table, dict):
        raise UsageError(f"config file {where}: [{section}] must be a table")
    return {str(key).replace("-", "_"): value for key, value in table.items()}


def layered(
    options: Iterable[Option],
    *,
    given: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] = os.environ,
    file: Mapping[str, Any] | None = None,
    ignore: Iterable[str] = (),
) -> dict[str, Any]:
    """The values set in any layer (file < environment < ``given``), converted.

    ``given`` is the command line (None values mean "not given"). Keys of the
    file or ``given`` that no option has are refused (a typo must not be
    ignored), except ``ignore`` (sub-tables that belong to another command).
    """
    known = options_by_name(options)
    layers = (
        ("config file", {k: v for k, v in (file or {}).items() if k not in set(ignore)}),
        ("environment", {o.name: environ[o.env] for o in known.values() if o.env and o.env in environ}),
        ("options", {k: v for k, v in (given or {}).items() if v is not None}),
    )
    raw: dict[str, Any] = {}
    for source, layer in layers:
        unknown = sorted(set(layer) - set(known))
        if unknown:
            raise UsageError(f"unknown setting(s) in {source}: {', '.join(unknown)}")
        raw.update(layer)
    return {name: known[name].parse(value) for name, value in raw.items()}


def check(instance: Any, options: Iterable[Option]) -> None:
    """Run every option's converter on the value ``instance`` holds (values set in code)."""
    for option in options:
        option.parse(getattr(instance, option.name))
