"""What a full contract run costs a tenant, counted on the tenant's side: requests, contacts
created, contacts left, and the plan the suite printed first.

    .venv/bin/python benchmarks/contract_tenant.py [--seeds 1,2,3] [--rate 10]

The tenant is the independent one of the self-tests (``tests/tenant``), not this
project's simulator, reached on loopback as a tenant is through a tunnel: its
list pages by default, about 120 ms per answer, the vendor's 10 requests/s
unless ``--rate`` says otherwise (the counts do not depend on the rate; the wall
time does). Each run is ``dialer-suite contract --dialer-seed SEED`` with only
the tenant's variables set. The issue's bounds: at most 1,000 requests and 200
contacts created, none left, no failure filed as a broken documented contract.
Results go to ``reports/benchmarks/contract_tenant.json``; the table and the
medians are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(_ROOT))

from tests.tenant import RunningTenant, TenantOptions, running_tenant  # noqa: E402

_PLAN = re.compile(r"dialer-suite plan: about ([\d,]+) requests .*? and ([\d,]+) contacts written")
_RUN_TIMEOUT = 1200


def _run(tenant: RunningTenant, seed: int) -> dict[str, Any]:
    before = tenant.stats()
    env = {key: value for key, value in os.environ.items() if not key.startswith("DIALER_")}
    env.update(tenant.environ(DIALER_RATE_LIMIT=str(tenant.options.rate_limit)))
    with tempfile.TemporaryDirectory() as reports:
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "dialer_suite.cli", "contract", "-p", "no:cacheprovider", "-q",
             "--dialer-seed", str(seed), "--report-dir", reports],
            env=env, capture_output=True, text=True, timeout=_RUN_TIMEOUT, cwd=_ROOT,
        )
        seconds = time.monotonic() - started
        summary = json.loads((Path(reports) / "contract-summary.json").read_text(encoding="utf-8"))
    after = tenant.stats()
    plan = _PLAN.search(done.stdout)
    return {
        "seed": seed,
        "exit": done.returncode,
        "seconds": round(seconds, 1),
        "requests": after["received"] - before["received"],
        "contacts_created": after["contacts_created"] - before["contacts_created"],
        "contacts_left": sum(after["contacts_stored"].values()),
        "documented_failures": sum(1 for f in summary["failures"] if not f["assumptions"]),
        "assumption_failures": sum(1 for f in summary["failures"] if f["assumptions"]),
        "planned_requests": int(plan.group(1).replace(",", "")) if plan else None,
        "planned_contacts": int(plan.group(2).replace(",", "")) if plan else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated seeds, one run each")
    parser.add_argument("--rate", type=float, default=10.0, help="the tenant's requests/s")
    args = parser.parse_args()
    seeds = [int(seed) for seed in args.seeds.split(",")]
    options = TenantOptions(rate_limit=args.rate, service_seconds=0.12)
    with running_tenant(options) as tenant:
        runs = [_run(tenant, seed) for seed in seeds]
    columns = list(runs[0])
    print(" | ".join(columns))
    for run in runs:
        print(" | ".join(str(run[column]) for column in columns))
    medians = {key: statistics.median(run[key] for run in runs)
               for key in ("requests", "contacts_created", "seconds")}
    print(f"median: {medians['requests']:g} requests (bound 1,000), {medians['contacts_created']:g} "
          f"contacts created (bound 200), {medians['seconds']:g} s at {args.rate:g} requests/s")
    out = _ROOT / "reports" / "benchmarks" / "contract_tenant.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"rate": args.rate, "runs": runs, "medians": medians}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
