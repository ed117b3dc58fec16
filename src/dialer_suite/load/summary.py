"""The terminal summary and ``summary.json``: a person reads the verdict from these alone.

The table keeps the target's time apart from ours: ``p50``..``max`` are the
service time (request sent → answer), ``intended p95`` the open model's figure
(from the operation's intended send time: waiting for a free user, in our
pacer and for ``Retry-After`` included), ``pacer p95`` the wait in our own
pacer. The answers to the profile's question follow (``answers.py``), then
the gates of the table the run used, named.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dialer_suite.load import answers
from dialer_suite.load.analysis import RunVerdict
from dialer_suite.load.book import INTENDED, WAIT, Book, Window
from dialer_suite.load.names import IMPORT_END_TO_END
from dialer_suite.load.profiles import Plan
from dialer_suite.load.run_plan import RunPlan

_COLUMNS = ("requests", "fail", "429", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "intended p95",
            "pacer p95")
VERDICT = "VERDICT:"


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1f}"


def _row(name: str, window: Window, seconds: float) -> list[str]:
    rate = window.requests / seconds if seconds > 0 else math.nan
    return [
        name,
        str(window.requests),
        str(window.failures),
        str(window.throttled),
        "-" if math.isnan(rate) else f"{rate:.1f}",
        _ms(window.percentile_ms(50)),
        _ms(window.percentile_ms(95)),
        _ms(window.percentile_ms(99)),
        _ms(window.max_ms()),
        _ms(window.percentile_ms(95, INTENDED)),
        _ms(window.percentile_ms(95, WAIT)),
    ]


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [
            cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells))
    return lines


def render(
    run_plan: RunPlan, book: Book, verdict: RunVerdict, *, target: str, report_dir: str | None,
    found: Mapping[str, answers.Answer] | None = None, notes: list[str] | None = None,
) -> str:
    """The multi-line summary, ending with the verdict line (``notes`` just before it)."""
    plan = run_plan.plan
    kind = "the embedded simulator" if run_plan.embedded else "a tenant"
    lines = [
        f"dialer-suite load: profile {plan.profile}, scenario {plan.scenario}, target {target} ({kind}), "
        f"run id {run_plan.run_id}",
        _offer_line(plan, verdict),
        "service = request sent -> answer (the target's time); intended = from the intended send time "
        "(open model); pacer = waiting in our own pacer; HDR histograms",
        "",
    ]
    overall = book.overall()
    if overall:
        rows = [["request", *_COLUMNS]] + [
            _row(name, overall[name], verdict.seconds) for name in sorted(overall)
        ]
        lines += _table(rows)
    else:
        lines.append("no requests were recorded")
    imports = overall.get(IMPORT_END_TO_END)
    if imports is not None and imports.contacts:
        lines.append(
            f"import: {imports.requests - imports.failures} jobs completed, {imports.contacts} contacts "
            f"in {verdict.seconds:.1f} s = {imports.contacts / verdict.seconds:.1f} contacts/s "
            f"(end-to-end p95 {_ms(imports.percentile_ms(95))} ms)"
        )
    if verdict.stages:
        lines += ["", "stages (offered → achieved, per-stage gates):"]
        for result in verdict.stages:
            breached = [check for check in result.checks if not check.passed]
            state = (
                "within SLO" if not breached else "BREACHED: " + "; ".join(_short(c.line()) for c in breached)
            )
            lines.append(
                f"  {result.label:>9}: {result.offered_rps:8.1f} → {result.achieved_rps:8.1f} req/s  {state}"
            )
    lines += answers.lines(found or {})
    lines += ["", f"SLO gates ({run_plan.slo_source}):"]
    lines += [f"  {check.line()}" for check in verdict.checks] or ["  (no gates declared for this profile)"]
    if report_dir:
        lines += ["", f"reports: {report_dir}"]
    lines += notes or []
    lines.append(verdict_line(verdict))
    return "\n".join(lines)


def verdict_line(verdict: RunVerdict) -> str:
    breaches = verdict.breaches
    if breaches:
        return f"{VERDICT} FAIL - {len(breaches)} of {len(verdict.checks)} thresholds breached"
    return f"{VERDICT} PASS - all {len(verdict.checks)} thresholds met"


def _short(line: str) -> str:
    return line.removeprefix("FAIL ").strip()


def _offer_line(plan: Plan, verdict: RunVerdict) -> str:
    if plan.profile == "capacity":
        sizes = ", then ".join(str(size) for size in plan.batch_sizes)
        return (
            f"offered {plan.contacts} contacts in files of {sizes}, "
            f"{plan.users} concurrent imports; ran {verdict.seconds:.1f} s"
        )
    rates = ", ".join(f"{stage.rate:g}/s x {stage.seconds:g}s" for stage in plan.stages)
    return f"offered (open model) {rates}; {plan.users} users; ran {verdict.seconds:.1f} s"


def to_json(
    run_plan: RunPlan, book: Book, verdict: RunVerdict, *, target: str,
    found: Mapping[str, answers.Answer] | None = None,
) -> dict[str, Any]:
    """The machine-readable summary (what selfcheck and CI read)."""
    plan = run_plan.plan

    def window(w: Window) -> Mapping[str, Any]:
        return {
            "requests": w.requests,
            "failures": w.failures,
            "throttled": w.throttled,
            "contacts": w.contacts,
            **{f"p{p}_ms": _number(w.percentile_ms(p)) for p in (50, 95, 99)},
            "max_ms": _number(w.max_ms()),
            "intended_p95_ms": _number(w.percentile_ms(95, INTENDED)),
            "pacer_wait_p95_ms": _number(w.percentile_ms(95, WAIT)),
        }

    return {
        "profile": plan.profile,
        "scenario": plan.scenario,
        "target": target,
        "target_kind": "simulator" if run_plan.embedded else "tenant",
        "run_id": run_plan.run_id,
        "campaign_id": run_plan.campaign_id,
        "gate_table": run_plan.gate_table,
        "slo_source": run_plan.slo_source,
        "seconds": verdict.seconds,
        "passed": verdict.passed,
        "knee_rps": verdict.knee_rps,
        "requests": {name: window(w) for name, w in sorted(book.overall().items())},
        **dict(found or {}),
        "checks": [
            {
                "subject": c.subject,
                "metric": c.metric,
                "measured": _number(c.measured),
                "limit": c.limit,
                "at_most": c.at_most,
                "passed": c.passed,
            }
            for c in verdict.checks
        ],
        "stages": [
            {
                "label": s.label,
                "offered_rps": s.offered_rps,
                "achieved_rps": s.achieved_rps,
                "passed": s.passed,
            }
            for s in verdict.stages
        ],
    }


def _number(value: float) -> float | None:
    return None if math.isnan(value) else value


def write(path: Path, data: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
