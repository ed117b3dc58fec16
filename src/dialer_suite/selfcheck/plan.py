"""Which runs one selfcheck makes, in the order they should start."""

from __future__ import annotations

from collections.abc import Sequence

from dialer_suite.selfcheck.model import FaultInfo, RunRequest, Tool

_JOB_KIND = "jobs"  # the catalog's kind for import-job faults


def plan_runs(
    faults: Sequence[FaultInfo],
    *,
    seed: int,
    repeat_clean: int,
    schemathesis: bool,
) -> list[RunRequest]:
    """Clean runs first, then one run per fault and tool.

    - The clean suite runs ``repeat_clean`` times with seeds ``seed, seed+1, …``:
      a suite that fails on a correct API for some seeds cries wolf.
    - The load smoke profile runs clean only when a speed fault is selected: a
      breached gate only convicts a speed fault if the clean run meets the gates.
    - Every fault run uses ``seed``, so a kill is reproducible with that seed.
    - The likely longest runs start first, which packs the pool best: speed
      faults (their load runs last a fixed duration, schemathesis alone meets
      every slow response), then job faults (the suite waits out its job
      timeout in every import test).
    """
    clean = [RunRequest(Tool.SUITE, None, seed + offset) for offset in range(repeat_clean)]
    if any(fault.speed for fault in faults):
        clean.append(RunRequest(Tool.LOAD, None, seed))
    if schemathesis:
        clean.append(RunRequest(Tool.SCHEMATHESIS, None, seed))
    ordered = sorted(faults, key=lambda fault: (not fault.speed, fault.kind != _JOB_KIND))
    faulty = []
    for fault in ordered:
        faulty.append(RunRequest(Tool.LOAD if fault.speed else Tool.SUITE, fault.name, seed))
        if schemathesis:
            faulty.append(RunRequest(Tool.SCHEMATHESIS, fault.name, seed))
    return clean + faulty
