"""The project's own test run, ``python -m pytest`` with no argument, on every core.

Most self-tests wait on children they start (simulators, contract-suite runs,
locust), so running them side by side on the machine's cores (pytest-xdist)
halves the run. Only a plain run of the project's suite is spread: a run given
paths (``pytest contract_tests``, which ``dialer-suite contract`` and selfcheck
start), or given ``-n``, or ``-p no:xdist``, or inside a worker, does as told.
Registered as a pytest plugin (``pytest11`` entry point) so that it can add the
option before the command line is read to the end.
"""

from __future__ import annotations

import os
from typing import Any

# Workers per core: the self-tests spend about half their time waiting on children.
_WORKERS_PER_CORE = 2


def pytest_load_initial_conftests(early_config: Any, parser: Any, args: list[str]) -> None:
    known = early_config.known_args_namespace
    plain_run = not getattr(known, "file_or_dir", None) and not getattr(known, "help", False)
    if (
        not plain_run
        or not early_config.pluginmanager.hasplugin("xdist")
        or getattr(known, "numprocesses", None) is not None
        or os.environ.get("PYTEST_XDIST_WORKER")
        or getattr(known, "collectonly", False)
    ):
        return
    args[:0] = ["-n", str(_WORKERS_PER_CORE * (os.cpu_count() or 1)), "--dist", "loadgroup"]
