"""Real runs: locust (in child processes) against the simulator, judged by the gates."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dialer_suite.load.runner import load_tests_dir
from dialer_suite.simulator import SimulatorHandle

# The ``run_load`` fixture (conftest.py): args -> LoadResult.
RunLoad = Callable[..., Any]
pytestmark = [pytest.mark.load, pytest.mark.slow]

SMOKE = ("--profile", "smoke", "--duration", "5s")


def test_smoke_passes_its_gates_against_the_simulator(run_load: RunLoad) -> None:
    result = run_load(*SMOKE)
    assert result.code == 0, result.output[-4000:]
    assert result.summary["passed"], result.failed_checks()
    assert "VERDICT: PASS" in result.output
    for report in ("locust.html", "locust_stats.csv", "locust.json", "over_time.png", "summary.txt"):
        assert (result.report_dir / report).is_file(), report


def test_smoke_against_a_slowed_simulator_fails_and_names_the_threshold(
    run_load: RunLoad, monkeypatch: pytest.MonkeyPatch
) -> None:
    """selfcheck's path: the embedded simulator takes its faults from DIALER_SIM_FAULTS."""
    monkeypatch.setenv("DIALER_SIM_FAULTS", "slow-responses")
    result = run_load(*SMOKE)
    assert result.code == 1, result.output[-4000:]
    assert "addContact p95" in result.failed_checks()
    assert "FAIL addContact p95: measured" in result.output
    assert result.stdout.rstrip().splitlines()[-1].startswith("VERDICT: FAIL")


