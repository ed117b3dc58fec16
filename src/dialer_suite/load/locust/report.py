"""The end of a run: the master (or the only process) judges the merged book and writes the reports.

``quitting``: the verdict, ``over_time.png`` (and for stress
``latency_vs_load.png``), ``summary.txt``/``summary.json``, the reports of the
scenario's own user classes (a class with a ``write_report(run)`` class
method), and the exit code; a worker writes ``worker-<index>.json`` (what it
reported to the master). ``quit``: the summary is printed last, under locust's
own tables — unless ``dialer-suite load`` runs this locust: it removes what the
run wrote first and prints the summary after, with the cleanup in it. Plain
locust against a tenant says how to remove what the run wrote.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from locust.env import Environment
from locust.runners import WorkerRunner

from dialer_suite.load import chart, summary
from dialer_suite.load.analysis import judge_run
from dialer_suite.load.answers import answers
from dialer_suite.load.locust.run import LoadRun


def on_quitting(run: LoadRun, environment: Environment, **_: Any) -> None:
    runner = environment.runner
    if not run.has_plan:
        return
    if isinstance(runner, WorkerRunner):
        index = runner.worker_index
        summary.write(run.report_dir / f"worker-{index}.json", {"worker": index, "requests": run.reported})
        return
    run_plan = run.run_plan
    plan, gates = run_plan.plan, run_plan.gates
    verdict = judge_run(run.book, plan, gates, run.scenario, _run_seconds(run), ceiling=run_plan.rate_ceiling)
    report_dir = run.report_dir
    title = f"dialer-suite load: {plan.profile} ({plan.scenario}) - {'PASS' if verdict.passed else 'FAIL'}"
    chart.over_time(
        run.book, plan, run.scenario.paced, report_dir / "over_time.png", title=title, started=run.started
    )
    if plan.stop_on_breach and verdict.stages:
        limits = [g.get("p95_ms") for n, g in gates.requests.items() if n in run.scenario.paced]
        chart.latency_vs_load(
            list(verdict.stages),
            run.book,
            run.scenario.paced,
            verdict.knee_rps,
            report_dir / "latency_vs_load.png",
            title=f"stress: latency vs offered load ({plan.scenario})",
            p95_limit=min((x for x in limits if x is not None), default=None),
        )
    target = environment.host or ""
    found = answers(run_plan, run.book, verdict)
    notes = [] if run_plan.embedded or run_plan.managed else [
        f"the contacts of run {run_plan.run_id} stay on the target: remove them with "
        f"dialer-suite cleanup --run-id {run_plan.run_id} --base-url {target}"
    ]
    run.summary_text = summary.render(run_plan, run.book, verdict, target=target, report_dir=str(report_dir),
                                      found=found, notes=notes)
    (report_dir / "summary.txt").write_text(run.summary_text + "\n", encoding="utf-8")
    summary.write(report_dir / "summary.json", summary.to_json(run_plan, run.book, verdict, target=target,
                                                               found=found))
    for user_class in environment.user_classes:
        write_report = getattr(user_class, "write_report", None)
        if write_report is not None:
            write_report(run)
    if not verdict.passed:
        environment.process_exit_code = 1


def _run_seconds(run: LoadRun) -> float:
    if run.started is None:
        return 0.0
    plan = run.plan
    if plan.profile == "capacity" or plan.stop_on_breach:
        last = run.book.last_seen or time.time()
        return max(last - run.started, 1e-3)
    return min(time.time() - run.started, plan.duration)


def on_quit(run: LoadRun, **_: Any) -> None:
    if run.summary_text and not run.run_plan.managed:
        sys.stdout.write("\n" + run.summary_text + "\n")
        sys.stdout.flush()
