"""Add-contact throughput: the simulator (rate limit off) against a bare Starlette + sqlite insert.

Targets (issue 3): at least 3,000 requests/s, and at least 0.8x the bare
endpoint, both measured by wrk in the same run. Rounds alternate between the
two servers; the simulator is reset before each of its rounds. Both are served
by uvicorn with uvloop + httptools, one process each, on this machine's cores
together with wrk. Prints medians as a Markdown table and writes
reports/benchmarks/simulator_add_contact.json.

    .venv/bin/python benchmarks/simulator_add_contact.py [--rounds 5] [--seconds 8] [--connections 32]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from dialer_suite.simulator import SimulatorConfig, start_simulator

HERE = Path(__file__).resolve().parent
REPORT = HERE.parent / "reports" / "benchmarks" / "simulator_add_contact.json"


def _ensure_wrk() -> str:
    """wrk from Debian; installed on the spot when missing and we may (root)."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0:
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
        found = shutil.which("wrk")
    if not found:
        sys.exit("wrk is needed: apt-get install wrk")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wrk(wrk: str, url: str, auth: str, first: int, seconds: int, connections: int) -> dict[str, Any]:
    env = {**os.environ, "BENCH_AUTH": auth, "BENCH_FIRST": str(first)}
    completed = subprocess.run(
        [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(HERE / "simulator_add_contact.lua"), url],
        capture_output=True, text=True, env=env, check=True, timeout=seconds + 60,
    )
    match = re.search(r"BENCH_RESULT (\{.*\})", completed.stdout)
    assert match, completed.stdout + completed.stderr
    result: dict[str, Any] = json.loads(match.group(1))
    result["rps"] = result["requests"] / result["seconds"]
    return result


def _start_baseline(db: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "simulator_baseline_app:app", "--app-dir", str(HERE),
         "--port", str(port), "--loop", "uvloop", "--http", "httptools", "--log-level", "warning",
         "--no-access-log"],
        env={**os.environ, "BASELINE_DB": str(db)},
    )
    url = f"http://127.0.0.1:{port}/contacts"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, url
        except OSError:
            time.sleep(0.1)
    process.kill()
    sys.exit("the baseline server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    wrk = _ensure_wrk()
    workdir = Path(tempfile.mkdtemp(prefix="bench-add-"))
    simulator = start_simulator(SimulatorConfig(rate_limit=None))
    baseline, baseline_url = _start_baseline(workdir / "baseline.db")
    auth = "Basic " + base64.b64encode(f"{simulator.username}:{simulator.token}".encode()).decode()
    sim_url = simulator.base_url + "/outbound_dialer/campaigns/1/contacts"
    rounds: dict[str, list[dict[str, Any]]] = {"simulator": [], "baseline": []}
    try:
        for index in range(args.rounds):
            reset = urllib.request.Request(simulator.root_url + "/_simulator/reset", method="POST")
            urllib.request.urlopen(reset).close()
            first = 2_000_000_000 + index * 1_000_000
            rounds["simulator"].append(_wrk(wrk, sim_url, auth, first, args.seconds, args.connections))
            rounds["baseline"].append(_wrk(wrk, baseline_url, "", first, args.seconds, args.connections))
            print(f"round {index + 1}: simulator {rounds['simulator'][-1]['rps']:.0f} req/s, "
                  f"baseline {rounds['baseline'][-1]['rps']:.0f} req/s", flush=True)
    finally:
        simulator.stop()
        baseline.terminate()
        baseline.wait(30)
        shutil.rmtree(workdir, ignore_errors=True)
    summary = {
        name: {
            "median_rps": statistics.median(r["rps"] for r in results),
            "median_p50_ms": statistics.median(r["p50_ms"] for r in results),
            "median_p99_ms": statistics.median(r["p99_ms"] for r in results),
            "errors": sum(r["errors"] for r in results),
            "rounds": results,
        }
        for name, results in rounds.items()
    }
    ratios = [s["rps"] / b["rps"] for s, b in zip(rounds["simulator"], rounds["baseline"], strict=True)]
    summary["ratio"] = {"median": statistics.median(ratios), "per_round": ratios}
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(summary, indent=2))
    print("\n| server | median req/s | p50 ms | p99 ms | non-2xx/errors |\n|---|---|---|---|---|")
    for name in ("simulator", "baseline"):
        s = summary[name]
        print(f"| {name} | {s['median_rps']:.0f} | {s['median_p50_ms']:.2f} | "
              f"{s['median_p99_ms']:.2f} | {s['errors']} |")
    print(f"\nsimulator / baseline: median of per-round ratios {summary['ratio']['median']:.2f}")


if __name__ == "__main__":
    main()
