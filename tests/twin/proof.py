"""Record a baseline against a target, serve its twin, and run the suite against the twin.

A *target* is anything the suite can be pointed at on loopback: a simulator
playing one reading of the vendor page, or the independent tenant of
``tests.tenant``. Both sides are reached the same way (a base URL, as a team
reaches its tenant), with the same seed, pace and sizes, so that a difference
between the two runs is the twin's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.tenant import TenantOptions, running_tenant

from dialer_suite.contract.twin import running_twin
from dialer_suite.simulator import SimulatorConfig, running_simulator

# Requests/s the originals enforce (none for a tenant without a limit) and the suite paces at,
# with a shallow bucket: evenly paced requests never meet it, the rate-limit test's burst of a
# hundred always does.
RATE, BURST = 100.0, 20.0
SEED = 20261202
# Sizes that keep a run short: the large import (a tenant run's cleanup removes its contacts one
# by one) and the campaign watch's sample (nothing dials on either side).
_SHORT = {"DIALER_LARGE_IMPORT_SIZE": "150", "DIALER_WATCH_SECONDS": "2"}
_BUDGET_SECONDS = 600


@dataclass(frozen=True)
class Target:
    base_url: str
    username: str
    token: str
    campaigns: tuple[int, ...]
    # What it enforces (None: no limit): a baseline keeps the 429's form, not the rate.
    rate_limit: float | None
    environ: dict[str, str] = field(default_factory=dict)  # what a team would set for it


@dataclass(frozen=True)
class Run:
    returncode: int
    summary: dict[str, Any]
    output: str

    @property
    def failing(self) -> list[str]:
        return sorted(failure["nodeid"] for failure in self.summary["failures"])

    @property
    def changes(self) -> list[str]:
        judged = self.summary.get("changed_since_baseline") or {}
        return list(judged.get("changed", ["(the run was not judged against a baseline)"]))


@dataclass(frozen=True)
class Proof:
    original: Run
    twin: Run
    baseline: dict[str, Any]
    unjudged: Run | None = None

    def failing(self, run: Run) -> list[str]:
        """The failing tests a baseline judges one by one: not the one that judges every answer
        of the run (``summary``), generated requests' answers included, which no baseline keeps."""
        tests = self.baseline["tests"]
        whole_run = {nodeid for nodeid, entry in tests.items() if entry.get("judged") == "run"}
        return [nodeid for nodeid in run.failing if nodeid not in whole_run]

    def describe(self) -> str:
        runs = [("original", self.original), ("twin", self.twin), ("twin, no baseline", self.unjudged)]
        return "\n".join(f"--- {name} (exit {run.returncode}):\n{run.output[-4000:]}"
                         for name, run in runs if run is not None)


@contextmanager
def simulator(**reading: Any) -> Iterator[Target]:
    """The simulator playing ``reading`` (``assume=``, ``vendor_profile=``), at ``RATE``; its size
    limits are known, so the suite checks its 413s."""
    with running_simulator(SimulatorConfig(rate_limit=RATE, burst=BURST, **reading)) as handle:
        config = handle.config
        yield Target(handle.base_url, handle.username, handle.token, config.campaigns, RATE, {
            "DIALER_MAX_BODY_BYTES": str(config.max_body_bytes),
            "DIALER_MAX_IMPORT_BYTES": str(config.max_import_bytes)})


@contextmanager
def tenant(options: TenantOptions) -> Iterator[Target]:
    with running_tenant(options) as running:
        yield Target(running.base_url, options.username, options.token, options.campaigns,
                     options.rate_limit)


def suite(target: Target, reports: Path, *args: str) -> Run:
    """``dialer-suite contract`` against ``target``, with only the variables a user sets."""
    first, second = target.campaigns[:2]
    env = {key: value for key, value in os.environ.items() if not key.startswith("DIALER_")}
    env.update(DIALER_BASE_URL=target.base_url, DIALER_USERNAME=target.username,
               DIALER_API_TOKEN=target.token, DIALER_CAMPAIGN_ID=str(first),
               DIALER_OTHER_CAMPAIGN_ID=str(second), DIALER_RATE_LIMIT=str(RATE), **_SHORT,
               **target.environ)
    ran = subprocess.run(
        [sys.executable, "-m", "dialer_suite.cli", "contract", "-p", "no:cacheprovider", "-q",
         "--dialer-seed", str(SEED), "--report-dir", str(reports), *args],
        env=env, capture_output=True, text=True, timeout=_BUDGET_SECONDS,
    )
    written = reports / "contract-summary.json"
    assert written.exists(), f"exit {ran.returncode}, no summary:\n{ran.stdout[-3000:]}{ran.stderr[-2000:]}"
    summary = json.loads(written.read_text(encoding="utf-8"))
    return Run(ran.returncode, summary, ran.stdout + ran.stderr)


def prove(original: AbstractContextManager[Target], folder: Path, *, unjudged: bool = False) -> Proof:
    """Record ``original``, serve the twin of that baseline, judge a run against the twin by it
    (and, with ``unjudged``, run the suite against the twin once more without it)."""
    baseline = folder / "baseline.json"
    with original as target:
        recorded = suite(target, folder / "original", "--record-baseline", str(baseline))
    given = {"username", "token", "campaigns"} | ({"rate_limit", "burst"} if target.rate_limit else set())
    base = SimulatorConfig(username=target.username, token=target.token, campaigns=target.campaigns,
                           rate_limit=target.rate_limit, burst=BURST if target.rate_limit else None)
    with running_twin(baseline, base, given) as handle:
        twin = Target(handle.base_url, target.username, target.token, target.campaigns,
                      target.rate_limit, target.environ)
        judged = suite(twin, folder / "twin", "--baseline", str(baseline))
        plain = suite(twin, folder / "twin-plain") if unjudged else None
    return Proof(recorded, judged, json.loads(baseline.read_text(encoding="utf-8")), plain)
