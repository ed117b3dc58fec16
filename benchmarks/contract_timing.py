"""Wall time of the contract suite against the embedded simulator: whole suite and ``-m quick``.

Each selection runs ROUNDS times (alternating, so both see the same machine
noise) in a fresh ``python -m pytest contract_tests`` with a clean DIALER_*
environment; the medians are printed with every round.

    .venv/bin/python benchmarks/contract_timing.py [ROUNDS]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SELECTIONS = {"whole suite": [], "quick (-m quick)": ["-m", "quick"]}


def _run(extra: list[str], seed: int) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIALER_")}
    with tempfile.TemporaryDirectory() as reports:
        env.update(DIALER_SEED=str(seed), DIALER_REPORTS_DIR=reports)
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "contract_tests", "-q", "-p", "no:cacheprovider",
             *extra],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
        )
        elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"run failed ({' '.join(extra) or 'whole suite'}):\n{done.stdout[-2000:]}")
    return elapsed


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    times: dict[str, list[float]] = {name: [] for name in SELECTIONS}
    for index in range(rounds):
        for name, extra in SELECTIONS.items():
            times[name].append(_run(extra, seed=index + 1))
    for name, values in times.items():
        rounds_text = ", ".join(f"{v:.1f}" for v in values)
        print(f"{name}: median {statistics.median(values):.1f} s over {rounds} rounds ({rounds_text})")


if __name__ == "__main__":
    main()
