"""A 100,000-contact import, from the POST to the job reading ``completed``.

Target (issue 3): at most 10 s. Each round imports a fresh file of 100,000
contacts with distinct possible numbers into a freshly reset simulator (rate
limit off, minimum job time 0) and polls the job every 20 ms. Prints the
median and every round; writes reports/benchmarks/simulator_import.json.

    .venv/bin/python benchmarks/simulator_import.py [--rounds 3] [--contacts 100000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

import httpx

from dialer_suite.api.testdata import PhoneFactory, make_contacts
from dialer_suite.simulator import SimulatorConfig, running_simulator

REPORT = Path(__file__).resolve().parent.parent / "reports" / "benchmarks" / "simulator_import.json"
_POLL_SECONDS = 0.02
_TIMEOUT_SECONDS = 120.0


def _one_round(client: httpx.Client, payload: bytes) -> dict[str, Any]:
    started = time.perf_counter()
    response = client.post(
        "/outbound_dialer/campaigns/1/contacts/import",
        files={"file": ("contacts.json", payload, "application/json")},
    )
    accepted = time.perf_counter() - started
    assert response.status_code == 202, response.text
    job_url = response.headers["location"]
    while time.perf_counter() - started < _TIMEOUT_SECONDS:
        job = client.get(job_url).json()
        if job["status"] != "in_progress":
            break
        time.sleep(_POLL_SECONDS)
    return {
        "seconds": time.perf_counter() - started,
        "accepted_seconds": accepted,
        "status": job["status"],
        "imported": job.get("imported_contacts"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--contacts", type=int, default=100_000)
    args = parser.parse_args()
    rounds = []
    config = SimulatorConfig(rate_limit=None, min_job_seconds=0.0)
    with running_simulator(config) as simulator:
        auth = (simulator.username, simulator.token)
        client = httpx.Client(base_url=simulator.base_url, auth=auth, timeout=120)
        for index in range(args.rounds):
            client.post(simulator.root_url + "/_simulator/reset")
            phones = PhoneFactory(seed=f"bench-{index}", allow_possible=True).take(args.contacts)
            payload = json.dumps(make_contacts(f"bench{index}", phones)).encode()
            rounds.append(_one_round(client, payload) | {"megabytes": len(payload) / 1e6})
            print(f"round {index + 1}: {rounds[-1]}", flush=True)
    summary = {"contacts": args.contacts, "median_seconds": statistics.median(r["seconds"] for r in rounds),
               "rounds": rounds}
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(summary, indent=2))
    print(f"\n{args.contacts} contacts, POST to completed: median {summary['median_seconds']:.2f} s "
          f"over {len(rounds)} rounds")


if __name__ == "__main__":
    main()
