"""Each setting declared once: what is generated from the declarations, and how refusals name
what the person wrote (the flag, the variable or the file key)."""

from __future__ import annotations

import argparse
import ast
import re
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import pytest

from dialer_suite.cli import main
from dialer_suite.config.declare import SETTINGS_CONFIG, Setting, SettingsModel, entries, settings_dataclass
from dialer_suite.config.flags import add_flags, given_by_flags
from dialer_suite.config.layers import ENV_PREFIX, read_layers
from dialer_suite.config.settings import Settings, load_settings
from dialer_suite.config.simulator import EmbeddedSimulator
from dialer_suite.config.values import number
from dialer_suite.errors import UsageError
from dialer_suite.simulator.config import SimulatorConfig, load_simulator_config
from dialer_suite.simulator.dialer.settings import DialerSettings

SRC = Path(__file__).resolve().parents[1] / "src" / "dialer_suite"
_MODELS = (Settings, SimulatorConfig, DialerSettings)


def _refusal(load: Callable[[], object]) -> str:
    with pytest.raises(UsageError) as raised:
        load()
    return str(raised.value)


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "dialer.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_bad_value_given_by_flag_is_named_by_its_flag() -> None:
    message = _refusal(lambda: load_settings({"max_examples": "many"}, environ={}))
    assert message == "--max-examples must be a whole number, got 'many'"


def test_a_bad_value_given_by_variable_is_named_by_its_variable() -> None:
    message = _refusal(lambda: load_settings(environ={"DIALER_MAX_EXAMPLES": "many"}))
    assert message == "DIALER_MAX_EXAMPLES must be a whole number, got 'many'"


def test_a_bad_value_in_the_file_is_named_by_its_key_and_file(tmp_path: Path) -> None:
    path = _file(tmp_path, "[tool.dialer-suite]\nmax-examples = 'many'\n")
    message = _refusal(lambda: load_settings(environ={}, config_path=path))
    assert message == f"max-examples in {path} [tool.dialer-suite] must be a whole number, got 'many'"


def test_a_nested_setting_in_the_file_is_named_by_its_key(tmp_path: Path) -> None:
    path = _file(tmp_path, "simulator_rate_limit = -1\n")
    message = _refusal(lambda: load_settings(environ={}, config_path=path))
    assert message.startswith(f"simulator_rate_limit in {path} must be more than 0")


def test_only_the_winning_layer_is_judged_and_named() -> None:
    environ = {"DIALER_MAX_EXAMPLES": "many", "DIALER_LARGE_IMPORT_SIZE": "0"}
    assert load_settings({"max_examples": "3", "large_import_size": "5"}, environ=environ).max_examples == 3
    message = _refusal(lambda: load_settings({"max_examples": "x"}, environ=environ))
    assert message.startswith("--max-examples ")


def test_the_simulators_refusals_name_the_flag_the_variable_or_the_file_key(tmp_path: Path) -> None:
    path = _file(tmp_path, "[simulator]\nmin-job-seconds = 'slow'\n")
    assert _refusal(lambda: load_simulator_config({"port": "x"}, environ={})).startswith("--port ")
    assert _refusal(lambda: load_simulator_config(environ={"DIALER_SIM_PORT": "x"})).startswith(
        "DIALER_SIM_PORT ")
    assert _refusal(lambda: load_simulator_config(environ={}, config_path=path)).startswith(
        f"min-job-seconds in {path} [simulator] must be a number")


