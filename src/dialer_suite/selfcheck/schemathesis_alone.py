"""schemathesis's CLI on its own, as a baseline: what a team gets from ``st run`` with the spec.

It gets the same spec, every check (``--checks all``), the credentials and one
fact no spec can carry — which campaign exists (``path.campaign_id``), without
which nearly every request would stop at 404. Nothing else: no hooks, no
multipart fix, no stateful helpers of the contract suite. Credentials go
through the config file's environment substitution, never the command line.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from dialer_suite.config.settings import Settings
from dialer_suite.config.simulator import EmbeddedSimulator
from dialer_suite.selfcheck.model import RunOptions

USERNAME_ENV = "SELFCHECK_ST_USERNAME"
TOKEN_ENV = "SELFCHECK_ST_TOKEN"
CAMPAIGN_ID = Settings.campaign_id  # the settings' campaign, which the embedded simulator always has


class Target(Protocol):
    """What schemathesis needs of a running simulator (``SimulatorHandle`` has it)."""

    @property
    def base_url(self) -> str: ...

    @property
    def username(self) -> str: ...

    @property
    def token(self) -> str: ...


@contextmanager
def simulator_for(fault: str | None, seed: int) -> Iterator[Target]:
    """A simulator with ``fault`` on (None = clean) and no rate limit, stopped afterwards.

    The rate limit is off because schemathesis alone does not pace itself and a
    429 storm would hide every other behaviour from it.
    """
    from dialer_suite.simulator.embedded import embedded_simulator

    settings = Settings(simulator=EmbeddedSimulator(faults=(fault,) if fault else ()), seed=seed)
    with embedded_simulator(settings, rate_limit=None) as handle:
        yield handle


def schemathesis_command(
    target: Target, seed: int, options: RunOptions, junit_path: Path, folder: Path
) -> list[str]:
    """The ``st run`` command line; also writes its config file into ``folder``."""
    config = folder / "schemathesis.toml"
    config.write_text(_config_text(), encoding="utf-8")
    return [
        _st_executable(),
        "--config-file",
        str(config),
        "run",
        str(options.spec_path),
        "--url",
        target.base_url,
        "--checks",
        "all",
        "--phases",
        options.schemathesis_phases,
        "--max-examples",
        str(options.schemathesis_max_examples),
        "--seed",
        str(seed),
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--report",
        "junit",
        "--report-junit-path",
        str(junit_path),
        "--no-color",
    ]


def credentials_environment(target: Target) -> dict[str, str]:
    """The variables the config file reads the credentials from."""
    return {USERNAME_ENV: target.username, TOKEN_ENV: target.token}


def _config_text() -> str:
    return (
        "[auth]\n"
        f'basic = {{ username = "${{{USERNAME_ENV}}}", password = "${{{TOKEN_ENV}}}" }}\n\n'
        "[parameters]\n"
        f'"path.campaign_id" = {CAMPAIGN_ID}\n'
    )


def _st_executable() -> str:
    """``st`` next to this interpreter (the venv), else on PATH."""
    beside = Path(sys.executable).with_name("st")
    return str(beside) if beside.exists() else shutil.which("st") or "st"
