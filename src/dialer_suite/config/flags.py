"""Command-line options generated from the declarations: argparse's and pytest's alike.

``add_flags`` adds one option per setting that declares a ``flag``, to an
argparse parser (``parser.add_argument``) or a pytest group
(``group.addoption``), which take the same arguments. Every option defaults
to None, "not given", so that the lower layers apply (``layers``); its help
says the default and the variable, and the variable's value when it is set (a
person reading ``--help`` learns what the run would use, not only the built-in
default). A flag's old spellings are refused with one line naming the new one.
``given_by_flags`` reads them back as the command-line layer.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

from pydantic_core import PydanticUndefined

from dialer_suite.config.declare import Entry, entries


def add_flags(
    add: Callable[..., Any],
    model: type[Any],
    *,
    names: Iterable[str] | None = None,
    dest_prefix: str = "",
    defaults: Mapping[str, Any] | None = None,
    skip: Collection[str] = (),
    environ: Mapping[str, str] = os.environ,
) -> None:
    """An option for each flagged setting of ``model`` (or of ``names``, but not of ``skip``);
    ``defaults`` are the command's own, when not the declared ones (shown in the help)."""
    for entry in flagged(model, names):
        if entry.name in skip:
            continue
        setting, flag = entry.setting, str(entry.setting.flag)
        options: dict[str, Any] = {"dest": dest_prefix + entry.name, "default": None,
                                   "help": _escaped(help_text(entry, defaults, environ))}
        if entry.switch:
            options.update(action="store_const", const=True)
        elif setting.repeat:
            options["action"] = "append"
        if not entry.switch:
            options["metavar"] = setting.metavar or flag.lstrip("-").replace("-", "_").upper()
        add(flag, **options)
        for old in setting.old_flags:
            refuse_renamed(add, old, flag)


class _Renamed(argparse.Action):
    """An option's old spelling: parsing it is an error that names the new one (``const``)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: str | Sequence[Any] | None, option_string: str | None = None) -> None:
        raise argparse.ArgumentError(self, f"is now spelled {self.const}")


def refuse_renamed(add: Callable[..., Any], old: str, new: str) -> None:
    """``old``, hidden from ``--help``, refused with one line: "argument --reports-dir: is now
    spelled --report-dir" (argparse's and pytest's parsers alike)."""
    add(old, action=_Renamed, const=new, nargs="?", dest=f"renamed_{old.lstrip('-').replace('-', '_')}",
        default=None, help=argparse.SUPPRESS)


def given_by_flags(
    model: type[Any], read: Callable[[str], Any], *, names: Iterable[str] | None = None,
    dest_prefix: str = "",
) -> dict[str, Any]:
    """The command-line layer: each flagged setting's value as parsed (None: not given)."""
    return {entry.name: read(dest_prefix + entry.name) for entry in flagged(model, names)}


def flagged(model: type[Any], names: Iterable[str] | None = None) -> list[Entry]:
    """The settings of ``model`` a command line can give, in declaration order: its own, not
    those of a nested model (the suite's simulator is set by the environment or the file)."""
    wanted: Collection[str] | None = None if names is None else set(names)
    return [entry for entry in entries(model) if entry.setting.flag and len(entry.path) == 1
            and (wanted is None or entry.name in wanted)]


def help_text(entry: Entry, defaults: Mapping[str, Any] | None = None,
              environ: Mapping[str, str] = os.environ) -> str:
    """``seconds an import job may take (default 8 ...) [DIALER_JOB_TIMEOUT]``; with the
    variable set, ``(default: 20 from DIALER_JOB_TIMEOUT; unset: 8 ...)``."""
    text, env = entry.setting.help, entry.setting.env
    shown = shown_default(entry, defaults)
    if env and env in environ:
        return text + f" (default: {environ[env]!r} from {env}" + (f"; unset: {shown})" if shown else ")")
    if shown:
        text += f" (default: {shown})" if entry.setting.default_help else f" (default {shown})"
    if env:
        text += f" [{env}=1]" if entry.switch else f" [{env}]"
    return text


def without_flags(model: type[Any]) -> str:
    """The variables of the settings of ``model`` that no flag gives, with their defaults."""
    described = []
    with_flags = {entry.path for entry in flagged(model)}
    for entry in entries(model):
        if entry.setting.env and entry.path not in with_flags:
            shown = shown_default(entry)
            described.append(f"{entry.setting.env}" + (f" (default {shown})" if shown else ""))
    return ", ".join(described)


def shown_default(entry: Entry, defaults: Mapping[str, Any] | None = None) -> str:
    """The default as ``--help`` shows it; empty when there is nothing worth saying."""
    if entry.setting.default_help:
        return entry.setting.default_help
    value = (defaults or {}).get(entry.name, entry.default)
    if value is PydanticUndefined or value is None or isinstance(value, bool) or value in ((), {}):
        return ""
    if entry.setting.show is not None:
        return entry.setting.show(value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple | list | frozenset):
        return ",".join(str(item) for item in value)
    return str(value)


def _escaped(text: str) -> str:
    """argparse formats help with %-placeholders."""
    return text.replace("%", "%%")
