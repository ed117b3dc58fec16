"""Time ``dialer-suite selfcheck``: wall and CPU seconds per round, the median, and what it caught.

    .venv/bin/python benchmarks/selfcheck_timing.py --rounds 1 -- --jobs 4 --no-schemathesis

Everything after ``--`` is passed to ``dialer-suite selfcheck``. CPU seconds
are those of every process the selfcheck started (user + system), which is
what bounds the wall time on a 2-core machine: CPU / 2 is the floor however
well the runs are packed. The load average is printed because the machine is
shared; a round measured under someone else's load is slower than on an idle one.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _round(selfcheck_args: list[str], keep: Path | None) -> tuple[float, float, dict[str, object]]:
    with tempfile.TemporaryDirectory(prefix="selfcheck-timing-") as scratch:
        reports = str(keep or scratch)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "dialer_suite.cli", "selfcheck", *selfcheck_args, "--report-dir", reports],
            stdout=subprocess.DEVNULL,
            check=False,
        )
        wall = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        document = json.loads((Path(reports) / "selfcheck.json").read_text())
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, document


def _caught(document: dict[str, object], column: str) -> str:
    faults = document["faults"]
    assert isinstance(faults, list)
    ran = [f for f in faults if f[column]["verdict"] != "not run"]
    return f"{sum(f[column]['verdict'] == 'caught' for f in ran)}/{len(ran)}" if ran else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--report-dir", type=Path, help="keep the last round's reports here (default: discarded)"
    )
    parser.add_argument("selfcheck_args", nargs=argparse.REMAINDER, help="after --: selfcheck arguments")
    args = parser.parse_args()
    selfcheck_args = [a for a in args.selfcheck_args if a != "--"]
    walls, cpus = [], []
    for index in range(args.rounds):
        load = os.getloadavg()[0]
        wall, cpu, document = _round(selfcheck_args, args.report_dir)
        walls.append(wall)
        cpus.append(cpu)
        print(
            f"round {index + 1}: wall {wall:.0f} s, CPU {cpu:.0f} s, load average before {load:.1f}, "
            f"ok={document['ok']}, suite caught {_caught(document, 'suite')}, "
            f"schemathesis alone caught {_caught(document, 'schemathesis')}",
            flush=True,
        )
    print(
        f"median of {args.rounds}: wall {statistics.median(walls):.0f} s, "
        f"CPU {statistics.median(cpus):.0f} s "
        f"(selfcheck {' '.join(selfcheck_args)}; {os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    main()