def test_serve_names_the_flag_it_was_given(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", "http"]) == 2
    assert capsys.readouterr().err == "dialer-suite: error: --port must be a whole number, got 'http'\n"


def test_a_value_set_in_code_is_named_by_its_field() -> None:
    assert _refusal(lambda: SimulatorConfig(latency_ms=-1)) == "latency_ms must be at least 0, got -1"


def _declaring_class(model: type, name: str) -> str:
    """The class whose body declares field ``name`` (a model inherits some of its settings)."""
    owner = next(cls for cls in model.__mro__ if name in vars(cls).get("__annotations__", {}))
    return owner.__qualname__


def test_every_variable_is_declared_by_one_setting_and_has_the_projects_prefix() -> None:
    declared: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for model in (*_MODELS, EmbeddedSimulator):
        for entry in entries(model):
            if entry.setting.env and len(entry.path) == 1:
                declared[entry.setting.env].add((_declaring_class(model, entry.name), entry.name))
    assert declared, "no setting declares a variable"
    assert {env for env, settings in declared.items() if len(settings) > 1} == set()
    assert [env for env in declared if not env.startswith(ENV_PREFIX)] == []


@settings_dataclass(frozen=True, config=SETTINGS_CONFIG)
class _Added(SettingsModel):
    """The setting docs/architecture.md adds, declared as it shows."""

    poll_interval: Annotated[float, Setting(
        number(above=0.0), env="DIALER_POLL_INTERVAL", flag="--poll-interval",
        help="seconds between two reads of an import job",
    )] = 0.5


def test_one_declaration_gives_the_variable_the_file_key_the_flag_and_its_help(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    add_flags(parser.add_argument, _Added)
    args = parser.parse_args(["--poll-interval", "2"])
    given = given_by_flags(_Added, lambda dest: getattr(args, dest))
    path = _file(tmp_path, "[tool.dialer-suite]\npoll-interval = 1\n")
    environ = {"DIALER_POLL_INTERVAL": "1.5"}

    def read(given: dict[str, object], environ: dict[str, str]) -> float:
        added: _Added = read_layers(_Added, given=given, environ=environ, config_path=path).build(_Added)
        return added.poll_interval

    assert (read(given, environ), read({}, environ), read({}, {})) == (2.0, 1.5, 1.0)
    assert "seconds between two reads of an import job (default 0.5) [DIALER_POLL_INTERVAL]" in _words(
        parser.format_help())
    assert _refusal(lambda: read({}, {"DIALER_POLL_INTERVAL": "-1"})) == (
        "DIALER_POLL_INTERVAL must be more than 0, got -1")
    assert _Added.declared("poll_interval").how() == "--poll-interval or DIALER_POLL_INTERVAL"


def _literals(tree: ast.Module) -> list[str]:
    """Every string constant of a module except docstrings (f-string parts included)."""
    docstrings = {
        id(node.body[0].value) for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
    }
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_each_variable_is_written_in_one_module_only() -> None:
    modules: dict[str, set[str]] = defaultdict(set)
    for path in SRC.rglob("*.py"):
        for literal in _literals(ast.parse(path.read_text(encoding="utf-8"))):
            for variable in re.findall(rf"\b{ENV_PREFIX}[A-Z_]+", literal):
                modules[variable].add(str(path.relative_to(SRC)))
    assert "DIALER_API_TOKEN" in modules  # the scan sees the declarations
    assert {variable: sorted(where) for variable, where in modules.items() if len(where) > 1} == {}


def _words(text: str) -> str:
    """Help text with its line wrapping undone."""
    return " ".join(text.split())


def test_serve_help_shows_every_options_default_and_variable(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    shown = _words(capsys.readouterr().out)
    assert "--port PORT 0 = any free port (default 8080) [DIALER_SIM_PORT]" in shown
    assert "or 'off' (default 10) [DIALER_SIM_RATE_LIMIT]" in shown
    assert "(default 1,2,3) [DIALER_SIM_CAMPAIGNS]" in shown
    assert "DIALER_SIM_USERNAME (default acme)" in shown


def test_contract_help_shows_every_options_default_and_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("DIALER_CAMPAIGN_ID", "DIALER_JOB_TIMEOUT", "DIALER_ALLOW_WRITES"):
        monkeypatch.delenv(name, raising=False)
    assert main(["contract", "--help"]) == 0
    shown = _words(capsys.readouterr().out)
    assert "--campaign-id CAMPAIGN_ID campaign the suite writes to (default 1) [DIALER_CAMPAIGN_ID]" in shown
    assert "(default: 8 on the embedded simulator, 120 with a base URL) [DIALER_JOB_TIMEOUT]" in shown
    assert "--allow-writes allow writes to a non-loopback host [DIALER_ALLOW_WRITES=1]" in shown
    assert "DIALER_API_TOKEN" in shown


def test_help_shows_the_variable_a_default_comes_from_when_it_is_set(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIALER_BASE_URL", "http://127.0.0.1:9/apps/api/v1")
    with pytest.raises(SystemExit):
        main(["load", "--help"])
    shown = _words(capsys.readouterr().out)
    assert ("(default: 'http://127.0.0.1:9/apps/api/v1' from DIALER_BASE_URL; unset: start the embedded "
            "simulator)") in shown
    assert "(default: start the embedded simulator)" not in shown


def test_size_options_say_their_number_counts_bytes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    shown = _words(capsys.readouterr().out)
    assert "--max-body-bytes BYTES largest request body, in bytes (default 1048576 = 1 MiB)" in shown
    assert "--max-import-bytes BYTES largest import file, in bytes (default 33554432 = 32 MiB)" in shown
