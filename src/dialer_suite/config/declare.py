"""One declaration per setting: a typed field of a settings dataclass, annotated with a ``Setting``.

    campaign_id: Annotated[int, Setting(whole(minimum=1), env="DIALER_CAMPAIGN_ID",
                                        flag="--campaign-id", help="campaign the suite writes to")] = 1

The field gives the name, the type and the default; the ``Setting`` gives the
converter (``values``), the environment variable, the command-line flag (an
argparse option or a pytest option, ``flags``), the help line, and the key in
the settings file when it is not the name. Everything else is generated from
it: the layers read (``layers``), ``--help`` with the defaults, and every
message that tells a person how to set it (``Settings.declared(name).how()``).

The models are pydantic dataclasses: pydantic runs each converter and checks
the type, in code (``SimulatorConfig(rate_limit=None)``, ``dataclasses.replace``)
as from the layers, and a refusal is one ``UsageError`` line, never a
traceback. A model whose field is another settings model nests it (the suite's
embedded simulator): its settings keep their own variables and are written
``<field>_<key>`` in the parent's file table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from typing import Any

from pydantic import ConfigDict, ValidationError, ValidationInfo, model_validator
from pydantic.dataclasses import dataclass as settings_dataclass
from pydantic.fields import FieldInfo
from pydantic_core import core_schema

from dialer_suite.config.values import Convert
from dialer_suite.errors import UsageError

# Unknown keyword arguments are typos, not settings to ignore.
SETTINGS_CONFIG = ConfigDict(extra="forbid")
# Validation context of the layers: they name where a refused value came from themselves.
LAYERED = "dialer_suite.layered"

# Where a setting sits in its model: ("campaign_id",), ("simulator", "faults").
Key = tuple[str, ...]


@dataclass(frozen=True)
class Setting:
    """How a person gives one setting (the field it annotates is its name, type and default).

    ``env``: the environment variable (None: not read from the environment);
    ``flag``: the command-line option, a bare switch for a ``bool`` (None: no
    option); ``repeat``: the flag may be given again to add to the list;
    ``file_key``: its key in the settings file when not the field's name;
    ``default_help``: what ``--help`` says the default is when the field's
    default cannot say it (one that depends on the target, or is made per run);
    ``show``: how ``--help`` writes a default whose bare number says too little
    (``1048576 = 1 MiB``); ``old_flags``: spellings the flag had before, refused
    with one line that names the flag (never a silent second spelling).
    """

    convert: Convert
    help: str = ""
    env: str | None = None
    flag: str | None = None
    repeat: bool = False
    metavar: str | None = None
    file_key: str | None = None
    default_help: str | None = None
    show: Callable[[Any], str] | None = None
    old_flags: tuple[str, ...] = ()

    def how(self, value: str | None = None) -> str:
        """How to set it, for messages: ``--allow-writes or DIALER_ALLOW_WRITES=1``."""
        ways = [self.flag] if self.flag else []
        if self.env:
            ways.append(f"{self.env}={value}" if value is not None else self.env)
        return " or ".join(ways)

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], Any]) -> Any:
        # The converter runs first (text or native value → value), then pydantic checks the type.
        return core_schema.no_info_before_validator_function(self.convert, handler(source))


@dataclass(frozen=True)
class Entry:
    """One setting of a model as the layers see it: where it sits, its declaration, its file key."""

    path: Key
    setting: Setting
    file_key: str
    field: FieldInfo

    @property
    def name(self) -> str:
        return ".".join(self.path)

    @property
    def default(self) -> Any:
        """The declared default (PydanticUndefined when a factory makes it per instance)."""
        return self.field.get_default(call_default_factory=False)

    @property
    def switch(self) -> bool:
        return self.field.annotation is bool


@settings_dataclass(frozen=True, config=SETTINGS_CONFIG)
class SettingsModel:
    """Base of every settings model: refusals as one line, declarations by name."""

    @model_validator(mode="wrap")
    @classmethod
    def _one_line(cls, data: Any, handler: Callable[[Any], Any], info: ValidationInfo) -> Any:
        if info.context and info.context.get(LAYERED):
            return handler(data)
        try:
            return handler(data)
        except ValidationError as error:
            raise UsageError(one_line(error)) from None

    @classmethod
    def declared(cls, name: str) -> Setting:
        """The declaration of the setting ``name`` (``simulator.faults`` for a nested one)."""
        for entry in entries(cls):
            if entry.name == name:
                return entry.setting
        raise KeyError(f"{cls.__name__} declares no setting {name!r}")


def entries(model: type[Any], prefix: Key = (), file_prefix: str = "") -> Iterator[Entry]:
    """Every declared setting of ``model``, nested models' included, in declaration order."""
    for item in fields(model):
        info: FieldInfo = model.__pydantic_fields__[item.name]
        nested = info.annotation
        if isinstance(nested, type) and issubclass(nested, SettingsModel):
            yield from entries(nested, (*prefix, item.name), f"{file_prefix}{item.name}_")
            continue
        setting = next((m for m in info.metadata if isinstance(m, Setting)), None)
        if setting is not None:
            key = f"{file_prefix}{setting.file_key or item.name}"
            yield Entry((*prefix, item.name), setting, key, info)


def one_line(error: ValidationError, where: Callable[[Key], str] = ".".join) -> str:
    """The first refusal of ``error`` as one line: where the value came from, then why.

    A converter's own sentence is used as is; pydantic's (a type, an unknown
    keyword) only when no converter spoke.
    """
    first = error.errors(include_url=False)[0]
    path = tuple(str(part) for part in first["loc"])
    cause = first.get("ctx", {}).get("error")
    reason = str(cause) if cause is not None else str(first["msg"]).lower()
    return f"{where(path)} {reason}" if path else reason
