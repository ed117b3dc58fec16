"""One locust worker process against wrk on the simulator's add-contact endpoint.

Target (issue 5): one locust process sustains at least 3,000 add-contact
requests/s against the simulator with its rate limit off. Measured in the same
run, alternating, each round on a freshly reset simulator:

- locust: ``dialer-suite``'s add_contact scenario, one process, the ``steady``
  profile offered above what it can do (so the achieved rate is its ceiling),
  plus a hold check: ``steady`` at exactly the target rate;
- wrk: one thread, the same number of connections, a Lua script posting the
  same kind of contact (``load_add_contact.lua``).

CPU time per request comes from /proc (locust: sampled inside the steady part
of the run, against locust's per-second request history; wrk: its whole run,
start-up is negligible). Medians over the rounds are printed as a Markdown
table and written to reports/benchmarks/load_locust_vs_wrk.json.

    .venv/bin/python benchmarks/load_locust_vs_wrk.py [--rounds 3] [--seconds 10]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from dialer_suite.config.settings import load_settings
from dialer_suite.http.exchange import basic_authorization
from dialer_suite.load.profiles import Request
from dialer_suite.load.run_plan import Target
from dialer_suite.load.runner import LoadOptions, load_tests_dir, plan_for, prepare
from dialer_suite.simulator import SimulatorConfig, SimulatorHandle, running_simulator

TARGET_RPS = 3000.0
CONNECTIONS = 64
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_WRK_RESULT = re.compile(r"WRK_RESULT (\{.*\})")
# Seconds of each locust run left out of the CPU window: start-up and the final drain.
_WARMUP = 3.0
_COOLDOWN = 1.0


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime + stime


def _runqueue_seconds(pid: int) -> float:
    """Seconds ``pid`` was runnable but waited for a CPU (other processes had them)."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9


_NICE = {"value": 0}


def _renice() -> None:
    """In a client child before exec: the priority asked for with --nice (0 leaves it alone)."""
    if _NICE["value"]:
        os.setpriority(os.PRIO_PROCESS, 0, _NICE["value"])


def _reset(sim: SimulatorHandle) -> None:
    request = urllib.request.Request(sim.root_url + "/_simulator/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def run_locust(sim: SimulatorHandle, rate: float, seconds: float, workdir: Path) -> dict[str, Any]:
    """One locust process at ``rate`` offered: rate and CPU per request in its steady window, latency."""
    report = workdir / f"locust-{rate:g}-{time.monotonic_ns()}"
    request = Request("steady", scenario="add_contact", rate=rate, duration=seconds, users=CONNECTIONS)
    options = LoadOptions(
        request=request,
        locustfile=load_tests_dir() / "add_contact.py",
        report_dir=report,
        slo_file=load_tests_dir() / "slo.toml",
    )
    settings = load_settings({"base_url": sim.base_url, "run_id": "bench"})
    # The benchmark started this simulator itself: no ceiling, as for the embedded one.
    run_plan = plan_for(options, settings, Target(sim.base_url, embedded=True))
    command = prepare(options, run_plan, sim.base_url)
    env = {**os.environ, "DIALER_USERNAME": sim.username, "DIALER_API_TOKEN": sim.token}
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_renice
    )
    samples: list[tuple[float, float, float, float]] = []
    deadline = time.time() + seconds + 60
    while process.poll() is None and time.time() < deadline:
        try:
            samples.append(
                (
                    time.time(),
                    _cpu_seconds(process.pid),
                    _runqueue_seconds(process.pid),
                    _runqueue_seconds(sim.pid),
                )
            )
        except (FileNotFoundError, ProcessLookupError):
            break
        time.sleep(0.25)
    process.wait(timeout=60)
    summary = json.loads((report / "summary.json").read_text())
    add = summary["requests"]["addContact"]
    history = _history(report / "locust_stats_history.csv")
    started = history[0][0] if history else samples[0][0]
    window = [s for s in samples if started + _WARMUP <= s[0] <= started + seconds - _COOLDOWN]
    achieved = cpu_per_request = locust_wait = simulator_wait = None
    if len(window) >= 2:
        (t1, c1, w1, s1), (t2, c2, w2, s2) = window[0], window[-1]
        done = _count_at(history, t2) - _count_at(history, t1)
        achieved = done / (t2 - t1)
        cpu_per_request = (c2 - c1) / done * 1e6 if done else None
        locust_wait, simulator_wait = (w2 - w1) / (t2 - t1), (s2 - s1) / (t2 - t1)
    return {
        "offered_rps": rate,
        "achieved_rps": achieved,
        "failures": add["failures"],
        "p50_ms": add["p50_ms"],
        "p99_ms": add["p99_ms"],
        "cpu_us_per_request": cpu_per_request,
        # Seconds per second spent waiting for a CPU: near 0 on a quiet machine.
        "locust_runqueue_wait": locust_wait,
        "simulator_runqueue_wait": simulator_wait,
    }


def _history(path: Path) -> list[tuple[float, int]]:
    """(unix time, cumulative requests) per second, from locust's aggregated history rows."""
    rows = []
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == "Aggregated":
                rows.append((float(row["Timestamp"]), int(row["Total Request Count"])))
    return rows


