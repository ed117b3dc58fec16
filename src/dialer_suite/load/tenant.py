"""A load run against a tenant, framed by what it costs the tenant: said first, removed last.

Before anything is sent the run says what it will send and write and what
removing that will cost at the tenant's rate ("writes about N contacts;
removing them takes about T at R/s"), and refuses to start when the removal
would take longer than the cleanup limit unless the person chose: wait for it
(``--wait-for-cleanup``) or keep the contacts (``--keep``) and remove them
later with ``dialer-suite cleanup``. After the run — after a Ctrl-C too — every
contact tagged with the run id is removed, paced, with progress; a second
Ctrl-C stops the removal and prints the command that finishes it. The
removal's outcome goes into the run's summary (terminal, ``summary.txt``,
``summary.json``), which the command prints last.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from dialer_suite.api.testdata import fictional_capacity
from dialer_suite.config.settings import Settings
from dialer_suite.errors import UsageError
from dialer_suite.load.removal import cleanup_command, remove_run, result_lines
from dialer_suite.load.run_plan import RunPlan
from dialer_suite.load.summary import VERDICT
from dialer_suite.load.writes import duration_text, estimate, peak_rate, rate_text, removal, scenario_mix

# A removal longer than this needs a choice before the run starts: a few minutes.
DEFAULT_CLEANUP_LIMIT = 300.0
_CODE_LEFT = 1  # contacts left on the target: the target did not remove what it was asked to


class TenantRun:
    """One load run against a tenant: its cost, and its cleanup."""

    def __init__(self, run_plan: RunPlan, settings: Settings, locustfile: Path, *, keep: bool) -> None:
        self.run_plan = run_plan
        self.settings = settings
        self.keep = keep
        mix = scenario_mix(locustfile)
        self.estimate = estimate(run_plan.plan, mix)
        self.peak = peak_rate(run_plan.plan, mix)
        self.removal = removal(self.estimate.contacts, settings.pace)

    @property
    def run_id(self) -> str:
        return self.run_plan.run_id or "RUN_ID"

    @property
    def command(self) -> str:
        return cleanup_command(self.run_id, self.settings, (self.run_plan.campaign_id,))

    def cost_lines(self) -> list[str]:
        plan, ceiling = self.run_plan.plan, self.run_plan.rate_ceiling
        sends = f"sends about {self.estimate.requests:,} requests"
        if plan.profile != "capacity":
            sends += (f" in {duration_text(plan.duration)} ({rate_text(self.estimate.rate)} on average, "
                      f"about {rate_text(self.peak)} at the peak)")
        sends += f"; ceiling {rate_text(ceiling or 0)}"
        if self.run_plan.bursts:
            sends += f", stress steps past it up to {rate_text(plan.peak_rate)} (bursts allowed)"
        elif plan.profile != "capacity" and ceiling and self.peak > ceiling:
            sends += "; the plan offers more than that: requests wait in our pacer (see its column)"
        cost = (f"writes about {self.estimate.contacts:,} contacts; removing them takes about "
                f"{duration_text(self.removal.seconds)} at {rate_text(self.removal.rate)}")
        then = (f"kept (--keep): remove them later with {self.command}" if self.keep
                else "they are removed at the end of the run")
        return [sends, cost, then]

    def check_cost(self, *, wait: bool, limit: float) -> None:
        """Refuse a run whose removal outlasts ``limit`` unless the person chose to wait or keep,
        and one that would run out of safe numbers."""
        if not (self.keep or wait) and self.removal.seconds > limit:
            raise UsageError(
                f"this run writes about {self.estimate.contacts:,} contacts; removing them takes about "
                f"{duration_text(self.removal.seconds)} at {rate_text(self.removal.rate)}, more than the "
                f"cleanup limit of {duration_text(limit)}. Choose: --wait-for-cleanup (remove them at the "
                f"end), --keep (keep them; later: {self.command}), or a smaller run (--contacts, --duration, "
                "--rate)"
            )
        self._check_numbers()

    def _check_numbers(self) -> None:
        """A tenant only gets numbers that dial no one: refuse a run that needs more than there are."""
        own = self.run_plan.phone_range
        available = fictional_capacity() + (own.count if own else 0)
        if self.estimate.contacts > available:
            raise UsageError(
                f"this run writes about {self.estimate.contacts:,} contacts, more than the {available:,} "
                "safe numbers the suite may give a tenant: give it a range you control, "
                f"{Settings.declared('phone_range').how()} (e.g. +15035550100:250000)"
            )

    def announce(self) -> None:
        plan = self.run_plan
        print(f"dialer-suite load: {plan.plan.profile} against {self.settings.base_url} (a tenant), run id "
              f"{self.run_id}, campaign {plan.campaign_id}, gate table {plan.gate_table}", flush=True)
        for line in self.cost_lines():
            print(f"  {line}", flush=True)

    def finish(self, code: int, *, interrupted: bool = False) -> int:
        """Remove what the run wrote (unless kept), add it to the summary, print the summary last."""
        report_dir = Path(self.run_plan.report_dir)
        if self.keep:
            lines = [f"cleanup: kept the contacts of run {self.run_id} (--keep); remove them with "
                     f"{self.command}"]
            self._amend(report_dir, lines, {"kept": True, "command": self.command})
            return code
        try:
            if interrupted:
                print(f"dialer-suite load: interrupted; removing what run {self.run_id} wrote (Ctrl-C again "
                      "to stop and keep the rest)", file=sys.stderr, flush=True)
            result, _ = remove_run(self.settings, self.run_id, (self.run_plan.campaign_id,),
                                   jobs=_unfinished_jobs(report_dir, self.run_plan.campaign_id))
        except KeyboardInterrupt:
            lines = [f"cleanup: interrupted; finish it with {self.command}"]
            self._amend(report_dir, lines, {"interrupted": True, "command": self.command})
            return 130
        lines = result_lines(result, self.run_id)
        if result.left:
            lines.append(f"cleanup: remove what is left with {self.command}")
        self._amend(report_dir, lines, {
            "removed": result.removed, "left": len(result.left), "deletes": result.deletes,
            "seconds": result.seconds, "rate": result.deletes / result.seconds if result.seconds else None,
            "ceiling_rps": self.run_plan.rate_ceiling, "problems": list(result.problems),
            "command": self.command,
        })
        if interrupted:
            return 130
        return _CODE_LEFT if result.left and code == 0 else code

    def _amend(self, report_dir: Path, lines: list[str], cleanup: dict[str, Any]) -> None:
        """The cleanup into summary.json and summary.txt (before the verdict), then the summary printed."""
        data_path, text_path = report_dir / "summary.json", report_dir / "summary.txt"
        if data_path.is_file():
            data = json.loads(data_path.read_text(encoding="utf-8"))
            data["cleanup"] = cleanup
            data_path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        text = text_path.read_text(encoding="utf-8").rstrip("\n").splitlines() if text_path.is_file() else []
        at = next((i for i in range(len(text) - 1, -1, -1) if text[i].startswith(VERDICT)), len(text))
        text[at:at] = lines
        if text_path.is_file():
            text_path.write_text("\n".join(text) + "\n", encoding="utf-8")
        print("\n" + "\n".join(text), flush=True)


def _unfinished_jobs(report_dir: Path, campaign_id: int) -> list[tuple[int, int]]:
    """Import jobs the run did not see end (jobs-*.jsonl): the removal waits for them first."""
    jobs = []
    for path in sorted(report_dir.glob("jobs-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if record.get("problem"):
                jobs.append((campaign_id, int(record["job_id"])))
    return jobs
