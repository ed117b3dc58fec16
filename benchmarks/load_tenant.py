"""The load suite against a healthy tenant, as a new user runs it: every default profile, then
the slow-adds tenant, then an interrupted run and its cleanup.

    .venv/bin/python benchmarks/load_tenant.py [--profiles smoke,steady,stress,spike,capacity]

The tenant is the independent one of the self-tests (``tests/tenant``), not this
project's simulator, reached on loopback: the vendor's 10 requests/s, about
120 ms per answer, imports at 2,000 contacts/s. Each run is ``dialer-suite load
--profile P --allow-writes`` with only the tenant's variables set (capacity with
``--contacts 2000``). Per run it records what the suite says (the verdict, the
requests it sent against the ceiling, the stress knee, the capacity answers,
the cleanup's rate) and what the tenant counted (requests, 429s, contacts left).
Results go to ``reports/benchmarks/load_tenant.json``; the table is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(_ROOT))

from tests.tenant import RunningTenant, TenantOptions, running_tenant  # noqa: E402

HEALTHY = TenantOptions(rate_limit=10.0, service_seconds=0.12, import_rate=2000.0)
SLOW_ADDS = TenantOptions(rate_limit=10.0, service_seconds=0.12, import_rate=2000.0,
                          extra_seconds={"addContact": 1.5})
_EXTRA = {"capacity": ["--contacts", "2000"]}


def _command(profile: str, report: Path) -> list[str]:
    return [sys.executable, "-m", "dialer_suite.cli", "load", "--profile", profile, "--allow-writes",
            "--report-dir", str(report), *_EXTRA.get(profile, [])]


def _environ(tenant: RunningTenant) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DIALER_")}
    return {**clean, **tenant.environ()}


def run_profile(tenant: RunningTenant, profile: str, workdir: Path) -> dict[str, Any]:
    report = workdir / profile
    before = tenant.stats()
    started = time.monotonic()
    done = subprocess.run(_command(profile, report), env=_environ(tenant), capture_output=True, text=True,
                          timeout=1800, cwd=_ROOT)
    wall = time.monotonic() - started
    after = tenant.stats()
    summary = json.loads((report / "summary.json").read_text())
    return {
        "profile": profile,
        "exit": done.returncode,
        "wall_s": round(wall, 1),
        "verdict": done.stdout.rstrip().splitlines()[-1],
        "sent": summary["sent"],
        "stress": summary.get("stress"),
        "capacity": summary.get("capacity"),
        "single_add": summary.get("single_add"),
        "cleanup": summary.get("cleanup"),
        "tenant_requests": after["requests"] - before["requests"],
        "tenant_429": sum(v for k, v in after["by_status"].items() if k.endswith(" 429"))
        - sum(v for k, v in before["by_status"].items() if k.endswith(" 429")),
        "tenant_left": after["contacts_stored"],
    }


def interrupted_run(tenant: RunningTenant, workdir: Path) -> dict[str, Any]:
    """Ctrl-C after 8 s, a second one as the cleanup starts; then the command it printed."""
    load = subprocess.Popen(_command("steady", workdir / "interrupted"), env=_environ(tenant),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=_ROOT,
                            preexec_fn=_default_sigint)
    assert load.stdout is not None
    output = ""
    while "Ramping to" not in output:
        output += load.stdout.readline()
    time.sleep(8)
    load.send_signal(signal.SIGINT)
    while True:  # the removal's own first line (the cost line and the notice say "removing" too)
        line = load.stdout.readline()
        output += line
        if not line or line.startswith("removing "):
            break
    load.send_signal(signal.SIGINT)
    output += load.communicate(timeout=120)[0]
    left_after_run = tenant.stats()["contacts_stored"]
    command = re.search(r"finish it with (dialer-suite cleanup [^\n]+)", output)
    assert command is not None, output[-3000:]
    started = time.monotonic()
    cleanup = subprocess.run([sys.executable, "-m", "dialer_suite.cli", *command[1].split()[1:]],
                             env=_environ(tenant), capture_output=True, text=True, timeout=600, cwd=_ROOT)
    return {
        "exit": load.returncode,
        "left_after_interrupted_run": left_after_run,
        "cleanup_command": command[1],
        "cleanup_exit": cleanup.returncode,
        "cleanup_wall_s": round(time.monotonic() - started, 1),
        "cleanup_says": cleanup.stdout.strip().splitlines()[-1],
        "left_after_cleanup": tenant.stats()["contacts_stored"],
    }


def _default_sigint() -> None:
    """In the child: Ctrl-C as a terminal delivers it, even when this script runs with it ignored
    (nohup, a background job of a script)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _row(result: dict[str, Any]) -> str:
    sent, cleanup = result["sent"], result["cleanup"] or {}
    removed = (f"{cleanup['removed']} in {cleanup['seconds']:.0f} s = {cleanup['rate']:.2f}/s"
               if cleanup.get("rate") else "-")
    return (f"| {result['profile']} | {result['exit']} | {sent['requests']} ({sent['per_s']:.1f}/s, peak "
            f"{sent['peak_per_s']}/s) | {sent['ceiling_rps']:g}/s | {result['tenant_429']} | {removed} | "
            f"{result['tenant_left']} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profiles", default="smoke,steady,stress,spike,capacity",
                        help="comma-separated; empty for only the interrupted run and the slow adds")
    args = parser.parse_args()
    results: dict[str, Any] = {"healthy": [], "slow_adds": None, "interrupted": None}
    with tempfile.TemporaryDirectory(prefix="load-tenant-") as folder:
        workdir = Path(folder)
        with running_tenant(HEALTHY) as tenant:
            for profile in filter(None, args.profiles.split(",")):
                results["healthy"].append(run_profile(tenant, profile, workdir))
                print(_row(results["healthy"][-1]), flush=True)
            results["interrupted"] = interrupted_run(tenant, workdir)
            print(json.dumps(results["interrupted"], indent=2), flush=True)
        with running_tenant(SLOW_ADDS) as slow:
            results["slow_adds"] = run_profile(slow, "smoke", workdir / "slow")
            print(_row(results["slow_adds"]), results["slow_adds"]["verdict"], flush=True)
    out = _ROOT / "reports" / "benchmarks" / "load_tenant.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"results: {out}")


if __name__ == "__main__":
    main()