def _count_at(history: list[tuple[float, int]], when: float) -> float:
    """Cumulative requests at ``when``, interpolated between history rows."""
    for (t1, n1), (t2, n2) in itertools.pairwise(history):
        if t1 <= when <= t2:
            return n1 + (n2 - n1) * (when - t1) / (t2 - t1) if t2 > t1 else n2
    return float(history[-1][1] if when > history[-1][0] else history[0][1])


def run_wrk(sim: SimulatorHandle, seconds: float, first_number: int) -> dict[str, Any]:
    script = Path(__file__).with_name("load_add_contact.lua")
    url = sim.base_url + "/outbound_dialer/campaigns/1/contacts"
    env = {
        **os.environ,
        "WRK_AUTH": basic_authorization(sim.username, sim.token),
        "WRK_FIRST": str(first_number),
    }
    before = os.times()
    completed = subprocess.run(
        ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "-s", str(script), url],
        env=env,
        preexec_fn=_renice,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    )
    after = os.times()
    match = _WRK_RESULT.search(completed.stdout)
    if match is None:
        raise RuntimeError(f"wrk printed no result:\n{completed.stdout}\n{completed.stderr}")
    result = json.loads(match.group(1))
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return {
        "achieved_rps": result["requests"] / result["seconds"],
        "failures": result["errors"],
        "p50_ms": result["p50_ms"],
        "p99_ms": result["p99_ms"],
        "cpu_us_per_request": cpu / result["requests"] * 1e6,
    }


def _median(rounds: list[dict[str, Any]], key: str) -> float:
    """The median of ``key`` over the rounds that measured it (NaN when none did)."""
    values = [r[key] for r in rounds if r.get(key) is not None]
    return float(statistics.median(values)) if values else math.nan


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument(
        "--max-rate", type=float, default=5000.0, help="locust's offered rate for its ceiling"
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="priority of the simulator and both clients (e.g. --nice=-10, root) on a busy machine",
    )
    args = parser.parse_args()
    _NICE["value"] = args.nice
    if shutil.which("wrk") is None:
        print("wrk is not installed (Debian: apt-get install -y wrk)", file=sys.stderr)
        return 2
    results: dict[str, list[dict[str, Any]]] = {"locust_max": [], "locust_hold": [], "wrk": []}
    # The machine is shared: the 1-minute load average says how much CPU the clients could get.
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp, running_simulator(SimulatorConfig(rate_limit=None)) as sim:
        workdir = Path(tmp)
        if args.nice:
            os.setpriority(os.PRIO_PROCESS, sim.pid, args.nice)
        for round_ in range(args.rounds):
            _reset(sim)
            results["locust_max"].append(run_locust(sim, args.max_rate, args.seconds, workdir))
            _reset(sim)
            results["wrk"].append(run_wrk(sim, args.seconds, 2_000_000_000 + round_ * 10_000_000))
            _reset(sim)
            results["locust_hold"].append(run_locust(sim, TARGET_RPS, args.seconds, workdir))
            print(f"round {round_ + 1}: " + json.dumps({k: v[-1] for k, v in results.items()}), flush=True)
    load_after = os.getloadavg()[0]
    medians = {name: {key: _median(rounds, key) for key in rounds[0]} for name, rounds in results.items()}
    ratio = medians["locust_max"]["achieved_rps"] / medians["wrk"]["achieved_rps"]
    cpu_ratio = medians["locust_max"]["cpu_us_per_request"] / medians["wrk"]["cpu_us_per_request"]
    print()
    print("| client | offered req/s | achieved req/s (median) | p50 / p99 ms | CPU µs/request | failures |")
    print("|---|---|---|---|---|---|")
    for name, label in (
        ("locust_max", "locust, 1 process, open model above its ceiling"),
        ("locust_hold", f"locust, 1 process, open model at {TARGET_RPS:g}/s"),
        ("wrk", "wrk, 1 thread (closed loop)"),
    ):
        m = medians[name]
        offered = f"{m['offered_rps']:g}" if m.get("offered_rps") else "max"
        print(
            f"| {label} | {offered} | {m['achieved_rps']:,.0f} | {m['p50_ms']:.1f} / {m['p99_ms']:.1f} "
            f"| {m['cpu_us_per_request']:.0f} | {m['failures']:.0f} |"
        )
    print(f"\nlocust / wrk throughput: {ratio:.2f}; CPU per request locust / wrk: {cpu_ratio:.1f}")
    waits = medians["locust_max"]
    print(
        f"CPU starvation during locust's ceiling runs (s waiting for a CPU per s): locust "
        f"{waits['locust_runqueue_wait']:.2f}, simulator {waits['simulator_runqueue_wait']:.2f}"
    )
    print(
        f"load average (1 min) before / after: {load_before:.2f} / {load_after:.2f} on {os.cpu_count()} cores"
    )
    print(f"priority of the simulator and the clients: nice {args.nice}")
    held = medians["locust_hold"]["achieved_rps"] >= 0.99 * TARGET_RPS
    print(f"target {TARGET_RPS:g} add-contact req/s from one locust process: {'met' if held else 'NOT met'}")
    out = Path("reports/benchmarks/load_locust_vs_wrk.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "rounds": results,
                "medians": medians,
                "ratio": ratio,
                "cpu_ratio": cpu_ratio,
                "load_average": [load_before, load_after],
            },
            indent=2,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