def test_an_error_injecting_simulator_breaches_the_failure_ratio(
    run_load: RunLoad, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIALER_SIM_FAULTS", "add-answers-201")
    result = run_load(*SMOKE)
    assert result.code == 1, result.output[-4000:]
    assert "all requests failure ratio" in result.failed_checks()
    assert "FAIL all requests failure ratio: measured" in result.output


def test_the_import_metric_ends_within_one_poll_interval_of_the_jobs_completion(
    run_load: RunLoad, simulator: Callable[..., SimulatorHandle], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A simulator started by hand is a tenant: it is given a ceiling its limit (off) allows, and
    # keeps what the run writes (the simulator goes with its data).
    monkeypatch.setenv("DIALER_RATE_LIMIT", "200")
    poll = 0.3
    min_job = 1.0
    sim = simulator(min_job_seconds=min_job)
    result = run_load(
        "--profile",
        "steady",
        "--scenario",
        "import_contacts",
        "--base-url",
        sim.base_url,
        "--rate",
        "2",
        "--duration",
        "3s",
        "--batch-size",
        "20",
        "--poll-interval",
        str(poll),
        "--keep",
    )
    assert result.code == 0, result.output[-4000:]
    seen = [json.loads(line) for line in (result.report_dir / "jobs-0.jsonl").read_text().splitlines()]
    with sqlite3.connect(sim.db_path) as db:
        jobs = {row[0]: row[1:] for row in db.execute("SELECT id, created_ms, finished_ms FROM jobs")}
    assert len(seen) == len(jobs) >= 5
    for record in seen:
        created_ms, finished_ms = jobs[record["job_id"]]
        # A client can see the job completed once it finished and its minimum time passed.
        completed = max(finished_ms, created_ms + min_job * 1000) / 1000
        # The metric starts when the file is sent: the job is created while that request runs.
        assert record["posted_unix"] <= created_ms / 1000 + 0.002 <= record["accepted_unix"] + 0.004, record
        # It ends at the first poll after completion: one interval (plus that poll's round trip) at most.
        round_trip = record["seen_unix"] - record["last_poll_sent_unix"]
        late = record["seen_unix"] - completed
        assert 0 <= late <= poll + round_trip + 0.05, (
            f"job {record['job_id']}: seen {late:+.3f} s after completion"
        )


def test_distributed_totals_equal_the_sum_of_the_workers(
    run_load: RunLoad, simulator: Callable[..., SimulatorHandle], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A master and two workers on loopback, plain locust processes, the mixed scenario.

    Only the master has the plan file (``--write-plan``): the workers get the plan
    from it, as on other hosts. The workers hold different user classes, so each
    must take its own share of every operation's rate; the master's merged HDR
    book must count exactly what the workers reported, and agree with Locust's
    own merged totals.
    """
    sim = simulator()
    monkeypatch.setenv("DIALER_RATE_LIMIT", "100")
    # What is counted matters here, not how fast a busy machine answers: no latency gates.
    slo = tmp_path / "slo.toml"
    slo.write_text("[tenant.default]\nmax_failure_ratio = 0.01\n")
    plan = tmp_path / "plan.json"
    written = run_load(
        "--profile", "steady", "--scenario", "mix", "--base-url", sim.base_url,
        "--rate", "40", "--duration", "4s", "--slo", str(slo), "--write-plan", str(plan),
    )
    assert written.code == 0, written.output
    report = written.report_dir
    port = str(_free_port())
    locust = [sys.executable, "-m", "locust", "-f", str(load_tests_dir() / "mix.py")]
    master = subprocess.Popen(
        [
            *locust,
            "--master",
            "--headless",
            "--master-bind-host",
            "127.0.0.1",
            "--master-bind-port",
            port,
            "--expect-workers",
            "2",
            "--expect-workers-max-wait",
            "30",
            "-H",
            sim.base_url,
            "--dialer-plan",
            str(plan),
            "--json-file",
            str(report / "locust"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    workers: list[subprocess.Popen[bytes]] = [
        subprocess.Popen(
            [*locust, "--worker", "--master-host", "127.0.0.1", "--master-port", port],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    try:
        output, _ = master.communicate(timeout=90)
        for worker in workers:
            worker.wait(timeout=30)
    finally:
        processes: list[subprocess.Popen[Any]] = [master, *workers]
        for process in processes:
            if process.poll() is None:
                process.kill()
    assert master.returncode == 0, output[-4000:]
    merged = {
        name: r["requests"]
        for name, r in json.loads((report / "summary.json").read_text())["requests"].items()
    }
    reports = [json.loads(path.read_text())["requests"] for path in sorted(report.glob("worker-*.json"))]
    assert len(reports) == 2 and all(reports), reports
    summed = {name: sum(r.get(name, 0) for r in reports) for name in merged}
    locust_totals = {e["name"]: e["num_requests"] for e in json.loads((report / "locust.json").read_text())}
    assert merged == summed, (merged, reports)
    assert {name: locust_totals[name] for name in merged} == merged
    assert merged["addContact"] + merged["listContacts"] + merged["importContacts"] >= 0.9 * 40 * 4


def test_stress_stops_at_the_first_breach_and_reports_the_knee(run_load: RunLoad, tmp_path: Path) -> None:
    """Two users at 100 ms each carry 20 req/s at most: the 24 req/s step cannot keep its rate."""
    slo = tmp_path / "slo.toml"
    slo.write_text(
        "[simulator.default]\nmin_rps_of_offered = 0.9\n[simulator.default.requests.addContact]\n"
        "intended_p95_ms = 250\n[simulator.profile.stress]\nmin_knee_rps = 8\n"
    )
    result = run_load(
        "--profile",
        "stress",
        "--rate",
        "8",
        "--step-seconds",
        "2",
        "--steps",
        "6",
        "--users",
        "2",
        "--simulator-latency-ms",
        "100",
        "--slo",
        str(slo),
    )
    assert result.code == 0, result.output[-4000:]
    stages = result.summary["stages"]
    assert [stage["passed"] for stage in stages] == [True, True, False], stages
    assert result.summary["knee_rps"] == 16.0
    assert "knee: 16.0 req/s offered" in result.stdout
    assert (result.report_dir / "latency_vs_load.png").is_file()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_429s_are_counted_apart_and_retry_after_is_honoured(
    run_load: RunLoad, simulator: Callable[..., SimulatorHandle], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Offered twice the simulator's limit (the ceiling claimed is twice what it enforces):
    throttled, not failed, and never hammering it."""
    sim = simulator(rate_limit=10.0)
    monkeypatch.setenv("DIALER_RATE_LIMIT", "20")
    result = run_load(
        "--profile",
        "steady",
        "--scenario",
        "add_contact",
        "--base-url",
        sim.base_url,
        "--rate",
        "20",
        "--duration",
        "4s",
        "--keep",
    )
    add = result.summary["requests"]["addContact"]
    assert add["throttled"] > 0, add
    assert add["failures"] == 0, add
    # Retried at once, 20 req/s against 10 would draw a 429 for about every success.
    assert add["throttled"] < add["requests"] / 2, add
    assert "addContact (429 throttled)" in (result.report_dir / "locust_stats.csv").read_text()
