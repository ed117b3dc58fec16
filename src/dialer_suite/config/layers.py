"""The layers a setting is read from, a later one winning:

    the TOML file  <  the environment  <  the command line (or values given in code)

The file is ``[tool.dialer-suite]`` of ``pyproject.toml`` (``[tool.dialer-suite.simulator]``
for the simulator), or the file named by ``--dialer-config`` / ``$DIALER_CONFIG``.
Each value remembers where it came from, so a refusal names what the person
wrote: the flag when a flag was used, the variable when the variable was, the
key and file when the file was. Keys nobody declared are refused: a typo must
not be ignored.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from dialer_suite.config.declare import LAYERED, Entry, Key, entries, one_line
from dialer_suite.errors import UsageError

# Every variable the project reads starts so (a self-test holds each declaration to it), so a
# child process can be kept from all of the caller's settings at once.
ENV_PREFIX = "DIALER_"
CONFIG_ENV = "DIALER_CONFIG"
PYPROJECT_TABLE = ("tool", "dialer-suite")

Model = TypeVar("Model")


@dataclass(frozen=True)
class Layers:
    """The raw values of one model's settings, the winning layer's, and where each came from."""

    values: Mapping[Key, Any]
    origins: Mapping[Key, str]

    def origin(self, *key: str) -> str:
        """What the person wrote to give ``key``: ``--rate-limit``, ``DIALER_RATE_LIMIT``,
        ``rate_limit in pyproject.toml [tool.dialer-suite]``; the name for a default."""
        return self.origins.get(key, ".".join(key))

    def given(self, name: str) -> bool:
        return any(key[0] == name for key in self.origins)

    def build(self, model: type[Model]) -> Model:
        """The model from these values; a refused one is one line naming where it came from."""
        nested: dict[str, Any] = {}
        for key, value in self.values.items():
            table = nested
            for part in key[:-1]:
                table = table.setdefault(part, {})
            table[key[-1]] = value
        try:
            return TypeAdapter(model).validate_python(nested, context={LAYERED: True})
        except ValidationError as error:
            raise UsageError(one_line(error, lambda key: self.origin(*key))) from None


def read_layers(
    model: type[Any],
    *,
    given: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] = os.environ,
    config_path: Path | None = None,
    section: str | None = None,
    ignore: Iterable[str] = (),
    defaults: Mapping[str, Any] | None = None,
) -> Layers:
    """The settings of ``model`` from ``defaults`` < the file < ``environ`` < ``given``.

    ``given`` holds the command line by field name, None for "not given";
    ``section`` picks the file's sub-table (``simulator``); ``ignore`` names
    sub-tables that belong to another command.
    """
    declared = list(entries(model))
    values: dict[Key, Any] = {}
    origins: dict[Key, str] = {}
    for name, value in (defaults or {}).items():
        values[(name,)] = value
    table, where = read_config_file(config_path, environ, section=section)
    by_key = {entry.file_key: entry for entry in declared}
    skipped = set(ignore)
    written = {key: value for key, value in table.items() if _normal(key) not in skipped}
    _refuse_unknown(f"config file {where}", written, by_key, normal=True)
    for key, value in written.items():
        _put(values, origins, by_key[_normal(key)], value, f"{key} in {where}")
    for entry in declared:
        if entry.setting.env and entry.setting.env in environ:
            _put(values, origins, entry, environ[entry.setting.env], entry.setting.env)
    by_name = {entry.name: entry for entry in declared if len(entry.path) == 1}
    options = {name: value for name, value in (given or {}).items() if value is not None}
    _refuse_unknown("options", options, by_name)
    for name, value in options.items():
        entry = by_name[name]
        _put(values, origins, entry, value, entry.setting.flag or name)
    return Layers(values, origins)


def _normal(key: str) -> str:
    """``campaign-id`` and ``campaign_id`` are the same key."""
    return str(key).replace("-", "_")


def _refuse_unknown(source: str, layer: Mapping[str, Any], known: Mapping[str, Entry], *,
                    normal: bool = False) -> None:
    unknown = sorted(key for key in layer if (_normal(key) if normal else key) not in known)
    if unknown:
        raise UsageError(f"unknown setting(s) in {source}: {', '.join(unknown)}")


def _put(values: dict[Key, Any], origins: dict[Key, str], entry: Entry, value: Any, origin: str) -> None:
    values[entry.path] = value
    origins[entry.path] = origin


def read_config_file(
    config_path: Path | None, environ: Mapping[str, str] = os.environ, *, section: str | None = None
) -> tuple[dict[str, Any], str]:
    """The settings table of the TOML file, and how messages name it.

    ``[tool.dialer-suite]`` of ``pyproject.toml``, or the file named by
    ``config_path`` / ``$DIALER_CONFIG`` (its ``[tool.dialer-suite]``, else the
    whole file); ``section`` picks a sub-table (``simulator``).
    """
    explicit = config_path or (Path(environ[CONFIG_ENV]) if environ.get(CONFIG_ENV) else None)
    path = explicit or Path("pyproject.toml")
    if not path.exists():
        if explicit is not None:
            raise UsageError(f"config file {path} does not exist")
        return {}, str(path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise UsageError(f"config file {path} is not readable TOML: {error}") from None
    names: tuple[str, ...] = PYPROJECT_TABLE
    table: Any = document.get(PYPROJECT_TABLE[0], {}).get(PYPROJECT_TABLE[1])
    if table is None:
        table, names = ({}, names) if path.name == "pyproject.toml" else (document, ())
    if section is not None:
        table, names = table.get(section, {}), (*names, section)
    where = f"{path} [{'.'.join(names)}]" if names else str(path)
    if not isinstance(table, dict):
        raise UsageError(f"config file {where} must be a table")
    return table, where
